/**
 * The path engine over documents already validated and null-pruned (the pure
 * part of analyzePath; lib/analyze-path.ts validates first).
 */
import { compilePolicies, decide, type PolicyIndex } from "./engine";
import type { EnginePolicy } from "./compile";
import { readInput } from "./input";
import type { AnalyzePathInput, PathVerdict } from "./types";

export type { EnginePolicy } from "./compile";
export type { AnalyzePathInput, PathPeer, PathVerdict, UnknownReason } from "./types";

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
  return decide(compiledFor(policies, options.enableNonDefaultDenyPolicies), path, options);
}
