// --scope all: every aggregated API, admission webhook and conversion webhook, beside
// the cert-manager proof, against the local TLS stand-in (in-process through main()).
import type { ItemResult } from "../../lib/webhook-check/probes/result";
import { type JsonReport, main } from "../../lib/webhook-check/runner/cli";
import { CONFIGMAP_CREATE, configMapCreateMatches, ruleMatches, selectorMatches } from "../../lib/webhook-check/probes/admission-match";
import { probeClusterPaths } from "../../lib/webhook-check/probes/cluster-paths";
import { decidingFailure, runAttempt } from "../../lib/webhook-check/runner/attempts";
import { aggregatorError, fakeTarget, type Scenario, standIns, tooManyRequests, writeKubeconfig } from "../helpers/fake-apiserver";
import { FakeClock } from "../helpers/fake-clock";
import { tempDir } from "../helpers/temp";

const stand = standIns();

async function check(args: string[], scenario: Scenario) {
  const api = await stand.api(scenario);
  let out = "";
  const code = await main(
    ["--json", "--interval", "0.2", "--kubeconfig", writeKubeconfig(stand.pki, api.url), ...args],
    { HOME: tempDir("home-") },
    {
      out: (t) => {
        out += t;
      },
      err: () => {},
    },
    undefined,
    new FakeClock(Date.now()), // the retry loop waits no real time
  );
  return { code, report: JSON.parse(out) as JsonReport, api };
}

/** One attempt with --scope all, no retry loop: for the cases that fail (no waiting for a deadline). */
async function attemptAll(scenario: Scenario) {
  const api = await stand.api(scenario);
  const t = { namespace: "cert-manager", service: "cert-manager-webhook", port: 443, probeNamespace: "cert-manager" };
  const settings = { probeNamespace: "cert-manager", anchor: { namespace: "cert-manager", service: "cert-manager-webhook" }, exclude: [] };
  // The deadline on a clock that never moves: no request is cut however slow the machine.
  const target = fakeTarget(stand.pki, api.url, "client-certificate", {}, new FakeClock(0));
  const probes = await runAttempt(target, t, 10_000, undefined, (d) => probeClusterPaths(target, settings, d));
  return { probes, failure: decidingFailure(probes), items: probes.find((p) => p.probe === "cluster-paths")?.items ?? [], api };
}

const EPERM =
  'failing or missing response from https://10.96.14.7:443/apis/acme.gandi.example/v1alpha1: Get "https://10.96.14.7:443/apis/acme.gandi.example/v1alpha1": dial tcp 10.96.14.7:443: connect: operation not permitted';
const apiService = (name: string, available: boolean, reason = "FailedDiscoveryCheck", message = EPERM) => ({
  metadata: { name },
  spec: {
    service: { namespace: "cert-manager", name: "gandi-webhook", port: 443 },
    group: name.split(".").slice(1).join("."),
    version: "v1alpha1",
  },
  status: {
    conditions: [
      available ? { type: "Available", status: "True", reason: "Passed" } : { type: "Available", status: "False", reason, message },
    ],
  },
});
const kyverno = (
  failurePolicy: "Fail" | "Ignore",
  rules = [{ operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["configmaps"] }],
) => ({
  metadata: { name: "kyverno-resource-validating-webhook-cfg" },
  webhooks: [
    {
      name: "validate.kyverno.svc-fail",
      failurePolicy,
      rules,
      clientConfig: { service: { namespace: "kyverno", name: "kyverno-svc", port: 443 } },
    },
  ],
});
const slices = (ready: number) => ({
  status: 200,
  json: {
    items: [{ endpoints: Array.from({ length: ready }, (_, i) => ({ addresses: [`10.244.1.${i + 2}`], conditions: { ready: true } })) }],
  },
});
/** The kyverno Service exists; `ready` endpoints behind it. */
const kyvernoService =
  (ready: number, extra?: Scenario["respond"]): Scenario["respond"] =>
  (method, p) => {
    if (p === "/api/v1/namespaces/kyverno/services/kyverno-svc") return { status: 200, json: { spec: { ports: [{ port: 443 }] } } };
    if (p === "/apis/discovery.k8s.io/v1/namespaces/kyverno/endpointslices") return slices(ready);
    return extra?.(method, p);
  };

