// The check reads kubeconfigs like kubectl and client-go, and reaches the API
// server the way kubectl does (path prefixes, proxies, tls-server-name,
// impersonation, exec plugins). In-process against the local TLS stand-in; where
// kubectl is installed it is the reference for what the same kubeconfig reaches.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { CredentialSource, PluginError } from "../../lib/check/credentials";
import { apiRequest, bypassesProxy, proxyFor, targetFor } from "../../lib/check/http";
import { ConfigError, resolveKubeconfig } from "../../lib/check/kubeconfig";
import { runAttempt } from "../../lib/check/run";
import {
  b64,
  type FakeApiServer,
  makePki,
  type Pki,
  removePki,
  type Scenario,
  startConnectProxy,
  startFakeApiServer,
  TLS_SERVER_NAME,
  UNRESOLVABLE_HOST,
} from "../helpers/fake-apiserver";
import { tempDir } from "../helpers/temp";

const hasKubectl = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" }).status === 0;
if (!hasKubectl) console.warn("kubectl is not installed: the comparisons with kubectl are skipped (the check's own assertions still run)");

let pki: Pki;
let dir: string;
const servers: Array<{ close(): Promise<void> }> = [];
beforeAll(() => {
  pki = makePki();
  dir = tempDir("kubeconfigs-");
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  removePki(pki);
});

async function api(scenario: Scenario = {}): Promise<FakeApiServer> {
  const s = await startFakeApiServer(pki, scenario);
  servers.push(s);
  return s;
}

type Obj = Record<string, unknown>;
let counter = 0;
/** Writes a kubeconfig file; `user` defaults to the admin client certificate. */
function kubeconfig(opts: { server: string; cluster?: Obj; user?: Obj; current?: string | null; name?: string; extra?: Obj }): string {
  const file = path.join(dir, `${opts.name ?? "kc"}-${++counter}`);
  writeFileSync(
    file,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "c", cluster: { server: opts.server, "certificate-authority-data": b64(pki.ca), ...opts.cluster } }],
      users: [{ name: "u", user: opts.user ?? { "client-certificate-data": b64(pki.clientCert), "client-key-data": b64(pki.clientKey) } }],
      contexts: [{ name: "ctx", context: { cluster: "c", user: "u" } }],
      ...(opts.current === null ? {} : { "current-context": opts.current ?? "ctx" }),
      ...opts.extra,
    }),
  );
  return file;
}

const WEBHOOK = { namespace: "cert-manager", service: "cert-manager-webhook", port: 443, probeNamespace: "cert-manager" };
const far = () => Date.now() + 20_000;

async function attempt(files: string[], env: NodeJS.ProcessEnv = {}) {
  const kc = resolveKubeconfig(files);
  const target = targetFor(kc, new CredentialSource(kc), env);
  const probes = await runAttempt(target, WEBHOOK, far());
  return { probes, ok: probes.every((p) => p.ok || p.warning), target };
}

/**
 * `kubectl version` (which asks the server's /version under the server URL's path,
 * as every ordinary kubectl request does; `kubectl get --raw` would replace the
 * path, prefix included) with the same kubeconfig(s) and environment. Run
 * asynchronously: the stand-in API server lives in this process.
 */
