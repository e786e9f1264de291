// The public surface of cdktf-cilium. Nothing outside this file is API.
export { CiliumPlatform, CiliumPlatformProps } from "./platform/cilium-platform";
export { CiliumRelease, CiliumReleaseOptions, CiliumReleaseProps, DEFAULT_CILIUM_VERSION, CILIUM_HELM_REPOSITORY } from "./cilium/release";
export {
  CiliumValues,
  PolicyEnforcementMode,
  POLICY_ENFORCEMENT_MODES,
  TALOS_PRESET,
  TALOS_DNS_PRESET,
  TALOS_KUBEPRISM_HOST,
  TALOS_KUBEPRISM_HOSTS,
  TALOS_KUBEPRISM_PORT,
  mergeValues,
  Values,
} from "./cilium/values";
export { checkCiliumValues, validateCiliumValues, ValidateCiliumValuesOptions, ValuesProblem } from "./cilium/values-schema";
export {
  CILIUM_LINES,
  CILIUM_PINS,
  CiliumLine,
  CiliumLineFacts,
  DEFAULT_CILIUM_LINE,
  SUPPORTED_CILIUM_LINES,
} from "./cilium/lines";
export { SynthError } from "./shared/synth-error";
export { AppOrBuilder, synthOrExit } from "./platform/synth-output";
export { ClusterProviders, ClusterProvidersProps, KubeAccess, kubeAccessFromEnvironment } from "./cluster-handle/cluster-providers";
export { NetworkPolicies, NetworkPoliciesOptions, NetworkPoliciesProps, PolicyDirectory } from "./policies/network-policies";
export { DocumentSource, PolicyProblem, PolicyValidationError } from "./policies/problems";
export { PolicyIdentity, policyConstructId, policyKey } from "./policies/identity";
export {
  PolicyKind,
  SUPPORTED_KINDS,
  ValidatedBase,
  ValidatedCiliumPolicy,
  ValidatedNetworkPolicy,
  ValidatedPolicy,
} from "./policies/validate";
export type { CiliumKind } from "./policies/crd-schema";
export {
  CiliumPolicyDocument,
  CiliumRule,
  CiliumRuleEntry,
  LabelSelector,
  NetworkPolicyDocument,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  NetworkPolicyRule,
  PolicyMetadata,
} from "./policies/documents";
export { PolicyWarning, POLICY_WARNINGS } from "./policies/warnings";
export { PolicySet, POLICY_SETS, policySetDirectory } from "./policies/sets";
export { analyzePath } from "./analyze-path";
export type {
  AnalyzePathInput,
  PathAssumptions,
  PathCiliumSettings,
  PathEntity,
  PathPeer,
  PathVerdict,
  UnknownReason,
} from "./paths/types";
export type { DeclaredWorkload, MatrixProtocol, MatrixVerdict, ReachabilityCell, ReachabilityMatrix, Workload } from "./paths/reachability";
export { Scope, SCOPES } from "./webhook-check/settings";
export { WebhookCheck, WebhookCheckOptions, WebhookCheckProps } from "./webhook-check/webhook-check";
export { CertManagerPathsOptions, PathProtocol, RequiredPath, RequiredPaths } from "./proof/required-paths";
export { PathProof, PolicyProof, ProofAssumptions, ProofCilium } from "./proof/prove";
