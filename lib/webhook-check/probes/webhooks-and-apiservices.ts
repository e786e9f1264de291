/**
 * Every path from kube-apiserver to an in-cluster Service, beside the cert-manager
 * proof (`--scope all`): the incident broke all of them at once.
 *
 * - Aggregated APIs: every APIService backed by a Service must be Available; when
 *   it is not, the aggregator's own words (often its dial error over the same
 *   ClusterIP path) are reported and classified.
 * - Admission webhooks (validating and mutating, `clientConfig.service`): each
 *   webhook's Service must exist with ready endpoints. Where its rules, namespace
 *   and object selectors match a dry-run create of a ConfigMap in the probe
 *   namespace, that dry-run provokes the call and the API server's answer proves
 *   or disproves it. Where nothing can provoke it safely, it is reported as "not
 *   provable by dry-run" (a warning), unless its Service has no ready endpoints
 *   under failurePolicy Fail: the API server cannot call it at all, a failure.
 *   Under failurePolicy Ignore an unreachable webhook is a warning (the API server
 *   skips it).
 * - Conversion webhooks (CRDs with `conversion.strategy: Webhook`): the Service
 *   diagnostics, and where objects exist, a read of one at a served version that is
 *   not the storage version, which makes the API server call the converter. Their
 *   content is never printed.
 * Forbidden reads make the items they concern warnings that name the permission.
 */
import { classification, classifyStatus, classifyWebhookError, type FailureClass, type Finding, firstLine } from "./classify";
import { type ApiResponse, apiRequest, type KubeTarget, statusMessage } from "../kube/http";
import { type ServiceState, serviceState } from "./services";

export type ItemKind = "apiservice" | "validating-webhook" | "mutating-webhook" | "conversion-webhook";

export interface ItemResult extends Finding {
  readonly kind: ItemKind;
  /** The APIService, `configuration/webhook`, or the CRD. */
  readonly name: string;
  readonly verdict: "ok" | "warn" | "fail";
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
): Promise<{ body?: Obj; problem?: string; cls?: FailureClass }> {
  let res: ApiResponse;
  try {
    res = await apiRequest(target, "GET", path, deadline, undefined, signal);
  } catch (err) {
    return { problem: `GET ${path}: ${(err as Error).message}`, cls: "api-down" };
  }
  if (res.status === 403)
    return { problem: `forbidden: the check needs "${permission}" (${statusMessage(res) ?? firstLine(res.text)})`, cls: "rbac" };
  if (res.status !== 200 || typeof res.body !== "object" || res.body === null) {
    return {
      problem: `GET ${path}: HTTP ${res.status}: ${statusMessage(res) ?? firstLine(res.text)}`,
      cls: classifyStatus(res.status)?.class ?? "bad-response",
    };
  }
  return { body: res.body as Obj };
}

// ---- label selectors (metav1.LabelSelector semantics) --------------------------------------------
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

/** Labels of the dry-run ConfigMap. */
export const PROBE_LABELS = { "app.kubernetes.io/managed-by": "cdktf-cilium-webhook-check" };

/** Whether a dry-run create of a ConfigMap in the probe namespace reaches this webhook. */
export function configMapCreateMatches(webhook: Obj, namespaceLabels: Record<string, string>): boolean {
  const rules: Obj[] = webhook.rules ?? [];
  const ruleMatches = rules.some(
    (r) =>
      (r.operations ?? []).some((o: string) => o === "CREATE" || o === "*") &&
      (r.apiGroups ?? []).some((g: string) => g === "" || g === "*") &&
      (r.apiVersions ?? []).some((v: string) => v === "v1" || v === "*") &&
      (r.resources ?? []).some((res: string) => res === "configmaps" || res === "*") &&
      (r.scope === undefined || r.scope === "*" || r.scope === "Namespaced"),
  );
  return (
    ruleMatches && selectorMatches(webhook.namespaceSelector, namespaceLabels) && selectorMatches(webhook.objectSelector, PROBE_LABELS)
  );
}

