// End to end: the shipped bundle (dist/check/webhook-check.js, built by `npm test`)
// against real local HTTPS API servers, with a real CA, a real kubeconfig and an
// exec credential plugin: exit codes, the environment the null_resource passes,
// signals and process groups. That the deadline bounds the process is proven in
// webhook-check-deadline.test.ts (one at a time, with a slack measured in the run);
// classification and the loop's timing are proven with an injected clock.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { type Scenario, startSilentServer, writeKubeconfig, standIns } from "../helpers/fake-apiserver";
import { killAll, killCheckGroup, runCli } from "../helpers/run-cli";
import { tempDir } from "../helpers/temp";

/** "At once": far below the 60 s deadline these runs are given, even on a saturated machine. */
const SLACK_MS = 5000;

const stand = standIns();
afterAll(() => killAll());

async function cluster(scenario: Scenario = {}): Promise<string> {
  const api = await stand.api(scenario);
  return writeKubeconfig(stand.pki, api.url);
}

test.concurrent("healthy cluster: exit 0, a JSON report with every probe passed", async () => {
  const run = await runCli(["--json", "--kubeconfig", await cluster()]);
  expect(run.code).toBe(0);
  expect(run.report).toMatchObject({ ok: true, exitCode: 0, context: "admin@fake", attempts: 1 });
  expect(run.report.probes.map((p) => [p.probe, p.ok])).toEqual([
    ["api-server", true],
    ["probe-namespace", true],
    ["webhook-endpoints", true],
    ["admission", true],
    ["cluster-paths", true],
  ]);
});

test.concurrent("settings from the environment (as the null_resource passes them); credentials from an exec plugin", async () => {
  const run = await runCli([], { KUBECONFIG: await cluster(), WEBHOOK_CHECK_CONTEXT: "exec@fake", WEBHOOK_CHECK_JSON: "1" });
  expect(run.code).toBe(0);
  expect(run.report).toMatchObject({ ok: true, context: "exec@fake" });
});

test.concurrent.each([
  ["SIGINT", 130],
  ["SIGTERM", 143],
] as const)("%s: the check stops, prints what it knew (JSON), and exits %i", async (signal, code) => {
  const silent = await startSilentServer();
  stand.serve(silent);
  const run = await runCli(["--json", "--timeout", "60", "--kubeconfig", writeKubeconfig(stand.pki, silent.url)], {}, signal);
  // The signal, not the 60 s deadline, ended it: the exit code and `interrupted` say so (a
  // deadline ends with exit 1 and no `interrupted`).
  expect(run.code).toBe(code);
  expect(run.report).toMatchObject({ ok: false, interrupted: signal, exitCode: 1 });
  expect(run.report.probes).toEqual([expect.objectContaining({ probe: "api-server", cutByDeadline: true })]);
});

describe("configuration errors exit 2 at once, long before the 60 s deadline", () => {
  const args = ["--timeout", "60"];

  test.concurrent("no kubeconfig at all: no silent fallback to localhost:8080", async () => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    // Refused before any attempt: the check never started probing.
    expect(run.stderr).not.toMatch(/webhook-check: checking kube-apiserver/);
    expect(run.stderr).toMatch(/kubeconfig .*\.kube\/config does not exist/);
  });

  test.concurrent("a kubeconfig that is not YAML", async () => {
    const dir = tempDir("kc-");

    writeFileSync(path.join(dir, "config"), "clusters: [\n");
    const run = await runCli([...args, "--kubeconfig", path.join(dir, "config")]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/kubeconfig .*config is not valid YAML \(\w+ at line \d+, column \d+\)/);
  });

  test.concurrent("an unknown context", async () => {
    const run = await runCli([...args, "--kubeconfig", await cluster(), "--context", "prod"]);
    expect(run.code).toBe(2);
    expect(run.stderr).not.toMatch(/webhook-check: checking kube-apiserver/);
    expect(run.stderr).toMatch(/context "prod" is not in .*; contexts there: admin@fake, token@fake, exec@fake/);
  });

  // A FIFO nothing writes to blocks a plain read forever, the deadline and SIGTERM with it.
  test.concurrent.each([
    ["the kubeconfig", (fifo: string, _good: string) => fifo],
    [
      "a certificate-authority file it names",
      (fifo: string, good: string) => {
        writeFileSync(good, readFileSync(good, "utf8").replace(/certificate-authority-data: .*/, `certificate-authority: ${fifo}`));
        return good;
      },
    ],
  ])(
    "%s is a FIFO: exit 2 at once, not a read that outlasts the deadline",
    async (_what, kubeconfig) => {
      const fifo = path.join(tempDir("fifo-"), "config");
      execFileSync("mkfifo", [fifo]);
      const run = await runCli(["--timeout", "2", "--kubeconfig", kubeconfig(fifo, await cluster())]);
      expect(run.code).toBe(2);
      expect(run.ms).toBeLessThan(SLACK_MS * 2);
      expect(run.stderr).toMatch(/is not a regular file/);
    },
    20_000,
  );

  // Every usage error is covered in-process by the parser's tests; this proves the exit code.
  test.concurrent("a bad value", async () => {
    const run = await runCli(["--namespace", "Cert_Manager"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--namespace "Cert_Manager" is not a valid Kubernetes name/);
  });
});

test("SIGKILL to the check's process group leaves no exec plugin behind (its watchdog kills the plugin's group)", async () => {
  const dir = tempDir("sigkill-");
  const pids = path.join(dir, "pids");
  const plugin = path.join(dir, "hanging-plugin.sh");
  // A plugin that hangs, with a child of its own: both must die with the check.
  writeFileSync(plugin, `#!/bin/sh\nsleep 300 &\necho "$$ $!" > ${pids}.tmp && mv ${pids}.tmp ${pids}\nwait\n`, { mode: 0o755 });
  const api = await stand.api();
  const kubeconfig = path.join(dir, "config");
  writeFileSync(
    kubeconfig,
    [
      "apiVersion: v1",
      "kind: Config",
      `clusters: [{name: c, cluster: {server: "${api.url}", certificate-authority-data: ${Buffer.from(stand.pki.ca).toString("base64")}}}]`,
      `users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: "${plugin}", interactiveMode: Never}}}]`,
      "contexts: [{name: ctx, context: {cluster: c, user: u}}]",
      "current-context: ctx",
      "",
    ].join("\n"),
  );
  const alive = (pid: number) => {
    try {
      return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
    } catch {
      return false;
    }
  };
  let seen: number[] = [];
  await killCheckGroup(["--timeout", "120", "--kubeconfig", kubeconfig], {}, () => {
    try {
      seen = readFileSync(pids, "utf8").trim().split(" ").map(Number);
      return seen.length === 2;
    } catch {
      return false;
    }
  });
  expect(seen).toHaveLength(2); // the plugin and its child were running when the group was killed
  await new Promise((r) => setTimeout(r, 2000));
  expect(seen.map(alive)).toEqual([false, false]);
});
