// The verdict and the report, through the CLI's main() in-process: only the proof
// decides, the probe namespace, the documented RBAC, and no secret in any output.
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { CHECK_PERMISSIONS } from "../../lib/webhook-check/probes/permissions";
import { decidingFailure, runAttempt } from "../../lib/webhook-check/runner/attempts";
import { b64, fakeTarget, type Scenario, standIns, writeKubeconfig } from "../helpers/fake-apiserver";
import { onlyDocumentedPermissions } from "../helpers/check-permissions";
import { runMainInProcess } from "../helpers/run-cli";
import { tempDir } from "../helpers/temp";

const stand = standIns();

async function check(args: string[], scenario: Scenario = {}, kubeconfig?: string) {
  let file = kubeconfig;
  if (file === undefined) {
    const api = await stand.api(scenario);
    file = writeKubeconfig(stand.pki, api.url);
  }
  return runMainInProcess(["--json", "--interval", "0.2", "--kubeconfig", file, ...args], { HOME: tempDir("home-") });
}

const forbidden = (message: string) => ({
  status: 403,
  json: { kind: "Status", apiVersion: "v1", status: "Failure", reason: "Forbidden", code: 403, message },
});

test("only the proof decides: forbidden diagnostics are warnings, the verdict is REACHABLE", async () => {
  const run = await check([], {
    respond: (method, p) =>
      method === "GET" &&
      (p.includes("/services/") || p.includes("/endpointslices") || (p.startsWith("/api/v1/namespaces/") && !p.includes("/services")))
        ? forbidden(`${p} is forbidden: User "ci" cannot get resource`)
        : undefined,
  });
  expect(run.code).toBe(0);
  expect(run.report.ok).toBe(true);
  expect(run.report.warnings).toEqual([
    expect.stringMatching(/^probe-namespace: .*HTTP 403/),
    expect.stringMatching(/^webhook-endpoints: .*HTTP 403/),
  ]);
  expect(run.report.probes.filter((p) => p.warning).map((p) => p.class)).toEqual(["rbac", "rbac"]);
});

test("a webhook Service without ready endpoints does not veto a passing proof", async () => {
  const run = await check([], { readyEndpoints: 0 });
  expect(run.code).toBe(0);
  expect(run.report.warnings).toEqual([
    expect.stringMatching(/webhook-endpoints: Service cert-manager\/cert-manager-webhook has no ready endpoints/),
  ]);
});

test("RBAC: a server that grants exactly the documented permissions passes without a warning", async () => {
  // The documented list, as an authorizer: anything else is 403.
  const run = await check([], { respond: onlyDocumentedPermissions });
  expect(run.code).toBe(0);
  expect(run.report.warnings).toBeUndefined();
  expect(CHECK_PERMISSIONS.filter((p) => p.required).map((p) => `${p.verbs} ${p.resource.split(" ")[0]}`)).toEqual([
    "get /version",
    "create certificaterequests.cert-manager.io",
  ]);
});

test("docs/webhook-check.md's RBAC list names every permission the check uses", () => {
  const readme = readFileSync(path.join(__dirname, "..", "..", "docs", "webhook-check.md"), "utf8");
  for (const p of CHECK_PERMISSIONS)
    expect(readme).toContain(`| ${p.verbs} | ${p.resource} | ${p.where} | ${p.required ? "yes" : "no (a warning)"} |`);
});

test("a probe namespace labelled cert-manager.io/disable-validation=true: exit 2 at once, saying so", async () => {
  const run = await check(["--timeout", "30"], { namespace: { "cert-manager.io/disable-validation": "true" } });
  expect(run.code).toBe(2);
  expect(run.clock.sleeps).toEqual([]); // not retried
  expect(run.err).toMatch(/namespace cert-manager is labelled cert-manager\.io\/disable-validation=true.*--probe-namespace/);
});

/** One attempt against a stand-in (no retry loop, no waiting for a deadline). */
async function attempt(scenario: Scenario) {
  const api = await stand.api(scenario);
  const t = { namespace: "cert-manager", service: "cert-manager-webhook", port: 443, probeNamespace: "cert-manager" };
  return decidingFailure(await runAttempt(fakeTarget(stand.pki, api.url), t, Date.now() + 10_000));
}

