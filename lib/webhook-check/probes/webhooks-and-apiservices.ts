/**
 * Every path from kube-apiserver to an in-cluster Service, beside the cert-manager
 * proof (`--scope all`): the incident broke all of them at once. An item is `ok`
 * only on evidence; otherwise it is `not provable`, `not proven (blocked by ...)`,
 * `not proven (no answer)` or, under failurePolicy Ignore, "fails open; unproven".
 *
 * - Aggregated APIs: every APIService backed by a Service is called through the
 *   aggregator now (`GET /apis/<group>/<version>`, which kube-apiserver proxies to the
 *   Service): an APIResourceList is proof; a 503 carries the aggregator's own words
 *   (x509: the CA bundle is not injected yet; EPERM/no route: Cilium). The
 *   `Available` condition is only a diagnostic beside it: kube-aggregator's
 *   availability controller checks with TLS verification off and refreshes every 30 s
 *   (kube-aggregator pkg/controllers/status/remote/remote_available_controller.go:
 *   `Insecure: true`), so it says Available while real calls fail.
 * - Admission webhooks (validating and mutating, `clientConfig.service`): matched
 *   against a server-side dry-run create of a ConfigMap in the probe namespace as
 *   kube-apiserver matches (rules, scope, namespaceSelector on the probe namespace's
 *   labels, objectSelector on the probe's labels). The dry-run provokes every
 *   matching webhook, and the answer is read as kube-apiserver gives it: mutating
 *   webhooks run one after another and the first failure stops the request;
 *   validating webhooks run in parallel and only the first error is returned.
 *   Where nothing can provoke a webhook, it is "not provable" (a warning), unless its
 *   Service has no ready endpoints under failurePolicy Fail: a failure.
 * - Conversion webhooks (CRDs with `conversion.strategy: Webhook`): the Service
 *   diagnostics, and where objects exist, a read of one at a served version that is
 *   not the storage version, which makes the API server call the converter. Their
 *   content is never printed.
 * Forbidden reads make the items they concern warnings that name the permission.
 */
import {
  admissionPolicyNamed,
  classification,
  classifyStatus,
  classifyTransport,
  classifyWebhookError,
  type FailureClass,
  type Finding,
  firstLine,
  UNAVAILABLE_STATUSES,
  webhookNamed,
} from "./classify";
import { type ApiResponse, apiRequest, type KubeTarget, statusMessage, TransportError } from "../kube/http";
import { type ServiceState, serviceState } from "./services";
import { PluginError } from "../kube/credentials";
import { ConfigError } from "../kube/kubeconfig";

export type ItemKind = "apiservice" | "validating-webhook" | "mutating-webhook" | "conversion-webhook";

export interface ItemResult extends Finding {
  readonly kind: ItemKind;
  /** The APIService, `configuration/webhook`, or the CRD. */
  readonly name: string;
  readonly verdict: "ok" | "warn" | "fail";
  /** Internal (not in the report): the deadline cut the request that would have decided it. */
  readonly cutByDeadline?: boolean;
  /** Internal (not in the report): the server's Retry-After, ms. */
  readonly retryAfterMs?: number;
}

export interface PathsSettings {
  readonly probeNamespace: string;
  /** The cert-manager webhook Service the proof covers: not listed again. */
  readonly anchor: { readonly namespace: string; readonly service: string };
  /** Names to leave out: a webhook configuration, a webhook, an APIService or a CRD. */
  readonly exclude: readonly string[];
  /** Requests in flight at once. */
  readonly concurrency?: number;
}

// biome-ignore lint/suspicious/noExplicitAny: JSON from the API server, read defensively field by field
type Obj = Record<string, any>;
const now = () => Date.now();

/** Runs `jobs` with at most `limit` in flight. */
async function pool<T>(limit: number, jobs: Array<() => Promise<T>>): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

