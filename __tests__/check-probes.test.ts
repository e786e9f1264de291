// The probes in-process against a real local HTTPS API server (real CA, client
// certificates, real sockets): every classification of the API server's answers,
// without starting a process per scenario.
import { main } from "../lib/check/cli";
import { apiRequest, TransportError } from "../lib/check/http";
import type { ProbeResult } from "../lib/check/probes";
import { runAttempt } from "../lib/check/run";
import {
  closedPortUrl,
  fakeTarget,
  INCIDENT_ERROR,
  type Scenario,
  standIns,
  startSilentServer,
  writeKubeconfig,
} from "./helpers/fake-apiserver";
import { tempDir } from "./helpers/temp";

const stand = standIns();

const WEBHOOK = { namespace: "cert-manager", service: "cert-manager-webhook", port: 443, probeNamespace: "cert-manager" };
const far = () => Date.now() + 60_000;
const quiet = { out: () => {}, err: () => {} };

async function attemptAgainst(scenario: Scenario, auth?: { token: string }) {
  const api = await stand.api(scenario);
  const probes = await runAttempt(fakeTarget(stand.pki, api.url, auth), WEBHOOK, far());
  return { api, probes, failure: probes.find((p) => !p.ok) as ProbeResult };
}

test("healthy: every probe passes; only dry-run POSTs, nothing persisted", async () => {
  const { api, probes } = await attemptAgainst({});
  expect(probes.map((p) => [p.probe, p.ok])).toEqual([
    ["api-server", true],
    ["probe-namespace", true],
    ["webhook-endpoints", true],
    ["admission", true],
  ]);
  expect(probes[3].detail).toMatch(/valid CSR was mutated \(spec.username=kubernetes-admin\), an invalid one denied/);
  const posts = api.requests.filter((r) => r.startsWith("POST"));
  expect(posts).toHaveLength(2);
  for (const p of posts) expect(p).toMatch(/dryRun=All/);
  expect(api.writes).toEqual([]);
});

test("the incident: `operation not permitted` from the API server's webhook call", async () => {
  const { failure } = await attemptAgainst({ webhookError: INCIDENT_ERROR });
  expect(failure).toMatchObject({ probe: "admission", class: "cilium-service" });
  expect(failure.error).toContain("dial tcp 10.98.200.162:443: connect: operation not permitted");
  expect(failure.hint).toMatch(/before 1\.19\.4 answers `connect: operation not permitted`.*from 1\.19\.4 `connect: no route to host`/);
});

test("no ready endpoints: the endpoints probe fails, and admission carries the API server's words", async () => {
  const noEndpoints =
    'Internal error occurred: failed calling webhook "webhook.cert-manager.io": failed to call webhook: Post "https://cert-manager-webhook.cert-manager.svc:443/validate?timeout=30s": no endpoints available for service "cert-manager-webhook"';
  const { probes, failure } = await attemptAgainst({ readyEndpoints: 0, webhookError: noEndpoints });
  expect(failure).toMatchObject({ probe: "webhook-endpoints", class: "no-endpoints" });
  expect(probes.find((p) => p.probe === "admission")).toMatchObject({ ok: false, class: "no-endpoints" });
});

test("webhook pod not listening: `connection refused`", async () => {
  const { failure } = await attemptAgainst({ webhookError: INCIDENT_ERROR.replace("operation not permitted", "connection refused") });
  expect(failure).toMatchObject({ probe: "admission", class: "connection-refused" });
});

test("the webhook Service is missing", async () => {
  const { failure } = await attemptAgainst({ service: false });
  expect(failure).toMatchObject({ probe: "webhook-endpoints", class: "service-missing" });
});

test("cert-manager CRDs missing", async () => {
  const { failure } = await attemptAgainst({ crds: false });
  expect(failure).toMatchObject({ probe: "admission", class: "crds-missing" });
});

test("401: credentials rejected", async () => {
  const { failure } = await attemptAgainst({}, { token: "not-a-valid-token" });
  expect(failure).toMatchObject({ probe: "api-server", class: "credentials" });
});

test("403: RBAC", async () => {
  const { failure } = await attemptAgainst({ auth: 403 });
  expect(failure).toMatchObject({ probe: "api-server", class: "rbac" });
});

test("API server refusing connections: api-down with ECONNREFUSED", async () => {
  const probes = await runAttempt(fakeTarget(stand.pki, await closedPortUrl()), WEBHOOK, far());
  expect(probes).toHaveLength(1);
  expect(probes[0]).toMatchObject({ probe: "api-server", ok: false, class: "api-down" });
  expect(probes[0].error).toMatch(/ECONNREFUSED/);
});

test("a server that accepts and never answers is cut at the deadline, and the probe says so", async () => {
  const silent = await startSilentServer();
  stand.serve(silent);
  const probes = await runAttempt(fakeTarget(stand.pki, silent.url), WEBHOOK, Date.now() + 200);
  expect(probes[0]).toMatchObject({ probe: "api-server", ok: false, class: "api-down", cutByDeadline: true });
  expect(probes[0].error).toMatch(/timed out/);
});

test("a request whose deadline has passed is not sent", async () => {
  const api = await stand.api({});
  const err = await apiRequest(fakeTarget(stand.pki, api.url), "GET", "/version", Date.now() - 1).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(TransportError);
  expect(err).toMatchObject({ code: "DEADLINE", atDeadline: true });
  expect(api.requests).toEqual([]);
});

describe("connections, as client-go keeps them", () => {
  test("one attempt reuses its connections: fewer TLS handshakes than requests", async () => {
    const { api, probes } = await attemptAgainst({});
    expect(probes.every((p) => p.ok)).toBe(true);
    expect(api.requests.length).toBeGreaterThanOrEqual(6);
    expect(api.connections()).toBeLessThan(api.requests.length);
  });

  test("a kept-alive connection the server drops as it is reused: the request is sent once more, on a new one", async () => {
    let dropped = 0;
    const api = await stand.api({ drop: (n) => n === 2 && ++dropped === 1 });
    const target = fakeTarget(stand.pki, api.url);
    expect((await apiRequest(target, "GET", "/version", far())).status).toBe(200);
    expect((await apiRequest(target, "GET", "/version", far())).status).toBe(200);
    expect(dropped).toBe(1);
    expect(api.requests).toEqual(["GET /version", "GET /version"]);
    expect(api.connections()).toBe(2);
  });

  test("a connection dropped on its first request is not retried: that is the answer", async () => {
    const api = await stand.api({ drop: () => true });
    const err = await apiRequest(fakeTarget(stand.pki, api.url), "GET", "/version", far()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect(err).toMatchObject({ code: "ECONNRESET" });
    expect(api.connections()).toBe(1);
  });

  test("the check closes its connections when it ends", async () => {
    const api = await stand.api({});
    const code = await main(["--json", "--kubeconfig", writeKubeconfig(stand.pki, api.url)], { HOME: tempDir("home-") }, quiet);
    expect(code).toBe(0);
    expect(api.connections()).toBeGreaterThan(0);
    // The server hears the close a moment later; kept-alive connections would stay 5 s (its keep-alive timeout).
    for (let waited = 0; (await api.open()) > 0 && waited < 2000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    expect(await api.open()).toBe(0);
  });
});