function kubectlVersion(files: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("kubectl", ["version", "-o", "json", "--request-timeout=10s"], {
      env: { PATH: process.env.PATH ?? "", HOME: dir, KUBECONFIG: files.join(path.delimiter), ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("close", (status) => resolve({ status, stderr }));
  });
}

describe("merging KUBECONFIG lists by client-go's rules", () => {
  test("the same cluster name in two files: the first file wins, no error", async () => {
    const good = await api();
    const a = kubeconfig({ server: good.url });
    const b = kubeconfig({ server: "https://127.0.0.1:1" });
    expect(resolveKubeconfig([a, b]).cluster.server).toBe(good.url);
    expect((await attempt([a, b])).ok).toBe(true);
    if (hasKubectl) expect((await kubectlVersion([a, b])).status).toBe(0);
  });

  test("a missing file in the list is skipped", async () => {
    const good = await api();
    const a = kubeconfig({ server: good.url });
    expect((await attempt([path.join(dir, "missing"), a])).ok).toBe(true);
    if (hasKubectl) expect((await kubectlVersion([path.join(dir, "missing"), a])).status).toBe(0);
  });

  test("the first file without current-context, the second with one: the second's is used", async () => {
    const good = await api();
    const first = kubeconfig({ server: good.url, current: null });
    const second = kubeconfig({ server: good.url, current: "ctx" });
    expect(resolveKubeconfig([first, second]).context).toBe("ctx");
    if (hasKubectl) expect((await kubectlVersion([first, second])).status).toBe(0);
  });

  test("only a list with no existing file at all is an error", () => {
    expect(() => resolveKubeconfig([path.join(dir, "x"), path.join(dir, "y")])).toThrow(ConfigError);
    expect(() => resolveKubeconfig([path.join(dir, "x"), path.join(dir, "y")])).toThrow(/no kubeconfig found/);
  });

  test("relative certificate paths are relative to the kubeconfig file", async () => {
    const good = await api();
    writeFileSync(path.join(dir, "ca.crt"), pki.ca);
    const file = kubeconfig({ server: good.url, cluster: { "certificate-authority-data": undefined, "certificate-authority": "ca.crt" } });
    expect((await attempt([file])).ok).toBe(true);
  });
});

describe("credentials as client-go applies them", () => {
  test("tokenFile", async () => {
    const server = await api({ tokens: ["token-from-a-file"] });
    writeFileSync(path.join(dir, "token"), "token-from-a-file\n");
    const file = kubeconfig({ server: server.url, user: { tokenFile: "token" } });
    expect((await attempt([file])).ok).toBe(true);
    expect(server.headers[0].authorization).toBe("Bearer token-from-a-file");
  });

  test("impersonation: as, as-groups, as-uid (as kubectl sends them)", async () => {
    const server = await api();
    const file = kubeconfig({
      server: server.url,
      user: {
        "client-certificate-data": b64(pki.clientCert),
        "client-key-data": b64(pki.clientKey),
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
    if (hasKubectl) {
      const before = server.headers.length;
      await kubectlVersion([file]);
      const theirs = server.headers[before];
      expect({ user: theirs["impersonate-user"], group: theirs["impersonate-group"], uid: theirs["impersonate-uid"] }).toEqual({
        user: "alice",
        group: "ops, dev",
        uid: "1234",
      });
    }
  });

  test("an exec plugin gets KUBERNETES_EXEC_INFO with the cluster when provideClusterInfo is set", async () => {
    const server = await api();
    const seen = path.join(dir, "exec-info.json");
    const plugin = path.join(dir, "info-plugin.js");
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
    expect(Buffer.from(info.spec.cluster["certificate-authority-data"], "base64").toString()).toBe(pki.ca);
  });

  test("exec credentials are fetched again when they expire, and after a 401", async () => {
    const calls = path.join(dir, "calls");
    writeFileSync(calls, "");
    const plugin = path.join(dir, "counting-plugin.js");
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

  test("a hanging exec plugin cannot hold the check past its deadline, and leaves no process behind", async () => {
    const pids = path.join(dir, "pids");
    const plugin = path.join(dir, "hanging-plugin.sh");
    writeFileSync(plugin, `#!/bin/sh\nsleep 300 &\necho "$$ $!" > ${pids}\nwait\n`, { mode: 0o755 });
    const kc = resolveKubeconfig([
      kubeconfig({ server: "https://127.0.0.1:1", user: { exec: { apiVersion: "client.authentication.k8s.io/v1", command: plugin } } }),
    ]);
    const started = Date.now();
    await expect(new CredentialSource(kc).get(Date.now() + 500)).rejects.toThrow(PluginError);
    expect(Date.now() - started).toBeLessThan(500 + 5000);
    const [shell, sleeper] = readFileSync(pids, "utf8").trim().split(" ").map(Number);
    // Alive: present and not a zombie (a killed orphan may wait a moment to be reaped).
    const alive = (pid: number) => {
      try {
        return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
      } catch {
        return false;
      }
    };
    // SIGKILL to the group is delivered at once; reaping may take a moment.
    for (let i = 0; i < 50 && (alive(shell) || alive(sleeper)); i++) await new Promise((r) => setTimeout(r, 20));
    expect([alive(shell), alive(sleeper)]).toEqual([false, false]);
  });

  test.each([
    [
      "a client key that is not PEM",
      { user: { "client-certificate-data": "CLIENT", "client-key-data": b64("not a key") } },
      /client certificate/,
    ],
    [
      "a client key that does not match the certificate",
      { user: { "client-certificate-data": "CLIENT", "client-key-data": "SERVERKEY" } },
      /client certificate/,
    ],
    ["a CA that is not PEM", { cluster: { "certificate-authority-data": b64("not a certificate") } }, /certificate authority/],
  ] as Array<[string, { cluster?: Obj; user?: Obj }, RegExp]>)(
    "%s is a configuration error at once (exit 2), as kubectl refuses it",
    async (_, given, message) => {
      const server = await api();
      const fill = (o: Obj | undefined) =>
        o &&
        Object.fromEntries(
          Object.entries(o).map(([k, v]) => [k, v === "CLIENT" ? b64(pki.clientCert) : v === "SERVERKEY" ? b64(pki.serverKey) : v]),
        );
      const file = kubeconfig({ server: server.url, cluster: fill(given.cluster), user: fill(given.user) });
      const failure = await attempt([file]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(failure).toBeInstanceOf(ConfigError);
      expect((failure as Error).message).toMatch(message);
      expect((failure as Error).message).toMatch(/^context "ctx": /);
      expect((failure as Error).message).not.toContain(pki.clientKey);
      expect(server.requests).toEqual([]);
      if (hasKubectl) {
        const theirs = await kubectlVersion([file]);
        expect(theirs.status).toBe(1);
        expect(theirs.stderr).toMatch(/PEM|private key does not match|certificate/);
      }
    },
  );

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
    if (hasKubectl) {
      const kubectl = await kubectlVersion([file]);
      expect(kubectl.stderr).toBe("");
      expect(kubectl.status).toBe(0);
      expect(server.requests.at(-1)).toMatch(/^GET \/k8s\/clusters\/c-abc12\/version(\?|$)/);
    }
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
    servers.push(proxy);
    const file = kubeconfig({ server: `https://${UNRESOLVABLE_HOST}:${port}` });
    const env = { HTTPS_PROXY: proxy.url };
    const { ok, target } = await attempt([file], env);
    expect(target.proxy?.href).toBe(`${proxy.url}/`);
    expect(ok).toBe(true);
    expect(proxy.connects[0]).toBe(`${UNRESOLVABLE_HOST}:${port}`);
    if (hasKubectl) {
      const before = proxy.connects.length;
      expect((await kubectlVersion([file], env)).status).toBe(0);
      expect(proxy.connects.length).toBeGreaterThan(before);
    }
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

test("the kubeconfigs written here are cleaned up with the test's temp directory", () => {
  expect(existsSync(dir)).toBe(true);
});
