// The one key of the cluster a provider talks to (kubeconfig files and context), by which the
// proof groups an app's NetworkPolicies.
import * as path from "node:path";
import type { IConstruct } from "constructs";

/**
 * Which cluster a provider talks to, as one string: the same for every provider configured with the
 * same kubeconfig files (resolved from the synth directory, `~/` kept) and context, in any stack.
 * `ClusterProviders` registers its providers here; the path proof groups an app's NetworkPolicies
 * by it, because Cilium decides a path over every policy of the cluster (lib/proof).
 */
const keys = new WeakMap<IConstruct, string>();

/** The key of a kubeconfig access as configured (paths relative to the synth directory). */
export function accessKey(kubeconfigPaths: readonly string[], context: string | undefined): string {
  const paths = kubeconfigPaths.map((p) => (p === "~" || p.startsWith("~/") || path.isAbsolute(p) ? p : path.resolve(p)));
  return JSON.stringify({ kubeconfigPaths: paths, context: context ?? null });
}

/** Records that `provider` talks to the cluster `key`. */
export function registerClusterKey(provider: IConstruct, key: string): void {
  keys.set(provider, key);
}

/**
 * The cluster a provider talks to: its registered key, else the provider itself (an unknown
 * cluster, shared by nothing else). Without a provider, the stack's default providers, which read
 * the apply process's KUBECONFIG: stacks applied with different environments reach different
 * clusters, so each stack's default is a cluster of its own (`stack`, its construct path).
 */
export function clusterKeyOf(provider: IConstruct | undefined, stack: string): string {
  if (provider === undefined) return `default:${stack}`;
  return keys.get(provider) ?? `provider:${provider.node.path}`;
}
