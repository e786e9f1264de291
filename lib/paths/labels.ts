/**
 * Identities and label selectors as Cilium matches them.
 *
 * - A selector key may carry a source, `source:key` (`k8s:app`, `reserved:host`); a
 *   key without one is source `any` and matches a label of any source
 *   (cilium/cilium pkg/labels/labels.go, parseSource / ParseSelectLabel;
 *   pkg/policy/api/selector.go NewESFromK8sLabelSelector).
 * - A pod's identity: its labels (source k8s), `io.kubernetes.pod.namespace`,
 *   its namespace's labels as `io.cilium.k8s.namespace.labels.<key>`, and
 *   Cilium's `io.cilium.k8s.policy.{cluster,serviceaccount}`
 *   (Documentation/security/policy/kubernetes.rst "Namespaces";
 *   pkg/k8s/apis/cilium.io/const.go PodNamespaceMetaLabels).
 * - Entities are reserved identities (source reserved). The kube-apiserver on
 *   another node is `reserved:kube-apiserver` + `reserved:remote-node`
 *   (pkg/identity/numericidentity.go reservedIdentityLabels, ReservedIdentityKubeAPIServer);
 *   on the destination's own node it is the host identity with the
 *   kube-apiserver label added: `reserved:host` + `reserved:kube-apiserver`
 *   (Cilium's ipcache merges the kube-apiserver label into the identity of the
 *   IP that serves it; the host IP keeps reserved:host. Not located as a single
 *   file in the sources searched: taken from the issue and language.rst "kube-apiserver").
 * - An unknown label (partial pod labels, namespace labels not given, Cilium
 *   labels not given) makes a requirement on it unknown, never false.
 */
import { isObject } from "../shared/stable-json";
import { and, type Tri, unknown } from "./tri";
import type { PathEntity, UnknownReason } from "./types";

export const NAMESPACE_LABEL = "io.kubernetes.pod.namespace";
export const NAMESPACE_LABELS_PREFIX = "io.cilium.k8s.namespace.labels.";
const CILIUM_POLICY_PREFIX = "io.cilium.k8s.policy.";

/** What a peer looks like to a selector. */
export type Identity =
  | { kind: "pod"; namespace: string; labels: Record<string, string>; namespaceLabels?: Record<string, string>; partial: boolean }
  | { kind: "reserved"; entity: PathEntity | "fqdn"; reserved: ReadonlySet<string>; ip?: string; node: "local" | "remote" | "none" };

/** One label requirement, its key split into source and key. */
export interface Requirement {
  readonly source: string;
  readonly key: string;
  readonly operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  readonly values: readonly string[];
}
/** A compiled selector: all requirements must hold (an empty list selects everything). */
export interface Selector {
  readonly requirements: readonly Requirement[];
  /** The selector as written, for explanations. */
  readonly text: string;
}

export function splitKey(raw: string, defaultSource: string): { source: string; key: string } {
  // pkg/labels parseSource: a leading `$` is reserved; otherwise the text before the first ':'.
  if (raw.startsWith("$")) return { source: "reserved", key: raw.slice(1) };
  const i = raw.indexOf(":");
  if (i < 0) return { source: defaultSource, key: raw };
  return { source: raw.slice(0, i), key: raw.slice(i + 1) };
}

/** A Kubernetes LabelSelector (validated) as a Cilium selector; `defaultSource` is "any" for Cilium kinds, "k8s" for NetworkPolicy. */
export function compileSelector(selector: unknown, defaultSource: string, keyPrefix = ""): Selector {
  const requirements: Requirement[] = [];
  const sel = isObject(selector) ? selector : {};
  const matchLabels = isObject(sel.matchLabels) ? sel.matchLabels : {};
  for (const [k, v] of Object.entries(matchLabels)) {
    const { source, key } = splitKey(k, defaultSource);
    requirements.push({ source, key: keyPrefix + key, operator: "In", values: [String(v ?? "")] });
  }
  for (const e of Array.isArray(sel.matchExpressions) ? sel.matchExpressions : []) {
    if (!isObject(e) || typeof e.key !== "string") continue;
    const { source, key } = splitKey(e.key, defaultSource);
    const op = String(e.operator) as Requirement["operator"];
    const values = Array.isArray(e.values) ? e.values.map(String) : [];
    requirements.push({ source, key: keyPrefix + key, operator: op, values });
  }
  return { requirements, text: JSON.stringify(selector ?? {}) };
}

