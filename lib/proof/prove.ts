/**
 * The proof at synth: every required path decided by the path engine over all the policies an
 * app deploys to one cluster. Cilium unions the allow rules of every policy and any policy that
 * selects an endpoint isolates it, so a path is decided over the cluster's whole set, never over
 * one construct's share of it (lib/paths, docs/proof.md).
 *
 * Pure: no cdktf here. The NetworkPolicies construct hands its members in (`ProofMember`), and
 * formats refusals and warnings.
 */
import { analyzeValidatedPath, type EnginePolicy, type PathVerdict } from "../paths";
import type { PathAssumptions, PathCiliumSettings, PolicyCiliumSettings } from "../paths/types";
import type { CheckProof, ProofCiliumSettings } from "./check-proof";
import type { RequiredPath } from "./required-paths";

/**
 * The Cilium settings a verdict depends on: the engine's `cilium` input (lib/paths), every field
 * set but those only a NodePort path reads (a proof's paths are pod paths).
 */
export type ProofCilium = Readonly<Required<PolicyCiliumSettings>>;

/**
 * What the proof assumes about what it cannot see: the engine's `assume` input. `policySet`
 * `closed` (default): the app's policies are all the cluster has; `open`: others may exist, so a
 * path allowed only because nothing isolates its endpoint is `unknown`. `labels` `complete`
 * (default): a required path's pod labels are all the pods have; `partial`: a selector on another
 * label makes the verdict `unknown`.
 */
export type ProofAssumptions = Readonly<PathAssumptions>;

/** The verdicts of one NetworkPolicies' required paths and everything they were decided with. */
export interface PolicyProof {
  /** Each required path with its verdict, in the order required. */
  readonly paths: ReadonlyArray<{ readonly path: RequiredPath; readonly verdict: PathVerdict }>;
  /** The Cilium settings the verdicts assume. */
  // Written out, not PolicyCiliumSettings: this type is public, and that name is not exported.
  readonly cilium: Readonly<Required<Omit<PathCiliumSettings, "kubeProxyReplacement" | "socketLB" | "loadBalancer">>>;
  /** The namespace of the Cilium release whose settings these are; absent without a release. */
  readonly ciliumNamespace?: string;
  /** What the verdicts assume about the policy set and the pods' labels. */
  readonly assume: Readonly<Required<PathAssumptions>>;
  /** Every policy decided over (`Kind/namespace/name`), the cluster's, sorted. */
  readonly policies: readonly string[];
  /** The construct paths of the NetworkPolicies whose policies those are (the same cluster). */
  readonly members: readonly string[];
}

/** One required path and what the engine decided. */
export type PathProof = PolicyProof["paths"][number];

/**
 * Decides `paths` over `policies` (the cluster's, validated). A path with its own `labels`
 * assumption uses it; the others use `assume.labels`.
 */
export function provePaths(
  policies: readonly EnginePolicy[],
  paths: readonly RequiredPath[],
  cilium: ProofCilium,
  assume: Required<ProofAssumptions>,
): PathProof[] {
  return paths.map((path) => ({
    path,
    verdict: analyzeValidatedPath(policies, {
      path: { from: path.from, to: path.to, protocol: path.protocol, port: path.port },
      cilium,
      assume: { policySet: assume.policySet, labels: path.labels ?? assume.labels },
    }),
  }));
}

/** Names twice in `paths` (a required path is named once). */
export function duplicateNames(paths: readonly RequiredPath[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const p of paths) (seen.has(p.name) ? twice : seen).add(p.name);
  return [...twice].sort();
}

/** The proof as `WEBHOOK_CHECK_PROOF` carries it to the check (lib/proof/check-proof.ts). */
export function toCheckProof(proof: PolicyProof): CheckProof {
  const cilium: ProofCiliumSettings = {
    ...(proof.ciliumNamespace !== undefined ? { namespace: proof.ciliumNamespace } : {}),
    ...proof.cilium,
  };
  return {
    v: 1,
    cilium,
    assume: proof.assume,
    paths: proof.paths.map(({ path, verdict }) => ({
      name: path.name,
      from: path.from,
      to: path.to,
      protocol: path.protocol,
      port: path.port,
      verdict: verdict.verdict,
    })),
  };
}

/** One line for a path: `name (from -> to PROTO/port)`. */
export function describePath(path: RequiredPath): string {
  return `${path.name} (${describePeer(path.from)} -> ${describePeer(path.to)} ${path.protocol}/${path.port})`;
}

/** A peer as `describePath` writes it: `entity[@node]`, an FQDN, or `namespace/labels`. */
export function describePeer(peer: RequiredPath["from"]): string {
  if ("entity" in peer) return `${peer.entity}${peer.node ? `@${peer.node}` : ""}${peer.ip ? `@${peer.ip}` : ""}`;
  if ("fqdn" in peer) return peer.fqdn;
  const labels = Object.entries(peer.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  return `${peer.namespace}/${labels}`;
}
