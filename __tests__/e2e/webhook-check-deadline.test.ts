// The deadline bounds the process: the shipped bundle, as terraform runs it, ends by its
// --timeout whatever the cluster does (a webhook that fails, a server that never answers,
// an exec plugin that hangs). Only an upper bound is asserted, and its slack is measured
// on this machine in this run (a healthy run, start-up to exit, three times over); the
// tests run one at a time, so none of them slows another. The verdicts themselves, and
// the tight property (the loop stops at the deadline), are proven with an injected clock
// in webhook-check/runner.test.ts and webhook-check/scope.e2e.test.ts.
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { INCIDENT_ERROR, type Scenario, startSilentServer, standIns, writeKubeconfig } from "../helpers/fake-apiserver";
import { proof } from "../helpers/check-proofs";
import { killAll, measureOneRun, runCli } from "../helpers/run-cli";
import { tempDir } from "../helpers/temp";

const DEADLINE_S = 1;
const stand = standIns();
let oneRunMs = 0;
let byDeadlineMs = 0;
/**
 * What may pass after a deadline before the process is gone: three healthy runs measured in this
 * run, and never under 5 s, so the bound holds on a saturated machine too.
 */
const slackMs = () => Math.max(3 * oneRunMs, 5000);

async function cluster(scenario: Scenario = {}): Promise<string> {
  const api = await stand.api(scenario);
  return writeKubeconfig(stand.pki, api.url);
}

beforeAll(async () => {
  oneRunMs = await measureOneRun(await cluster());
  byDeadlineMs = DEADLINE_S * 1000 + slackMs();
});
afterAll(() => killAll());

test("the incident: exit 1 with the human report, no later than the deadline allows", async () => {
  const run = await runCli([
    "--timeout",
    String(DEADLINE_S),
    "--interval",
    "0.25",
    "--kubeconfig",
    await cluster({ webhookError: INCIDENT_ERROR }),
  ]);
  expect(run.code).toBe(1);
  expect(run.stdout).toMatch(/^webhook-check: NOT REACHABLE: kube-apiserver -> cert-manager\/cert-manager-webhook:443/);
  expect(run.ms).toBeLessThan(byDeadlineMs);
});

test("a server that accepts and never answers cannot hold the process past its deadline", async () => {
  const silent = await startSilentServer();
  stand.serve(silent);
  const run = await runCli(["--json", "--timeout", String(DEADLINE_S), "--kubeconfig", writeKubeconfig(stand.pki, silent.url)]);
  expect(run.code).toBe(1);
  expect(run.report).toMatchObject({ ok: false, exitCode: 1, failure: { probe: "api-server", class: "api-down" } });
  expect(run.report.elapsedMs).toBeGreaterThanOrEqual(DEADLINE_S * 1000);
  expect(run.ms).toBeLessThan(byDeadlineMs);
});

const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
};

test("a hanging exec plugin: exit 1 by the deadline with the JSON report, and no process left behind", async () => {
  const dir = tempDir("hang-");
  const pids = path.join(dir, "pids");
  const plugin = path.join(dir, "plugin.sh");
  writeFileSync(plugin, `#!/bin/sh\nsleep 300 &\necho "$$ $!" > ${pids}\nwait\n`, { mode: 0o755 });
  const kubeconfig = path.join(dir, "config");
  writeFileSync(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: ${plugin}}}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
  );
  const run = await runCli(["--json", "--timeout", String(DEADLINE_S), "--kubeconfig", kubeconfig]);
  expect(run.code).toBe(1);
  expect(run.ms).toBeLessThan(byDeadlineMs);
  expect(run.report).toMatchObject({ ok: false, failure: { probe: "api-server", class: "credentials", cutByDeadline: true } });
  const [shell, sleeper] = readFileSync(pids, "utf8").trim().split(" ").map(Number);
  for (let i = 0; i < 50 && (alive(shell) || alive(sleeper)); i++) await new Promise((r) => setTimeout(r, 20));
  expect([alive(shell), alive(sleeper)]).toEqual([false, false]);
});

test("cilium-config that differs from the proof: exit 1 by the deadline, assumed vs found", async () => {
  // A deadline that leaves this machine time for a complete attempt (three healthy runs'
  // worth): the verdict is the mismatch found, never a probe the deadline happened to cut.
  const timeoutMs = Math.max(DEADLINE_S * 1000, Math.ceil((3 * oneRunMs) / 1000) * 1000);
  const run = await runCli(
    [
      "--json",
      "--timeout",
      String(timeoutMs / 1000),
      "--interval",
      "0.25",
      "--kubeconfig",
      await cluster({ ciliumConfig: { "enable-policy": "always" } }),
    ],
    { WEBHOOK_CHECK_PROOF: JSON.stringify(proof()) },
  );
  expect(run.code).toBe(1);
  expect(run.report.failure).toMatchObject({ probe: "proof-assumptions", class: "proof-assumption" });
  expect(run.report.failure?.detail).toContain(
    'cilium-config enable-policy: assumed "default" (policyEnforcementMode); found ConfigMap kube-system/cilium-config: "always"',
  );
  expect(run.ms).toBeLessThan(timeoutMs + slackMs());
});