export function selectorWith(base: Selector, extra: Requirement[], note: string): Selector {
  return { requirements: [...base.requirements, ...extra], text: `${base.text} ${note}` };
}

export const hasKey = (s: Selector, key: string) => s.requirements.some((r) => r.key === key && (r.source === "k8s" || r.source === "any"));
export const hasKeyPrefix = (s: Selector, prefix: string) =>
  s.requirements.some((r) => r.key.startsWith(prefix) && (r.source === "k8s" || r.source === "any"));
export const hasSource = (s: Selector, source: string) => s.requirements.some((r) => r.source === source);

type LabelState = { present: true; value: string } | { present: false } | { unknownFor: UnknownReason };

function podLabel(id: Extract<Identity, { kind: "pod" }>, key: string): LabelState {
  if (key === NAMESPACE_LABEL) return { present: true, value: id.namespace };
  if (key.startsWith(NAMESPACE_LABELS_PREFIX)) {
    const nsKey = key.slice(NAMESPACE_LABELS_PREFIX.length);
    // Kubernetes sets kubernetes.io/metadata.name on every namespace (NamespaceDefaultLabelName, 1.21+).
    if (nsKey === "kubernetes.io/metadata.name") return { present: true, value: id.namespace };
    if (!id.namespaceLabels) return { unknownFor: "namespace-labels" };
    return nsKey in id.namespaceLabels ? { present: true, value: id.namespaceLabels[nsKey] } : { present: false };
  }
  if (key in id.labels) return { present: true, value: id.labels[key] };
  // Cilium derives these from the pod spec and cluster name, never from metadata.labels: unknown unless given.
  if (key.startsWith(CILIUM_POLICY_PREFIX)) return { unknownFor: "pod-labels" };
  return id.partial ? { unknownFor: "pod-labels" } : { present: false };
}

function labelState(id: Identity, source: string, key: string): LabelState {
  if (id.kind === "pod") {
    if (source === "k8s" || source === "any") return podLabel(id, key);
    return { present: false };
  }
  if (source === "reserved" || source === "any") return id.reserved.has(key) ? { present: true, value: "" } : { present: false };
  // CIDR-derived labels of a world IP: known only with the IP; not modelled, so unknown.
  if (source === "cidr" && (id.entity === "world" || id.entity === "fqdn")) return { unknownFor: "peer-ip" };
  return { present: false };
}

/** Whether `selector` selects `id` (Kubernetes label selector semantics, Kleene logic for unknown labels). */
export function matches(selector: Selector, id: Identity): Tri {
  let result: Tri = true;
  for (const r of selector.requirements) {
    const state = labelState(id, r.source, r.key);
    let t: Tri;
    if ("unknownFor" in state) t = unknown(state.unknownFor);
    else if (r.operator === "In") t = state.present && r.values.includes(state.value);
    else if (r.operator === "NotIn") t = !state.present || !r.values.includes(state.value);
    else if (r.operator === "Exists") t = state.present;
    else t = !state.present;
    result = and(result, t);
    if (result === false) return false;
  }
  return result;
}

/** The reserved labels of an entity peer (pkg/policy/api/entity.go, pkg/identity/numericidentity.go). */
export function reservedLabels(entity: PathEntity, node: "local" | "remote"): Set<string> {
  if (entity === "kube-apiserver") return new Set(["kube-apiserver", node === "local" ? "host" : "remote-node"]);
  // world: the entity selects reserved:world, world-ipv4 and world-ipv6 alike.
  return new Set([entity]);
}
