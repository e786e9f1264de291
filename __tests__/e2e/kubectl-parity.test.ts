// kubectl is the reference: for each kubeconfig shape the check reads in
// ../check-kubeconfig.test.ts, `kubectl version` with the same files and environment
// against the same local TLS stand-in reaches (or refuses) the server as the check does.
// Skipped, and saying so, where kubectl is not installed.
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { b64, startConnectProxy, UNRESOLVABLE_HOST } from "../helpers/fake-apiserver";
import { kubeconfigBench, REFUSED_TLS_MATERIAL } from "../helpers/kubeconfigs";

const hasKubectl = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" }).status === 0;
if (!hasKubectl) console.warn("kubectl is not installed: the kubectl reference is NOT tested here (skipped)");
const kubectlTest = hasKubectl ? test : test.skip;

const bench = kubeconfigBench();
const { stand, api, kubeconfig, attempt, kubectlVersion, refusedTlsKubeconfig } = bench;

describe("merging KUBECONFIG lists by client-go's rules", () => {
  kubectlTest("the same cluster name in two files: the first file wins, no error", async () => {
    const good = await api();
    const files = [kubeconfig({ server: good.url }), kubeconfig({ server: "https://127.0.0.1:1" })];
    expect((await attempt(files)).ok).toBe(true);
    expect((await kubectlVersion(files)).status).toBe(0);
  });

  kubectlTest("a missing file in the list is skipped", async () => {
    const good = await api();
    const files = [path.join(bench.dir, "missing"), kubeconfig({ server: good.url })];
    expect((await attempt(files)).ok).toBe(true);
    expect((await kubectlVersion(files)).status).toBe(0);
  });

  kubectlTest("the first file without current-context, the second with one: the second's is used", async () => {
    const good = await api();
    const files = [kubeconfig({ server: good.url, current: null }), kubeconfig({ server: good.url, current: "ctx" })];
    expect((await attempt(files)).ok).toBe(true);
    expect((await kubectlVersion(files)).status).toBe(0);
  });
});

kubectlTest("a certificate-authority that is the issuing intermediate CA: kubectl and the check both trust it", async () => {
  const server = await api({ chain: "intermediate" });
  const file = kubeconfig({ server: server.url, cluster: { "certificate-authority-data": b64(stand.pki.intermediate) } });
  expect((await kubectlVersion([file])).status).toBe(0);
  expect((await attempt([file])).probes[0]).toMatchObject({ probe: "api-server", ok: true });
});

kubectlTest("impersonation: the check sends the headers kubectl sends", async () => {
  const server = await api();
  const user = {
    "client-certificate-data": b64(stand.pki.clientCert),
    "client-key-data": b64(stand.pki.clientKey),
    as: "alice",
    "as-groups": ["ops", "dev"],
    "as-uid": "1234",
  };
  const file = kubeconfig({ server: server.url, user });
  const impersonation = (h: Record<string, unknown>) => ({
    user: h["impersonate-user"],
    group: h["impersonate-group"],
    uid: h["impersonate-uid"],
  });
  await attempt([file]);
  const mine = impersonation(server.headers[0]);
  const before = server.headers.length;
  await kubectlVersion([file]);
  expect(impersonation(server.headers[before])).toEqual(mine);
  expect(mine).toEqual({ user: "alice", group: "ops, dev", uid: "1234" });
});

describe.each(REFUSED_TLS_MATERIAL)("%s", (_, given) => {
  kubectlTest("kubectl refuses it before any request, as the check does (exit 2)", async () => {
    const server = await api();
    const file = refusedTlsKubeconfig(server.url, given);
    await expect(attempt([file])).rejects.toThrow(/^context "ctx": /);
    const theirs = await kubectlVersion([file]);
    expect(theirs.status).toBe(1);
    expect(theirs.stderr).toMatch(/PEM|private key does not match|certificate/);
    expect(server.requests).toEqual([]);
  });
});

describe("reaching the server", () => {
  kubectlTest("a server URL with a path prefix (Rancher): kubectl, like the check, asks under it", async () => {
    const server = await api({ prefix: "/k8s/clusters/c-abc12" });
    const file = kubeconfig({ server: `${server.url}/k8s/clusters/c-abc12` });
    expect((await attempt([file])).ok).toBe(true);
    const kubectl = await kubectlVersion([file]);
    expect(kubectl.stderr).toBe("");
    expect(kubectl.status).toBe(0);
    expect(server.requests.at(-1)).toMatch(/^GET \/k8s\/clusters\/c-abc12\/version(\?|$)/);
  });

  kubectlTest("HTTPS_PROXY: both go through a loopback CONNECT proxy to a host name only the proxy can resolve", async () => {
    const server = await api();
    const port = Number(new URL(server.url).port);
    const proxy = stand.serve(await startConnectProxy(() => port));
    const file = kubeconfig({ server: `https://${UNRESOLVABLE_HOST}:${port}` });
    const env = { HTTPS_PROXY: proxy.url };
    expect((await attempt([file], env)).ok).toBe(true);
    const before = proxy.connects.length;
    expect((await kubectlVersion([file], env)).status).toBe(0);
    expect(proxy.connects.slice(before)).toContain(`${UNRESOLVABLE_HOST}:${port}`);
  });
});
