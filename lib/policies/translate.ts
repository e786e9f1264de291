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
