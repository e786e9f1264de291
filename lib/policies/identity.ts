/**
 * A policy's identity, in one place: kind/namespace/name -> key and construct id.
 * Kinds, namespaces (RFC 1123 labels) and names (RFC 1123 subdomains) never
 * contain "_", so `Kind_namespace_name` is unambiguous: distinct policies never
 * share an id. "_" also survives into Terraform addresses, which stay readable
 * (`policies_NetworkPolicy_cert-manager_allow-all-ingress_<hash>`).
 */
export interface PolicyIdentity {
  readonly kind: string;
  /** Absent for cluster-scoped kinds. */
  readonly namespace?: string;
  readonly name: string;
}

/** `Kind/namespace/name` (or `Kind/name`), the identity a policy has in the cluster. @internal */
export function policyKey(p: PolicyIdentity): string {
  return p.namespace === undefined ? `${p.kind}/${p.name}` : `${p.kind}/${p.namespace}/${p.name}`;
}

/** The construct id of a policy's resource: `Kind_namespace_name` (or `Kind_name`). @internal */
export function policyConstructId(p: PolicyIdentity): string {
  return p.namespace === undefined ? `${p.kind}_${p.name}` : `${p.kind}_${p.namespace}_${p.name}`;
}

/**
 * The construct id versions up to 0.1 used (`Kind-namespace-name`). It was lossy
 * (`shop-a/web` and `shop/a-web` collided); it is kept only to move existing
 * Terraform state to the new addresses (moved blocks), never to create anything.
 */
export function legacyPolicyConstructId(p: PolicyIdentity): string {
  return p.namespace === undefined ? `${p.kind}-${p.name}` : `${p.kind}-${p.namespace}-${p.name}`;
}