/** A GET that returns the JSON body, or why not (with the permission it needs). */
async function get(
  target: KubeTarget,
  path: string,
  permission: string,
  deadline: number,
  signal?: AbortSignal,
): Promise<{ body?: Obj; problem?: string; cls?: FailureClass; noAnswer?: NoAnswer }> {
  let res: ApiResponse;
  try {
    res = await apiRequest(target, "GET", path, deadline, undefined, signal);
  } catch (err) {
    const why = noAnswerOf(err);
    return { problem: `GET ${path}: ${why.words}`, cls: why.cls, noAnswer: why };
  }
  const words = statusMessage(res) ?? firstLine(res.text);
  if (res.status === 403) return { problem: `forbidden: the check needs "${permission}" (${words})`, cls: "rbac" };
  if (res.status !== 200 || typeof res.body !== "object" || res.body === null) {
    const down = unavailable(res, words);
    return {
      problem: `GET ${path}: HTTP ${res.status}: ${words}`,
      cls: classifyStatus(res.status)?.class ?? "bad-response",
      ...(down ? { noAnswer: down } : {}),
    };
  }
  return { body: res.body as Obj };
}

/**
 * A list that could not be read: every item it holds is unknown. Forbidden, a warning
 * that names the permission; no answer (hung, cut, api-unavailable), a failure: nothing
 * behind it is proven.
 */
function unlisted(kind: ItemKind, what: string, started: number, list: { problem?: string; cls?: FailureClass; noAnswer?: NoAnswer }) {
  if (list.noAnswer) return notProven(kind, "(all)", started, true, list.noAnswer, ` (${what} not listed: ${list.problem})`);
  return item(kind, "(all)", started, "warn", `${what} not checked: ${list.problem}`, list.cls);
}

// ---- matching, as kube-apiserver matches ---------------------------------------------------------

