/**
 * analyzePath: validates and null-prunes the documents as the API
 * server stores them, then asks the pure path engine (lib/paths/).
 *
 * This file is the one adapter between the two: the engine must not reach
 * lib/policies/validate.ts, which loads Cilium's CRD validators from disk
 * (cilium-schema.ts: node:fs) and whose errors are SynthErrors (typed against
 * `constructs`), both refused in lib/paths/ by
 * __tests__/architecture/import-rules.test.ts.
 */
import { type CiliumLine, DEFAULT_CILIUM_LINE } from "./cilium/lines";
import { analyzeValidatedPath } from "./paths/index";
import { readInput } from "./paths/input";
import type { AnalyzePathInput, PathVerdict } from "./paths/types";
import { PolicyValidationError } from "./policies/problems";
import { validateDocuments } from "./policies/validate";

/**
 * The documents as the API server of Cilium `line` would store them, or a PolicyValidationError
 * naming `<analyzePath:policies[INDEX]>`.
 */
export function validatedForAnalysis(policies: unknown[], line: CiliumLine = DEFAULT_CILIUM_LINE) {
  if (!Array.isArray(policies)) throw new TypeError("analyzePath: policies must be an array of policy documents");
  const documents = policies.map((value, i) => ({ source: { file: `<analyzePath:policies[${i}]>`, document: 1 }, value }));
  const result = validateDocuments(documents, { line });
  if (result.problems.length > 0) throw new PolicyValidationError(result.problems, "analyzePath");
  return result.policies;
}

/**
 * Decides from the policy set alone whether one path (from an entity or a pod to
 * a pod, an entity or a DNS name, on a protocol and the pod port) is allowed,
 * denied (by which rule) or unknown, with the semantics of the Cilium line `cilium.version`
 * (the default pin's line unless given) for NetworkPolicy, CiliumNetworkPolicy and
 * CiliumClusterwideNetworkPolicy together; the documents are judged by that line's CRDs.
 *
 * @example
 * analyzePath({
 *   policies: [certManagerWebhookPolicy],
 *   path: { from: { entity: "kube-apiserver" }, to: { namespace: "cert-manager", labels: { app: "webhook" } }, protocol: "TCP", port: 10250 },
 * }).verdict; // "allowed" | "denied" | "unknown"
 */
export function analyzePath(input: AnalyzePathInput): PathVerdict {
  if (input === null || typeof input !== "object") throw new TypeError("analyzePath: input must be an object");
  const { options } = readInput(input); // an invalid path is a TypeError before any document is read
  return analyzeValidatedPath(validatedForAnalysis(input.policies, options.line), input);
}
