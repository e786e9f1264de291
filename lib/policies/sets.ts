// The policy sets shipped in `policies/` and the directory of each.
import * as path from "node:path";
import { SHIPPED_POLICIES_DIR } from "../shared/package-paths";

/**
 * The policy sets shipped in `policies/`:
 * - `allow-all`: the incident's fix, allow-all egress in kube-system and
 *   allow-all ingress in cert-manager (NetworkPolicy);
 * - `least-privilege`: only kube-apiserver may reach the cert-manager webhook's
 *   port (CiliumNetworkPolicy, `fromEntities: [kube-apiserver]`).
 */
export type PolicySet = "allow-all" | "least-privilege";

export const POLICY_SETS: readonly PolicySet[] = ["allow-all", "least-privilege"];

/** Absolute directory of a shipped policy set, resolved from the package. */
export function policySetDirectory(set: PolicySet): string {
  if (!POLICY_SETS.includes(set)) throw new Error(`unknown policy set "${String(set)}"; use one of ${POLICY_SETS.join(", ")}`);
  return path.join(SHIPPED_POLICIES_DIR, set);
}
