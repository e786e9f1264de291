/**
 * The typed documents of each policy kind, as they stand after validation (validate.ts):
 * the one place their shapes are declared. translate.ts and the construct read these
 * types; nothing re-declares or casts them.
 *
 * Cilium's documents are typed by hand from the vendored CRDs (schemas/cilium/*.yaml,
 * which judge them at synth): the top-level fields of a document and of a rule are named;
 * the rules' contents (peers, ports, L7) stay open records, as the CRD validates them.
 */

/** metav1.LabelSelector. */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: ReadonlyArray<{ readonly key: string; readonly operator: string; readonly values?: readonly string[] }>;
}

/** The metadata a policy carries on create (what kubernetes_network_policy_v1 and kubernetes_manifest get). */
export interface PolicyMetadata {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

// ---- networking.k8s.io/v1 NetworkPolicy ---------------------------------------------------------
export interface NetworkPolicyPeer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: { readonly cidr: string; readonly except?: readonly string[] };
}
export interface NetworkPolicyPort {
  readonly protocol?: string;
  readonly port?: number | string;
  readonly endPort?: number;
}
export interface NetworkPolicyRule {
  readonly from?: readonly NetworkPolicyPeer[];
  readonly to?: readonly NetworkPolicyPeer[];
  readonly ports?: readonly NetworkPolicyPort[];
}
/** A validated NetworkPolicy: named, namespaced, `spec.podSelector` filled in as the API server decodes it. */
export interface NetworkPolicyDocument {
  readonly apiVersion: "networking.k8s.io/v1";
  readonly kind: "NetworkPolicy";
  readonly metadata: PolicyMetadata & { readonly namespace: string };
  readonly spec: {
    readonly podSelector: LabelSelector;
    readonly policyTypes?: readonly string[];
    readonly ingress?: readonly NetworkPolicyRule[];
    readonly egress?: readonly NetworkPolicyRule[];
  };
}

// ---- cilium.io/v2 CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy --------------------------
/** One Cilium policy rule (`spec`, or an item of `specs`): the fields of the CRD's rule schema. */
export interface CiliumRule {
  readonly description?: string;
  readonly endpointSelector?: LabelSelector;
  readonly nodeSelector?: LabelSelector;
  readonly ingress?: ReadonlyArray<Readonly<Record<string, unknown>>>;
  readonly ingressDeny?: ReadonlyArray<Readonly<Record<string, unknown>>>;
  readonly egress?: ReadonlyArray<Readonly<Record<string, unknown>>>;
  readonly egressDeny?: ReadonlyArray<Readonly<Record<string, unknown>>>;
  readonly enableDefaultDeny?: { readonly ingress?: boolean; readonly egress?: boolean };
  readonly labels?: ReadonlyArray<{ readonly key: string; readonly value?: string; readonly source?: string }>;
  readonly log?: { readonly value?: string };
}

/**
 * A CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy document, the form
 * `NetworkPoliciesOptions.manifests` takes for Cilium policies in code.
 *
 * @example
 * const policy: CiliumPolicyDocument = {
 *   apiVersion: "cilium.io/v2",
 *   kind: "CiliumNetworkPolicy",
 *   metadata: { name: "webhook-from-apiserver", namespace: "cert-manager" },
 *   spec: { endpointSelector: {}, ingress: [{ fromEntities: ["kube-apiserver"] }] },
 * };
 */
export interface CiliumPolicyDocument {
  readonly apiVersion: "cilium.io/v2";
  readonly kind: "CiliumNetworkPolicy" | "CiliumClusterwideNetworkPolicy";
  readonly metadata: PolicyMetadata;
  readonly spec?: CiliumRule;
  readonly specs?: readonly CiliumRule[];
}
