// The check reads kubeconfigs like kubectl and client-go, and reaches the API
// server the way kubectl does (path prefixes, proxies, tls-server-name,
// impersonation), in-process against the local TLS stand-in. kubectl itself, the
// reference for the same kubeconfigs, is e2e/kubectl-parity.test.ts; exec plugins,
// real processes, are e2e/exec-plugins.test.ts.
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { CredentialSource } from "../../lib/webhook-check/kube/credentials";
import { bypassesProxy, oneAtATime, proxyFor, readsList, redactedUrl, targetFor } from "../../lib/webhook-check/kube/http";
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

  test("only a list with no existing file at all is an error", () => {
    expect(() => resolveKubeconfig([path.join(bench.dir, "x"), path.join(bench.dir, "y")])).toThrow(ConfigError);
    expect(() => resolveKubeconfig([path.join(bench.dir, "x"), path.join(bench.dir, "y")])).toThrow(/no kubeconfig found/);
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

  test("what the check does not support is refused at once, never silently ignored", () => {
    const provider = kubeconfig({
      server: "https://127.0.0.1:1",
      user: { "auth-provider": { name: "oidc", config: { "id-token": "secret-id-token" } } },
    });
    expect(() => resolveKubeconfig([provider])).toThrow(/auth-provider "oidc", which the check does not support.*exec credential plugin/);
    const interactive = kubeconfig({ server: "https://127.0.0.1:1", user: { exec: { command: "x", interactiveMode: "Always" } } });
    expect(() => resolveKubeconfig([interactive])).toThrow(/interactiveMode Always/);
    const socks = kubeconfig({ server: "https://127.0.0.1:1", cluster: { "proxy-url": "socks5://127.0.0.1:1080" } });
    const kc = resolveKubeconfig([socks]);
    expect(() => targetFor(kc, new CredentialSource(kc), {})).toThrow(/only http and https proxies are supported/);
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

  test.each([
    ["*", "https://anything.example:443", true],
    ["10.0.0.0/8", "https://10.1.2.3:6443", true],
    ["10.0.0.0/8", "https://11.1.2.3:6443", false],
    [".example.com", "https://api.example.com", true],
    ["*.example.com", "https://api.example.com", true],
    ["example.com", "https://api.example.com", true],
    ["example.com", "https://notexample.com", false],
    ["api.example.com:6443", "https://api.example.com:6443", true],
    ["api.example.com:6443", "https://api.example.com:443", false],
    ["", "https://[::1]:6443", true],
  ])("NO_PROXY %p for %s: bypass %p", (noProxy, url, expected) => {
    expect(bypassesProxy(new URL(url), noProxy)).toBe(expected);
  });

  test("proxy-url in the kubeconfig wins over the environment", () => {
    expect(proxyFor(new URL("https://api.example.com"), { HTTPS_PROXY: "http://env:3128" }, "http://kubeconfig:8080")?.host).toBe(
      "kubeconfig:8080",
    );
    expect(proxyFor(new URL("https://api.example.com"), { https_proxy: "env:3128" })?.href).toBe("http://env:3128/");
  });

  test("tls-server-name: the certificate is checked against that name", async () => {
    const server = await api();
    expect((await attempt([kubeconfig({ server: server.url, cluster: { "tls-server-name": TLS_SERVER_NAME } })])).ok).toBe(true);
    const { probes } = await attempt([kubeconfig({ server: server.url, cluster: { "tls-server-name": "wrong.cdktf-cilium.invalid" } })]);
    expect(probes[0]).toMatchObject({ ok: false, class: "tls" });
  });
});

describe("what the check prints of a URL", () => {
  // A password holding "/", "?" or "#" ends the authority early, so the URL does not parse.
  test.each([
    ["HTTPS_PROXY", "http://user:pa/ssSECRET@proxy:3128"],
    ["HTTPS_PROXY", "http://user:pa#ssSECRET@proxy:3128"],
    ["HTTPS_PROXY", "http://user:pa?ssSECRET@proxy:3128"],
    ["proxy-url", "http://user:pa/ssSECRET@proxy:3128"],
    ["proxy-url", "user:pa/ss@SECRET@proxy:3128"],
  ])("%s %p that does not parse is refused without its user information", (from, raw) => {
    const server = new URL("https://api.example.com");
    const parse = () => (from === "proxy-url" ? proxyFor(server, {}, raw) : proxyFor(server, { HTTPS_PROXY: raw }));
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(`${from} "${raw.startsWith("http://") ? "http://" : ""}xxxxx@proxy:3128" is not a valid proxy URL`);
  });

  test("a server URL prints as scheme, host and path: no user information, query or fragment", () => {
    expect(redactedUrl(new URL("http://admin:SECRET@127.0.0.1:1/k8s/clusters/c-1?token=QSECRET1#FSECRET1"))).toBe(
      "http://xxxxx@127.0.0.1:1/k8s/clusters/c-1",
    );
  });
});

describe("what is in flight at once is bounded", () => {
  test.each([
    ["GET", "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations", true],
    ["GET", "/apis/discovery.k8s.io/v1/namespaces/kyverno/endpointslices?labelSelector=x", true],
    ["GET", "/apis/acme.example/v1/things?limit=1", true],
    ["GET", "/api/v1/namespaces", true],
    ["GET", "/api/v1/nodes", true],
    ["GET", "/api/v1/namespaces/cert-manager", false],
    ["GET", "/api/v1/namespaces/kyverno/services/kyverno-svc", false],
    ["GET", "/apis/acme.example/v1", false],
    ["GET", "/version", false],
    ["POST", "/api/v1/namespaces/cert-manager/configmaps?dryRun=All", false],
  ])("%s %s reads a list: %p", (method, path, expected) => {
    expect(readsList(method, path)).toBe(expected);
  });

  test("lists run one at a time: the second starts only once the first has settled", async () => {
    const key = {};
    const started: string[] = [];
    let finishFirst = (_: unknown) => {};
    const first = oneAtATime(key, () => {
      started.push("first");
      return new Promise((resolve) => {
        finishFirst = resolve;
      });
    });
    const second = oneAtATime(key, async () => {
      started.push("second");
    });
    await Promise.resolve();
    await Promise.resolve();
    expect(started).toEqual(["first"]);
    finishFirst("done");
    await Promise.all([first, second]);
    expect(started).toEqual(["first", "second"]);
  });

  test("a list that fails does not stop the next one", async () => {
    const key = {};
    const failed = oneAtATime(key, async () => {
      throw new Error("refused");
    });
    await expect(failed).rejects.toThrow("refused");
    await expect(oneAtATime(key, async () => "next")).resolves.toBe("next");
  });
});