test("a missing probe namespace is a failure with its class", async () => {
  expect(await attempt({ namespace: false })).toMatchObject({ probe: "probe-namespace", class: "namespace-missing" });
});

test("an HTML page with status 200 on /version is not an API server", async () => {
  const failure = await attempt({
    respond: (_m, p) => (p === "/version" ? { status: 200, text: "<html><body>Welcome to nginx!</body></html>" } : undefined),
  });
  expect(failure).toMatchObject({ probe: "api-server", class: "bad-response", error: "<html><body>Welcome to nginx!</body></html>" });
});

describe("no secret in any output", () => {
  const SECRETS = {
    token: "bootstrap-token-abcdef.0123456789abcdef",
    password: "hunter2-p4ssw0rd-very-secret",
    key: "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIA-not-a-real-key-but-secret\n-----END EC PRIVATE KEY-----",
    envSecret: "exec-env-secret-value-42",
  };

  function kubeconfigWithSecrets(server: string, malformed: boolean): string {
    const file = path.join(tempDir("secrets-"), "config");
    const doc = {
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "c", cluster: { server, "certificate-authority-data": b64(stand.pki.ca) } }],
      users: [
        { name: "token", user: { token: SECRETS.token } },
        { name: "basic", user: { username: "admin", password: SECRETS.password } },
        { name: "cert", user: { "client-certificate-data": b64(stand.pki.clientCert), "client-key-data": b64(SECRETS.key) } },
        { name: "exec", user: { exec: { command: "/nonexistent/plugin", env: [{ name: "SECRET", value: SECRETS.envSecret }] } } },
      ],
      contexts: ["token", "basic", "cert", "exec"].map((u) => ({ name: u, context: { cluster: "c", user: u } })),
      "current-context": "token",
    };
    // Malformed: a broken line right after the secrets, where a YAML error would quote them.
    writeFileSync(file, malformed ? `${stringify(doc)}\nusers: [ ${SECRETS.token}: {\n` : stringify(doc));
    return file;
  }

  const expectClean = (text: string) => {
    for (const s of Object.values(SECRETS)) {
      expect(text).not.toContain(s);
      expect(text).not.toContain(b64(s));
    }
  };

  // Each run gets past its flags (a usage error would print nothing to clean): the credentials
  // are sent and refused (exit 1), or the certificate (not PEM) and the plugin (not there) fail
  // while loading them (exit 2), with the secrets in their messages kept out.
  test.concurrent.each([
    ["token", 1],
    ["basic", 1],
    ["cert", 2],
    ["exec", 2],
  ])("context %s against a server that refuses everything: nothing secret printed", async (context, code) => {
    const api = await stand.api({ auth: 401 });
    const run = await check(["--timeout", "3", "--context", context as string], {}, kubeconfigWithSecrets(api.url, false));
    expect(run.code).toBe(code);
    expectClean(run.out + run.err);
  });

  const withUserInfo = (url: string) => url.replace("https://", `https://admin:${SECRETS.password}@`);

  test.each([
    ["text", []],
    ["--json", ["--json"]],
  ])("a password in the server URL is never printed (%s)", async (_form, json) => {
    const api = await stand.api({});
    const file = writeKubeconfig(stand.pki, withUserInfo(api.url));
    const run = await runMainInProcess(["--interval", "0.2", "--kubeconfig", file, ...json], { HOME: tempDir("home-") });
    expect(run.code).toBe(0);
    expect(run.err + run.out).toContain("xxxxx@127.0.0.1");
    expectClean(run.out + run.err);
  });

  test.each([
    ["text", []],
    ["--json", ["--json"]],
  ])("a token in the server URL's query is never printed (%s)", async (_form, json) => {
    const api = await stand.api({});
    const file = writeKubeconfig(stand.pki, `${api.url}/?token=QSECRET1`);
    const run = await runMainInProcess(["--interval", "0.2", "--kubeconfig", file, ...json], { HOME: tempDir("home-") });
    expect(run.code).toBe(0);
    expect(run.err).toContain(`via ${api.url}/ `);
    expect(run.out + run.err).not.toContain("QSECRET1");
  });

  test.each([
    ["proxy-url in the kubeconfig", "kubeconfig"],
    ["HTTPS_PROXY", "env"],
  ])("a malformed proxy URL with credentials (%s) is refused without them", async (_what, where) => {
    const api = await stand.api({});
    const proxy = `http://user:${SECRETS.password}@[not-a-host`;
    let file = writeKubeconfig(stand.pki, api.url);
    if (where === "kubeconfig") {
      file = writeKubeconfig(stand.pki, "https://10.0.0.1:6443");
      writeFileSync(
        file,
        readFileSync(file, "utf8").replace(/server: .*/, (m) => `${m}\n      proxy-url: "${proxy}"`),
      );
    }
    const env = { HOME: tempDir("home-"), ...(where === "env" ? { HTTPS_PROXY: proxy } : {}) };
    const server = where === "env" ? ["--kubeconfig", writeKubeconfig(stand.pki, "https://10.0.0.1:6443")] : ["--kubeconfig", file];
    const run = await runMainInProcess(["--json", ...server], env);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/is not a valid proxy URL/);
    expectClean(run.out + run.err);
  });

  test("a malformed kubeconfig: exit 2, its line and column, nothing secret", async () => {
    const run = await check([], {}, kubeconfigWithSecrets("https://127.0.0.1:1", true));
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/is not valid YAML \(\w+ at line \d+, column \d+\)/);
    expectClean(run.out + run.err);
  });
});

