import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import {
  adminRequest,
  applyAll,
  installCrds,
  netnsUnsupported,
  objectPath,
  REPO,
  type RunningControlPlane,
  startControlPlane,
} from "../helpers/control-plane";
import { PROBE_CSR_PEM } from "../../lib/webhook-check/probes/csr";
import { makeCa, signLeaf } from "../helpers/openssl-pki";
import { type CliRun, runCli } from "../helpers/run-cli";
import { tempDir } from "../helpers/temp";

// The webhook check (the shipped bundle, as terraform runs it) against the real admission chain:
// kube-apiserver in its network namespace calls cert-manager's webhook configuration (vendored,
// __tests__/fixtures/cert-manager/) through the Service's ClusterIP, where a real HTTPS server
// with the test's own CA listens (helpers/cluster-webhook-server.mjs). Only etcd and
// kube-apiserver run, so the test makes by hand what controllers would: the namespace, the
// Service with its ClusterIP (an address on the namespace's svc0), its EndpointSlice.
// Scenarios run one at a time, in this order; each asserts the exit code, the class and the
// real server's words.

const FIXTURES = path.join(REPO, "__tests__", "fixtures", "cert-manager");
const SERVER = path.join(REPO, "__tests__", "helpers", "cluster-webhook-server.mjs");
const WEBHOOK_IP = "10.96.100.10";
const OTHER_IP = "10.96.100.20";
const API_IP = "10.96.100.30";
const NETNS = `cdktf-cilium-adm-${process.pid}`;

const netnsMissing = netnsUnsupported();
if (netnsMissing && process.env.CI !== "true") console.warn(`SKIPPED: the check against the real admission chain: ${netnsMissing}`);
const describeIfNetns = netnsMissing && process.env.CI !== "true" ? describe.skip : describe;

const asRoot = (argv: string[]) => (process.getuid?.() === 0 ? argv : ["sudo", "-n", ...argv]);

let cp: RunningControlPlane;
let pki: string;
const servers = new Set<ChildProcess>();

/** A CA and a serving certificate for `names`, signed by it, in `dir` (CA.crt/.key, CA-server.crt/.key). */
async function makeServingPki(dir: string, ca: string, names: string[]) {
  await makeCa(dir, ca, ca);
  const ext = `subjectAltName=${names.map((n) => `DNS:${n}`).join(",")}\nextendedKeyUsage=serverAuth\n`;
  await signLeaf(dir, { name: `${ca}-server`, subject: `/CN=${names[0]}`, ext, issuer: ca, serial: 1 });
}

/** Starts the test's HTTPS server on `host`:443 inside the namespace; resolves once it listens. */
function startServer(mode: string, host: string, extra: Record<string, string> = {}): Promise<ChildProcess> {
  const config = { host, port: 443, mode, cert: path.join(pki, "test-ca-server.crt"), key: path.join(pki, "test-ca-server.key"), ...extra };
  const [cmd, ...args] = asRoot(["ip", "netns", "exec", NETNS, process.execPath, SERVER, JSON.stringify(config)]);
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"] });
  servers.add(child);
  return new Promise((resolve, reject) => {
    child.stdout?.on("data", (d) => {
      if (String(d).includes("listening")) resolve(child);
    });
    child.on("exit", (code) => reject(new Error(`webhook server exited ${code}`)));
  });
}

async function stopServer(child: ChildProcess) {
  servers.delete(child);
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.on("exit", r));
  child.kill("SIGTERM");
  await exited;
}

const caBundle = (ca: string) => readFileSync(path.join(pki, `${ca}.crt`)).toString("base64");

/** cert-manager's webhook configurations, with this CA bundle and timeout. */
function webhookConfigurations(ca: string, timeoutSeconds = 30): Record<string, unknown>[] {
  return parseAllDocuments(readFileSync(path.join(FIXTURES, "webhooks.yaml"), "utf8")).map((d) => {
    const doc = d.toJS() as { webhooks: Array<{ clientConfig: Record<string, unknown>; timeoutSeconds: number }> };
    for (const w of doc.webhooks) {
      w.clientConfig.caBundle = caBundle(ca);
      w.timeoutSeconds = timeoutSeconds;
    }
    return doc as unknown as Record<string, unknown>;
  });
}

