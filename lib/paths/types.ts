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
}

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
  /** The path; `port` is the pod port (after Service translation). */
  path: { from: PathPeer; to: PathPeer; protocol: PathProtocol; port: number };
  cilium?: PathCiliumSettings;
  assume?: PathAssumptions;
}