/** metav1.LabelSelector semantics (apimachinery pkg/apis/meta/v1 LabelSelectorAsSelector); nil or empty matches everything. */
export function selectorMatches(selector: Obj | undefined | null, labels: Record<string, string>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const values: string[] = e.values ?? [];
    if (e.operator === "In" && !(has && values.includes(labels[e.key]))) return false;
    if (e.operator === "NotIn" && has && values.includes(labels[e.key])) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

/** A request as admission sees it (admission.Attributes: resource, subresource, operation, namespace). */
export interface RequestAttributes {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly subresource: string;
  readonly operation: "CREATE" | "UPDATE" | "DELETE" | "CONNECT";
  /** "" for a cluster-scoped object. */
  readonly namespace: string;
}

/** The probe of the admission webhooks: a dry-run create of a ConfigMap in the probe namespace. */
export const CONFIGMAP_CREATE: Omit<RequestAttributes, "namespace"> = {
  group: "",
  version: "v1",
  resource: "configmaps",
  subresource: "",
  operation: "CREATE",
};

// Each rule below follows kubernetes/kubernetes
// staging/src/k8s.io/apiserver/pkg/admission/plugin/webhook/predicates/rules/rules.go (Matcher.Matches:
// scope && operation && group && version && resource).

/** `exactOrWildcard`: the list holds "*" or the requested value. */
const exactOrWildcard = (items: readonly string[] | undefined, requested: string) =>
  (items ?? []).some((i) => i === "*" || i === requested);

/** `Matcher.scope`: nil or "*" matches all; "Cluster" also matches namespaces; "Namespaced" excludes them. */
function scopeMatches(scope: string | undefined, a: RequestAttributes): boolean {
  const isNamespaceResource = a.group === "" && a.resource === "namespaces";
  if (scope === undefined || scope === "*") return true;
  if (scope === "Cluster") return isNamespaceResource || a.namespace === "";
  if (scope === "Namespaced") return a.namespace !== "" && !isNamespaceResource;
  return false;
}

/**
 * `Matcher.resource`: each entry is split at the first "/" into resource and
 * subresource; `*` matches any resource, a missing subresource only the main
 * resource, `*` as subresource any subresource or none. So `*` and `*\/*` and
 * `configmaps/*` match a ConfigMap create; `*\/status` does not.
 */
function resourceMatches(resources: readonly string[] | undefined, a: RequestAttributes): boolean {
  return (resources ?? []).some((entry) => {
    const slash = entry.indexOf("/");
    const [res, sub] = slash === -1 ? [entry, ""] : [entry.slice(0, slash), entry.slice(slash + 1)];
    return (res === "*" || res === a.resource) && (sub === "*" || sub === a.subresource);
  });
}

/** One RuleWithOperations against a request (rules.go Matcher.Matches). */
export function ruleMatches(rule: Obj, a: RequestAttributes): boolean {
  return (
    scopeMatches(rule.scope, a) &&
    (rule.operations ?? []).some((o: string) => o === "*" || o === a.operation) &&
    exactOrWildcard(rule.apiGroups, a.group) &&
    exactOrWildcard(rule.apiVersions, a.version) &&
    resourceMatches(rule.resources, a)
  );
}

/** Labels of the dry-run ConfigMap. */
export const PROBE_LABELS = { "app.kubernetes.io/managed-by": "cdktf-cilium-webhook-check" };

/**
 * Whether a dry-run create of a ConfigMap in the probe namespace reaches this webhook:
 * any rule matches (rules.go), the namespaceSelector matches the probe namespace's
 * labels and the objectSelector the probe's (apiserver
 * pkg/admission/plugin/webhook/predicates/namespace and .../object: for a CREATE the
 * new object's labels). matchConditions are CEL the check cannot evaluate: see
 * `hasMatchConditions`.
 */
export function configMapCreateMatches(webhook: Obj, namespaceLabels: Record<string, string>, namespace = "probe"): boolean {
  const attrs: RequestAttributes = { ...CONFIGMAP_CREATE, namespace };
  return (
    (webhook.rules ?? []).some((r: Obj) => ruleMatches(r, attrs)) &&
    selectorMatches(webhook.namespaceSelector, namespaceLabels) &&
    selectorMatches(webhook.objectSelector, PROBE_LABELS)
  );
}

/** A webhook with matchConditions may skip any request: only an answer that names it proves it was called. */
export const hasMatchConditions = (webhook: Obj) => Array.isArray(webhook.matchConditions) && webhook.matchConditions.length > 0;

// ---- results -----------------------------------------------------------------------------------------

function item(
  kind: ItemKind,
  name: string,
  started: number,
  verdict: ItemResult["verdict"],
  detail: string,
  cls?: FailureClass,
  error?: string,
  extra: { hint?: string; cutByDeadline?: boolean; retryAfterMs?: number } = {},
): ItemResult {
  return {
    kind,
    name,
    verdict,
    ms: now() - started,
    detail,
    ...(cls ? { class: cls, hint: extra.hint ?? classification(cls).hint } : {}),
    ...(error !== undefined ? { error } : {}),
    ...(extra.cutByDeadline ? { cutByDeadline: true } : {}),
    ...(extra.retryAfterMs !== undefined ? { retryAfterMs: extra.retryAfterMs } : {}),
  };
}

/** No answer that decides: the request hung (or was cut), or met api-unavailable. */
interface NoAnswer {
  readonly cls: FailureClass;
  readonly words: string;
  readonly cut: boolean;
  readonly retryAfterMs?: number;
}

/** A request that got no answer worth reading: why, as a NoAnswer. */
function noAnswerOf(err: unknown): NoAnswer {
  if (err instanceof ConfigError) throw err;
  if (err instanceof PluginError) return { cls: "credentials", words: err.message, cut: err.atDeadline };
  const cut = err instanceof TransportError && err.atDeadline;
  const cls: FailureClass = cut ? "timeout" : err instanceof TransportError ? classifyTransport(err.code).class : "api-down";
  return { cls, words: (err as Error).message, cut };
}

/** An answer naming no webhook and no aggregated service with one of the "not now" statuses. */
function unavailable(res: ApiResponse, words: string): NoAnswer | undefined {
  if (!UNAVAILABLE_STATUSES.includes(res.status)) return undefined;
  return {
    cls: "api-unavailable",
    words,
    cut: false,
    ...(res.retryAfterMs !== undefined ? { retryAfterMs: res.retryAfterMs } : {}),
  };
}

/** `not proven (no answer)`: a failure where the API server must call it (failurePolicy Fail, conversion, APIService). */
function notProven(kind: ItemKind, name: string, started: number, required: boolean, why: NoAnswer, context = ""): ItemResult {
  const detail = `not proven (no answer): ${why.cut ? "the request meant for it was cut by the deadline" : `the API server answered ${why.cls}`}${context}`;
  return item(kind, name, started, required ? "fail" : "warn", required ? detail : `${detail}; failurePolicy Ignore`, why.cls, why.words, {
    cutByDeadline: why.cut,
    ...(why.retryAfterMs !== undefined ? { retryAfterMs: why.retryAfterMs } : {}),
  });
}

/** Service state by `namespace/name:port`, one request per Service per attempt whatever refers to it. */
type ServiceStates = (svc: Obj) => Promise<ServiceState>;
function serviceStates(target: KubeTarget, deadline: number, signal?: AbortSignal): ServiceStates {
  const states = new Map<string, Promise<ServiceState>>();
  return (svc) => {
    const port = svc.port ?? 443;
    const key = `${svc.namespace}/${svc.name}:${port}`;
    let state = states.get(key);
    if (!state) {
      state = serviceState(target, svc.namespace, svc.name, port, deadline, signal);
      states.set(key, state);
    }
    return state;
  };
}

/** What each family of paths works with during one attempt. */
interface Family {
  readonly target: KubeTarget;
  readonly s: PathsSettings;
  readonly stateOf: ServiceStates;
  readonly deadline: number;
  readonly signal?: AbortSignal;
}

// ---- aggregated APIs -----------------------------------------------------------------------------

/** The aggregator's condition, as a diagnostic: its class when it is not Available. */
function availableCondition(a: Obj): { available: boolean; words: string; cls?: FailureClass; reason: string } {
  const c = (a.status?.conditions ?? []).find((x: Obj) => x.type === "Available");
  if (c?.status === "True") return { available: true, words: "", reason: "Available" };
  const words = c ? `${c.reason ?? ""}: ${c.message ?? ""}` : "no Available condition yet";
  const cls: FailureClass =
    c?.reason === "ServiceNotFound"
      ? "service-missing"
      : c?.reason === "MissingEndpoints"
        ? "no-endpoints"
        : classifyWebhookError(words, "").class;
  return { available: false, words, cls: cls === "other-webhook" ? "webhook-misbehaving" : cls, reason: c?.reason ?? "pending" };
}

export const CA_NOT_INJECTED_HINT =
  "the aggregator's TLS check of the APIService's Service failed (x509): the APIService's caBundle does not match the serving certificate, typically because cert-manager's cainjector has not injected the CA bundle yet after a (re)install; the check retries. " +
  "Check `kubectl get apiservice <name> -o jsonpath='{.spec.caBundle}'` and the cainjector's logs.";

async function apiService(f: Family, a: Obj, started: number): Promise<ItemResult> {
  const name: string = a.metadata.name;
  const svc = `${a.spec.service.namespace}/${a.spec.service.name}`;
  const cond = availableCondition(a);
  const diagnostic = cond.available ? "Available=True" : `Available=False (${cond.reason})`;
  // The aggregator proxies discovery of the group version to the Service: kube-apiserver calls it now.
  const path = `/apis/${a.spec.group}/${a.spec.version}`;
  let res: ApiResponse;
  try {
    res = await apiRequest(f.target, "GET", path, f.deadline, undefined, f.signal);
  } catch (err) {
    return notProven("apiservice", name, started, true, noAnswerOf(err), ` (GET ${path}; ${diagnostic})`);
  }
  const body = res.body as Obj | undefined;
  if (res.status === 200 && body?.kind === "APIResourceList")
    return item(
      "apiservice",
      name,
      started,
      "ok",
      `kube-apiserver called it through the aggregator (GET ${path}: ${(body.resources ?? []).length} resource(s), Service ${svc}; ${diagnostic})`,
    );
  const words = statusMessage(res) ?? firstLine(res.text);
  if (res.status === 403)
    return item("apiservice", name, started, "warn", `not proven: the check needs "get ${path}" (${diagnostic})`, "rbac", words);
  // kube-aggregator answers 503 itself: "service unavailable" when the APIService is not Available
  // (kube-aggregator pkg/apiserver/handler_proxy.go), else the proxy's error ("error trying to reach
  // service: <dial or TLS error>", apimachinery pkg/util/proxy/transport.go).
  const reachWords = /error trying to reach service/i.test(words);
  if (!cond.available && !reachWords)
    return item(
      "apiservice",
      name,
      started,
      "fail",
      `not available (${cond.reason}): GET ${path} answered ${res.status}`,
      cond.cls,
      cond.words,
    );
  if (res.status === 503 && (reachWords || /dial tcp|x509|tls:/i.test(words))) {
    const c = classifyWebhookError(words, "").class;
    if (c === "tls")
      return item(
        "apiservice",
        name,
        started,
        "fail",
        `CA bundle not injected yet: the aggregator cannot verify Service ${svc} (${diagnostic})`,
        "tls",
        words,
        {
          hint: CA_NOT_INJECTED_HINT,
        },
      );
    return item(
      "apiservice",
      name,
      started,
      "fail",
      `kube-apiserver could not call it through the aggregator (GET ${path}; ${diagnostic})`,
      c === "other-webhook" || c === "webhook-misbehaving" ? "webhook-misbehaving" : c,
      words,
    );
  }
  const down = unavailable(res, words);
  if (down) return notProven("apiservice", name, started, true, down, ` (GET ${path}; ${diagnostic})`);
  return item(
    "apiservice",
    name,
    started,
    "fail",
    `GET ${path} through the aggregator: HTTP ${res.status}, not an APIResourceList (${diagnostic})`,
    res.body === undefined ? "bad-response" : "webhook-misbehaving",
    words,
  );
}

async function apiServices(f: Family): Promise<ItemResult[]> {
  const started = now();
  const list = await get(f.target, "/apis/apiregistration.k8s.io/v1/apiservices", "list apiservices", f.deadline, f.signal);
  if (list.problem) return [unlisted("apiservice", "APIServices", started, list)];
  const backed = (list.body?.items ?? []).filter((a: Obj) => a.spec?.service && !f.s.exclude.includes(a.metadata?.name));
  return pool(
    f.s.concurrency ?? 8,
    backed.map((a: Obj) => () => apiService(f, a, now())),
  );
}

// ---- admission webhooks --------------------------------------------------------------------------

type Hook = { kind: "validating-webhook" | "mutating-webhook"; config: string; hook: Obj };

/** What the dry-run's answer says, in kube-apiserver's terms. */
type Answer =
  | { readonly kind: "admitted" }
  /** `failed calling webhook "W"`: W is unreachable or broken (failurePolicy Fail). */
  | { readonly kind: "failed"; readonly webhook: string; readonly words: string }
  /** `admission webhook "W" denied the request`: W was called. */
  | { readonly kind: "denied"; readonly webhook: string; readonly words: string }
  /** A ValidatingAdmissionPolicy denied it (after the mutating webhooks, before the validating ones). */
  | { readonly kind: "policy"; readonly policy: string; readonly words: string }
  | { readonly kind: "none"; readonly why: NoAnswer }
  /** Something else stopped it (the check's own RBAC, a missing namespace): nothing is known. */
  | { readonly kind: "problem"; readonly problem: string; readonly cls?: FailureClass; readonly words?: string };

function readAnswer(res: ApiResponse, probeNamespace: string): Answer {
  if (res.status >= 200 && res.status < 300) return { kind: "admitted" };
  const words = statusMessage(res) ?? firstLine(res.text);
  const named = webhookNamed(words);
  if (named !== undefined) {
    return /admission webhook "[^"]+" denied/i.test(words) && !/(?:failed calling|failed to call) webhook/i.test(words)
      ? { kind: "denied", webhook: named, words }
      : { kind: "failed", webhook: named, words };
  }
  const policy = admissionPolicyNamed(words);
  if (policy !== undefined) return { kind: "policy", policy, words };
  const down = unavailable(res, words);
  if (down) return { kind: "none", why: down };
  if (res.status === 403)
    return {
      kind: "problem",
      problem: `forbidden: the check needs "create configmaps" (dry-run) in ${probeNamespace}`,
      cls: "rbac",
      words,
    };
  return { kind: "problem", problem: `the dry-run answered HTTP ${res.status}: ${words}`, words };
}

