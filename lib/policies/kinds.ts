/**
 * The policy kinds this module turns into Terraform resources: one descriptor each, the
 * one home of what a kind is (apiVersion, scope, the schema that judges it). validate.ts
 * reads it, and scripts/bundle.mjs reads the CRD file of each Cilium kind from this file's
 * text; nothing else lists the kinds. Which resource a kind becomes is decided where the
 * resource is made (network-policies.ts), whose branch on the kind types the document.
 */

/** The kinds this module turns into Terraform resources. */
export type PolicyKind = "NetworkPolicy" | "CiliumNetworkPolicy" | "CiliumClusterwideNetworkPolicy";

/** What one policy kind is. @internal */
export interface PolicyKindDescriptor {
  readonly apiVersion: "networking.k8s.io/v1" | "cilium.io/v2";
  /** Namespaced (true) or cluster-scoped. */
  readonly namespaced: boolean;
  /**
   * What judges a document: the built-in type's schema (kubernetes-models) and the API
   * server's NetworkPolicy validation, or the vendored CRD of the Cilium line (schemas/cilium/<line>/<file>).
   */
  readonly schema: { readonly by: "kubernetes"; readonly type: string } | { readonly by: "crd"; readonly file: string };
}

/** Every supported kind, by name. */
export const POLICY_KINDS = {
  NetworkPolicy: {
    apiVersion: "networking.k8s.io/v1",
    namespaced: true,
    schema: { by: "kubernetes", type: "io.k8s.api.networking.v1.NetworkPolicy" },
  },
  CiliumNetworkPolicy: {
    apiVersion: "cilium.io/v2",
    namespaced: true,
    schema: { by: "crd", file: "ciliumnetworkpolicies.yaml" },
  },
  CiliumClusterwideNetworkPolicy: {
    apiVersion: "cilium.io/v2",
    namespaced: false,
    schema: { by: "crd", file: "ciliumclusterwidenetworkpolicies.yaml" },
  },
} as const satisfies Readonly<Record<PolicyKind, PolicyKindDescriptor>>;

/**
 * The supported kinds with their apiVersion and scope (read from the kind descriptors, policies/kinds.ts).
 * @internal
 */
export const SUPPORTED_KINDS: Readonly<Record<PolicyKind, { apiVersion: string; namespaced: boolean }>> = POLICY_KINDS;

export const isPolicyKind = (kind: unknown): kind is PolicyKind => typeof kind === "string" && Object.hasOwn(POLICY_KINDS, kind);
