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
import { proof, WEBHOOK_LABELS } from "../helpers/check-proofs";
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

/** A ValidatingAdmissionPolicy `name` that denies what `rule` matches with `message`, and its binding. */
function denyingPolicy(name: string, rule: Record<string, unknown>, message: string): Record<string, unknown>[] {
  return [
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicy",
      metadata: { name },
      spec: { failurePolicy: "Fail", matchConstraints: { resourceRules: [rule] }, validations: [{ expression: "false", message }] },
    },
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicyBinding",
      metadata: { name },
      spec: { policyName: name, validationActions: ["Deny"] },
    },
  ];
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
    const [policy, binding] = denyingPolicy(
      "deny-certificaterequests",
      { apiGroups: ["cert-manager.io"], apiVersions: ["v1"], operations: ["CREATE"], resources: ["certificaterequests"] },
      "certificate requests are frozen",
    );
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

    // kube-aggregator proxies to the Service only while the APIService's status says Available
    // (pkg/apiserver/handler_proxy.go: "service unavailable" when !serviceAvailable), and its
    // AvailableConditionController writes that status only when a sync finds it changed: on an
    // event of the APIService, its Service or EndpointSlices, or the APIService informer's 30 s
    // resync (pkg/controllers/status/remote/remote_available_controller.go, k8s.io/kube-aggregator
    // v0.35.4: AddEventHandlerWithResyncPeriod(..., 30*time.Second), and sync's discovery GET).
    // When that resync lands after the server stops is not ours to choose, so the status is
    // held instead: a ValidatingAdmissionPolicy denies the controller's UpdateStatus, and a sync
    // that finds the server down cannot write Available=False (it requeues, rate-limited). Once
    // the test has seen the policy deny a status update, the stale window lasts as long as the
    // policy does, whenever the resync comes.
    const [freeze, freezeBinding] = denyingPolicy(
      "freeze-apiservice-status",
      {
        apiGroups: ["apiregistration.k8s.io"],
        apiVersions: ["v1"],
        operations: ["UPDATE"],
        resources: ["apiservices/status"],
        resourceNames: [apiService.metadata.name],
      },
      "the test holds this status",
    );
    /** A dry-run status update as the controller would write it; the policy's words once it is in force. */
    async function statusUpdateRefused(): Promise<boolean> {
      const current = await adminRequest(cp, "GET", `/apis/apiregistration.k8s.io/v1/apiservices/${apiService.metadata.name}`);
      const res = await adminRequest(
        cp,
        "PUT",
        `/apis/apiregistration.k8s.io/v1/apiservices/${apiService.metadata.name}/status?dryRun=All`,
        current.json,
      );
      return res.status !== 200 && /the test holds this status/.test(res.body);
    }

    test("stale: its server stopped while the status still says Available: exit 1, the aggregator's words", async () => {
      await applyAll(cp, [freeze, freezeBinding]);
      try {
        let held = false;
        for (let i = 0; i < 300 && !held; i++) {
          held = await statusUpdateRefused();
          if (!held) await new Promise((r) => setTimeout(r, 100));
        }
        expect(held).toBe(true);
        expect(await available()).toBe("True");
        await stopServer(api);
        const run = await check(["--scope", "all", "--timeout", "8"]);
        expect(await available()).toBe("True");
        expect(run.code).toBe(1);
        const result = item(run, apiService.metadata.name);
        expect([result?.verdict, result?.detail]).toEqual(["fail", expect.stringMatching(/Available=True/)]);
        expect(result?.error).toMatch(/error trying to reach service: dial tcp [0-9.:]+: connect: connection refused/);
      } finally {
        await adminRequest(cp, "DELETE", objectPath(freezeBinding));
        await adminRequest(cp, "DELETE", objectPath(freeze));
      }
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
    // A CRD whose conversion webhook other-webhook serves (the "allow" server converts), with
    // one stored object, so the check reads it at the version that is not stored.
    const widgets = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "widgets.conversion.cdktf-cilium.io" },
      spec: {
        group: "conversion.cdktf-cilium.io",
        scope: "Namespaced",
        names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
        versions: ["v1", "v2"].map((name) => ({
          name,
          served: true,
          storage: name === "v1",
          schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
        })),
        conversion: {
          strategy: "Webhook",
          webhook: {
            conversionReviewVersions: ["v1"],
            clientConfig: {
              service: { name: "other-webhook", namespace: "cert-manager", path: "/convert", port: 443 },
              caBundle: "", // the test CA's, once beforeAll has made it
            },
          },
        },
      },
    };
    // Each row of the table (`doc`, its resource column) and the RBAC rule that grants it, in the
    // namespace the check reads (`where`: a namespace, or the cluster). `proof`: used only with
    // WEBHOOK_CHECK_PROOF. The two non-resource URLs are granted to every authenticated user by
    // kube-apiserver's bootstrap roles (system:public-info-viewer, system:discovery;
    // plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go), which no Role can take away:
    // they are listed, not removed.
    type Row = {
      row: string;
      doc: string;
      required: boolean;
      where: "cert-manager" | "kube-system" | "default" | "cluster";
      proof?: boolean;
      byDefault?: boolean;
      /** The warning without it, where the generic one (the resource and verb) would not name the namespace. */
      warning?: RegExp;
      rule: { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };
    };
    const rule = (apiGroup: string, resource: string, verb: string, resourceNames?: string[]) => ({
      apiGroups: [apiGroup],
      resources: [resource],
      verbs: [verb],
      ...(resourceNames ? { resourceNames } : {}),
    });
    const ROWS: readonly Row[] = [
      {
        row: "get /version",
        doc: "/version (non-resource URL; every authenticated user has it by default)",
        required: true,
        where: "cluster",
        byDefault: true,
        rule: rule("", "", "get"),
      },
      {
        row: "create certificaterequests",
        doc: "certificaterequests.cert-manager.io (dry-run only)",
        required: true,
        where: "cert-manager",
        rule: rule("cert-manager.io", "certificaterequests", "create"),
      },
      { row: "get namespaces", doc: "namespaces", required: false, where: "cert-manager", rule: rule("", "namespaces", "get") },
      { row: "get services", doc: "services", required: false, where: "cert-manager", rule: rule("", "services", "get") },
      {
        row: "list endpointslices",
        doc: "endpointslices.discovery.k8s.io",
        required: false,
        where: "cert-manager",
        rule: rule("discovery.k8s.io", "endpointslices", "list"),
      },
      {
        row: "list apiservices",
        doc: "apiservices.apiregistration.k8s.io",
        required: false,
        where: "cluster",
        rule: rule("apiregistration.k8s.io", "apiservices", "list"),
      },
      {
        row: "get /apis/<group>/<version>",
        doc: "/apis/<group>/<version> of every APIService backed by a Service (non-resource URL; the system:discovery role grants it to every authenticated user)",
        required: false,
        where: "cluster",
        byDefault: true,
        rule: rule("", "", "get"),
      },
      {
        row: "list validatingwebhookconfigurations",
        doc: "validatingwebhookconfigurations.admissionregistration.k8s.io",
        required: false,
        where: "cluster",
        rule: rule("admissionregistration.k8s.io", "validatingwebhookconfigurations", "list"),
      },
      {
        row: "list mutatingwebhookconfigurations",
        doc: "mutatingwebhookconfigurations.admissionregistration.k8s.io",
        required: false,
        where: "cluster",
        rule: rule("admissionregistration.k8s.io", "mutatingwebhookconfigurations", "list"),
      },
      {
        row: "list customresourcedefinitions",
        doc: "customresourcedefinitions.apiextensions.k8s.io",
        required: false,
        where: "cluster",
        rule: rule("apiextensions.k8s.io", "customresourcedefinitions", "list"),
      },
      {
        row: "create configmaps",
        doc: "configmaps (dry-run only)",
        required: false,
        where: "cert-manager",
        rule: rule("", "configmaps", "create"),
      },
      {
        row: "list widgets (a CRD with a conversion webhook)",
        doc: "the custom resources of CRDs with a conversion webhook (one object, never printed)",
        required: false,
        where: "cluster",
        rule: rule(widgets.spec.group, "widgets", "list"),
      },
      {
        row: "get configmaps cilium-config in kube-system",
        doc: "configmaps (cilium-config only)",
        required: false,
        where: "kube-system",
        proof: true,
        warning: /needs "get configmaps cilium-config in kube-system"/,
        rule: rule("", "configmaps", "get", ["cilium-config"]),
      },
      { row: "list nodes", doc: "nodes", required: false, where: "cluster", proof: true, rule: rule("", "nodes", "list") },
      {
        row: "list endpointslices in default",
        doc: "endpointslices.discovery.k8s.io (the kubernetes Service's)",
        required: false,
        where: "default",
        proof: true,
        warning: /needs "list endpointslices in default"/,
        rule: rule("discovery.k8s.io", "endpointslices", "list"),
      },
    ];
    const roleNamespaces = ["cert-manager", "kube-system", "default"] as const;
    const removable = ROWS.filter((r) => !r.byDefault);
    let kubeconfig: string;

    test("every row of docs/webhook-check.md's RBAC table is a row here", () => {
      const page = readFileSync(path.join(REPO, "docs", "webhook-check.md"), "utf8");
      const table = page.slice(page.indexOf("### RBAC"));
      const docRows = [...table.matchAll(/^\| (get|list|create) \| (.+?) \| .+? \| (yes|no \(a warning\)) \|$/gm)].map(
        (m) => `${m[1]} ${m[2]} ${m[3] === "yes"}`,
      );
      expect(docRows.length).toBeGreaterThan(10);
      expect(ROWS.map((r) => `${r.rule.verbs[0]} ${r.doc} ${r.required}`).sort()).toEqual(docRows.sort());
    });

    async function grant(without?: string) {
      const rules = (where: Row["where"]) => removable.filter((r) => r.where === where && r.row !== without).map((r) => r.rule);
      await applyAll(cp, [
        ...roleNamespaces.map((namespace) => ({
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "Role",
          metadata: { name: "webhook-check", namespace },
          rules: rules(namespace),
        })),
        { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "webhook-check" }, rules: rules("cluster") },
      ]);
      // RBAC is read from an informer: wait until the server decides as the roles now say.
      for (const r of removable) {
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
              ...(r.rule.resourceNames ? { name: r.rule.resourceNames[0] } : {}),
              ...(r.where === "cluster" ? {} : { namespace: r.where }),
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
      const subjects = [{ kind: "ServiceAccount", name: "webhook-check", namespace: "cert-manager" }];
      await applyAll(cp, [
        { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "webhook-check", namespace: "cert-manager" } },
        ...roleNamespaces.map((namespace) => ({
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "RoleBinding",
          metadata: { name: "webhook-check", namespace },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "webhook-check" },
          subjects,
        })),
        {
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "ClusterRoleBinding",
          metadata: { name: "webhook-check" },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "webhook-check" },
          subjects,
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
      // A served webhook on ConfigMaps, so the check's ConfigMap dry-run (and its permission) is
      // used; the same server converts the widgets.
      await startServer("allow", OTHER_IP);
      await applyAll(cp, [...serviceObjects("other-webhook", OTHER_IP), configMapWebhook("served", { failurePolicy: "Fail" })]);
      const crdFile = path.join(pki, "widgets-crd.json");
      const crd = structuredClone(widgets);
      crd.spec.conversion.webhook.clientConfig.caBundle = caBundle("test-ca");
      writeFileSync(crdFile, JSON.stringify(crd));
      await installCrds(cp, [crdFile]);
      await applyAll(cp, [
        { apiVersion: `${widgets.spec.group}/v1`, kind: "Widget", metadata: { name: "one", namespace: "cert-manager" } },
      ]);
      // What the proof's assumptions read, as a cluster would have them: the webhook Service
      // selecting the webhook's pods, a Node whose InternalIP is the address in default/kubernetes,
      // and cilium-config with no keys (the agent's defaults, which the proof assumes).
      await applyAll(cp, [
        {
          apiVersion: "v1",
          kind: "Service",
          metadata: { name: "cert-manager-webhook", namespace: "cert-manager" },
          spec: {
            clusterIP: WEBHOOK_IP,
            selector: WEBHOOK_LABELS,
            ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: "https" }],
          },
        },
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cilium-config", namespace: "kube-system" }, data: {} },
      ]);
      // kube-apiserver publishes its own address in default/kubernetes (the lease endpoint
      // reconciler, pkg/controlplane/reconcilers/lease.go), but here it is 127.0.0.1, which
      // Endpoints refuse ("may not be in the loopback range", ValidateEndpointIP in
      // pkg/apis/core/validation/validation.go, kubernetes v1.35.4): the test writes the
      // EndpointSlice as a cluster's reconciler would, at a node address nothing dials.
      const apiNode = "192.0.2.10";
      await applyAll(cp, [
        {
          apiVersion: "discovery.k8s.io/v1",
          kind: "EndpointSlice",
          metadata: { name: "kubernetes", namespace: "default", labels: { "kubernetes.io/service-name": "kubernetes" } },
          addressType: "IPv4",
          endpoints: [{ addresses: [apiNode], conditions: { ready: true } }],
          ports: [{ name: "https", port: 6443, protocol: "TCP" }],
        },
        { apiVersion: "v1", kind: "Node", metadata: { name: "control-plane" } },
      ]);
      const status = await adminRequest(
        cp,
        "PATCH",
        "/api/v1/nodes/control-plane/status",
        { status: { addresses: [{ type: "InternalIP", address: apiNode }] } },
        "application/merge-patch+json",
      );
      expect(status.status).toBe(200);
    });

    afterAll(async () => {
      await adminRequest(cp, "DELETE", "/api/v1/nodes/control-plane");
      await adminRequest(cp, "DELETE", "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes");
      await adminRequest(cp, "DELETE", objectPath(widgets));
    });

    /** The check as the ServiceAccount, over every family (--scope all), with the synth-time proof. */
    const checkAs = (timeout: string) =>
      runCli(["--json", "--interval", "1", "--scope", "all", "--timeout", timeout], {
        KUBECONFIG: kubeconfig,
        WEBHOOK_CHECK_PROOF: JSON.stringify(proof({ webhookPort: 443 })),
      });

    test("every row granted: exit 0, the conversion proven and every assumption of the proof holding", async () => {
      await grant();
      const run = await checkAs("30");
      expect([run.code, run.report.failure]).toEqual([0, undefined]);
      expect(item(run, widgets.metadata.name)).toMatchObject({
        verdict: "ok",
        detail: expect.stringMatching(/was converted by kube-apiserver/),
      });
      const assumptions = run.report.probes.find((p) => p.probe === "proof-assumptions");
      expect([assumptions?.ok, assumptions?.detail]).toEqual([true, expect.stringMatching(/every assumption of the proof holds/)]);
    });

    test.each(ROWS.filter((r) => r.required && !r.byDefault).map((r) => [r.row]))(
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

    test.each(ROWS.filter((r) => !r.required && !r.byDefault).map((r) => [r.row, r] as const))(
      "without %s: exit 0, with a warning naming the permission",
      async (row, r) => {
        await grant(row);
        const run = await checkAs("30");
        expect(run.code).toBe(0);
        // The server's words, or the check's own where it names the permission it lacks.
        const [resource, verb] = [r.rule.resources[0], r.rule.verbs[0]];
        expect((run.report.warnings ?? []).join("\n")).toMatch(
          r.warning ?? new RegExp(`cannot ${verb} resource "${resource}"|needs "${verb} ${resource}`),
        );
      },
    );
  });
});
