// Translation: a validated NetworkPolicy -> the configuration of kubernetes_network_policy_v1, and
// back (fromNetworkPolicyV1Json), which cilium-explain uses to read a synthesized stack.
import type { NetworkPolicyV1Metadata, NetworkPolicyV1Spec } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import type { LabelSelector, NetworkPolicyDocument, NetworkPolicyPeer as Peer, NetworkPolicyPort as Port } from "./documents";
import type { ValidatedNetworkPolicy } from "./validate";

/**
 * Kubernetes documents -> kubernetes_network_policy_v1 configuration.
 * Every field of networking.k8s.io/v1 NetworkPolicy is carried over. Two
 * distinctions matter and are kept:
 * - an absent (or empty) `ingress`/`egress` list means "no rule" (deny, when the
 *   direction is in policyTypes); `[{}]` is one rule that matches everything (allow);
 * - `policyTypes`, required by the provider, gets the default Kubernetes gives it
 *   when absent or empty: Ingress always, Egress when `egress` has a rule.
 */

function selector(s: LabelSelector) {
  return {
    ...(s.matchLabels !== undefined ? { matchLabels: { ...s.matchLabels } } : {}),
    ...(s.matchExpressions !== undefined
      ? {
          matchExpressions: s.matchExpressions.map((e) => ({
            key: e.key,
            operator: e.operator,
            ...(e.values !== undefined ? { values: [...e.values] } : {}),
          })),
        }
      : {}),
  };
}

function peer(p: Peer) {
  return {
    ...(p.podSelector ? { podSelector: selector(p.podSelector) } : {}),
    ...(p.namespaceSelector ? { namespaceSelector: selector(p.namespaceSelector) } : {}),
    ...(p.ipBlock
      ? { ipBlock: { cidr: p.ipBlock.cidr, ...(p.ipBlock.except !== undefined ? { except: [...p.ipBlock.except] } : {}) } }
      : {}),
  };
}

function port(p: Port) {
  return {
    // The provider's default is TCP too; writing it keeps plans free of spurious diffs.
    protocol: p.protocol ?? "TCP",
    ...(p.port !== undefined ? { port: String(p.port) } : {}),
    ...(p.endPort !== undefined ? { endPort: p.endPort } : {}),
  };
}

/** The policyTypes Kubernetes would store for this spec. */
export function effectivePolicyTypes(spec: NetworkPolicyDocument["spec"]): string[] {
  if (spec.policyTypes !== undefined && spec.policyTypes.length > 0) return [...spec.policyTypes];
  return spec.egress !== undefined && spec.egress.length > 0 ? ["Ingress", "Egress"] : ["Ingress"];
}

export function toNetworkPolicyV1(policy: ValidatedNetworkPolicy): { metadata: NetworkPolicyV1Metadata; spec: NetworkPolicyV1Spec } {
  const { metadata, spec } = policy.manifest;
  const ingress = (spec.ingress ?? []).map((r) => ({
    ...(r.from !== undefined && r.from.length > 0 ? { from: r.from.map(peer) } : {}),
    ...(r.ports !== undefined && r.ports.length > 0 ? { ports: r.ports.map(port) } : {}),
  }));
  const egress = (spec.egress ?? []).map((r) => ({
    ...(r.to !== undefined && r.to.length > 0 ? { to: r.to.map(peer) } : {}),
    ...(r.ports !== undefined && r.ports.length > 0 ? { ports: r.ports.map(port) } : {}),
  }));
  return {
    metadata: {
      name: metadata.name,
      namespace: metadata.namespace,
      ...(metadata.labels !== undefined ? { labels: { ...metadata.labels } } : {}),
      ...(metadata.annotations !== undefined ? { annotations: { ...metadata.annotations } } : {}),
    },
    spec: {
      podSelector: selector(spec.podSelector),
      policyTypes: effectivePolicyTypes(spec),
      ...(ingress.length > 0 ? { ingress } : {}),
      ...(egress.length > 0 ? { egress } : {}),
    },
  };
}

// ---- back: a synthesized kubernetes_network_policy_v1 to its document -----------------------------

type Json = Record<string, unknown>;
const isJson = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
/** Terraform JSON holds a nested block as an object or as a list of one. */
const one = (v: unknown): Json | undefined => (Array.isArray(v) ? (isJson(v[0]) ? v[0] : undefined) : isJson(v) ? v : undefined);
const many = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isJson) : isJson(v) ? [v] : []);

function selectorBack(v: unknown): LabelSelector {
  const s = one(v) ?? {};
  return {
    ...(isJson(s.match_labels) ? { matchLabels: { ...(s.match_labels as Record<string, string>) } } : {}),
    ...(Array.isArray(s.match_expressions)
      ? {
          matchExpressions: many(s.match_expressions).map((e) => ({
            key: String(e.key),
            operator: String(e.operator) as "In",
            ...(Array.isArray(e.values) ? { values: e.values.map(String) } : {}),
          })),
        }
      : {}),
  };
}

function peerBack(p: Json): Peer {
  const block = one(p.ip_block);
  return {
    ...(p.pod_selector !== undefined ? { podSelector: selectorBack(p.pod_selector) } : {}),
    ...(p.namespace_selector !== undefined ? { namespaceSelector: selectorBack(p.namespace_selector) } : {}),
    ...(block
      ? { ipBlock: { cidr: String(block.cidr), ...(Array.isArray(block.except) ? { except: block.except.map(String) } : {}) } }
      : {}),
  };
}

function portBack(p: Json): Port {
  const port = p.port === undefined ? undefined : /^\d+$/.test(String(p.port)) ? Number(p.port) : String(p.port);
  return {
    ...(p.protocol !== undefined ? { protocol: String(p.protocol) as "TCP" } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(p.end_port !== undefined ? { endPort: Number(p.end_port) } : {}),
  };
}

/**
 * The inverse of {@link toNetworkPolicyV1} over the synthesized Terraform JSON (snake_case, as
 * cdk.tf.json holds it, template escapes already undone): the NetworkPolicy document the resource
 * was made from, for `cilium-explain --from-synth`.
 */
export function fromNetworkPolicyV1Json(resource: Json): NetworkPolicyDocument {
  const metadata = one(resource.metadata) ?? {};
  const spec = one(resource.spec) ?? {};
  const rule = (r: Json, peers: "from" | "to") => ({
    ...(r[peers] !== undefined ? { [peers]: many(r[peers]).map(peerBack) } : {}),
    ...(r.ports !== undefined ? { ports: many(r.ports).map(portBack) } : {}),
  });
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: {
      name: String(metadata.name),
      namespace: String(metadata.namespace),
      ...(isJson(metadata.labels) ? { labels: { ...(metadata.labels as Record<string, string>) } } : {}),
      ...(isJson(metadata.annotations) ? { annotations: { ...(metadata.annotations as Record<string, string>) } } : {}),
    },
    spec: {
      podSelector: selectorBack(spec.pod_selector),
      ...(Array.isArray(spec.policy_types) ? { policyTypes: spec.policy_types.map(String) as Array<"Ingress" | "Egress"> } : {}),
      ...(spec.ingress !== undefined ? { ingress: many(spec.ingress).map((r) => rule(r, "from")) } : {}),
      ...(spec.egress !== undefined ? { egress: many(spec.egress).map((r) => rule(r, "to")) } : {}),
    },
  } as NetworkPolicyDocument;
}
