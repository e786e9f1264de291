// The check's kubeconfig and proxy rules that need no server: what it refuses, which proxy
// it takes, what it prints of a URL, and how many lists it reads at once. Reaching the local
// TLS stand-in through these kubeconfigs (TLS, credentials, prefixes, proxies) is
// kube.e2e.test.ts; kubectl itself, the reference for the same kubeconfigs, is
// e2e/kubectl-parity.test.ts.
import * as path from "node:path";
import { CredentialSource } from "../../lib/webhook-check/kube/credentials";
import { bypassesProxy, oneAtATime, proxyFor, readsList, redactedUrl, targetFor } from "../../lib/webhook-check/kube/http";
import { ConfigError, resolveKubeconfig } from "../../lib/webhook-check/kube/kubeconfig";
import { type KubeconfigOptions, writeKubeconfigFile } from "../helpers/kubeconfigs";
import { tempDir } from "../helpers/temp";

const dir = tempDir("kubeconfigs-");
let counter = 0;
/** A kubeconfig with a token user; nothing here connects to its server. */
const kubeconfig = (opts: KubeconfigOptions): string =>
  writeKubeconfigFile(path.join(dir, `kc-${++counter}`), opts, { user: { token: "t" } });

describe("kubeconfigs the check refuses at once", () => {
  test("only a list with no existing file at all is an error", () => {
    expect(() => resolveKubeconfig([path.join(dir, "x"), path.join(dir, "y")])).toThrow(ConfigError);
    expect(() => resolveKubeconfig([path.join(dir, "x"), path.join(dir, "y")])).toThrow(/no kubeconfig found/);
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

describe("the proxy the check takes, as kubectl does", () => {
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
