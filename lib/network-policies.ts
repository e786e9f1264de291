import { existsSync, statSync } from "node:fs";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import type { ITerraformDependable, TerraformProvider, TerraformResource } from "cdktf";
import { Construct } from "constructs";
import type { CiliumRelease } from "./cilium-release";
import { loadPolicyDirectory, type RawDocument } from "./policies/load";
import { type PolicyProblem, PolicyValidationError } from "./policies/problems";
import { policyConstructId, toNetworkPolicyV1 } from "./policies/translate";
import { policyKey, validateDocuments, type ValidatedPolicy } from "./policies/validate";
import { sha256, stableStringify } from "./stable-json";

/** What a caller sets on {@link NetworkPolicies}. */
export interface NetworkPoliciesOptions {
  /**
   * Directories to load: every `*.yaml` / `*.yml` file below each one,
   * recursively, multi-document files allowed. Supported kinds:
   * `networking.k8s.io/v1` NetworkPolicy (as `kubernetes_network_policy_v1`) and
   * `cilium.io/v2` CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy (as
   * `kubernetes_manifest`, which needs Cilium's CRDs at plan time).
   *
   * @default - no directory
   */
  readonly directories?: string[];

  /**
   * Policy objects given in code, in the same form as a YAML document
   * (`{ apiVersion, kind, metadata, spec }`). Validated like files; problems
   * name them `<code:INDEX>`.
   *
   * @default - none
   */
  readonly manifests?: Record<string, unknown>[];

  /**
   * Further resources every policy must wait for, beside the release.
   *
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];

  /**
   * The kubernetes provider to create the policies with.
   *
   * @default - the stack's default kubernetes provider
   */
  readonly provider?: TerraformProvider;
}

/** Props of {@link NetworkPolicies}. */
export interface NetworkPoliciesProps extends NetworkPoliciesOptions {
  /**
   * The Cilium release every policy depends on, so policies are created after
   * the CNI that enforces them and destroyed before it.
   *
   * @default - no release dependency (Cilium managed outside this stack)
   */
  readonly release?: CiliumRelease;
}

/**
 * Network policies from YAML files and code, validated at synth and emitted as
 * one Terraform resource each.
 *
 * Fails at synth, before anything is written, when any document is bad, with
 * every problem in every file (file, document number, field). Each resource's
 * construct id comes from kind/namespace/name, so renaming or splitting a file
 * never replaces a policy.
 */
export class NetworkPolicies extends Construct {
  /** The validated policies, sorted by kind/namespace/name. */
  public readonly policies: readonly ValidatedPolicy[];
  /** One resource per policy, in the order of {@link policies}. */
  public readonly resources: readonly TerraformResource[];
  /** sha256 over every policy's content: changes exactly when a policy does. */
  public readonly contentHash: string;
  /** The release the policies depend on, if any. */
  public readonly release?: CiliumRelease;

  constructor(scope: Construct, id: string, props: NetworkPoliciesProps = {}) {
    super(scope, id);
    this.release = props.release;
    const documents: RawDocument[] = [];
    const problems: PolicyProblem[] = [];
    for (const dir of props.directories ?? []) {
      if (!existsSync(dir) || !statSync(dir).isDirectory()) {
        throw new Error(`NetworkPolicies "${id}": policy directory ${dir} does not exist or is not a directory`);
      }
      const loaded = loadPolicyDirectory(dir);
      documents.push(...loaded.documents);
      problems.push(...loaded.problems);
    }
    (props.manifests ?? []).forEach((value, i) => {
      documents.push({ source: { file: `<code:${i}>`, document: 1 }, value });
    });

    const validated = validateDocuments(documents);
    problems.push(...validated.problems);
    if (problems.length > 0) throw new PolicyValidationError(problems);

    const sorted = [...validated.policies].sort((a, b) => (policyKey(a) < policyKey(b) ? -1 : 1));
    this.policies = sorted;
    const dependsOn: ITerraformDependable[] = [...(props.release ? [props.release.release] : []), ...(props.dependsOn ?? [])];
    this.resources = sorted.map((policy) => {
      const cid = policyConstructId(policy);
      const common = { dependsOn, provider: props.provider };
      if (policy.kind === "NetworkPolicy") return new NetworkPolicyV1(this, cid, { ...common, ...toNetworkPolicyV1(policy) });
      return new Manifest(this, cid, { ...common, manifest: policy.manifest });
    });
    this.contentHash = sha256(stableStringify(sorted.map((p) => [policyKey(p), p.manifest])));
  }
}