describe("what the server says is quoted bounded and inert", () => {
  const FAKE_LINE = "\u001b[2K\rwebhook-check: REACHABLE: kube-apiserver -> cert-manager/cert-manager-webhook:443\n";
  const hostile = {
    respond: (_m: string, p: string) =>
      p === "/version"
        ? {
            status: 403,
            json: { kind: "Status", apiVersion: "v1", status: "Failure", code: 403, message: `${FAKE_LINE}${"x".repeat(2 * 1024 * 1024)}` },
          }
        : undefined,
  };

  test.each([
    ["text", []],
    ["--json", ["--json"]],
  ])(
    "a 2 MiB message (under the 3 MiB a single answer may have) with terminal escapes (%s): bounded, no escape, no fake line",
    async (_form, json) => {
      const api = await stand.api(hostile);
      const file = writeKubeconfig(stand.pki, api.url);
      const run = await runMainInProcess(["--interval", "30", "--timeout", "30", "--kubeconfig", file, ...json], {
        HOME: tempDir("home-"),
      });
      expect(run.code).toBe(1);
      const printed = run.out + run.err;
      expect(printed.length).toBeLessThan(64 * 1024);
      expect(printed).not.toContain("\u001b");
      expect(printed).not.toMatch(/^webhook-check: REACHABLE/m);
      expect(printed).toMatch(/more characters\)/);
    },
  );
});

describe("kubeconfig settings that expose the credentials are warned of", () => {
  function kubeconfig(cluster: Record<string, unknown>): string {
    const file = path.join(tempDir("warn-"), "config");
    const doc = {
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "c", cluster }],
      users: [{ name: "u", user: { token: "a-token-value-0123456789" } }],
      contexts: [{ name: "ctx", context: { cluster: "c", user: "u" } }],
      "current-context": "ctx",
    };
    writeFileSync(file, stringify(doc));
    return file;
  }

  test("insecure-skip-tls-verify: a warning that the server's certificate is not checked", async () => {
    const run = await check(["--timeout", "1"], {}, kubeconfig({ server: "https://127.0.0.1:1", "insecure-skip-tls-verify": true }));
    expect(run.err).toMatch(/warning: context "ctx" sets insecure-skip-tls-verify/);
  });

  test("a token to a plain http:// server: a warning that it travels unencrypted", async () => {
    const run = await check(["--timeout", "1"], {}, kubeconfig({ server: "http://127.0.0.1:1" }));
    expect(run.err).toMatch(/warning: context "ctx" sends its credentials to http:\/\/127\.0\.0\.1:1\/ unencrypted/);
  });

  test("neither: no warning", async () => {
    const api = await stand.api({});
    const run = await check(["--timeout", "1"], {}, writeKubeconfig(stand.pki, api.url));
    expect(run.err).not.toMatch(/warning: context/);
  });
});