describe("aggregated APIs", () => {
  test("an APIService that becomes Available late passes", async () => {
    // Available from the third listing on: the outcome depends on attempts, not on how fast the machine is.
    let listings = 0;
    const run = await check(["--timeout", "20"], {
      respond: (_m, p) =>
        p === "/apis/apiregistration.k8s.io/v1/apiservices"
          ? { status: 200, json: { items: [apiService("v1alpha1.acme.gandi.example", ++listings >= 3)] } }
          : undefined,
    });
    expect(run.code).toBe(0);
    expect(run.report.attempts).toBe(3);
    expect(run.report.items).toEqual([expect.objectContaining({ kind: "apiservice", name: "v1alpha1.acme.gandi.example", verdict: "ok" })]);
  });

  test("one stuck at FailedDiscoveryCheck with the incident's EPERM fails, classified, with the aggregator's words", async () => {
    const run = await check(["--timeout", "1"], {
      apiServices: [apiService("v1alpha1.acme.gandi.example", false), apiService("v1beta1.metrics.k8s.io", true)],
    });
    expect(run.code).toBe(1);
    expect(run.report.failure).toMatchObject({ probe: "cluster-paths", class: "cilium-service" });
    const [gandi, metrics] = run.report.items ?? [];
    expect(gandi).toMatchObject({ kind: "apiservice", verdict: "fail", class: "cilium-service", error: `FailedDiscoveryCheck: ${EPERM}` });
    expect(metrics).toMatchObject({ name: "v1beta1.metrics.k8s.io", verdict: "ok" });
    // The cert-manager proof itself passed: the report says what failed, and only that.
    expect(run.report.probes.find((p) => p.probe === "admission")?.ok).toBe(true);
  });

  test("local APIServices (no Service) are not listed", async () => {
    const run = await check([], {
      apiServices: [{ metadata: { name: "v1.apps" }, spec: { group: "apps", version: "v1" }, status: { conditions: [] } }],
    });
    expect(run.code).toBe(0);
    expect(run.report.items).toEqual([]);
  });
});

