// Exec credential plugins as real processes, run by the check's credential source
// in-process: KUBERNETES_EXEC_INFO, credentials fetched again when they expire or are
// refused, and a hanging plugin killed with its process group at the deadline (the
// injected clock's).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { CredentialSource, PluginError } from "../../lib/webhook-check/kube/credentials";
import { apiRequest, targetFor } from "../../lib/webhook-check/kube/http";
import { resolveKubeconfig } from "../../lib/webhook-check/kube/kubeconfig";
import { FakeClock } from "../helpers/fake-clock";
import { far, kubeconfigBench } from "../helpers/kubeconfigs";

const bench = kubeconfigBench();
const { stand, api, kubeconfig, attempt } = bench;

/** Whether each process is still alive (present and not a zombie) once SIGKILLed orphans had a moment to be reaped. */
async function aliveAfterReaping(pids: number[]): Promise<boolean[]> {
  const alive = (pid: number) => {
    try {
      return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
    } catch {
      return false;
    }
  };
  // SIGKILL to the group is delivered at once; reaping may take a moment.
  for (let i = 0; i < 50 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 20));
  return pids.map(alive);
}

describe("exec credential plugins", () => {
  test("an exec plugin gets KUBERNETES_EXEC_INFO with the cluster when provideClusterInfo is set", async () => {
    const server = await api();
    const seen = path.join(bench.dir, "exec-info.json");
    const plugin = path.join(bench.dir, "info-plugin.js");
    writeFileSync(
      plugin,
      `require("fs").writeFileSync(${JSON.stringify(seen)}, process.env.KUBERNETES_EXEC_INFO);\nprocess.stdout.write(JSON.stringify({apiVersion:"client.authentication.k8s.io/v1",kind:"ExecCredential",status:{token:"token-from-exec-plugin"}}));\n`,
    );
    const file = kubeconfig({
      server: server.url,
      user: {
        exec: {
          apiVersion: "client.authentication.k8s.io/v1",
          command: process.execPath,
          args: [plugin],
          provideClusterInfo: true,
          interactiveMode: "Never",
        },
      },
    });
    expect((await attempt([file])).ok).toBe(true);
    const info = JSON.parse(readFileSync(seen, "utf8"));
    expect(info).toMatchObject({
      apiVersion: "client.authentication.k8s.io/v1",
      kind: "ExecCredential",
      spec: { interactive: false, cluster: { server: server.url } },
    });
    expect(Buffer.from(info.spec.cluster["certificate-authority-data"], "base64").toString()).toBe(stand.pki.ca);
  });

  test("exec credentials are fetched again when they expire, and after a 401", async () => {
    const calls = path.join(bench.dir, "calls");
    writeFileSync(calls, "");
    const plugin = path.join(bench.dir, "counting-plugin.js");
    // Call 1: an already expired token; call 2: a token the server rejects; call 3: a good one.
    writeFileSync(
      plugin,
      `const fs=require("fs");fs.appendFileSync(${JSON.stringify(calls)},"x");const n=fs.readFileSync(${JSON.stringify(calls)},"utf8").length;
const status = n===1 ? {token:"token-1",expirationTimestamp:"2000-01-01T00:00:00Z"} : n===2 ? {token:"rejected"} : {token:"token-from-exec-plugin"};
process.stdout.write(JSON.stringify({apiVersion:"client.authentication.k8s.io/v1",kind:"ExecCredential",status}));\n`,
    );
    const server = await api({ tokens: ["token-1"] });
    const kc = resolveKubeconfig([
      kubeconfig({
        server: server.url,
        user: { exec: { apiVersion: "client.authentication.k8s.io/v1", command: process.execPath, args: [plugin] } },
      }),
    ]);
    const creds = new CredentialSource(kc);
    const target = targetFor(kc, creds, {});
    expect((await creds.get(far())).headers.authorization).toBe("Bearer token-1");
    // Expired: the next request runs the plugin again, gets "rejected", is refused 401, and runs it once more.
    const res = await apiRequest(target, "GET", "/version", far());
    expect(res.status).toBe(200);
    expect(readFileSync(calls, "utf8")).toBe("xxx");
  });

  // The deadline is the injected clock's, as every other wait of the check: the plugin runs
  // while the clock stands (however long that takes in real time) and is killed, with its
  // group, when the clock passes the deadline. That the real deadline holds for the shipped
  // check, with a slack measured in the same run: e2e/webhook-check-deadline.test.ts.
  test("a hanging exec plugin is killed when the injected clock passes its deadline, and leaves no process behind", async () => {
    const pids = path.join(bench.dir, "pids");
    const plugin = path.join(bench.dir, "hanging-plugin.sh");
    writeFileSync(plugin, `#!/bin/sh\nsleep 300 &\necho "$$ $!" > ${pids}.tmp\nmv ${pids}.tmp ${pids}\nwait\n`, { mode: 0o755 });
    const kc = resolveKubeconfig([
      kubeconfig({ server: "https://127.0.0.1:1", user: { exec: { apiVersion: "client.authentication.k8s.io/v1", command: plugin } } }),
    ]);
    const clock = new FakeClock();
    let settled = false;
    const pending = new CredentialSource(kc).get(500, clock);
    pending.then(
      () => (settled = true),
      () => (settled = true),
    );
    // Real time passes while the plugin starts; the fake clock does not move.
    while (!settled && !existsSync(pids)) await new Promise((r) => setTimeout(r, 10));
    expect(settled).toBe(false);
    clock.advance(500);
    await expect(pending).rejects.toMatchObject({ name: "PluginError", atDeadline: true });
    const [shell, sleeper] = readFileSync(pids, "utf8").trim().split(" ").map(Number);
    expect(await aliveAfterReaping([shell, sleeper])).toEqual([false, false]);
  });

  test("a plugin that prints without end on stdout is killed past 1 MiB and fails as a plugin error", async () => {
    const pidFile = path.join(bench.dir, "flooding-stdout.pid");
    const plugin = path.join(bench.dir, "flooding-stdout.sh");
    writeFileSync(plugin, `#!/bin/sh\necho $$ > ${pidFile}\nexec yes aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n`, { mode: 0o755 });
    const kc = resolveKubeconfig([
      kubeconfig({ server: "https://127.0.0.1:1", user: { exec: { apiVersion: "client.authentication.k8s.io/v1", command: plugin } } }),
    ]);
    await expect(new CredentialSource(kc).get(far())).rejects.toThrow(
      new PluginError(`the exec credential plugin "${plugin}" printed more than 1048576 bytes on stdout (killed)`),
    );
    expect(await aliveAfterReaping([Number(readFileSync(pidFile, "utf8"))])).toEqual([false]);
  });

  test("a plugin that prints without end on stderr is killed past 1 MiB, none of it quoted", async () => {
    const plugin = path.join(bench.dir, "flooding-stderr.sh");
    writeFileSync(plugin, "#!/bin/sh\nexec yes SECRETSECRET >&2\n", { mode: 0o755 });
    const kc = resolveKubeconfig([
      kubeconfig({ server: "https://127.0.0.1:1", user: { exec: { apiVersion: "client.authentication.k8s.io/v1", command: plugin } } }),
    ]);
    await expect(new CredentialSource(kc).get(far())).rejects.toThrow(
      new PluginError(`the exec credential plugin "${plugin}" printed more than 1048576 bytes on stderr (killed)`),
    );
  });
});
