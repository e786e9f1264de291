import { existsSync, realpathSync, statSync } from "node:fs";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { Fn, type ITerraformDependable, type TerraformProvider, type TerraformResource, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import type { CiliumRelease } from "../cilium/release";
import { isDns1123Label } from "../shared/k8s-names";
import { legacyPolicyConstructId, policyConstructId, policyKey } from "./identity";
import { listPolicyFiles, loadPolicyFiles, type RawDocument } from "./load";
import { type PolicyProblem, PolicyValidationError } from "./problems";
import { toNetworkPolicyV1 } from "./translate";
import { type ValidatedPolicy, validateDocuments } from "./validate";
import { sha256, stableStringify } from "../shared/stable-json";
import { SynthError } from "../shared/synth-error";
import { escapeTerraform } from "../shared/terraform-escape";

/** A policy directory with settings, where a plain path is not enough. */
export interface PolicyDirectory {
  /** The directory. */
  readonly path: string;

  /**
   * Namespace for documents that name none, as `kubectl apply -n` gives it. A
   * document naming another namespace is refused; cluster-scoped kinds ignore it.
   *
   * @default - none: every namespaced document must name its namespace
   */
  readonly namespace?: string;

  /**
   * Read subdirectories too.
   *
   * @default true
   */
  readonly recursive?: boolean;
}

/** What a caller sets on {@link NetworkPolicies}. */
export interface NetworkPoliciesOptions {
  /**
   * Directories to load: every `*.yaml` / `*.yml` file below each one
   * (recursively unless `recursive: false`), multi-document files allowed, each
   * file once however the directories overlap. A plain string is a path; an
   * object can also give the directory a namespace. Supported kinds:
   * `networking.k8s.io/v1` NetworkPolicy (as `kubernetes_network_policy_v1`) and
   * `cilium.io/v2` CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy (as
   * `kubernetes_manifest`, which needs Cilium's CRDs at plan time).
   *
   * @default - no directory
   */
  readonly directories?: ReadonlyArray<string | PolicyDirectory>;

  /**
   * NetworkPolicies given in code, typed with kubernetes-models' NetworkPolicy.
   * Validated like files; problems name them `<code:networkPolicies[INDEX]>`.
   *
   * @default - none
   */
  readonly networkPolicies?: INetworkPolicy[];

  /**
   * Policy objects of any supported kind given in code, in the same form as a
   * YAML document (`{ apiVersion, kind, metadata, spec }`): the way to give
   * Cilium policies in code (their typed models are ESM-only and need Node 22).
   * Validated like files; problems name them `<code:INDEX>`.
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

  /**
   * Terraform state written by cdktf-cilium 0.1 may exist for these policies:
   * `"0.1"` writes a `moved` block from each policy's 0.1 address
   * (`Kind-namespace-name`) to its current one, so that state moves instead of
   * each policy being destroyed and re-created. Only for a stack that was
   * deployed with 0.1; a new stack has no such state and needs no moved block.
   *
   * @default - no moved block
   * @example "0.1"
   */
  readonly legacyAddresses?: "0.1";
}

/** Props of {@link NetworkPolicies}. */
export interface NetworkPoliciesProps extends NetworkPoliciesOptions {
  /**
   * The Cilium release every policy depends on, so policies are created after
   * the CNI that enforces them and destroyed before it. In another stack, make
   * this stack depend on that one instead (`addDependency`).
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
 * construct id comes from kind/namespace/name (policies/identity.ts), so renaming
 * or splitting a file never replaces a policy; with `legacyAddresses: "0.1"` the
 * addresses of version 0.1 are moved to the current ones with `moved` blocks.
 */
export class NetworkPolicies extends Construct {
  /** The validated policies, sorted by kind/namespace/name. */
  public readonly policies: readonly ValidatedPolicy[];
  /** One resource per policy, in the order of {@link policies}. */
  public readonly resources: readonly TerraformResource[];
  /** sha256 over every policy's content: changes exactly when a policy does. */
  public readonly contentHash: string;
  /** The policy files read, each once, in the order read. */
  public readonly files: readonly string[];
  /** The directories read, as given. */
  public readonly directories: readonly PolicyDirectory[];
  /**
   * Each policy's `metadata.uid` by kind/namespace/name: values known only after
   * apply, which change whenever a policy is (re-)created, so a check that lists
   * them among its triggers re-runs then.
   */
  public readonly uids: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: NetworkPoliciesProps = {}) {
    super(scope, id);
    const documents: RawDocument[] = [];
    const problems: PolicyProblem[] = [];
    const seen = new Set<string>();
    const files: string[] = [];
    const refusals: string[] = [];
    this.directories = (props.directories ?? []).map((entry) => (typeof entry === "string" ? { path: entry } : entry));
    for (const dir of this.directories) {
      if (!existsSync(dir.path) || !statSync(dir.path).isDirectory()) {
        refusals.push(`policy directory ${dir.path} does not exist or is not a directory`);
        continue;
      }
      if (dir.namespace !== undefined && !isDns1123Label(dir.namespace)) {
        refusals.push(`policy directory ${dir.path}: namespace "${dir.namespace}" is not a valid namespace name (RFC 1123 label)`);
        continue;
      }
      const fresh = listPolicyFiles(dir.path, dir.recursive ?? true).filter((file) => {
        const real = realpathSync(file);
        if (seen.has(real)) return false;
        seen.add(real);
        return true;
      });
      files.push(...fresh);
      const loaded = loadPolicyFiles(fresh, dir.namespace);
      documents.push(...loaded.documents);
      problems.push(...loaded.problems);
    }
    if (props.legacyAddresses !== undefined && props.legacyAddresses !== "0.1") {
      refusals.push(`legacyAddresses: "${String(props.legacyAddresses)}" is not a version with other addresses; use "0.1" or leave it out`);
    }
    if (refusals.length > 0) throw new SynthError(this, refusals);
    (props.networkPolicies ?? []).forEach((value, i) => {
      documents.push({ source: { file: `<code:networkPolicies[${i}]>`, document: 1 }, value: JSON.parse(JSON.stringify(value)) });
    });
    (props.manifests ?? []).forEach((value, i) => {
      documents.push({ source: { file: `<code:${i}>`, document: 1 }, value });
    });

    const validated = validateDocuments(documents);
    problems.push(...validated.problems);
    if (problems.length > 0) throw new PolicyValidationError(problems, this.node.path);

    const sorted = [...validated.policies].sort((a, b) => (policyKey(a) < policyKey(b) ? -1 : 1));
    this.policies = sorted;
    this.files = files;
    const dependsOn: ITerraformDependable[] = [...(props.release?.dependablesFor(this) ?? []), ...(props.dependsOn ?? [])];
    const legacyIds = sorted.map(legacyPolicyConstructId);
    this.resources = sorted.map((policy, i) => {
      const common = { ...(dependsOn.length > 0 ? { dependsOn } : {}), provider: props.provider };
      const resource =
        policy.kind === "NetworkPolicy"
          ? new NetworkPolicyV1(this, policyConstructId(policy), { ...common, ...escapeTerraform(toNetworkPolicyV1(policy)) })
          : new Manifest(this, policyConstructId(policy), { ...common, manifest: escapeTerraform(policy.manifest) });
      // Existing state at the 0.1 address moves here, unless two policies shared that address (then neither existed).
      if (props.legacyAddresses === "0.1" && legacyIds.indexOf(legacyIds[i]) === legacyIds.lastIndexOf(legacyIds[i]))
        resource.moveFromId(this.legacyAddress(resource, legacyIds[i]));
      return resource;
    });
    this.uids = Object.fromEntries(
      sorted.map((policy, i) => {
        const r = this.resources[i];
        const uid = r instanceof NetworkPolicyV1 ? r.metadata.uid : Fn.lookupNested((r as Manifest).object, ["metadata", "uid"]);
        return [policyKey(policy), uid];
      }),
    );
    this.contentHash = sha256(stableStringify(sorted.map((p) => [policyKey(p), p.manifest])));
  }

  /** The Terraform address a resource had under construct id `legacyId` (version 0.1). */
  private legacyAddress(resource: TerraformResource, legacyId: string): string {
    const probe = new Construct(this, legacyId);
    const address = `${resource.terraformResourceType}.${TerraformStack.of(this).getLogicalId(probe.node)}`;
    this.node.tryRemoveChild(legacyId);
    return address;
  }
}