const endpointSlice = {
  apiVersion: "discovery.k8s.io/v1",
  kind: "EndpointSlice",
  metadata: {
    name: "cert-manager-webhook-test",
    namespace: "cert-manager",
    labels: { "kubernetes.io/service-name": "cert-manager-webhook" },
  },
  addressType: "IPv4",
  endpoints: [{ addresses: [WEBHOOK_IP], conditions: { ready: true } }],
  ports: [{ name: "https", port: 443, protocol: "TCP" }],
};

/** A dry-run create of a CertificateRequest with a valid CSR, as the check's proof makes. */
function dryRunCertificateRequest() {
  const probe = {
    apiVersion: "cert-manager.io/v1",
    kind: "CertificateRequest",
    metadata: { generateName: "ready-", namespace: "cert-manager" },
    spec: { issuerRef: { name: "none" }, request: Buffer.from(PROBE_CSR_PEM).toString("base64") },
  };
  return adminRequest(cp, "POST", "/apis/cert-manager.io/v1/namespaces/cert-manager/certificaterequests?dryRun=All", probe);
}

/**
 * kube-apiserver applies a changed webhook configuration or policy once its informer has it
 * (about a second): before the check runs, the test waits until its own dry run meets the change.
 */
async function untilAdmissionSays(words: RegExp): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (words.test((await dryRunCertificateRequest()).body)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`kube-apiserver never answered ${words}`);
}

function check(args: string[] = []): Promise<CliRun> {
  return runCli(["--json", "--interval", "1", "--scope", "cert-manager", ...args], { KUBECONFIG: cp.env.KUBECONFIG });
}