/**
 * The order kube-apiserver calls them in: mutating configurations sorted by name, each
 * configuration's webhooks in their order (apiserver pkg/admission/configuration/
 * mutating_webhook_manager.go sorts the configurations by name "to have a deterministic
 * order"), then the validating ones (in parallel: apiserver
 * pkg/admission/plugin/webhook/validating/dispatcher.go returns `errs[0]`, the first of
 * the errors to arrive).
 */
function mutatingOrder(hooks: readonly Hook[]): Hook[] {
  return hooks
    .filter((h) => h.kind === "mutating-webhook")
    .map((h, i) => ({ h, i }))
    .sort((a, b) => (a.h.config < b.h.config ? -1 : a.h.config > b.h.config ? 1 : a.i - b.i))
    .map((x) => x.h);
}

async function admissionWebhooks({ target, s, stateOf, deadline, signal }: Family): Promise<ItemResult[]> {
  const started = now();
  const families = [
    ["validating-webhook", "validatingwebhookconfigurations"],
    ["mutating-webhook", "mutatingwebhookconfigurations"],
  ] as const;
  const lists = await Promise.all(
    families.map(([, res]) => get(target, `/apis/admissionregistration.k8s.io/v1/${res}`, `list ${res}`, deadline, signal)),
  );
  const out: ItemResult[] = [];
  const hooks: Hook[] = [];
  lists.forEach((list, i) => {
    const [kind] = families[i];
    if (list.problem) {
      out.push(unlisted(kind, families[i][1], started, list));
      return;
    }
    for (const config of list.body?.items ?? []) {
      const configName: string = config.metadata?.name ?? "";
      for (const hook of config.webhooks ?? []) {
        const svc = hook.clientConfig?.service;
        if (!svc || s.exclude.includes(configName) || s.exclude.includes(hook.name)) continue;
        if (svc.namespace === s.anchor.namespace && svc.name === s.anchor.service) continue; // proven by the cert-manager proof
        hooks.push({ kind, config: configName, hook });
      }
    }
  });
  if (hooks.length === 0) return out;

  // One dry-run ConfigMap create provokes every webhook that matches it; the probe
  // namespace's labels decide the namespaceSelectors (get namespaces/<probe namespace>).
  const ns = await get(target, `/api/v1/namespaces/${s.probeNamespace}`, "get namespaces", deadline, signal);
  const nsLabels: Record<string, string> = ns.body?.metadata?.labels ?? {};
  const provokable = new Set(hooks.filter((h) => !ns.problem && configMapCreateMatches(h.hook, nsLabels, s.probeNamespace)));
  let answer: Answer | undefined;
  if (provokable.size > 0) {
    try {
      const res = await apiRequest(
        target,
        "POST",
        `/api/v1/namespaces/${s.probeNamespace}/configmaps?dryRun=All&fieldManager=webhook-check`,
        deadline,
        { apiVersion: "v1", kind: "ConfigMap", metadata: { generateName: "webhook-check-", labels: PROBE_LABELS }, data: {} },
        signal,
      );
      answer = readAnswer(res, s.probeNamespace);
    } catch (err) {
      answer = { kind: "none", why: noAnswerOf(err) };
    }
  }

  const mutating = mutatingOrder([...provokable]);
  const position = (name: string) => mutating.findIndex((h) => h.hook.name === name);
  const validatingNames = new Set([...provokable].filter((h) => h.kind === "validating-webhook").map((h) => h.hook.name));
  /** Whether the webhook named `stopper` stopped the request before `h` was called (or while, for validating ones). */
  const blockedBy = (h: Hook, stopper: string): boolean => {
    if (h.kind === "mutating-webhook") {
      const at = position(stopper);
      if (at === -1) return !validatingNames.has(stopper); // an unknown webhook: its place is unknown
      return mutating.indexOf(h) > at;
    }
    return true; // validating: after every mutating webhook, beside every other validating one
  };

  const jobs = hooks.map((h) => async (): Promise<ItemResult> => {
    const name = `${h.config}/${h.hook.name}`;
    const required = (h.hook.failurePolicy ?? "Fail") === "Fail";
    const svc = await stateOf(h.hook.clientConfig.service);
    const serviceBroken = !svc.ok && !svc.unknown;
    /** Not decided by the answer: the Service diagnostics may still show it cannot be called. */
    const undecided = (why: string, short = why): ItemResult => {
      if (serviceBroken) {
        if (required) return item(h.kind, name, started, "fail", `${short}, and the API server cannot call it: ${svc.detail}`, svc.class);
        return item(h.kind, name, started, "warn", `failurePolicy Ignore, so the API server skips it (${short}): ${svc.detail}`, svc.class);
      }
      return item(h.kind, name, started, "warn", `${why}; ${svc.detail}`, svc.unknown ? svc.class : undefined);
    };
    /** The request went past it without an error: proof only where an error would have stopped it. */
    const passed = (): ItemResult => {
      if (hasMatchConditions(h.hook)) return undecided("not provable (its matchConditions may exclude the probe, and no answer named it)");
      if (!required) return undecided("fails open; unproven (failurePolicy Ignore: a 2xx proves nothing)");
      return item(
        h.kind,
        name,
        started,
        "ok",
        "called by kube-apiserver on a dry-run ConfigMap create (failurePolicy Fail, and it was admitted past it)",
      );
    };
    // The probe namespace's labels got no answer: whether the dry-run reaches it is unknown.
    if (ns.noAnswer) return notProven(h.kind, name, started, required, ns.noAnswer, " (its namespaceSelector could not be evaluated)");
    if (!provokable.has(h) || answer === undefined) {
      const why = ns.problem
        ? `the probe namespace's labels cannot be read (${ns.problem})`
        : "no dry-run the check makes matches its rules and selectors";
      return undecided(`not provable by dry-run (${why})`, "not provable by dry-run");
    }
    switch (answer.kind) {
      case "admitted":
        return passed();
      case "failed":
      case "denied": {
        if (answer.webhook === h.hook.name) {
          if (answer.kind === "denied")
            return item(
              h.kind,
              name,
              started,
              "ok",
              "called by kube-apiserver: it denied the dry-run ConfigMap create (so it is reachable)",
            );
          return item(
            h.kind,
            name,
            started,
            required ? "fail" : "warn",
            "kube-apiserver could not call it (a dry-run ConfigMap create)",
            classifyWebhookError(answer.words, h.hook.name).class,
            answer.words,
          );
        }
        if (blockedBy(h, answer.webhook)) return undecided(`not proven (blocked by ${answer.webhook})`);
        return passed();
      }
      case "policy":
        // Mutating webhooks ran before the policy; validating webhooks come after it.
        if (h.kind === "mutating-webhook") return passed();
        if (serviceBroken) return undecided(`not proven (blocked by ${answer.policy})`);
        // A warning, as every blocked item; the class and hint say how to let the probe through.
        return item(
          h.kind,
          name,
          started,
          "warn",
          `not proven (blocked by ${answer.policy}); ${svc.detail}`,
          "admission-policy",
          answer.words,
        );
      case "none":
        return notProven(h.kind, name, started, required, answer.why, " (a dry-run ConfigMap create)");
      case "problem":
        return undecided(`not provable by dry-run (${answer.problem})`);
    }
  });
  return [...out, ...(await pool(s.concurrency ?? 8, jobs))];
}

