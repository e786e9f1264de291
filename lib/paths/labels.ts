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
 *   IP that serves it; the host IP keeps reserved:host: layer3.rst "Access to/from
 *   kube-apiserver", cilium/cilium v1.20.2 Documentation/security/policy/).
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
  /** Written in matchLabels (not matchExpressions). */
  readonly matchLabel?: true;
}
/** A compiled selector: all requirements must hold (an empty list selects everything). */
export interface Selector {
  readonly requirements: readonly Requirement[];
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
    requirements.push({ source, key: keyPrefix + key, operator: "In", values: [String(v ?? "")], matchLabel: true });
  }
  for (const e of Array.isArray(sel.matchExpressions) ? sel.matchExpressions : []) {
    if (!isObject(e) || typeof e.key !== "string") continue;
    const { source, key } = splitKey(e.key, defaultSource);
    const op = String(e.operator) as Requirement["operator"];
    const values = Array.isArray(e.values) ? e.values.map(String) : [];
    requirements.push({ source, key: keyPrefix + key, operator: op, values });
  }
  return { requirements };
}

export const hasKey = (s: Selector, key: string) => s.requirements.some((r) => r.key === key && (r.source === "k8s" || r.source === "any"));
export const hasKeyPrefix = (s: Selector, prefix: string) =>
  s.requirements.some((r) => r.key.startsWith(prefix) && (r.source === "k8s" || r.source === "any"));
export const hasSource = (s: Selector, source: string) => s.requirements.some((r) => r.source === source);

// A label's state for one identity: its value, absent, or unknown for a reason
// (encoded without allocating: matching runs for every policy on every path).
const ABSENT = Symbol("absent");
interface UnknownLabel {
  readonly unknownFor: UnknownReason;
}
type LabelState = string | typeof ABSENT | UnknownLabel;
const UNKNOWN_NAMESPACE_LABELS: UnknownLabel = { unknownFor: "namespace-labels" };
const UNKNOWN_POD_LABELS: UnknownLabel = { unknownFor: "pod-labels" };
const UNKNOWN_PEER_IP: UnknownLabel = { unknownFor: "peer-ip" };

function podLabel(id: Extract<Identity, { kind: "pod" }>, key: string): LabelState {
  if (key === NAMESPACE_LABEL) return id.namespace;
  if (key.startsWith(NAMESPACE_LABELS_PREFIX)) {
    const nsKey = key.slice(NAMESPACE_LABELS_PREFIX.length);
    // Kubernetes sets kubernetes.io/metadata.name on every namespace (NamespaceDefaultLabelName, 1.21+).
    if (nsKey === "kubernetes.io/metadata.name") return id.namespace;
    if (!id.namespaceLabels) return UNKNOWN_NAMESPACE_LABELS;
    return Object.hasOwn(id.namespaceLabels, nsKey) ? id.namespaceLabels[nsKey] : ABSENT;
  }
  if (Object.hasOwn(id.labels, key)) return id.labels[key];
  // Cilium derives these from the pod spec and cluster name, never from metadata.labels: unknown unless given.
  if (key.startsWith(CILIUM_POLICY_PREFIX)) return UNKNOWN_POD_LABELS;
  return id.partial ? UNKNOWN_POD_LABELS : ABSENT;
}

function labelState(id: Identity, source: string, key: string): LabelState {
  if (id.kind === "pod") return source === "k8s" || source === "any" ? podLabel(id, key) : ABSENT;
  if (source === "reserved" || source === "any") return id.reserved.has(key) ? "" : ABSENT;
  // CIDR-derived labels of a world IP: known only with the IP; not modelled, so unknown.
  if (source === "cidr" && (id.entity === "world" || id.entity === "fqdn")) return UNKNOWN_PEER_IP;
  return ABSENT;
}

/** Whether `selector` selects `id` (Kubernetes label selector semantics, Kleene logic for unknown labels). */
export function matches(selector: Selector, id: Identity): Tri {
  let result: Tri = true;
  for (const r of selector.requirements) {
    const state = labelState(id, r.source, r.key);
    let t: Tri;
    if (typeof state === "object") t = unknown(state.unknownFor);
    else if (r.operator === "In") t = state !== ABSENT && r.values.includes(state);
    else if (r.operator === "NotIn") t = state === ABSENT || !r.values.includes(state);
    else if (r.operator === "Exists") t = state !== ABSENT;
    else t = state === ABSENT;
    if (t === false) return false;
    if (t !== true) result = and(result, t);
  }
  return result;
}

/** The reserved labels of an entity peer (pkg/policy/api/entity.go, pkg/identity/numericidentity.go). */
export function reservedLabels(entity: PathEntity, node: "local" | "remote"): Set<string> {
  if (entity === "kube-apiserver") return new Set(["kube-apiserver", node === "local" ? "host" : "remote-node"]);
  // world: the entity selects reserved:world, world-ipv4 and world-ipv6 alike.
  return new Set([entity]);
}
