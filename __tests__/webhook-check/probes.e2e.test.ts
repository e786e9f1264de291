// The probes in-process against a real local HTTPS API server (real CA, client
// certificates, real sockets): every classification of the API server's answers,
// without starting a process per scenario.
import { main } from "../../lib/webhook-check/runner/cli";
import type { CredentialSource, Credentials } from "../../lib/webhook-check/kube/credentials";
import { apiRequest, TransportError } from "../../lib/webhook-check/kube/http";
import type { ProbeResult } from "../../lib/webhook-check/probes/result";
import { runAttempt } from "../../lib/webhook-check/runner/attempts";
import {
  closedPortUrl,
  fakeTarget,
  INCIDENT_ERROR,
  type Override,
  type Scenario,
  standIns,
  startSilentServer,
  writeKubeconfig,
  makePki,
  type Pki,
  removePki,
  startFakeApiServer,
} from "../helpers/fake-apiserver";
import { runMainInProcess } from "../helpers/run-cli";
import { tempDir } from "../helpers/temp";
import { FAILURE_CLASSES } from "../../lib/webhook-check/probes/classify";
import { probeAdmission } from "../../lib/webhook-check/probes/cert-manager";

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

  test("new credentials (an exec plugin's renewed certificate) never ride an old connection", async () => {
    const api = await stand.api({});
    const target = fakeTarget(stand.pki, api.url);
    // The same client certificate, but another PEM text: another TLS identity, as a renewed certificate is.
    let current: Credentials = { headers: {}, cert: stand.pki.clientCert, key: stand.pki.clientKey };
    const renewed = { headers: {}, cert: `${stand.pki.clientCert}\n`, key: stand.pki.clientKey };
    const withCredentials = { ...target, credentials: { get: async () => current, refresh: () => {} } as unknown as CredentialSource };
    for (let i = 0; i < 3; i++) expect((await apiRequest(withCredentials, "GET", "/version", far())).status).toBe(200);
    expect(api.connections()).toBe(1);
    current = renewed;
    for (let i = 0; i < 3; i++) expect((await apiRequest(withCredentials, "GET", "/version", far())).status).toBe(200);
    expect(api.connections()).toBe(2);
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

describe("every answer the check reads is bounded", () => {
  const versionAnswer = (o: Partial<Override>) => ({
    respond: (_m: string, p: string) => (p === "/version" ? { status: 200, ...o } : undefined),
  });

  test("an endless body ends at the limit with a TransportError, long before the deadline", async () => {
    const api = await stand.api(versionAnswer({ endless: true, contentType: "application/json" }));
    const target = { ...fakeTarget(stand.pki, api.url), maxBodyBytes: 256 * 1024 };
    const err = await apiRequest(target, "GET", "/version", far()).catch((e) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect(err).toMatchObject({ code: "EBODYLIMIT", atDeadline: false });
    expect(err.message).toMatch(/larger than 256 KiB, the most the check reads of one answer/);
  });

  test("a list whose declared Content-Length is over the limit is refused before the body is read", async () => {
    const list = "/apis/apiregistration.k8s.io/v1/apiservices";
    const api = await stand.api({
      respond: (_m, p) => (p === list ? { status: 200, text: "{}", headers: { "content-length": String(65 * 1024 * 1024) } } : undefined),
    });
    const err = await apiRequest(fakeTarget(stand.pki, api.url), "GET", list, far()).catch((e) => e);
    expect(err).toMatchObject({ code: "EBODYLIMIT" });
    expect(err.message).toMatch(/larger than 64 MiB/);
  });

  test("an answer that should be one object (/version) is cut at 3 MiB, as no stored object is larger", async () => {
    const api = await stand.api(versionAnswer({ json: { gitVersion: "v1.31.0", padding: "x".repeat(4 * 1024 * 1024) } }));
    const err = await apiRequest(fakeTarget(stand.pki, api.url), "GET", "/version", far()).catch((e) => e);
    expect(err).toMatchObject({ code: "EBODYLIMIT" });
    expect(err.message).toMatch(/larger than 3 MiB, the most the check reads of one answer/);
  });

  test("an over-limit answer is a classified failure, and the --json report is printed", async () => {
    const api = await stand.api(versionAnswer({ text: "{}", headers: { "content-length": String(100 * 1024 * 1024) } }));
    const run = await runMainInProcess(["--json", "--timeout", "5", "--kubeconfig", writeKubeconfig(stand.pki, api.url)], {
      HOME: tempDir("home-"),
    });
    expect(run.code).toBe(1);
    expect(run.report.failure).toMatchObject({ probe: "api-server", ok: false, class: "bad-response" });
    expect(run.report.failure?.detail).toMatch(/an answer too large to read$/);
    expect(run.report.failure?.error).toMatch(/larger than 3 MiB/);
  });
});

// Classification tells the truth: every message, in kube-apiserver's own wording,
// answered to the check's dry-run create by a local TLS stand-in, through the real
// admission probe. One row per message; the `class` values are a public interface.
describe("classification: one row per kube-apiserver message, through the real admission probe", () => {
  const CALL =
    'Internal error occurred: failed calling webhook "webhook.cert-manager.io": failed to call webhook: Post "https://cert-manager-webhook.cert-manager.svc:443/validate?timeout=30s"';
  const status = (code: number, reason: string, message: string) => ({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    code,
  });

  type Row = [string, number, { json?: unknown; text?: string }, ProbeResult["class"]];
  const ROWS: Row[] = [
    [
      "EPERM on the ClusterIP (Cilium < 1.19.4, the incident)",
      500,
      { json: status(500, "InternalError", `${CALL}: dial tcp 10.98.200.162:443: connect: operation not permitted`) },
      "cilium-service",
    ],
    [
      "no route to host on the ClusterIP (Cilium >= 1.19.4)",
      500,
      { json: status(500, "InternalError", `${CALL}: dial tcp 10.98.200.162:443: connect: no route to host`) },
      "cilium-service",
    ],
    [
      "connection refused",
      500,
      { json: status(500, "InternalError", `${CALL}: dial tcp 10.244.0.12:10250: connect: connection refused`) },
      "connection-refused",
    ],
    [
      "connection reset",
      500,
      { json: status(500, "InternalError", `${CALL}: read tcp 10.0.0.1:51234->10.98.200.162:443: read: connection reset by peer`) },
      "connection-reset",
    ],
    ["EOF", 500, { json: status(500, "InternalError", `${CALL}: EOF`) }, "connection-reset"],
    ["TLS handshake timeout", 500, { json: status(500, "InternalError", `${CALL}: net/http: TLS handshake timeout`) }, "tls"],
    [
      "x509",
      500,
      { json: status(500, "InternalError", `${CALL}: tls: failed to verify certificate: x509: certificate signed by unknown authority`) },
      "tls",
    ],
    [
      "no such host",
      500,
      {
        json: status(
          500,
          "InternalError",
          `${CALL}: dial tcp: lookup cert-manager-webhook.cert-manager.svc on 10.96.0.10:53: no such host`,
        ),
      },
      "dns",
    ],
    ["context deadline exceeded", 500, { json: status(500, "InternalError", `${CALL}: context deadline exceeded`) }, "timeout"],
    ["i/o timeout", 500, { json: status(500, "InternalError", `${CALL}: dial tcp 10.98.200.162:443: i/o timeout`) }, "timeout"],
    [
      "Client.Timeout",
      500,
      {
        json: status(
          500,
          "InternalError",
          `${CALL}: net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)`,
        ),
      },
      "timeout",
    ],
    [
      "no endpoints",
      500,
      { json: status(500, "InternalError", `${CALL}: no endpoints available for service "cert-manager-webhook"`) },
      "no-endpoints",
    ],
    [
      "service not found",
      500,
      { json: status(500, "InternalError", `${CALL}: service "cert-manager-webhook" not found`) },
      "service-missing",
    ],
    ["namespace not found", 404, { json: status(404, "NotFound", 'namespaces "cert-manager" not found') }, "namespace-missing"],
    ["CRDs missing", 404, { json: status(404, "NotFound", "the server could not find the requested resource") }, "crds-missing"],
    [
      "our own permission",
      403,
      {
        json: status(
          403,
          "Forbidden",
          'certificaterequests.cert-manager.io is forbidden: User "ci" cannot create resource "certificaterequests" in API group "cert-manager.io" in the namespace "cert-manager"',
        ),
      },
      "rbac",
    ],
    [
      // Found against the real kube-apiserver: the user's name carries the word "webhook".
      "our own permission, as a ServiceAccount named webhook-check",
      403,
      {
        json: status(
          403,
          "Forbidden",
          'certificaterequests.cert-manager.io is forbidden: User "system:serviceaccount:cert-manager:webhook-check" cannot create resource "certificaterequests" in API group "cert-manager.io" in the namespace "cert-manager"',
        ),
      },
      "rbac",
    ],
    [
      "another webhook denies (Kyverno)",
      400,
      {
        json: status(
          400,
          "BadRequest",
          'admission webhook "validate.kyverno.svc-fail" denied the request: policy require-labels: validation error: label app is required',
        ),
      },
      "other-webhook",
    ],
    [
      "another webhook denies (Gatekeeper)",
      403,
      {
        json: status(
          403,
          "Forbidden",
          'admission webhook "validation.gatekeeper.sh" denied the request: [require-team] you must provide labels: {"team"}',
        ),
      },
      "other-webhook",
    ],
    [
      "another webhook fails",
      500,
      {
        json: status(
          500,
          "InternalError",
          'Internal error occurred: failed calling webhook "validate.kyverno.svc-fail": failed to call webhook: Post "https://kyverno-svc.kyverno.svc:443/validate/fail?timeout=10s": no endpoints available for service "kyverno-svc"',
        ),
      },
      "other-webhook",
    ],
    ["credentials rejected", 401, { json: status(401, "Unauthorized", "Unauthorized") }, "credentials"],
    ["bad gateway", 502, { json: status(502, "InternalError", "bad gateway") }, "api-unavailable"],
    [
      "unavailable",
      503,
      { json: status(503, "ServiceUnavailable", "the server is currently unable to handle the request") },
      "api-unavailable",
    ],
    [
      "rate limited",
      429,
      { json: status(429, "TooManyRequests", "the server has received too many requests and has asked us to try again later") },
      "api-unavailable",
    ],
    [
      // 429/500/502/503/504 naming no webhook: the API server (or its load balancer) is not answering now.
      "a load balancer's HTML page",
      502,
      { text: "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>" },
      "api-unavailable",
    ],
    [
      "max-in-flight / APF refusal (plain text, before admission)",
      429,
      { text: "Too many requests, please try again later." },
      "api-unavailable",
    ],
    ["a gateway timeout", 504, { text: "upstream request timeout" }, "api-unavailable"],
    [
      "a ValidatingAdmissionPolicy denial (422 Invalid)",
      422,
      {
        json: status(
          422,
          "Invalid",
          "certificaterequests.cert-manager.io \"webhook-check-x7k2p\" is forbidden: ValidatingAdmissionPolicy 'require-team-label' with binding 'require-team-label-binding' denied request: every object needs a team label",
        ),
      },
      "admission-policy",
    ],
    [
      "a ValidatingAdmissionPolicy denial (403 Forbidden, no binding named)",
      403,
      {
        json: status(
          403,
          "Forbidden",
          "certificaterequests.cert-manager.io \"webhook-check-x7k2p\" is forbidden: ValidatingAdmissionPolicy 'deny-all' denied request: nothing here",
        ),
      },
      "admission-policy",
    ],
    ["an empty body", 200, { text: "" }, "bad-response"],
    ["a truncated body", 201, { text: '{"apiVersion":"cert-manager.io/v1","kind":"Certif' }, "bad-response"],
    [
      "the webhook answered wrongly",
      500,
      { json: status(500, "InternalError", `${CALL}: something nobody has seen before`) },
      "webhook-misbehaving",
    ],
  ];

  let pki: Pki;
  let answer: Row[2] & { status: number };
  let close: () => Promise<void>;
  let url: string;
  beforeAll(async () => {
    pki = makePki();
    const api = await startFakeApiServer(pki, {
      respond: (method, path) => (method === "POST" && path.endsWith("/certificaterequests") ? answer : undefined),
    });
    close = api.close;
    url = api.url;
  });
  afterAll(async () => {
    await close();
    removePki(pki);
  });

  test.each(ROWS)("%s (HTTP %i) -> %s", async (_what, code, body, expected) => {
    answer = { status: code, ...body, ...(body.text !== undefined ? { contentType: "text/html" } : {}) };
    const t = { namespace: "cert-manager", service: "cert-manager-webhook", port: 443, probeNamespace: "cert-manager" };
    const result = await probeAdmission(fakeTarget(pki, url), t, Date.now() + 10_000);
    expect(result.ok).toBe(false);
    expect(result.class).toBe(expected);
    expect(result.hint).toBeTruthy();
    if (body.json) expect(result.error).toBe((body.json as { message: string }).message);
    else expect(result.error).toBe(body.text === "" ? "(empty body)" : body.text?.split("\n")[0]);
  });

  test("every class a report can carry is in the table or covered by the probe tests", () => {
    const here = new Set(ROWS.map((r) => r[3]));
    const elsewhere = ["api-down", "proof-assumption"]; // transport failures: this file; the proof's assumptions: proof-assumptions.e2e.test.ts
    expect(FAILURE_CLASSES.filter((c) => !here.has(c) && !elsewhere.includes(c))).toEqual([]);
  });
});