describe("admission webhooks", () => {
  test("a Kyverno-like webhook without endpoints under Fail, not provable by dry-run: fails", async () => {
    const run = await attemptAll({
      validatingWebhooks: [
        kyverno("Fail", [{ operations: ["CREATE"], apiGroups: ["apps"], apiVersions: ["v1"], resources: ["deployments"] }]),
      ],
      respond: kyvernoService(0),
    });
    expect(run.failure).toMatchObject({ probe: "cluster-paths", class: "no-endpoints" });
    expect(run.items).toEqual([
      expect.objectContaining({
        kind: "validating-webhook",
        name: "kyverno-resource-validating-webhook-cfg/validate.kyverno.svc-fail",
        verdict: "fail",
        class: "no-endpoints",
        detail: expect.stringMatching(
          /not provable by dry-run, and the API server cannot call it: Service kyverno\/kyverno-svc has no ready endpoints/,
        ),
      }),
    ]);
  });

  test("the same under Ignore: a warning saying the API server skips it", async () => {
    const run = await check([], {
      validatingWebhooks: [
        kyverno("Ignore", [{ operations: ["CREATE"], apiGroups: ["apps"], apiVersions: ["v1"], resources: ["deployments"] }]),
      ],
      respond: kyvernoService(0),
    });
    expect(run.code).toBe(0);
    expect(run.report.items?.[0]).toMatchObject({
      verdict: "warn",
      detail: expect.stringMatching(/failurePolicy Ignore, so the API server skips it/),
    });
    expect(run.report.warnings).toEqual([
      expect.stringMatching(
        /^validating-webhook kyverno-resource-validating-webhook-cfg\/validate\.kyverno\.svc-fail: failurePolicy Ignore/,
      ),
    ]);
  });

  test("a webhook a dry-run ConfigMap create reaches is provoked: the API server's failure proves it unreachable", async () => {
    const failed =
      'Internal error occurred: failed calling webhook "validate.kyverno.svc-fail": failed to call webhook: Post "https://kyverno-svc.kyverno.svc:443/validate/fail?timeout=10s": dial tcp 10.96.3.3:443: connect: no route to host';
    const run = await attemptAll({
      validatingWebhooks: [kyverno("Fail")],
      respond: kyvernoService(1, (method, p) =>
        method === "POST" && p === "/api/v1/namespaces/cert-manager/configmaps"
          ? {
              status: 500,
              json: { kind: "Status", apiVersion: "v1", status: "Failure", message: failed, reason: "InternalError", code: 500 },
            }
          : undefined,
      ),
    });
    expect(run.failure).toMatchObject({ probe: "cluster-paths" });
    expect(run.items[0]).toMatchObject({ verdict: "fail", class: "cilium-service", error: failed });
    expect(run.api.requests).toContain("POST /api/v1/namespaces/cert-manager/configmaps?dryRun=All&fieldManager=webhook-check");
    expect(run.api.writes).toEqual([]);
  });

  test("...and a dry-run that goes through proves it reachable", async () => {
    const run = await check([], {
      validatingWebhooks: [kyverno("Fail")],
      respond: kyvernoService(1, (method, p) =>
        method === "POST" && p === "/api/v1/namespaces/cert-manager/configmaps" ? { status: 201, json: { kind: "ConfigMap" } } : undefined,
      ),
    });
    expect(run.code).toBe(0);
    expect(run.report.items?.[0]).toMatchObject({
      verdict: "ok",
      detail: expect.stringMatching(/called by kube-apiserver on a dry-run ConfigMap create/),
    });
  });

  test("a webhook with endpoints that nothing can provoke is a warning, never a silent pass", async () => {
    const run = await check([], {
      mutatingWebhooks: [kyverno("Fail", [{ operations: ["UPDATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["secrets"] }])],
      respond: kyvernoService(2),
    });
    expect(run.code).toBe(0);
    expect(run.report.items?.[0]).toMatchObject({
      kind: "mutating-webhook",
      verdict: "warn",
      detail: expect.stringMatching(/^not provable by dry-run .*2 ready endpoint/),
    });
  });

  test("cert-manager's own webhooks are proven by the CertificateRequest proof, not listed again", async () => {
    const certManager = {
      metadata: { name: "cert-manager-webhook" },
      webhooks: [
        {
          name: "webhook.cert-manager.io",
          failurePolicy: "Fail",
          rules: [],
          clientConfig: { service: { namespace: "cert-manager", name: "cert-manager-webhook" } },
        },
      ],
    };
    const run = await check([], { validatingWebhooks: [certManager], mutatingWebhooks: [certManager] });
    expect(run.report.items).toEqual([]);
  });
});

describe("conversion webhooks", () => {
  const crd = {
    metadata: { name: "widgets.example.com" },
    spec: {
      group: "example.com",
      names: { plural: "widgets" },
      scope: "Namespaced",
      versions: [
        { name: "v1", served: true, storage: true },
        { name: "v1beta1", served: true, storage: false },
      ],
      conversion: { strategy: "Webhook", webhook: { clientConfig: { service: { namespace: "kyverno", name: "kyverno-svc", port: 443 } } } },
    },
  };

  test("an object read at a non-storage version is converted: ok (and its content is not printed)", async () => {
    const run = await check([], {
      customResourceDefinitions: [crd],
      respond: kyvernoService(1, (_m, p) =>
        p === "/apis/example.com/v1beta1/widgets" ? { status: 200, json: { items: [{ spec: { secret: "do-not-print-me" } }] } } : undefined,
      ),
    });
    expect(run.code).toBe(0);
    expect(run.report.items?.[0]).toMatchObject({ kind: "conversion-webhook", name: "widgets.example.com", verdict: "ok" });
    expect(JSON.stringify(run.report)).not.toContain("do-not-print-me");
  });

  test("one Service behind a webhook and two converters is read once per attempt", async () => {
    const gadgets = { ...crd, metadata: { name: "gadgets.example.com" }, spec: { ...crd.spec, names: { plural: "gadgets" } } };
    const run = await attemptAll({
      customResourceDefinitions: [crd, gadgets],
      validatingWebhooks: [kyverno("Fail")],
      respond: kyvernoService(1),
    });
    expect(run.items.map((i) => [i.kind, i.name])).toEqual([
      ["validating-webhook", "kyverno-resource-validating-webhook-cfg/validate.kyverno.svc-fail"],
      ["conversion-webhook", "widgets.example.com"],
      ["conversion-webhook", "gadgets.example.com"],
    ]);
    const reads = (p: string) => run.api.requests.filter((r) => r.startsWith(`GET ${p}`)).length;
    expect(reads("/api/v1/namespaces/kyverno/services/kyverno-svc")).toBe(1);
    expect(reads("/apis/discovery.k8s.io/v1/namespaces/kyverno/endpointslices")).toBe(1);
  });

  test("a converter the API server cannot call fails, with its words", async () => {
    const words =
      'conversion webhook for example.com/v1, Kind=Widget failed: Post "https://kyverno-svc.kyverno.svc:443/convert?timeout=30s": dial tcp 10.96.3.3:443: connect: operation not permitted';
    const run = await attemptAll({
      customResourceDefinitions: [crd],
      respond: kyvernoService(1, (_m, p) =>
        p === "/apis/example.com/v1beta1/widgets" ? { status: 500, json: { kind: "Status", message: words, code: 500 } } : undefined,
      ),
    });
    expect(run.failure).toMatchObject({ probe: "cluster-paths" });
    expect(run.items[0]).toMatchObject({ verdict: "fail", class: "cilium-service", error: words });
  });
});

describe("interface", () => {
  test("--exclude (and WEBHOOK_CHECK_EXCLUDE) leaves items out by configuration, webhook, APIService or CRD name", async () => {
    const scenario = {
      apiServices: [apiService("v1alpha1.acme.gandi.example", false)],
      validatingWebhooks: [kyverno("Fail")],
      respond: kyvernoService(0),
    };
    const run = await check(["--exclude", "v1alpha1.acme.gandi.example", "--exclude", "validate.kyverno.svc-fail"], scenario);
    expect(run.code).toBe(0);
    expect(run.report.items).toEqual([]);
  });

  test("--scope cert-manager checks only the proof", async () => {
    const run = await check(["--scope", "cert-manager"], { apiServices: [apiService("v1alpha1.acme.gandi.example", false)] });
    expect(run.code).toBe(0);
    expect(run.report.items).toBeUndefined();
    expect(run.report.probes.map((p) => p.probe)).not.toContain("cluster-paths");
  });

  test("missing RBAC for the lists: warnings naming the permission, never a failure of the proof", async () => {
    const run = await check([], {
      respond: (_m, p) =>
        p.startsWith("/apis/admissionregistration")
          ? { status: 403, json: { kind: "Status", code: 403, message: `${p} is forbidden: User "ci" cannot list resource` } }
          : undefined,
    });
    expect(run.code).toBe(0);
    expect(run.report.warnings).toEqual([
      expect.stringContaining('forbidden: the check needs "list validatingwebhookconfigurations"'),
      expect.stringContaining('forbidden: the check needs "list mutatingwebhookconfigurations"'),
    ]);
  });

  test.each([
    [{ matchLabels: { team: "shop" } }, { team: "shop" }, true],
    [{ matchLabels: { team: "shop" } }, {}, false],
    [{ matchExpressions: [{ key: "env", operator: "NotIn", values: ["prod"] }] }, { env: "dev" }, true],
    [{ matchExpressions: [{ key: "env", operator: "Exists" }] }, {}, false],
    [{ matchExpressions: [{ key: "env", operator: "DoesNotExist" }] }, {}, true],
    [undefined, { a: "b" }, true],
  ])("label selector %j on %j: %p", (selector, labels, expected) => {
    expect(selectorMatches(selector as never, labels)).toBe(expected);
  });

  test("a webhook whose namespaceSelector excludes the probe namespace is not provoked", () => {
    const hook = {
      ...kyverno("Fail").webhooks[0],
      namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["cert-manager"] }] },
    };
    expect(configMapCreateMatches(hook, { "kubernetes.io/metadata.name": "cert-manager" })).toBe(false);
    expect(configMapCreateMatches(kyverno("Fail").webhooks[0], { "kubernetes.io/metadata.name": "cert-manager" })).toBe(true);
  });
});

// A verdict is never better than its evidence. The stand-in admits the dry-run
// ConfigMap create as kube-apiserver does (helpers/fake-apiserver.ts `admit`).
describe("evidence or not ok", () => {
  const EPERM_CALL = "dial tcp 10.96.3.3:443: connect: operation not permitted";
  const hook = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    failurePolicy: "Fail",
    rules: [{ operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["configmaps"] }],
    clientConfig: { service: { namespace: "kyverno", name: "kyverno-svc", port: 443 } },
    ...extra,
  });
  const config = (name: string, ...webhooks: unknown[]) => ({ metadata: { name }, webhooks });
  const byName = (items: readonly ItemResult[] = []) => Object.fromEntries(items.map((i) => [i.name.split("/")[1] ?? i.name, i]));

  /** A CLI run whose retry loop waits no real time; the clock's sleeps are returned. */
  async function run(args: string[], scenario: Scenario, clock = new FakeClock(Date.now())) {
    const api = await stand.api(scenario);
    let out = "";
    const code = await main(
      // One attempt per second of fake time: a failing run makes few attempts (a test may pass its own --interval).
      ["--json", "--interval", "1", "--kubeconfig", writeKubeconfig(stand.pki, api.url), ...args],
      { HOME: tempDir("home-") },
      {
        out: (t) => {
          out += t;
        },
        err: () => {},
      },
      undefined,
      clock,
    );
    return { code, report: JSON.parse(out) as JsonReport, clock, api };
  }

  test("the requests' deadline is the injected clock's: one that never moves cuts nothing, however slow the machine", async () => {
    // A clock a whole epoch behind the system's: had any request been cut on the system's
    // time, all of them would have been (class timeout). On a busy machine, a probe that took
    // longer than --timeout in real time made this file's verdicts flip.
    const r = await run(
      ["--timeout", "1"],
      {
        validatingWebhooks: [config("v", hook("fast.example"))],
        webhooks: { "fast.example": { fail: "connect: connection refused", delayMs: 20 } },
        respond: kyvernoService(1),
      },
      new FakeClock(0),
    );
    expect(r.code).toBe(1);
    expect(r.report.failure).toMatchObject({ probe: "cluster-paths", class: "connection-refused" });
  });

  test("a Fail webhook whose call hangs: the attempt the deadline cuts does not replace the complete one (exit 1, timeout)", async () => {
    // Attempt 1: kube-apiserver's call times out (its timeoutSeconds) and says so; attempt 2's
    // dry-run hangs and the check's deadline cuts it. Before: exit 0, "not provable by dry-run".
    const clock = new FakeClock(Date.now());
    let posts = 0;
    const r = await run(
      ["--timeout", "2", "--interval", "0.2"],
      {
        validatingWebhooks: [config("drops", hook("validate.drops.example", { timeoutSeconds: 10 }))],
        webhooks: { "validate.drops.example": { hangMs: 0 } },
        hang: (method, p) => {
          if (method !== "POST" || p !== "/api/v1/namespaces/cert-manager/configmaps" || ++posts < 2) return false;
          clock.advance(2000); // the deadline passes while the dry-run hangs
          return true;
        },
        respond: kyvernoService(1),
      },
      clock,
    );
    expect(r.code).toBe(1);
    expect(r.report.attempts).toBe(2);
    expect(r.report.items?.[0]).toMatchObject({
      verdict: "fail",
      class: "timeout",
      error: expect.stringMatching(/failed calling webhook "validate\.drops\.example".*context deadline exceeded/),
    });
    expect(r.report.items?.[0].hint).toMatch(/drops packets/);
  });

  /** A clock, and a `hang` for the stand-in that moves it past `deadline` when a request hangs. */
  function cutAtHang(deadline: number, hangs: (method: string, p: string) => boolean) {
    const clock = new FakeClock(0);
    const hang = (method: string, p: string) => {
      if (!hangs(method, p)) return false;
      clock.advance(deadline);
      return true;
    };
    return { clock, hang };
  }

  test("with no complete attempt, what the cut attempt would have decided fails with class timeout", async () => {
    const { clock, hang } = cutAtHang(600, (method, p) => method === "POST" && p === "/api/v1/namespaces/cert-manager/configmaps");
    const api = await stand.api({
      validatingWebhooks: [config("drops", hook("validate.drops.example"))],
      hang,
      respond: kyvernoService(1),
    });
    const target = fakeTarget(stand.pki, api.url, "client-certificate", {}, clock);
    const settings = {
      probeNamespace: "cert-manager",
      anchor: { namespace: "cert-manager", service: "cert-manager-webhook" },
      exclude: [],
    };
    const items = await probeClusterPaths(target, settings, 600);
    expect(items[0]).toMatchObject({
      verdict: "fail",
      class: "timeout",
      cutByDeadline: true,
      detail: expect.stringMatching(/^not proven \(no answer\)/),
    });
  });

  test("a hanging conversion webhook fails (not proven, no answer), it is not a warning", async () => {
    const crd = {
      metadata: { name: "widgets.example.com" },
      spec: {
        group: "example.com",
        names: { plural: "widgets" },
        versions: [
          { name: "v1", served: true, storage: true },
          { name: "v1beta1", served: true, storage: false },
        ],
        conversion: { strategy: "Webhook", webhook: { clientConfig: { service: { namespace: "kyverno", name: "kyverno-svc" } } } },
      },
    };
    const { clock, hang } = cutAtHang(600, (_m, p) => p === "/apis/example.com/v1beta1/widgets");
    const api = await stand.api({ customResourceDefinitions: [crd], hang, respond: kyvernoService(1) });
    const settings = {
      probeNamespace: "cert-manager",
      anchor: { namespace: "cert-manager", service: "cert-manager-webhook" },
      exclude: [],
    };
    const items = await probeClusterPaths(fakeTarget(stand.pki, api.url, "client-certificate", {}, clock), settings, 600);
    expect(items[0]).toMatchObject({ kind: "conversion-webhook", verdict: "fail", class: "timeout" });
  });

  test.each([
    [
      "x509 (cainjector has not injected the CA bundle yet)",
      "x509: certificate signed by unknown authority",
      "tls",
      /CA bundle not injected yet/,
    ],
    [
      "EPERM (Cilium)",
      `dial tcp 10.96.14.7:443: connect: operation not permitted`,
      "cilium-service",
      /could not call it through the aggregator/,
    ],
    [
      "no route to host (Cilium >= 1.19.4)",
      "dial tcp 10.96.14.7:443: connect: no route to host",
      "cilium-service",
      /through the aggregator/,
    ],
  ])("an APIService with Available=True whose proxied call fails with %s: fails, class %s", async (_what, words, cls, detail) => {
    const r = await run(["--timeout", "1"], {
      apiServices: [apiService("v1alpha1.acme.gandi.example", true)],
      aggregated: { "v1alpha1.acme.gandi.example": aggregatorError(words) },
    });
    expect(r.code).toBe(1);
    expect(r.report.items?.[0]).toMatchObject({ kind: "apiservice", verdict: "fail", class: cls, detail: expect.stringMatching(detail) });
    expect(r.report.items?.[0].error).toContain(words);
    expect(r.report.items?.[0].detail).toContain("Available=True"); // the condition stays, as a diagnostic
    expect(r.api.requests).toContain("GET /apis/acme.gandi.example/v1alpha1");
  });

  test("a 429 before admission is not 'called': api-unavailable, retried after its Retry-After", async () => {
    const r = await run(["--timeout", "10"], {
      validatingWebhooks: [kyverno("Fail")],
      respond: kyvernoService(1, (method, p) =>
        method === "POST" && p === "/api/v1/namespaces/cert-manager/configmaps" ? tooManyRequests(3) : undefined,
      ),
    });
    expect(r.code).toBe(1);
    expect(r.report.items?.[0]).toMatchObject({
      verdict: "fail",
      class: "api-unavailable",
      detail: expect.stringMatching(/^not proven \(no answer\)/),
      error: "Too many requests, please try again later.",
    });
    expect(r.clock.sleeps[0]).toBe(3000); // Retry-After, not the 0.2 s interval
    expect(r.clock.sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(10_000); // never past the deadline
  });

  test("a 429 on the proof itself is api-unavailable (README), retried after its Retry-After", async () => {
    const r = await run(["--timeout", "10", "--scope", "cert-manager"], {
      respond: (method, p) => (method === "POST" && p.endsWith("/certificaterequests") ? tooManyRequests(5) : undefined),
    });
    expect(r.code).toBe(1);
    expect(r.report.failure).toMatchObject({ probe: "admission", class: "api-unavailable" });
    expect(r.clock.sleeps[0]).toBe(5000);
  });

  test("resources */* (Kyverno's shape) matches a ConfigMap create: the broken Fail webhook fails", async () => {
    const r = await run(["--timeout", "1"], {
      validatingWebhooks: [
        config(
          "kyverno-resource-validating-webhook-cfg",
          hook("validate.kyverno.svc-fail", {
            rules: [{ operations: ["CREATE", "UPDATE"], apiGroups: ["*"], apiVersions: ["*"], resources: ["*/*"], scope: "*" }],
          }),
        ),
      ],
      webhooks: { "validate.kyverno.svc-fail": { fail: EPERM_CALL } },
      respond: kyvernoService(1),
    });
    expect(r.code).toBe(1);
    expect(r.report.items?.[0]).toMatchObject({ verdict: "fail", class: "cilium-service" });
  });

  test("a list that gets no answer (429 until the deadline) proves nothing: a failure, not a warning", async () => {
    const r = await run(["--timeout", "1"], {
      respond: (_m, p) => (p === "/apis/apiregistration.k8s.io/v1/apiservices" ? tooManyRequests(1) : undefined),
    });
    expect(r.code).toBe(1);
    expect(r.report.items).toEqual([
      expect.objectContaining({ kind: "apiservice", name: "(all)", verdict: "fail", class: "api-unavailable" }),
    ]);
  });

  test("the probe namespace's labels unanswered: a Fail webhook's namespaceSelector is unknown, not proven (no answer)", async () => {
    const r = await run(["--timeout", "1"], {
      validatingWebhooks: [kyverno("Fail")],
      respond: kyvernoService(1, (method, p) =>
        method === "GET" && p === "/api/v1/namespaces/cert-manager" ? { status: 503, text: "upstream connect error" } : undefined,
      ),
    });
    expect(r.code).toBe(1);
    expect(r.report.items?.[0]).toMatchObject({
      verdict: "fail",
      class: "api-unavailable",
      detail: expect.stringMatching(/^not proven \(no answer\)/),
    });
  });

  test("a mutating webhook that fails first: the later ones were never called, not proven (blocked by it)", async () => {
    const r = await run(["--timeout", "1"], {
      mutatingWebhooks: [config("b-second", hook("later.example")), config("a-first", hook("first.example"))],
      validatingWebhooks: [config("v", hook("validating.example"))],
      webhooks: { "first.example": { fail: EPERM_CALL } },
      respond: kyvernoService(1),
    });
    expect(r.code).toBe(1);
    const items = byName(r.report.items);
    expect(items["first.example"]).toMatchObject({ verdict: "fail", class: "cilium-service" });
    expect(items["later.example"]).toMatchObject({
      verdict: "warn",
      detail: expect.stringMatching(/^not proven \(blocked by first\.example\)/),
    });
    expect(items["validating.example"]).toMatchObject({
      verdict: "warn",
      detail: expect.stringMatching(/^not proven \(blocked by first\.example\)/),
    });
  });

  test("...and mutating webhooks before the failing one did run: proven", async () => {
    const r = await run(["--timeout", "1"], {
      mutatingWebhooks: [config("a-first", hook("first.example")), config("b-second", hook("second.example"))],
      webhooks: { "second.example": { fail: EPERM_CALL } },
      respond: kyvernoService(1),
    });
    const items = byName(r.report.items);
    expect(items["first.example"]).toMatchObject({ verdict: "ok" });
    expect(items["second.example"]).toMatchObject({ verdict: "fail" });
  });

  test("of two failing validating webhooks kube-apiserver returns the first error only: the other is not proven", async () => {
    const r = await run(["--timeout", "1"], {
      validatingWebhooks: [config("v", hook("slow.example"), hook("fast.example"))],
      webhooks: { "slow.example": { fail: EPERM_CALL, delayMs: 150 }, "fast.example": { fail: "connect: connection refused" } },
      respond: kyvernoService(1),
    });
    expect(r.code).toBe(1);
    const items = byName(r.report.items);
    expect(items["fast.example"]).toMatchObject({ verdict: "fail", class: "connection-refused" });
    expect(items["slow.example"]).toMatchObject({
      verdict: "warn",
      detail: expect.stringMatching(/^not proven \(blocked by fast\.example\)/),
    });
  });

  test("a webhook that denies the probe was called: ok, its denial is the evidence", async () => {
    const r = await run([], {
      validatingWebhooks: [config("v", hook("strict.example"))],
      webhooks: { "strict.example": { deny: "configmaps need a team label" } },
      respond: kyvernoService(1),
    });
    expect(r.code).toBe(0);
    expect(r.report.items?.[0]).toMatchObject({ verdict: "ok", detail: expect.stringMatching(/it denied the dry-run/) });
  });

  test.each([403, 422] as const)(
    "a ValidatingAdmissionPolicy denial (%i) of the probe blocks the validating webhooks, not the mutating ones",
    async (code) => {
      const r = await run([], {
        mutatingWebhooks: [config("m", hook("mutating.example"))],
        validatingWebhooks: [config("v", hook("validating.example"))],
        policyDenial: { policy: "require-team", binding: "require-team-binding", message: "configmaps need a team label", code },
        respond: kyvernoService(1),
      });
      const items = byName(r.report.items);
      expect(items["mutating.example"]).toMatchObject({ verdict: "ok" });
      expect(items["validating.example"]).toMatchObject({
        verdict: "warn",
        detail: expect.stringMatching(
          /^not proven \(blocked by ValidatingAdmissionPolicy 'require-team' \(binding 'require-team-binding'\)\)/,
        ),
        class: "admission-policy",
      });
      expect(JSON.stringify(r.report)).not.toMatch(/"class":"rbac"|webhook-misbehaving/);
    },
  );

  test.each([
    [{ resources: ["*"] }, true],
    [{ resources: ["*/*"] }, true],
    [{ resources: ["configmaps/*"] }, true],
    [{ resources: ["*/status"] }, false],
    [{ resources: ["configmaps/status"] }, false],
    [{ resources: ["secrets"] }, false],
    [{ scope: "Cluster" }, false],
    [{ scope: "Namespaced" }, true],
    [{ scope: "*" }, true],
    [{ operations: ["*"] }, true],
    [{ operations: ["UPDATE"] }, false],
    [{ apiGroups: ["*"] }, true],
    [{ apiGroups: ["apps"] }, false],
    [{ apiVersions: ["*"] }, true],
    [{ apiVersions: ["v1beta1"] }, false],
  ])("rules.go: a ConfigMap create against %j: %p", (change, expected) => {
    const rule = { operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["configmaps"], ...change };
    expect(ruleMatches(rule, { ...CONFIGMAP_CREATE, namespace: "cert-manager" })).toBe(expected);
  });

  test("scope Cluster matches cluster-scoped objects and namespaces; Namespaced does not match namespaces", () => {
    const rule = (scope: string) => ({ operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["namespaces"], scope });
    const ns = { group: "", version: "v1", resource: "namespaces", subresource: "", operation: "CREATE" as const, namespace: "" };
    expect(ruleMatches(rule("Cluster"), ns)).toBe(true);
    expect(ruleMatches(rule("Namespaced"), ns)).toBe(false);
  });
});

describe("a cluster with very many webhooks", () => {
  // 200 webhooks under Ignore on one Service with no endpoints: 200 warnings, one passing APIService
  // listed after them. The report lists MAX_REPORTED_ITEMS (50) and counts the rest.
  const many = {
    ...kyverno("Ignore"),
    webhooks: Array.from({ length: 200 }, (_, i) => ({ ...kyverno("Ignore").webhooks[0], name: `w${i}.kyverno.svc` })),
  };
  const scenario: Scenario = {
    validatingWebhooks: [many],
    apiServices: [apiService("v1alpha1.acme.gandi.example", false)],
    respond: kyvernoService(0),
  };

  test("--json lists at most 50 items, failures first, and says how many it left out", async () => {
    const run = await check(["--timeout", "1"], scenario);
    expect(run.report.items).toHaveLength(50);
    expect(run.report.items?.[0]).toMatchObject({ kind: "apiservice", verdict: "fail" });
    expect(run.report.itemsOmitted).toBe(151);
    expect(run.report.warnings).toHaveLength(51);
    expect(run.report.warnings?.[50]).toBe("... and 150 more");
  });

  test("the failing probe's line names at most 50 failing items, with the full counts", async () => {
    // Rules a dry-run ConfigMap create does not reach, on a Service with no endpoints: each fails.
    const rules = [{ operations: ["CREATE"], apiGroups: ["apps"], apiVersions: ["v1"], resources: ["deployments"] }];
    // Short names, so that 50 of them fit in the 2,000 characters a quoted field keeps.
    const failing = {
      metadata: { name: "c" },
      webhooks: many.webhooks.map((w, i) => ({ ...w, name: `w${i}`, failurePolicy: "Fail", rules })),
    };
    const run = await check(["--timeout", "1"], { validatingWebhooks: [failing], respond: kyvernoService(0) });
    const paths = run.report.probes.find((p: { probe: string }) => p.probe === "cluster-paths");
    expect(paths?.detail).toMatch(
      /^200 checked, 200 failed, 0 with warnings: validating-webhook c\/w0, .*, validating-webhook c\/w49, \.\.\. and 150 more$/,
    );
    expect(paths?.detail.split(", validating-webhook ")).toHaveLength(50);
  });

  test("the text report prints at most 50 items and one line for the rest", async () => {
    const api = await stand.api(scenario);
    let out = "";
    await main(
      ["--timeout", "1", "--interval", "0.2", "--kubeconfig", writeKubeconfig(stand.pki, api.url)],
      { HOME: tempDir("home-") },
      { out: (t) => (out += t), err: () => {} },
      undefined,
      new FakeClock(Date.now()),
    );
    const itemLines = out.split("\n").filter((l) => /^ {2}(ok |warn|FAIL) (apiservice|validating-webhook)/.test(l));
    expect(itemLines).toHaveLength(50);
    expect(out).toContain("  ... and 151 more (not listed; failures are listed first)");
  });
});