function item(
  kind: ItemKind,
  name: string,
  started: number,
  verdict: ItemResult["verdict"],
  detail: string,
  cls?: FailureClass,
  error?: string,
): ItemResult {
  return {
    kind,
    name,
    verdict,
    ms: now() - started,
    detail,
    ...(cls ? { class: cls, hint: classification(cls).hint } : {}),
    ...(error !== undefined ? { error } : {}),
  };
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

// ---- the three families ----------------------------------------------------------------------------
async function apiServices({ target, s, deadline, signal }: Family): Promise<ItemResult[]> {
  const started = now();
  const list = await get(target, "/apis/apiregistration.k8s.io/v1/apiservices", "list apiservices", deadline, signal);
  if (list.problem) return [item("apiservice", "(all)", started, "warn", `APIServices not checked: ${list.problem}`, list.cls)];
  return (list.body?.items ?? [])
    .filter((a: Obj) => a.spec?.service && !s.exclude.includes(a.metadata?.name))
    .map((a: Obj) => {
      const name: string = a.metadata.name;
      const available = (a.status?.conditions ?? []).find((c: Obj) => c.type === "Available");
      if (available?.status === "True")
        return item("apiservice", name, started, "ok", `available (Service ${a.spec.service.namespace}/${a.spec.service.name})`);
      const words = available ? `${available.reason ?? ""}: ${available.message ?? ""}` : "no Available condition yet";
      const cls =
        available?.reason === "ServiceNotFound"
          ? "service-missing"
          : available?.reason === "MissingEndpoints"
            ? "no-endpoints"
            : classifyWebhookError(words, "").class;
      return item(
        "apiservice",
        name,
        started,
        "fail",
        `not available (${available?.reason ?? "pending"})`,
        cls === "other-webhook" ? "webhook-misbehaving" : cls,
        words,
      );
    });
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
  type Hook = { kind: ItemKind; config: string; hook: Obj };
  const hooks: Hook[] = [];
  lists.forEach((list, i) => {
    const [kind] = families[i];
    if (list.problem) {
      out.push(item(kind, "(all)", started, "warn", `${families[i][1]} not checked: ${list.problem}`, list.cls));
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

  // One dry-run ConfigMap create provokes every webhook that matches it.
  const ns = await get(target, `/api/v1/namespaces/${s.probeNamespace}`, "get namespaces", deadline, signal);
  const nsLabels: Record<string, string> = ns.body?.metadata?.labels ?? {};
  const provokable = hooks.filter((h) => !ns.problem && configMapCreateMatches(h.hook, nsLabels));
  let answer: string | undefined;
  let answerProblem: string | undefined;
  if (provokable.length > 0) {
    try {
      const res = await apiRequest(
        target,
        "POST",
        `/api/v1/namespaces/${s.probeNamespace}/configmaps?dryRun=All&fieldManager=webhook-check`,
        deadline,
        { apiVersion: "v1", kind: "ConfigMap", metadata: { generateName: "webhook-check-", labels: PROBE_LABELS }, data: {} },
        signal,
      );
      if (res.status === 403 && !/webhook/i.test(statusMessage(res) ?? firstLine(res.text)))
        answerProblem = `forbidden: the check needs "create configmaps" (dry-run) in ${s.probeNamespace}`;
      else answer = res.status >= 200 && res.status < 300 ? "" : (statusMessage(res) ?? firstLine(res.text));
    } catch (err) {
      answerProblem = (err as Error).message;
    }
  }

  const jobs = hooks.map((h) => async () => {
    const name = `${h.config}/${h.hook.name}`;
    const fail = (h.hook.failurePolicy ?? "Fail") === "Fail";
    const svc = await stateOf(h.hook.clientConfig.service);
    if (provokable.includes(h) && answer !== undefined) {
      const failed = new RegExp(`(?:failed calling|failed to call) webhook "${h.hook.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"`).test(
        answer,
      );
      if (failed)
        return item(
          h.kind,
          name,
          started,
          fail ? "fail" : "warn",
          "kube-apiserver could not call it (a dry-run ConfigMap create)",
          classifyWebhookError(answer, h.hook.name).class,
          answer,
        );
      if (!fail && !svc.ok && !svc.unknown)
        return item(h.kind, name, started, "warn", `failurePolicy Ignore: the API server skips it: ${svc.detail}`, svc.class);
      return item(h.kind, name, started, "ok", `called by kube-apiserver on a dry-run ConfigMap create${answer ? " (it answered)" : ""}`);
    }
    const why =
      answerProblem ??
      (ns.problem
        ? `the probe namespace's labels cannot be read (${ns.problem})`
        : "no dry-run the check makes matches its rules and selectors");
    if (!svc.ok && !svc.unknown) {
      if (fail)
        return item(h.kind, name, started, "fail", `not provable by dry-run, and the API server cannot call it: ${svc.detail}`, svc.class);
      return item(h.kind, name, started, "warn", `failurePolicy Ignore, so the API server skips it: ${svc.detail}`, svc.class);
    }
    return item(h.kind, name, started, "warn", `not provable by dry-run (${why}); ${svc.detail}`, svc.unknown ? svc.class : undefined);
  });
  return [...out, ...(await pool(s.concurrency ?? 8, jobs))];
}

async function conversionWebhooks({ target, s, stateOf, deadline, signal }: Family): Promise<ItemResult[]> {
  const started = now();
  const list = await get(
    target,
    "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
    "list customresourcedefinitions",
    deadline,
    signal,
  );
  if (list.problem) return [item("conversion-webhook", "(all)", started, "warn", `CRDs not checked: ${list.problem}`, list.cls)];
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
      try {
        const res = await apiRequest(target, "GET", path, deadline, undefined, signal);
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
      } catch (err) {
        return item("conversion-webhook", name, started, "warn", `not proven: ${(err as Error).message}`, "api-down");
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
