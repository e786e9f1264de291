// The public surface of cdktf-cilium: the constructs and their props, the policy documents a
// caller writes in code, the path engine's entry (analyzePath) with its types, the errors a synth
// raises, and synthOrExit. Nothing outside this file and lib/testing.ts (`cdktf-cilium/testing`)
// is API. api/*.api.md records both entries; `npm run api` rewrites them (a test compares).
export { CiliumPlatform, CiliumPlatformProps } from "./platform/cilium-platform";
export { CiliumRelease, CiliumReleaseOptions, CiliumReleaseProps } from "./cilium/release";
export { CiliumLine } from "./cilium/lines";
export { ClusterProviders, ClusterProvidersProps, KubeAccess, kubeAccessFromEnvironment } from "./cluster-handle/cluster-providers";
export { NetworkPolicies, NetworkPoliciesOptions, NetworkPoliciesProps, PolicyDirectory } from "./policies/network-policies";
export { CiliumPolicyDocument, CiliumRule, LabelSelector, PolicyMetadata } from "./policies/documents";
export { PolicySet, policySetDirectory } from "./policies/sets";
export { PolicyWarning } from "./policies/warnings";
export { WebhookCheck, WebhookCheckOptions, WebhookCheckProps } from "./webhook-check/webhook-check";
export { Scope } from "./webhook-check/settings";
export { CertManagerPathsOptions, RequiredPath, RequiredPaths } from "./proof/required-paths";
export { PolicyProof } from "./proof/prove";
export type { DeclaredWorkload } from "./paths/reachability";
export { analyzePath } from "./analyze-path";
export type {
  AnalyzePathInput,
  PathAssumptions,
  PathCiliumSettings,
  PathEntity,
  PathPeer,
  PathProtocol,
  PathVerdict,
  PolicyEnforcementMode,
  UnknownReason,
} from "./paths/types";
export { SynthError } from "./shared/synth-error";
export { PolicyProblem, PolicyValidationError } from "./policies/problems";
export { synthOrExit } from "./platform/synth-output";
