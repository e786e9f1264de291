/**
 * The contract between the proof made at synth (lib/proof/) and the check that confirms it after
 * apply: what synth decided and what it assumed, as the compact JSON the WebhookCheck construct
 * writes into `WEBHOOK_CHECK_PROOF`. No cdktf here: the check bundle reads it with plain `node`.
 *
 * The check compares each assumption with the cluster (class `proof-assumption` when one does
 * not hold): the labels and pod port assumed for the webhook's pods against its Service's
 * `spec.selector` and EndpointSlice ports, a host-networked API server against the
 * `default/kubernetes` EndpointSlices and the nodes' InternalIPs, and the Cilium settings
 * against the `cilium-config` ConfigMap.
 */
import { CILIUM_PINS } from "../cilium/version";
import {
  ALLOW_LOCALHOST_MODES,
  type PathAssumptions,
  type PathCiliumSettings,
  type PathPeer,
  POLICY_CIDR_MATCH_MODES,
  type PolicyCiliumSettings,
  type Verdict,
  VERDICTS,
} from "../paths/types";
import { PATH_PROTOCOLS, POLICY_ENFORCEMENT_MODES, type PathProtocol } from "../shared/vocabulary";

/** A peer as the path engine takes it. */
export type ProofPeer = PathPeer;

/** One required path and its verdict at synth. */
export interface ProvenPath {
  readonly name: string;
  readonly from: ProofPeer;
  readonly to: ProofPeer;
  readonly protocol: PathProtocol;
  /** The pod port (after Service translation). */
  readonly port: number;
  readonly verdict: Verdict;
}

/** The Cilium settings the verdicts were decided with (the path engine's, lib/paths), and where Cilium runs. */
export interface ProofCiliumSettings extends Readonly<Required<Omit<PolicyCiliumSettings, "version">>> {
  /** The Cilium line whose semantics decided; absent in a proof written before lines were named (1.19). */
  readonly version?: PathCiliumSettings["version"];
  /** The namespace of Cilium's `cilium-config` ConfigMap (the release's); absent when no release is known. */
  readonly namespace?: string;
}

/** What `WEBHOOK_CHECK_PROOF` holds. */
export interface CheckProof {
  /** The format's version: 1. */
  readonly v: 1;
  readonly cilium: ProofCiliumSettings;
  readonly assume: Readonly<Required<PathAssumptions>>;
  readonly paths: readonly ProvenPath[];
}

const ENFORCEMENT: readonly string[] = POLICY_ENFORCEMENT_MODES;
const CIDR_MODES: readonly string[] = POLICY_CIDR_MATCH_MODES;
/** The Cilium lines a proof may name (version.ts is plain data: the check's bundle carries it). */
const LINES = Object.keys(CILIUM_PINS);
const LOCALHOST: readonly string[] = ALLOW_LOCALHOST_MODES;
const PROTOCOLS: readonly string[] = PATH_PROTOCOLS;
const VERDICT_WORDS: readonly string[] = VERDICTS;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isStringMap = (v: unknown) => isRecord(v) && Object.values(v).every((s) => typeof s === "string");

function peerProblem(peer: unknown, where: string): string | undefined {
  if (!isRecord(peer)) return `${where} must be an object`;
  if ("entity" in peer) return typeof peer.entity === "string" ? undefined : `${where}.entity must be a string`;
  if ("fqdn" in peer) return typeof peer.fqdn === "string" ? undefined : `${where}.fqdn must be a string`;
  if (typeof peer.namespace !== "string") return `${where} needs entity, fqdn or namespace`;
  if (!isStringMap(peer.labels)) return `${where}.labels must map strings to strings`;
  if (peer.namespaceLabels !== undefined && !isStringMap(peer.namespaceLabels))
    return `${where}.namespaceLabels must map strings to strings`;
  return undefined;
}

/**
 * Parses and checks `WEBHOOK_CHECK_PROOF`; throws an Error naming the first field that is wrong.
 * The construct writes it, so a wrong one means a hand-edited environment or a version skew.
 */
export function parseCheckProof(json: string): CheckProof {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new Error(`WEBHOOK_CHECK_PROOF is not JSON: ${(err as Error).message}`);
  }
  const fail = (what: string): never => {
    throw new Error(`WEBHOOK_CHECK_PROOF: ${what}`);
  };
  if (!isRecord(value)) fail("must be a JSON object");
  const proof = value as Record<string, unknown>;
  if (proof.v !== 1) fail(`v must be 1 (this check reads version 1), not ${JSON.stringify(proof.v)}`);
  const c = proof.cilium;
  if (!isRecord(c)) return fail("cilium must be an object");
  if (c.namespace !== undefined && typeof c.namespace !== "string") fail("cilium.namespace must be a string");
  if (!ENFORCEMENT.includes(c.policyEnforcementMode as string))
    fail(`cilium.policyEnforcementMode must be one of ${ENFORCEMENT.join(", ")}`);
  // A proof written before the lines were named has no version: it was decided with 1.19.
  if (c.version !== undefined && !LINES.includes(c.version as string)) fail(`cilium.version must be one of ${LINES.join(", ")}`);
  if (!CIDR_MODES.includes(c.policyCIDRMatchMode as string))
    fail(`cilium.policyCIDRMatchMode must be one of ${CIDR_MODES.map((m) => JSON.stringify(m)).join(", ")}`);
  if (typeof c.enableNonDefaultDenyPolicies !== "boolean") fail("cilium.enableNonDefaultDenyPolicies must be a boolean");
  if (!LOCALHOST.includes(c.allowLocalhost as string)) fail(`cilium.allowLocalhost must be one of ${LOCALHOST.join(", ")}`);
  if (typeof c.hostFirewall !== "boolean") fail("cilium.hostFirewall must be a boolean");
  const a = proof.assume;
  if (!isRecord(a) || !["closed", "open"].includes(a.policySet as string) || !["complete", "partial"].includes(a.labels as string)) {
    fail('assume must be { policySet: "closed" | "open", labels: "complete" | "partial" }');
  }
  if (!Array.isArray(proof.paths)) fail("paths must be a list");
  for (const [i, p] of (proof.paths as unknown[]).entries()) {
    const where = `paths[${i}]`;
    if (!isRecord(p)) return fail(`${where} must be an object`);
    if (typeof p.name !== "string" || p.name === "") fail(`${where}.name must be a non-empty string`);
    for (const side of ["from", "to"] as const) {
      const problem = peerProblem(p[side], `${where}.${side}`);
      if (problem) fail(problem);
    }
    if (!PROTOCOLS.includes(p.protocol as string)) fail(`${where}.protocol must be one of ${PROTOCOLS.join(", ")}`);
    if (!Number.isInteger(p.port) || (p.port as number) < 1 || (p.port as number) > 65535)
      fail(`${where}.port must be a whole number from 1 to 65535`);
    if (!VERDICT_WORDS.includes(p.verdict as string)) fail(`${where}.verdict must be one of ${VERDICT_WORDS.join(", ")}`);
  }
  return value as CheckProof;
}
