/**
 * The path engine over documents already validated and null-pruned (the pure
 * part of analyzePath; lib/analyze-path.ts validates first).
 */
import { compilePolicies, decide } from "./engine";
import type { EnginePolicy } from "./compile";
import { readInput } from "./input";
import type { AnalyzePathInput, PathVerdict } from "./types";

export type { EnginePolicy } from "./compile";
export type { AnalyzePathInput, PathPeer, PathVerdict, UnknownReason } from "./types";

/** analyzePath over validated policies: the path and settings are checked (TypeError), the policies are trusted. */
export function analyzeValidatedPath(policies: readonly EnginePolicy[], input: Omit<AnalyzePathInput, "policies">): PathVerdict {
  const { path, options } = readInput(input);
  return decide(compilePolicies(policies, options.enableNonDefaultDenyPolicies), path, options);
}