describeIfNetns("the webhook check against kube-apiserver's real admission chain", () => {
  let webhook: ChildProcess;
  beforeAll(async () => {
    cp = startControlPlane({ netns: NETNS }) as RunningControlPlane;
    for (const ip of [WEBHOOK_IP, OTHER_IP, API_IP]) {
      const [cmd, ...args] = asRoot(["ip", "-n", NETNS, "addr", "add", `${ip}/32`, "dev", "svc0"]);
      expect(spawnSync(cmd, args).status).toBe(0);
    }
    pki = tempDir("admission-pki-");
    const names = ["cert-manager-webhook.cert-manager.svc", "other-webhook.cert-manager.svc", "test-api.cert-manager.svc"];
    await Promise.all([makeServingPki(pki, "test-ca", names), makeServingPki(pki, "wrong-ca", names)]);
    await installCrds(cp, [path.join(FIXTURES, "cert-manager.io_certificaterequests.yaml")]);
    await applyAll(cp, [
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "cert-manager" } },
      {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "cert-manager-webhook", namespace: "cert-manager" },
        spec: { clusterIP: WEBHOOK_IP, ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: "https" }] },
      },
      endpointSlice,
      ...webhookConfigurations("test-ca"),
    ]);
    webhook = await startServer("cert-manager", WEBHOOK_IP);
  });
  afterAll(async () => {
    for (const s of [...servers]) await stopServer(s);
    cp?.stop();
  });

  test("healthy: exit 0, kube-apiserver called the webhook through its ClusterIP", async () => {
    const run = await check(["--timeout", "30"]);
    expect(run.code).toBe(0);
    const admission = run.report.probes.find((p: { probe: string }) => p.probe === "admission");
    expect(admission?.detail).toMatch(/a valid CSR was mutated \(spec\.username=kubernetes-admin\), an invalid one denied/);
  });

  test("a wrong CA bundle: exit 1, class tls, in kube-apiserver's words (x509)", async () => {
    await applyAll(cp, webhookConfigurations("wrong-ca"));
    await untilAdmissionSays(/x509/);
    try {
      const run = await check(["--timeout", "8"]);
      expect(run.code).toBe(1);
      expect(run.report.failure?.class).toBe("tls");
      expect(run.report.failure?.error).toMatch(
        /failed calling webhook "webhook\.cert-manager\.io".*x509: certificate signed by unknown authority/,
      );
    } finally {
      await applyAll(cp, webhookConfigurations("test-ca"));
    }
  });

  test("a webhook that hangs: exit 1, class timeout, kube-apiserver's deadline in its words", async () => {
    await stopServer(webhook);
    webhook = await startServer("hang", WEBHOOK_IP);
    await applyAll(cp, webhookConfigurations("test-ca", 2));
    await untilAdmissionSays(/context deadline exceeded|Client\.Timeout/);
    try {
      const run = await check(["--timeout", "15"]);
      expect(run.code).toBe(1);
      expect(run.report.failure?.class).toBe("timeout");
      expect(run.report.failure?.error).toMatch(
        /failed calling webhook "webhook\.cert-manager\.io".*(context deadline exceeded|Client\.Timeout)/,
      );
    } finally {
      await stopServer(webhook);
      await applyAll(cp, webhookConfigurations("test-ca"));
    }
  });

  test("its server down: exit 1, class connection-refused, kube-apiserver's dial error", async () => {
    await untilAdmissionSays(/connection refused/);
    const run = await check(["--timeout", "8"]);
    expect(run.code).toBe(1);
    expect(run.report.failure?.class).toBe("connection-refused");
    expect(run.report.failure?.error).toContain(`dial tcp ${WEBHOOK_IP}:443: connect: connection refused`);
  });

  test("its Service without endpoints: exit 1, and the diagnostic says no-endpoints", async () => {
    const del = await adminRequest(cp, "DELETE", objectPath(endpointSlice));
    expect(del.status).toBe(200);
    try {
      const run = await check(["--timeout", "8"]);
      expect(run.code).toBe(1);
      const endpoints = run.report.probes.find((p: { probe: string }) => p.probe === "webhook-endpoints");
      expect(endpoints?.class).toBe("no-endpoints");
    } finally {
      await applyAll(cp, [endpointSlice]);
      webhook = await startServer("cert-manager", WEBHOOK_IP);
    }
  });

  test("a ValidatingAdmissionPolicy that denies the probe: exit 1, class admission-policy, the policy's words", async () => {
    const policy = {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicy",
      metadata: { name: "deny-certificaterequests" },
      spec: {
        failurePolicy: "Fail",
        matchConstraints: {
          resourceRules: [
            { apiGroups: ["cert-manager.io"], apiVersions: ["v1"], operations: ["CREATE"], resources: ["certificaterequests"] },
          ],
        },
        validations: [{ expression: "false", message: "certificate requests are frozen" }],
      },
    };
    const binding = {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicyBinding",
      metadata: { name: "deny-certificaterequests" },
      spec: { policyName: "deny-certificaterequests", validationActions: ["Deny"] },
    };
    await applyAll(cp, [policy, binding]);
    await untilAdmissionSays(/ValidatingAdmissionPolicy 'deny-certificaterequests'/);
    try {
      const run = await check(["--timeout", "20"]);
      expect(run.code).toBe(1);
      expect(run.report.failure?.class).toBe("admission-policy");
      expect(run.report.failure?.error).toMatch(
        /ValidatingAdmissionPolicy 'deny-certificaterequests' with binding 'deny-certificaterequests' denied request: certificate requests are frozen/,
      );
    } finally {
      await adminRequest(cp, "DELETE", objectPath(binding));
      await adminRequest(cp, "DELETE", objectPath(policy));
    }
  });

  /** A Service in cert-manager at `ip`:443, with an EndpointSlice (and, for the aggregator, Endpoints) naming `ip` ready. */
  function serviceObjects(name: string, ip: string): Record<string, unknown>[] {
    return [
      {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name, namespace: "cert-manager" },
        spec: { clusterIP: ip, ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: 443 }] },
      },
      {
        apiVersion: "discovery.k8s.io/v1",
        kind: "EndpointSlice",
        metadata: { name: `${name}-test`, namespace: "cert-manager", labels: { "kubernetes.io/service-name": name } },
        addressType: "IPv4",
        endpoints: [{ addresses: [ip], conditions: { ready: true } }],
        ports: [{ name: "https", port: 443, protocol: "TCP" }],
      },
      {
        apiVersion: "v1",
        kind: "Endpoints",
        metadata: { name, namespace: "cert-manager" },
        subsets: [{ addresses: [{ ip }], ports: [{ name: "https", port: 443, protocol: "TCP" }] }],
      },
    ];
  }

  /** A validating webhook on ConfigMap creates, served by other-webhook (nothing listens there). */
  const configMapWebhook = (name: string, extra: Record<string, unknown>) => ({
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingWebhookConfiguration",
    metadata: { name },
    webhooks: [
      {
        name: `${name}.example.com`,
        rules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["configmaps"] }],
        admissionReviewVersions: ["v1"],
        sideEffects: "None",
        timeoutSeconds: 5,
        clientConfig: { service: { name: "other-webhook", namespace: "cert-manager", path: "/validate" }, caBundle: caBundle("test-ca") },
        ...extra,
      },
    ],
  });

  const item = (run: CliRun, name: string) => run.report.items?.find((i: { name: string }) => i.name === name);

  test("failurePolicy Ignore, its server down: exit 0, a warning that it fails open", async () => {
    const config = configMapWebhook("ignored", { failurePolicy: "Ignore" });
    await applyAll(cp, [...serviceObjects("other-webhook", OTHER_IP), config]);
    try {
      const run = await check(["--scope", "all", "--timeout", "30"]);
      expect([run.code, item(run, "ignored/ignored.example.com")?.verdict]).toEqual([0, "warn"]);
      expect(item(run, "ignored/ignored.example.com")?.detail).toMatch(/fails open; unproven/);
    } finally {
      await adminRequest(cp, "DELETE", objectPath(config));
    }
  });

  test("matchConditions that exclude the probe: exit 0, a warning that it is not provable", async () => {
    const config = configMapWebhook("conditional", { failurePolicy: "Fail", matchConditions: [{ name: "never", expression: "false" }] });
    await applyAll(cp, [config]);
    try {
      const run = await check(["--scope", "all", "--timeout", "30"]);
      expect([run.code, item(run, "conditional/conditional.example.com")?.verdict]).toEqual([0, "warn"]);
      expect(item(run, "conditional/conditional.example.com")?.detail).toMatch(/not provable \(its matchConditions may exclude the probe/);
    } finally {
      await adminRequest(cp, "DELETE", objectPath(config));
    }
  });

  describe("an aggregated API behind an APIService", () => {
    const apiService = {
      apiVersion: "apiregistration.k8s.io/v1",
      kind: "APIService",
      metadata: { name: "v1alpha1.test.cdktf-cilium.io" },
      spec: {
        group: "test.cdktf-cilium.io",
        version: "v1alpha1",
        groupPriorityMinimum: 1000,
        versionPriority: 15,
        service: { name: "test-api", namespace: "cert-manager", port: 443 },
        caBundle: "",
      },
    };
    let api: ChildProcess;
    const available = async () => {
      const r = await adminRequest(cp, "GET", `/apis/apiregistration.k8s.io/v1/apiservices/${apiService.metadata.name}`);
      const conditions = (r.json as { status?: { conditions?: Array<{ type: string; status: string }> } }).status?.conditions ?? [];
      return conditions.find((c) => c.type === "Available")?.status;
    };
    beforeAll(async () => {
      api = await startServer("apiservice", API_IP, { groupVersion: "test.cdktf-cilium.io/v1alpha1" });
      await applyAll(cp, [
        ...serviceObjects("test-api", API_IP),
        { ...apiService, spec: { ...apiService.spec, caBundle: caBundle("test-ca") } },
      ]);
      for (let i = 0; i < 600 && (await available()) !== "True"; i++) await new Promise((r) => setTimeout(r, 100));
    });

    afterAll(async () => {
      await adminRequest(cp, "DELETE", objectPath(apiService));
    });

    test("available: exit 0, the aggregated call answered", async () => {
      expect(await available()).toBe("True");
      const run = await check(["--scope", "all", "--timeout", "30"]);
      expect([run.code, item(run, apiService.metadata.name)?.verdict]).toEqual([0, "ok"]);
      expect(item(run, apiService.metadata.name)?.detail).toMatch(/called it through the aggregator/);
    });

    test("stale: its server stopped while the status still says Available: exit 1, the aggregator's words", async () => {
      await stopServer(api);
      // The availability controller re-checks every 30 s: right now the status is stale.
      expect(await available()).toBe("True");
      const run = await check(["--scope", "all", "--timeout", "8"]);
      expect(run.code).toBe(1);
      const result = item(run, apiService.metadata.name);
      expect(result?.verdict).toBe("fail");
      expect(result?.error).toMatch(/connect: connection refused/);
    });

    test("unavailable: the status says so too, and the check fails with the aggregator's words", async () => {
      for (let i = 0; i < 600 && (await available()) === "True"; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await available()).toBe("False");
      const run = await check(["--scope", "all", "--timeout", "8"]);
      expect(run.code).toBe(1);
      expect(item(run, apiService.metadata.name)?.verdict).toBe("fail");
    });
  });

  describe("RBAC: the check with a ServiceAccount token bound to exactly docs/webhook-check.md's table", () => {
    // The table's rows that are RBAC rules here (CHECK_PERMISSIONS in lib/webhook-check/probes/permissions.ts).
    // Not here: the two non-resource URLs (/version and /apis/<group>/<version>), which kube-apiserver's
    // default roles give every authenticated user; the rows used only with WEBHOOK_CHECK_PROOF; and
    // the custom resources of conversion webhooks (none is installed).
    const ROWS: ReadonlyArray<{ row: string; required: boolean; cluster: boolean; rule: Record<string, string[]> }> = [
      {
        row: "create certificaterequests",
        required: true,
        cluster: false,
        rule: { apiGroups: ["cert-manager.io"], resources: ["certificaterequests"], verbs: ["create"] },
      },
      { row: "get namespaces", required: false, cluster: false, rule: { apiGroups: [""], resources: ["namespaces"], verbs: ["get"] } },
      { row: "get services", required: false, cluster: false, rule: { apiGroups: [""], resources: ["services"], verbs: ["get"] } },
      {
        row: "list endpointslices",
        required: false,
        cluster: false,
        rule: { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["list"] },
      },
      {
        row: "create configmaps",
        required: false,
        cluster: false,
        rule: { apiGroups: [""], resources: ["configmaps"], verbs: ["create"] },
      },
      {
        row: "list apiservices",
        required: false,
        cluster: true,
        rule: { apiGroups: ["apiregistration.k8s.io"], resources: ["apiservices"], verbs: ["list"] },
      },
      {
        row: "list validatingwebhookconfigurations",
        required: false,
        cluster: true,
        rule: { apiGroups: ["admissionregistration.k8s.io"], resources: ["validatingwebhookconfigurations"], verbs: ["list"] },
      },
      {
        row: "list mutatingwebhookconfigurations",
        required: false,
        cluster: true,
        rule: { apiGroups: ["admissionregistration.k8s.io"], resources: ["mutatingwebhookconfigurations"], verbs: ["list"] },
      },
      {
        row: "list customresourcedefinitions",
        required: false,
        cluster: true,
        rule: { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: ["list"] },
      },
    ];
    let kubeconfig: string;

    async function grant(without?: string) {
      const rules = (cluster: boolean) => ROWS.filter((r) => r.cluster === cluster && r.row !== without).map((r) => r.rule);
      await applyAll(cp, [
        {
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "Role",
          metadata: { name: "webhook-check", namespace: "cert-manager" },
          rules: rules(false),
        },
        { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "webhook-check" }, rules: rules(true) },
      ]);
      // RBAC is read from an informer: wait until the server decides as the roles now say.
      for (const r of ROWS) {
        const review = {
          apiVersion: "authorization.k8s.io/v1",
          kind: "SubjectAccessReview",
          spec: {
            user: "system:serviceaccount:cert-manager:webhook-check",
            groups: ["system:serviceaccounts", "system:authenticated"],
            resourceAttributes: {
              group: r.rule.apiGroups[0],
              resource: r.rule.resources[0],
              verb: r.rule.verbs[0],
              ...(r.cluster ? {} : { namespace: "cert-manager" }),
            },
          },
        };
        for (let i = 0; i < 300; i++) {
          const answer = await adminRequest(cp, "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", review);
          if ((answer.json as { status: { allowed: boolean } }).status.allowed === (r.row !== without)) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    }

    beforeAll(async () => {
      await applyAll(cp, [
        { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "webhook-check", namespace: "cert-manager" } },
        {
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "RoleBinding",
          metadata: { name: "webhook-check", namespace: "cert-manager" },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "webhook-check" },
          subjects: [{ kind: "ServiceAccount", name: "webhook-check", namespace: "cert-manager" }],
        },
        {
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "ClusterRoleBinding",
          metadata: { name: "webhook-check" },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "webhook-check" },
          subjects: [{ kind: "ServiceAccount", name: "webhook-check", namespace: "cert-manager" }],
        },
      ]);
      const token = await adminRequest(cp, "POST", "/api/v1/namespaces/cert-manager/serviceaccounts/webhook-check/token", {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenRequest",
        spec: { expirationSeconds: 3600 },
      });
      const value = (token.json as { status: { token: string } }).status.token;
      kubeconfig = path.join(tempDir("rbac-"), "kubeconfig");
      writeFileSync(
        kubeconfig,
        [
          "apiVersion: v1",
          "kind: Config",
          `clusters: [{name: cp, cluster: {server: "${cp.env.KUBE_APISERVER}", certificate-authority: "${cp.env.KUBE_CA}"}}]`,
          `users: [{name: checker, user: {token: "${value}"}}]`,
          "contexts: [{name: checker, context: {cluster: cp, user: checker}}]",
          "current-context: checker",
          "",
        ].join("\n"),
        { mode: 0o600 },
      );
      // A served webhook on ConfigMaps, so the check's ConfigMap dry-run (and its permission) is used.
      await startServer("allow", OTHER_IP);
      await applyAll(cp, [...serviceObjects("other-webhook", OTHER_IP), configMapWebhook("served", { failurePolicy: "Fail" })]);
    });

    const checkAs = (timeout: string) =>
      runCli(["--json", "--interval", "1", "--scope", "all", "--timeout", timeout], { KUBECONFIG: kubeconfig });

    test("every row granted: exit 0", async () => {
      await grant();
      const run = await checkAs("30");
      expect([run.code, run.report.failure]).toEqual([0, undefined]);
    });

    test.each(ROWS.filter((r) => r.required).map((r) => [r.row]))(
      "without %s (needed for the verdict): exit 1, class rbac",
      async (row) => {
        await grant(row);
        const run = await checkAs("6");
        expect(run.code).toBe(1);
        expect([run.report.failure?.class, run.report.failure?.error]).toEqual([
          "rbac",
          expect.stringMatching(
            /forbidden: User "system:serviceaccount:cert-manager:webhook-check" cannot create resource "certificaterequests"/,
          ),
        ]);
      },
    );

    test.each(ROWS.filter((r) => !r.required).map((r) => [r.row, r.rule.resources[0], r.rule.verbs[0]]))(
      "without %s: exit 0, with a warning naming the permission",
      async (row, resource, verb) => {
        await grant(row);
        const run = await checkAs("30");
        expect(run.code).toBe(0);
        // The server's words, or the check's own where it names the permission it lacks.
        expect(run.report.warnings?.join("\n")).toMatch(new RegExp(`cannot ${verb} resource "${resource}"|needs "${verb} ${resource}"`));
      },
    );
  });
});
