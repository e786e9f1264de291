// The check reads kubeconfigs like kubectl and client-go, and reaches the API
// server the way kubectl does (path prefixes, proxies, tls-server-name,
// impersonation), in-process against the local TLS stand-in. kubectl itself, the
// reference for the same kubeconfigs, is e2e/kubectl-parity.test.ts; exec plugins,
// real processes, are e2e/exec-plugins.test.ts.
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { ConfigError, resolveKubeconfig } from "../../lib/webhook-check/kube/kubeconfig";
import { b64, startConnectProxy, TLS_SERVER_NAME, UNRESOLVABLE_HOST } from "../helpers/fake-apiserver";
import { kubeconfigBench, REFUSED_TLS_MATERIAL } from "../helpers/kubeconfigs";

const bench = kubeconfigBench();
const { stand, api, kubeconfig, attempt, refusedTlsKubeconfig } = bench;

describe("merging KUBECONFIG lists by client-go's rules", () => {
  test("the same cluster name in two files: the first file wins, no error", async () => {
    const good = await api();
    const a = kubeconfig({ server: good.url });
    const b = kubeconfig({ server: "https://127.0.0.1:1" });
    expect(resolveKubeconfig([a, b]).cluster.server).toBe(good.url);
    expect((await attempt([a, b])).ok).toBe(true);
  });

  test("a missing file in the list is skipped", async () => {
    const good = await api();
    const a = kubeconfig({ server: good.url });
    expect((await attempt([path.join(bench.dir, "missing"), a])).ok).toBe(true);
  });

  test("the first file without current-context, the second with one: the second's is used", async () => {
    const good = await api();
    const first = kubeconfig({ server: good.url, current: null });
    const second = kubeconfig({ server: good.url, current: "ctx" });
    expect(resolveKubeconfig([first, second]).context).toBe("ctx");
  });

  test("relative certificate paths are relative to the kubeconfig file", async () => {
    const good = await api();
    writeFileSync(path.join(bench.dir, "ca.crt"), stand.pki.ca);
    const file = kubeconfig({ server: good.url, cluster: { "certificate-authority-data": undefined, "certificate-authority": "ca.crt" } });
    expect((await attempt([file])).ok).toBe(true);
  });
});

describe("TLS as client-go verifies it", () => {
  // Go's x509 verifier accepts a chain that ends at any certificate of the pool; Node
  // does with allowPartialTrustChain (nodejs/node#54790). kubectl: e2e/kubectl-parity.
  test("a certificate-authority that is the issuing intermediate CA is trusted", async () => {
    const server = await api({ chain: "intermediate" });
    const file = kubeconfig({ server: server.url, cluster: { "certificate-authority-data": b64(stand.pki.intermediate) } });
    const run = await attempt([file]);
    expect(run.probes[0]).toMatchObject({ probe: "api-server", ok: true });
  });

  test("...and a CA pool that holds neither the root nor the intermediate is still refused", async () => {
    const server = await api({ chain: "intermediate" });
    const file = kubeconfig({ server: server.url, cluster: { "certificate-authority-data": b64(stand.pki.clientCert) } });
    expect((await attempt([file])).probes[0]).toMatchObject({ probe: "api-server", ok: false, class: "tls" });
  });
});

describe("credentials as client-go applies them", () => {
  test("tokenFile", async () => {
    const server = await api({ tokens: ["token-from-a-file"] });
    writeFileSync(path.join(bench.dir, "token"), "token-from-a-file\n");
    const file = kubeconfig({ server: server.url, user: { tokenFile: "token" } });
    expect((await attempt([file])).ok).toBe(true);
    expect(server.headers[0].authorization).toBe("Bearer token-from-a-file");
  });

  test("impersonation: as, as-groups, as-uid (as kubectl sends them)", async () => {
    const server = await api();
    const file = kubeconfig({
      server: server.url,
      user: {
        "client-certificate-data": b64(stand.pki.clientCert),
        "client-key-data": b64(stand.pki.clientKey),
        as: "alice",
        "as-groups": ["ops", "dev"],
        "as-uid": "1234",
      },
    });
    await attempt([file]);
    const mine = server.headers[0];
    expect({ user: mine["impersonate-user"], group: mine["impersonate-group"], uid: mine["impersonate-uid"] }).toEqual({
      user: "alice",
      group: "ops, dev",
      uid: "1234",
    });
  });

  test.each(REFUSED_TLS_MATERIAL)("%s is a configuration error at once (exit 2), as kubectl refuses it", async (_, given, message) => {
    const server = await api();
    const file = refusedTlsKubeconfig(server.url, given);
    const failure = await attempt([file]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as Error).message).toMatch(message);
    expect((failure as Error).message).toMatch(/^context "ctx": /);
    expect((failure as Error).message).not.toContain(stand.pki.clientKey);
    expect(server.requests).toEqual([]);
  });
});

describe("reaching the server as kubectl does", () => {
  test("a server URL with a path prefix (Rancher): every request goes under it", async () => {
    const server = await api({ prefix: "/k8s/clusters/c-abc12" });
    const file = kubeconfig({ server: `${server.url}/k8s/clusters/c-abc12` });
    expect((await attempt([file])).ok).toBe(true);
    expect(server.requests[0]).toBe("GET /k8s/clusters/c-abc12/version");
    expect(server.requests.every((r) => r.split(" ")[1].startsWith("/k8s/clusters/c-abc12/"))).toBe(true);
  });

  test("the prefix is not dropped: a server without it answers HTML, which is not counted as reachable", async () => {
    const server = await api({ prefix: "/k8s/clusters/c-abc12" });
    const { probes } = await attempt([kubeconfig({ server: server.url })]);
    expect(probes[0]).toMatchObject({ probe: "api-server", ok: false, class: "bad-response" });
  });

  test("HTTPS_PROXY: through a loopback CONNECT proxy to a host name only the proxy can resolve", async () => {
    const server = await api();
    const port = Number(new URL(server.url).port);
    const proxy = await startConnectProxy(() => port);
    stand.serve(proxy);
    const file = kubeconfig({ server: `https://${UNRESOLVABLE_HOST}:${port}` });
    const env = { HTTPS_PROXY: proxy.url };
    const { ok, target } = await attempt([file], env);
    expect(target.proxy?.href).toBe(`${proxy.url}/`);
    expect(ok).toBe(true);
    expect(proxy.connects[0]).toBe(`${UNRESOLVABLE_HOST}:${port}`);
  });

  test("NO_PROXY and loopback: not proxied (the unresolvable name then fails as dns)", async () => {
    const server = await api();
    const port = Number(new URL(server.url).port);
    const file = kubeconfig({ server: `https://${UNRESOLVABLE_HOST}:${port}` });
    const { probes } = await attempt([file], { HTTPS_PROXY: "http://127.0.0.1:1", NO_PROXY: ".cdktf-cilium.invalid" });
    expect(probes[0]).toMatchObject({ ok: false, class: "dns" });
    // A loopback server is never proxied, whatever HTTPS_PROXY says.
    expect((await attempt([kubeconfig({ server: server.url })], { HTTPS_PROXY: "http://127.0.0.1:1" })).ok).toBe(true);
  });

  test("tls-server-name: the certificate is checked against that name", async () => {
    const server = await api();
    expect((await attempt([kubeconfig({ server: server.url, cluster: { "tls-server-name": TLS_SERVER_NAME } })])).ok).toBe(true);
    const { probes } = await attempt([kubeconfig({ server: server.url, cluster: { "tls-server-name": "wrong.cdktf-cilium.invalid" } })]);
    expect(probes[0]).toMatchObject({ ok: false, class: "tls" });
  });
});
