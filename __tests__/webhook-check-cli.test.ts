import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CHECK_BUNDLE } from "../lib/package-paths";
import {
  closedPortUrl,
  type FakeApiServer,
  INCIDENT_ERROR,
  makePki,
  type Pki,
  type Scenario,
  startFakeApiServer,
  startSilentServer,
  writeKubeconfig,
} from "./helpers/fake-apiserver";

// The shipped artifact (dist/check/webhook-check.js, built by `npm test`) against a
// real local HTTPS API server: real TLS with a CA, a real kubeconfig, real faults.

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  report: any;
}

function runCheck(args: string[], env: Record<string, string> = {}): Promise<Run> {
  if (!existsSync(CHECK_BUNDLE)) throw new Error(`${CHECK_BUNDLE} is missing: run \`npm run build\` (npm test does)`);
  const home = mkdtempSync(path.join(os.tmpdir(), "webhook-check-home-"));
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [CHECK_BUNDLE, ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: home, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      let report: unknown;
      try {
        report = JSON.parse(stdout);
      } catch {
        report = undefined;
      }
      resolve({ code, stdout, stderr, ms: Date.now() - started, report });
    });
  });
}

let pki: Pki;
const servers: Array<{ close(): Promise<void> }> = [];
beforeAll(() => {
  pki = makePki();
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function cluster(scenario: Scenario = {}): Promise<{ api: FakeApiServer; kubeconfig: string }> {
  const api = await startFakeApiServer(pki, scenario);
  servers.push(api);
  return { api, kubeconfig: writeKubeconfig(pki, api.url) };
}

const fast = ["--json", "--interval", "0.5"];

test.concurrent("healthy: exit 0, every probe passes, nothing is persisted", async () => {
  const { api, kubeconfig } = await cluster();
  const run = await runCheck([...fast, "--kubeconfig", kubeconfig]);
  expect(run.code).toBe(0);
  expect(run.report.ok).toBe(true);
  expect(run.report.probes.map((p: any) => [p.probe, p.ok])).toEqual([
    ["api-server", true],
    ["webhook-endpoints", true],
    ["admission", true],
  ]);
  expect(run.report.probes[2].detail).toMatch(/valid CSR was mutated \(spec.username=kubernetes-admin\), an invalid one denied/);
  const posts = api.requests.filter((r) => r.startsWith("POST"));
  expect(posts).toHaveLength(2);
  for (const p of posts) expect(p).toMatch(/dryRun=All/);
  expect(api.writes).toEqual([]);
  expect(run.ms).toBeLessThan(5000);
});

test.concurrent("the incident: admission blocked with `operation not permitted` -> exit 1, classified as Cilium, by the deadline", async () => {
  const { kubeconfig } = await cluster({ webhookError: INCIDENT_ERROR });
  const run = await runCheck([...fast, "--timeout", "3", "--kubeconfig", kubeconfig]);
  expect(run.code).toBe(1);
  expect(run.report.failure).toMatchObject({ probe: "admission", class: "cilium-policy" });
  expect(run.report.failure.error).toContain("dial tcp 10.98.200.162:443: connect: operation not permitted");
  expect(run.report.failure.hint).toMatch(/socket-LB or a network policy/);
  expect(run.report.attempts).toBeGreaterThan(1);
  expect(run.report.elapsedMs).toBeGreaterThanOrEqual(3000);
  expect(run.report.elapsedMs).toBeLessThan(4000);
});

test.concurrent("human report names each probe, its time and verdict, with the API server's words", async () => {
  const { kubeconfig } = await cluster({ webhookError: INCIDENT_ERROR });
  const run = await runCheck(["--timeout", "3", "--interval", "0.5", "--kubeconfig", kubeconfig]);
  expect(run.code).toBe(1);
  expect(run.stdout).toMatch(/NOT REACHABLE/);
  expect(run.stdout).toMatch(/ok {3}api-server +\d+ms/);
  expect(run.stdout).toMatch(/FAIL admission +\d+ms/);
  expect(run.stdout).toContain("API server said: Internal error occurred: failed calling webhook");
  expect(run.stdout).toMatch(/hint \[cilium-policy\]/);
});

test.concurrent("no endpoints: exit 1, classified no-endpoints", async () => {
  const { kubeconfig } = await cluster({
    readyEndpoints: 0,
    webhookError:
      'Internal error occurred: failed calling webhook "webhook.cert-manager.io": failed to call webhook: Post "https://cert-manager-webhook.cert-manager.svc:443/validate?timeout=30s": no endpoints available for service "cert-manager-webhook"',
  });
  const run = await runCheck([...fast, "--timeout", "2", "--kubeconfig", kubeconfig]);
  expect(run.code).toBe(1);
  expect(run.report.failure).toMatchObject({ probe: "webhook-endpoints", class: "no-endpoints" });
  expect(run.report.probes.find((p: any) => p.probe === "admission")).toMatchObject({ ok: false, class: "no-endpoints" });
});

test.concurrent("webhook pod not listening: the API server's `connection refused` is classified", async () => {
  const { kubeconfig } = await cluster({ webhookError: INCIDENT_ERROR.replace("operation not permitted", "connection refused") });
  const run = await runCheck([...fast, "--timeout", "3", "--kubeconfig", kubeconfig]);
  expect(run.code).toBe(1);
  expect(run.report.failure).toMatchObject({ probe: "admission", class: "connection-refused" });
});

test.concurrent("API server refuses connections: exit 1, api-down, retried until the deadline", async () => {
  const kubeconfig = writeKubeconfig(pki, await closedPortUrl());
  const run = await runCheck([...fast, "--timeout", "1.5", "--kubeconfig", kubeconfig]);
  expect(run.code).toBe(1);
  expect(run.report.failure).toMatchObject({ probe: "api-server", class: "api-down" });
  expect(run.report.failure.error).toMatch(/ECONNREFUSED/);
  expect(run.report.attempts).toBeGreaterThan(2);
  expect(run.report.elapsedMs).toBeGreaterThanOrEqual(1500);
  expect(run.report.elapsedMs).toBeLessThan(2500);
});

test.concurrent("a server that accepts and never answers cannot hold the check past its deadline", async () => {
  const silent = await startSilentServer();
  servers.push(silent);
  const kubeconfig = writeKubeconfig(pki, silent.url);
  const run = await runCheck(["--json", "--timeout", "2", "--kubeconfig", kubeconfig]);
  expect(run.code).toBe(1);
  expect(run.report.failure).toMatchObject({ probe: "api-server", class: "api-down" });
  expect(run.report.failure.error).toMatch(/timed out/);
  // The deadline bounds the check itself; the process around it (start-up under a
  // loaded test run) gets a generous ceiling on top.
  expect(run.report.elapsedMs).toBeGreaterThanOrEqual(2000);
  expect(run.report.elapsedMs).toBeLessThan(3000);
  expect(run.ms).toBeLessThan(6000);
});

test.concurrent("a webhook that recovers after a few seconds: retries, then exit 0", async () => {
  const { kubeconfig } = await cluster({ webhookError: INCIDENT_ERROR, recoverAfterMs: 2000 });
  const run = await runCheck(["--json", "--interval", "0.25", "--timeout", "20", "--kubeconfig", kubeconfig]);
  expect(run.code).toBe(0);
  expect(run.report.attempts).toBeGreaterThan(2);
  expect(run.report.elapsedMs).toBeGreaterThanOrEqual(2000);
  expect(run.report.elapsedMs).toBeLessThan(6000);
  expect(run.stderr).toMatch(/attempt 1 .*admission failed \[cilium-policy\]/);
});

test.concurrent("credentials from an exec plugin (client-node's exec auth) are used", async () => {
  const { kubeconfig } = await cluster();
  const run = await runCheck([...fast, "--kubeconfig", kubeconfig, "--context", "exec@fake"]);
  expect(run.code).toBe(0);
  expect(run.report.context).toBe("exec@fake");
});

test.concurrent("401: credentials rejected", async () => {
  const { kubeconfig } = await cluster();
  const run = await runCheck([...fast, "--timeout", "3", "--kubeconfig", kubeconfig, "--context", "token@fake"]);
  expect(run.code).toBe(1);
  expect(run.report.failure).toMatchObject({ probe: "api-server", class: "credentials" });
});

test.concurrent("403: RBAC", async () => {
  const { kubeconfig } = await cluster({ auth: 403 });
  const run = await runCheck([...fast, "--timeout", "3", "--kubeconfig", kubeconfig]);
  expect(run.code).toBe(1);
  expect(run.report.failure).toMatchObject({ probe: "api-server", class: "rbac" });
});

test.concurrent("cert-manager CRDs missing", async () => {
  const { kubeconfig } = await cluster({ crds: false });
  const run = await runCheck([...fast, "--timeout", "3", "--kubeconfig", kubeconfig]);
  expect(run.code).toBe(1);
  expect(run.report.failure).toMatchObject({ probe: "admission", class: "crds-missing" });
});

test.concurrent("settings come from the environment when flags are absent (as the null_resource passes them)", async () => {
  const { kubeconfig } = await cluster({ service: false });
  const run = await runCheck([], {
    KUBECONFIG: kubeconfig,
    WEBHOOK_CHECK_TIMEOUT: "3",
    WEBHOOK_CHECK_INTERVAL: "0.2",
    WEBHOOK_CHECK_JSON: "1",
  });
  expect(run.code).toBe(1);
  expect(run.report.failure).toMatchObject({ probe: "webhook-endpoints", class: "service-missing" });
});

describe("configuration errors exit 2 at once, without retrying", () => {
  const quick = (run: Run) => {
    expect(run.code).toBe(2);
    expect(run.ms).toBeLessThan(2000);
  };

  test.concurrent("no kubeconfig at all: no silent fallback to localhost:8080", async () => {
    const run = await runCheck(["--timeout", "30"]);
    quick(run);
    expect(run.stderr).toMatch(/kubeconfig .*\.kube\/config does not exist/);
  });

  test.concurrent("a kubeconfig that is not YAML", async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), "kc-")), "config");
    writeFileSync(file, "clusters: [\n");
    const run = await runCheck(["--timeout", "30", "--kubeconfig", file]);
    quick(run);
    expect(run.stderr).toMatch(/is not a valid kubeconfig/);
  });

  test.concurrent("an unknown context", async () => {
    const { kubeconfig } = await cluster();
    const run = await runCheck(["--timeout", "30", "--kubeconfig", kubeconfig, "--context", "prod"]);
    quick(run);
    expect(run.stderr).toMatch(/context "prod" is not in .*; contexts there: admin@fake, token@fake, exec@fake/);
  });

  // Every usage error is covered in-process by the parser's tests; this proves the exit code.
  test.concurrent("a bad value", async () => {
    const run = await runCheck(["--namespace", "Cert_Manager"]);
    quick(run);
    expect(run.stderr).toMatch(/--namespace "Cert_Manager" is not a valid Kubernetes name/);
  });
});
