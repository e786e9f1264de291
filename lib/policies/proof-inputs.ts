/**
 * What a NetworkPolicies proves with, from its props: its required paths, the Cilium settings
 * (read from the release's values, else the `cilium` prop over the engine's defaults) and the
 * assumptions, with every refusal of those props. The proving itself is lib/proof/prove.ts.
 */
import type { CiliumLine } from "../cilium/lines";
import { ciliumPolicySettings } from "../proof/cilium-settings";
import { DEFAULT_CILIUM_SETTINGS } from "../paths/input";
import { duplicateNames, type ProofAssumptions, type ProofCilium } from "../proof/prove";
import type { RequiredPath } from "../proof/required-paths";

/** The props the proof's inputs come from (those of NetworkPoliciesOptions). */
export interface ProofProps {
  readonly requiredPaths?: readonly RequiredPath[];
  readonly cilium?: Partial<ProofCilium>;
  readonly assume?: ProofAssumptions;
  /** The release the policies follow: its values and line. */
  readonly release?: { readonly values: Readonly<Record<string, unknown>>; readonly line: CiliumLine };
}

/** The proof's inputs, and the refusals of the props they come from (empty when all hold). */
export interface ProofInputs {
  readonly requiredPaths: readonly RequiredPath[];
  readonly cilium: ProofCilium;
  readonly assume: Required<ProofAssumptions>;
  readonly refusals: string[];
}

/** The proof's inputs for policies judged by Cilium `line`. */
export function proofInputsOf(props: ProofProps, line: CiliumLine): ProofInputs {
  const requiredPaths = [...(props.requiredPaths ?? [])];
  const refusals = duplicateNames(requiredPaths).map(
    (name) => `requiredPaths: "${name}" is named twice; give each required path its own name`,
  );
  if (props.release && props.cilium) {
    refusals.push(
      "cilium: the proof reads Cilium's settings from the release's values; drop `cilium` (it is for Cilium installed outside this app)",
    );
  }
  return {
    requiredPaths,
    cilium: props.release
      ? ciliumPolicySettings(props.release.values, props.release.line)
      : { ...DEFAULT_CILIUM_SETTINGS, ...props.cilium, version: line },
    assume: { policySet: props.assume?.policySet ?? "closed", labels: props.assume?.labels ?? "complete" },
    refusals,
  };
}