// ---- conversion webhooks -------------------------------------------------------------------------

async function conversionWebhooks({ target, s, stateOf, deadline, signal }: Family): Promise<ItemResult[]> {
  const started = now();
  const list = await get(
    target,
    "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
    "list customresourcedefinitions",
    deadline,
    signal,
  );
  if (list.problem) return [unlisted("conversion-webhook", "CRDs", started, list)];
  const crds = (list.body?.items ?? []).filter(
    (c: Obj) => c.spec?.conversion?.strategy === "Webhook" && !s.exclude.includes(c.metadata?.name),
  );
  const jobs = crds.map((crd: Obj) => async () => {
    const name: string = crd.metadata.name;
    const svc = crd.spec.conversion.webhook?.clientConfig?.service;
    const state = svc ? await stateOf(svc) : undefined;
    const versions: Obj[] = (crd.spec.versions ?? []).filter((v: Obj) => v.served);
    const other = versions.find((v) => !v.storage);
    if (other) {
      // Across all namespaces for namespaced kinds; only `limit=1`, and the content is never printed.
      const path = `/apis/${crd.spec.group}/${other.name}/${crd.spec.names.plural}?limit=1`;
      let res: ApiResponse;
      try {
        res = await apiRequest(target, "GET", path, deadline, undefined, signal);
      } catch (err) {
        return notProven("conversion-webhook", name, started, true, noAnswerOf(err), ` (a read at ${other.name})`);
      }
      if (res.status === 200) {
        const n = Array.isArray((res.body as Obj | undefined)?.items) ? (res.body as Obj).items.length : 0;
        if (n > 0)
          return item("conversion-webhook", name, started, "ok", `an object read at ${other.name} was converted by kube-apiserver`);
      } else if (res.status === 403) {
        return item(
          "conversion-webhook",
          name,
          started,
          "warn",
          `not proven: the check needs "list ${crd.spec.names.plural}.${crd.spec.group}"; ${state?.detail ?? ""}`,
          "rbac",
        );
      } else {
        const words = statusMessage(res) ?? firstLine(res.text);
        const down = /conversion webhook|webhook/i.test(words) ? undefined : unavailable(res, words);
        if (down) return notProven("conversion-webhook", name, started, true, down, ` (a read at ${other.name})`);
        return item(
          "conversion-webhook",
          name,
          started,
          "fail",
          `reading at ${other.name} failed: the conversion webhook could not be called`,
          classifyWebhookError(words, "").class,
          words,
        );
      }
    }
    if (state && !state.ok && !state.unknown)
      return item("conversion-webhook", name, started, "fail", `kube-apiserver cannot convert: ${state.detail}`, state.class);
    return item(
      "conversion-webhook",
      name,
      started,
      "warn",
      `not provable (${other ? "no objects to convert" : "one served version only"}); ${state?.detail ?? "no Service"}`,
    );
  });
  return pool(s.concurrency ?? 8, jobs);
}

/** Every path beside the cert-manager proof, checked side by side. */
export async function probeClusterPaths(
  target: KubeTarget,
  s: PathsSettings,
  deadline: number,
  signal?: AbortSignal,
): Promise<ItemResult[]> {
  const family: Family = { target, s, stateOf: serviceStates(target, deadline, signal), deadline, ...(signal ? { signal } : {}) };
  const [a, b, c] = await Promise.all([apiServices(family), admissionWebhooks(family), conversionWebhooks(family)]);
  return [...a, ...b, ...c];
}

export function formatItem(i: ItemResult): string {
  const mark = i.verdict === "ok" ? "ok  " : i.verdict === "warn" ? "warn" : "FAIL";
  const lines = [`  ${mark} ${i.kind.padEnd(18)} ${i.name}  ${String(i.ms).padStart(5)}ms  ${i.detail}`];
  if (i.verdict !== "ok" && i.error) lines.push(`       API server said: ${i.error}`);
  if (i.verdict === "fail" && i.hint) lines.push(`       hint [${i.class}]: ${i.hint}`);
  return lines.join("\n");
}
