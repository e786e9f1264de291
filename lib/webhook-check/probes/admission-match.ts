/**
 * Which admission webhooks a request reaches, matched as kube-apiserver matches them
 * (rules, scope, namespaceSelector, objectSelector): the webhooks family asks it which
 * webhooks its dry-run ConfigMap create provokes. Pure: no requests.
 */
import type { IMutatingWebhook } from "kubernetes-models/admissionregistration.k8s.io/v1/MutatingWebhook";
import type { IRuleWithOperations } from "kubernetes-models/admissionregistration.k8s.io/v1/RuleWithOperations";
import type { IValidatingWebhook } from "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingWebhook";

/** An admission webhook of either kind: they match requests alike. */
export type AdmissionWebhook = IValidatingWebhook | IMutatingWebhook;

/**
 * A rule as the check reads it: `operations` as any strings, since a rule the check
 * does not understand must match nothing rather than fail to type.
 */
export type Rule = Omit<IRuleWithOperations, "operations"> & { readonly operations?: readonly string[] };

/** The fields of a webhook that decide whether a request reaches it. */
export type WebhookMatch = Pick<AdmissionWebhook, "namespaceSelector" | "objectSelector" | "matchConditions"> & {
  readonly rules?: readonly Rule[];
};

/** metav1.LabelSelector, as kubernetes-models types it. */
export type LabelSelector = NonNullable<AdmissionWebhook["namespaceSelector"]>;

/** metav1.LabelSelector semantics (k8s.io/apimachinery v0.35.4 pkg/apis/meta/v1/helpers.go LabelSelectorAsSelector); nil or empty matches everything. */
export function selectorMatches(selector: LabelSelector | undefined | null, labels: Record<string, string>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const values = e.values ?? [];
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

// Each rule below follows k8s.io/apiserver v0.35.4
// pkg/admission/plugin/webhook/predicates/rules/rules.go (Matcher.Matches:
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
export function ruleMatches(rule: Rule, a: RequestAttributes): boolean {
  return (
    scopeMatches(rule.scope, a) &&
    (rule.operations ?? []).some((o) => o === "*" || o === a.operation) &&
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
 * labels and the objectSelector the probe's (k8s.io/apiserver v0.35.4
 * pkg/admission/plugin/webhook/predicates/namespace and .../object: for a CREATE the
 * new object's labels). matchConditions are CEL the check cannot evaluate: see
 * `hasMatchConditions`.
 */
export function configMapCreateMatches(webhook: WebhookMatch, namespaceLabels: Record<string, string>, namespace = "probe"): boolean {
  const attrs: RequestAttributes = { ...CONFIGMAP_CREATE, namespace };
  return (
    (webhook.rules ?? []).some((r) => ruleMatches(r, attrs)) &&
    selectorMatches(webhook.namespaceSelector, namespaceLabels) &&
    selectorMatches(webhook.objectSelector, PROBE_LABELS)
  );
}

/** A webhook with matchConditions may skip any request: only an answer that names it proves it was called. */
export const hasMatchConditions = (webhook: WebhookMatch) => Array.isArray(webhook.matchConditions) && webhook.matchConditions.length > 0;
