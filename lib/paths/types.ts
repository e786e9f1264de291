/**
 * The path engine's public types, exported from the package root as analyzePath's input and
 * verdict; lib/paths/ holds the engine that fills them. The home of a verdict's words.
 */
import type { CiliumLine } from "../cilium/version";
import { listOf, type PathProtocol, type PolicyEnforcementMode } from "../shared/vocabulary";

export type { PathProtocol, PolicyEnforcementMode };

/** The entities a path can start from or go to (Cilium's reserved identities: cilium/cilium v1.20.2, Documentation/security/policy/layer3.rst "Entities based"). */
export type PathEntity = "kube-apiserver" | "host" | "remote-node" | "world" | "health" | "ingress" | "init" | "unmanaged";

/** One end of a path: an entity, a pod, or (destination only) a DNS name. */
export type PathPeer =
  | { entity: PathEntity; node?: "local" | "remote"; ip?: string }
  | { namespace: string; labels: Record<string, string>; namespaceLabels?: Record<string, string> }
  | { fqdn: string };

/** Why a verdict is `unknown`; when several apply, the first in this order is given. */
export type UnknownReason =
  | "named-port"
  | "fqdn"
  | "node-ip"
  | "node-labels"
  | "namespace-labels"
  | "pod-labels"
  | "service"
  | "groups"
  | "authentication"
  | "peer-ip"
  | "open-policy-set";

/** The order in which unknown reasons are reported (the first that applies wins). */
export const UNKNOWN_REASONS: readonly UnknownReason[] = [
  "named-port",
  "fqdn",
  "node-ip",
  "node-labels",
  "namespace-labels",
  "pod-labels",
  "service",
  "groups",
  "authentication",
  "peer-ip",
  "open-policy-set",
];

/** What {@link analyzePath} decides about one path. */
export interface PathVerdict {
  verdict: "allowed" | "denied" | "unknown";
  /** On allowed: a rule admitted it, or nothing isolates the endpoint. */
  basis?: "rule" | "default";
  qualifier?: "l7-proxy";
  blame?: { direction: "ingress" | "egress"; kind: "deny-rule" | "no-allow"; policy?: string; isolatedBy: string[] };
  unknownReason?: UnknownReason;
  /** Each step of the decision, naming the policy and rule. */
  explanation: string[];
}

/** What is decided about a path (the home of these words: everything else derives them). */
export type Verdict = PathVerdict["verdict"];
/** The words of `Verdict`, in that order. */
export const VERDICTS = listOf<Verdict>()(["allowed", "denied", "unknown"]);
/** The words of {@link PathCiliumSettings.policyCIDRMatchMode}, for code that checks input at run time. */
export const POLICY_CIDR_MATCH_MODES = listOf<NonNullable<PathCiliumSettings["policyCIDRMatchMode"]>>()([
  "",
  "nodes",
  "pods",
  "nodes pods",
]);
/** The words of {@link PathCiliumSettings.allowLocalhost}, for code that checks input at run time. */
export const ALLOW_LOCALHOST_MODES = listOf<NonNullable<PathCiliumSettings["allowLocalhost"]>>()(["auto", "always", "policy"]);

/** Cilium agent settings that change verdicts (Helm values of the same names). */
export interface PathCiliumSettings {
  /**
   * The Cilium line whose semantics decide (`"1.19"`, `"1.20"`); an exact chart version of a
   * supported line (`"1.20.2"`) is accepted and reduced to its line.
   *
   * @default - the line of DEFAULT_CILIUM_VERSION
   */
  version?: CiliumLine;
  /** @default "" */
  policyEnforcementMode?: PolicyEnforcementMode;
  /**
   * What CIDR rules select beside the world: `nodes` (other nodes), `pods` (pods by their IP;
   * Cilium 1.20 and later), both as `"nodes pods"` (the form of cilium-config's
   * `policy-cidr-match-mode`).
   *
   * @default ""
   */
  policyCIDRMatchMode?: "" | "nodes" | "pods" | "nodes pods";
  /** @default true */
  enableNonDefaultDenyPolicies?: boolean;
  /** @default "auto" */
  allowLocalhost?: "auto" | "always" | "policy";
  /** @default false */
  hostFirewall?: boolean;
  /**
   * Whether Cilium replaces kube-proxy. Only a path through a NodePort (`path.via`) depends on
   * it: without it kube-proxy handles NodePorts, outside Cilium's datapath (the agent defines
   * `ENABLE_NODEPORT` only under it: pkg/datapath/linux/config/config.go at v1.19.7 and v1.20.2),
   * and such a path is `unknown` (`service`). With it the agent turns socket LB on whatever
   * `socketLB.enabled` says (pkg/kpr/kpr.go `NewKPRConfig`, the same at both tags), so that value
   * decides nothing here. The Talos preset sets it.
   *
   * @default false (the chart's `kubeProxyReplacement: "false"` at v1.19.7 and v1.20.2)
   */
  kubeProxyReplacement?: boolean;
  /** Socket LB (Helm `socketLB`); only a path through a NodePort depends on it. */
  socketLB?: {
    /**
     * Socket LB only in the host's network namespace, not in pods (`bpf-lb-sock-hostns-only`);
     * the 1.20 chart forces it with `gatewayAPI.enabled`. A pod's NodePort connection is then
     * load-balanced, if at all, per packet as it leaves the pod.
     *
     * @default false (commented out in the chart at both tags; the agent's flag defaults to false)
     */
    hostNamespaceOnly?: boolean;
  };
  /** Service load balancing (Helm `loadBalancer`); only a path through a NodePort depends on it. */
  loadBalancer?: {
    /**
     * How a NodePort reaches a backend on another node: `snat`, `dsr`, or `hybrid` (DSR for TCP,
     * SNAT otherwise: pkg/loadbalancer/loadbalancer.go `ToSVCForwardingMode`). The Service is
     * taken to follow it (no `service.cilium.io/forwarding-mode` annotation).
     *
     * @default "snat" (commented out in the chart at both tags; pkg/loadbalancer/config.go's default)
     */
    mode?: "snat" | "dsr" | "hybrid";
  };
}

/**
 * The settings of {@link PathCiliumSettings} that only a path through a NodePort (`path.via`)
 * depends on. A proof's paths are pod paths, so its settings (every other one, all set) leave
 * these out, and the proof's output does not change with them.
 */
export type NodePortSettingKey = "kubeProxyReplacement" | "socketLB" | "loadBalancer";
/** The settings every path depends on. */
export type PolicyCiliumSettings = Omit<PathCiliumSettings, NodePortSettingKey>;

/** What the caller vouches for. */
export interface PathAssumptions {
  /** "closed": the given policies are all the cluster has. @default "closed" */
  policySet?: "closed" | "open";
  /** "complete": a pod's `labels` are all its labels. @default "complete" */
  labels?: "complete" | "partial";
}

/** The input of {@link analyzePath}. */
export interface AnalyzePathInput {
  /** Documents as written (nulls kept; pruned here as the API server does). */
  policies: unknown[];
  /**
   * The path; `port` is the pod port (after Service translation). With `via`, the client reaches
   * the backend pod `to` through a NodePort, and the verdict depends on where it is load-balanced.
   */
  path: {
    from: PathPeer;
    to: PathPeer;
    protocol: PathProtocol;
    port: number;
    /** Through a NodePort: the client dials `nodePort` on a node's address (`node`: another node's, by default, or its own). */
    via?: { nodePort: number; node?: "remote" | "local" };
  };
  cilium?: PathCiliumSettings;
  assume?: PathAssumptions;
}
