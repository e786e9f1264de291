/**
 * The path engine over documents already validated and null-pruned (the pure
 * part of analyzePath; lib/analyze-path.ts validates first).
 */
import { compilePolicies, decide, type PolicyIndex } from "./engine";
import type { EnginePolicy } from "./compile";
import { readInput, readOptions } from "./input";
import { decideNodePort } from "./node-port";
import {
  type DeclaredWorkload,
  type FoundWorkload,
  type MatrixPath,
  matrixProtocols,
  matrixWorkloads,
  type ReachabilityMatrix,
  reachabilityMatrix,
} from "./reachability";
import type { PathProtocol } from "../shared/vocabulary";
import type { AnalyzePathInput, PathAssumptions, PathCiliumSettings, PathVerdict } from "./types";

export type { EnginePolicy } from "./compile";
export type { AnalyzePathInput, PathPeer, PathVerdict, UnknownReason } from "./types";
export type {
  DeclaredWorkload,
  FoundWorkload,
  MatrixPath,
  ReachabilityCell,
  ReachabilityMatrix,
  Workload,
} from "./reachability";

// Compiled once per list of validated policies (and setting that changes compilation), so
// many paths over one policy set cost one compilation. Validated lists are fresh objects
// (analyzePath validates on each call), so this never serves a stale set to a caller.
const compiled = new WeakMap<readonly EnginePolicy[], Map<boolean, PolicyIndex>>();

function compiledFor(policies: readonly EnginePolicy[], enableNonDefaultDenyPolicies: boolean): PolicyIndex {
  let byFlag = compiled.get(policies);
  if (!byFlag) {
    byFlag = new Map();
    compiled.set(policies, byFlag);
  }
  let index = byFlag.get(enableNonDefaultDenyPolicies);
  if (!index) {
    index = compilePolicies(policies, enableNonDefaultDenyPolicies);
    byFlag.set(enableNonDefaultDenyPolicies, index);
  }
  return index;
}

/** analyzePath over validated policies: the path and settings are checked (TypeError), the policies are trusted. */
export function analyzeValidatedPath(policies: readonly EnginePolicy[], input: Omit<AnalyzePathInput, "policies">): PathVerdict {
  const { path, options } = readInput(input);
  const index = compiledFor(policies, options.enableNonDefaultDenyPolicies);
  return path.via ? decideNodePort(index, path, path.via, options) : decide(index, path, options);
}

/** What {@link reachabilityOfValidated} decides the matrix with, beside the policies. */
export interface ReachabilityInput {
  readonly requiredPaths?: readonly MatrixPath[];
  readonly workloads?: readonly DeclaredWorkload[];
  readonly cilium?: PathCiliumSettings;
  readonly assume?: PathAssumptions;
}

/** The reachability matrix (reachability.ts) over validated policies, compiled once for every cell. */
export function reachabilityOfValidated(policies: readonly EnginePolicy[], input: ReachabilityInput = {}): ReachabilityMatrix {
  const { workloads, protocols } = matrixPartsOfValidated(policies, input);
  return reachabilityOverValidated(policies, workloads, protocols, input);
}

/** The workloads and protocols of a policy set's matrix; `namespacePods: false` leaves out each namespace's pod without labels. */
export function matrixPartsOfValidated(
  policies: readonly EnginePolicy[],
  input: ReachabilityInput & { readonly namespacePods?: boolean } = {},
): { workloads: FoundWorkload[]; protocols: PathProtocol[] } {
  const options = readOptions(input);
  const index = compiledFor(policies, options.enableNonDefaultDenyPolicies);
  const requiredPaths = input.requiredPaths ?? [];
  return {
    workloads: matrixWorkloads(index, requiredPaths, input.workloads ?? [], input.namespacePods ?? true),
    protocols: matrixProtocols(index, requiredPaths),
  };
}

/** The matrix of validated policies over given workloads and protocols (a diff decides both sides over the same). */
export function reachabilityOverValidated(
  policies: readonly EnginePolicy[],
  workloads: readonly FoundWorkload[],
  protocols: readonly PathProtocol[],
  settings: Pick<ReachabilityInput, "cilium" | "assume"> = {},
): ReachabilityMatrix {
  const options = readOptions(settings);
  return reachabilityMatrix(compiledFor(policies, options.enableNonDefaultDenyPolicies), workloads, protocols, options);
}
