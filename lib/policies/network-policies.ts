// NetworkPolicies: the construct that loads, validates and translates a set of policies into one
// resource each, proves the required paths over every policy of its cluster, and carries the
// proof to the webhook check.
import { writeFileSync } from "node:fs";
import * as nodePath from "node:path";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import {
  Aspects,
  dependable,
  Fn,
  type IAspect,
  type ISynthesisSession,
  type ITerraformDependable,
  type TerraformProvider,
  type TerraformResource,
  TerraformStack,
} from "cdktf";
import { Construct, type IConstruct } from "constructs";
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { type CiliumLine, DEFAULT_CILIUM_LINE, readCiliumLine } from "../cilium/lines";
import type { CiliumRelease } from "../cilium/release";
import { type DeclaredWorkload, type EnginePolicy, type PathVerdict, type ReachabilityMatrix, reachabilityOfValidated } from "../paths";
import type { PathAssumptions, PathCiliumSettings } from "../paths/types";
import { describePath, describePeer, type PolicyProof, type ProofAssumptions, type ProofCilium, provePaths } from "../proof/prove";
import { policyHashes, REACHABILITY_FILE, reachabilityJson } from "../proof/reachability";
import type { RequiredPath } from "../proof/required-paths";
import { clusterKeyOf } from "../shared/cluster-key";
import { type ClusterProviders, providerFor } from "../cluster-handle/cluster-providers";
import { warn } from "../shared/warn";
import { type KnownProps, propProblems } from "../shared/known-props";
import { orderAfter } from "../shared/ordering";
import { legacyPolicyConstructId, policyConstructId, policyKey } from "./identity";
import { loadDirectories, type RawDocument } from "./load";
import { proofInputsOf } from "./proof-inputs";
import { fieldPath, type PolicyProblem, PolicyValidationError, problemAt } from "./problems";
import { toNetworkPolicyV1 } from "./translate";
import { type ValidatedPolicy, validateDocuments } from "./validate";
import { formatWarning, POLICY_WARNINGS, type PolicyWarning } from "./warnings";
import type { CiliumPolicyDocument } from "./documents";
import { sha256, stableStringify } from "../shared/stable-json";
import { SynthError } from "../shared/synth-error";
import { literalTerraform, tokenShapedValues } from "../shared/terraform-escape";

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

/** What a caller sets on {@link NetworkPolicies}.
 *
 * @example
 * {
 *   directories: ["./policies", { path: "./policies/shop", namespace: "shop" }],
 *   requiredPaths: RequiredPaths.certManager(),
 * }
 */
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
   * Cilium policies in code, typed with `CiliumPolicyDocument`.
   * Validated like files; problems name them `<code:INDEX>`.
   *
   * @default - none
   * @example
   * manifests: [{ apiVersion: "cilium.io/v2", kind: "CiliumNetworkPolicy",
   *   metadata: { name: "webhook", namespace: "cert-manager" },
   *   spec: { endpointSelector: {}, ingress: [{ fromEntities: ["kube-apiserver"] }] } }]
   */
  readonly manifests?: ReadonlyArray<CiliumPolicyDocument | Record<string, unknown>>;

  /**
   * Policy warnings not to print. Valid documents that do not do what they seem to say
   * get a warning at synth (cdktf prints it with the construct path), naming the file,
   * the document and the field: `null-peer-list` (a Cilium peer list written with no
   * value, which kube-apiserver drops), `node-selector-in-namespaced-policy`,
   * `namespace-dropped` (a CiliumClusterwideNetworkPolicy's namespace, left out),
   * `status-dropped`, `server-metadata-dropped` (`kubectl get -o yaml` residue, left
   * out), `no-rules` (neither spec nor specs), `port-out-of-range` (a port string above
   * 65535 the CRD lets through), `icmp-type-out-of-range` (above 255).
   *
   * @default - every warning is printed
   * @example
   * silenceWarnings: ["server-metadata-dropped"]
   */
  readonly silenceWarnings?: readonly PolicyWarning[];

  /**
   * Further resources every policy must wait for, beside the release (or call
   * `runAfter` later). One of another stack is not written into `depends_on`
   * (Terraform refuses that): this stack depends on that one.
   *
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];

  /**
   * The cluster to create the policies in: its kubernetes provider. Of this
   * construct's stack.
   *
   * @default - `provider`
   * @example new ClusterProviders(stack, "providers", { context: "admin@lab" })
   */
  readonly cluster?: ClusterProviders;

  /**
   * The kubernetes provider to create the policies with, when not `cluster` (a
   * ClusterProviders' provider counts as its cluster).
   *
   * @default - the stack's default kubernetes provider
   */
  readonly provider?: TerraformProvider;

  /**
   * Paths that must stay open, proven at every synth by the path engine over every policy the app
   * deploys to the same cluster (all NetworkPolicies whose provider talks to it, in any stack). A
   * denied path stops synth (`onDenied`), naming the rule that decides it; an unknown one is a warning
   * (`onUnknown`). The verdicts are in {@link NetworkPolicies.proof} and travel to the webhook check.
   *
   * @example
   * requiredPaths: RequiredPaths.certManager()
   * @default - none: nothing is proven
   */
  readonly requiredPaths?: RequiredPath[];

  /**
   * The Cilium settings the proof decides with, where no `release` is known (Cilium installed
   * outside this app). With a `release`, they come from its merged values instead.
   *
   * `version` is the Cilium line whose CRDs judge the documents and whose semantics decide.
   *
   * @default - Cilium's defaults: version the default line, policyEnforcementMode "default", policyCIDRMatchMode "",
   * enableNonDefaultDenyPolicies true, allowLocalhost "auto", hostFirewall false
   */
  // Without the settings only a NodePort path reads (PolicyCiliumSettings): the proof's paths are
  // pod paths, and synth refuses them (PROOF_CILIUM_PROPS). Written out, as this type is public.
  readonly cilium?: Readonly<Omit<PathCiliumSettings, "kubeProxyReplacement" | "socketLB" | "loadBalancer">>;

  /**
   * What a denied required path does: stop synth (`error`), warn, or nothing.
   *
   * @default "error"
   */
  readonly onDenied?: "error" | "warn" | "ignore";

  /**
   * What a required path the engine cannot decide does (a named port, an FQDN, labels it does not
   * know, ...): stop synth, warn (`warn`), or nothing.
   *
   * @default "warn"
   */
  readonly onUnknown?: "error" | "warn" | "ignore";

  /**
   * What the proof assumes about what it cannot see: other policies in the cluster
   * (`policySet`), other labels on the pods (`labels`).
   *
   * @default { policySet: "closed", labels: "complete" }
   */
  readonly assume?: Readonly<PathAssumptions>;

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

  /**
   * Write the reachability matrix (who can reach whom, docs/proof.md) at synth, as
   * `cdktf.out/stacks/<stack>/reachability.json`, for `cilium-explain diff` and `matrix`. Off by
   * default: deciding every pair of workloads costs synth time.
   *
   * @default false
   */
  readonly reachability?: boolean;

  /**
   * Pods to show in the reachability matrix by a name of their own, beside the workloads the
   * policies' selectors and the required paths give.
   *
   * @default - none
   * @example
   * workloads: [{ name: "shop-db", namespace: "shop", labels: { app: "db" } }]
   */
  readonly workloads?: readonly DeclaredWorkload[];
}

/** Props of {@link NetworkPolicies}.
 *
 * @example
 * new NetworkPolicies(stack, "policies", { cluster, release, directories: ["./policies"] });
 */
export interface NetworkPoliciesProps extends NetworkPoliciesOptions {
  /**
   * The Cilium release every policy depends on, so policies are created after
   * the CNI that enforces them and destroyed before it. In another stack, this
   * stack depends on that one instead (a `depends_on` cannot cross stacks).
   *
   * @default - no release dependency (Cilium managed outside this stack)
   */
  readonly release?: CiliumRelease;
}

/** Every prop of {@link NetworkPoliciesOptions}. */
export const NETWORK_POLICIES_OPTIONS = {
  directories: "array",
  networkPolicies: "array",
  manifests: "array",
  dependsOn: "array",
  cluster: "object",
  provider: "object",
  silenceWarnings: "string[]",
  requiredPaths: "array",
  cilium: "object",
  onDenied: "string",
  onUnknown: "string",
  assume: "object",
  legacyAddresses: "string",
  reachability: "boolean",
  workloads: "array",
} as const satisfies KnownProps<NetworkPoliciesOptions>;
/** Every prop of {@link NetworkPoliciesProps}: anything else is refused at synth. */
const NETWORK_POLICIES_PROPS = { ...NETWORK_POLICIES_OPTIONS, release: "object" } as const satisfies KnownProps<NetworkPoliciesProps>;
const POLICY_DIRECTORY_PROPS = { path: "string", namespace: "string", recursive: "boolean" } as const satisfies KnownProps<PolicyDirectory>;
const PROOF_CILIUM_PROPS = {
  version: "string",
  policyEnforcementMode: "string",
  policyCIDRMatchMode: "string",
  enableNonDefaultDenyPolicies: "boolean",
  allowLocalhost: "string",
  hostFirewall: "boolean",
} as const satisfies KnownProps<ProofCilium>;
const ASSUME_PROPS = { policySet: "string", labels: "string" } as const satisfies KnownProps<ProofAssumptions>;
const WORKLOAD_PROPS = { name: "string", namespace: "string", labels: "object" } as const satisfies KnownProps<DeclaredWorkload>;
const REQUIRED_PATH_PROPS = {
  name: "string",
  from: "object",
  to: "object",
  protocol: "string",
  port: "number",
  labels: "string",
} as const satisfies KnownProps<RequiredPath>;

/**
 * Network policies from YAML files and code, validated at synth and emitted as
 * one Terraform resource each.
 *
 * Fails at synth, before anything is written, when any document is bad, with
 * every problem in every file (file, document number, field). Each resource's
 * construct id comes from kind/namespace/name (policies/identity.ts), so renaming
 * or splitting a file never replaces a policy; with `legacyAddresses: "0.1"` the
 * addresses of version 0.1 are moved to the current ones with `moved` blocks.
 *
 * @example
 * const policies = new NetworkPolicies(stack, "policies", {
 *   cluster,
 *   release,
 *   directories: ["./policies"],
 *   requiredPaths: RequiredPaths.certManager(),
 * });
 * policies.runAfter(certManagerRelease); // wait for the namespace the policies live in
 */
export class NetworkPolicies extends Construct {
  /** @internal The same as `documents`. */
  public readonly policies: readonly ValidatedPolicy[];
  /** One resource per policy, sorted by kind, namespace and name. */
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
  /** The paths this construct requires (`requiredPaths`), proven at synth. */
  public readonly requiredPaths: readonly RequiredPath[];
  /** The workloads this construct names for the reachability matrix (`workloads`). */
  public readonly workloads: readonly DeclaredWorkload[];
  /** The cluster these policies are deployed to (providers with the same kubeconfig and context share it). */
  private readonly clusterKey: string;
  private readonly proofCilium: ProofCilium;
  private readonly ciliumNamespace?: string;
  private readonly proofAssume: Required<ProofAssumptions>;
  private readonly onDenied: "error" | "warn" | "ignore";
  private readonly onUnknown: "error" | "warn" | "ignore";

  constructor(scope: Construct, id: string, props: NetworkPoliciesProps = {}) {
    super(scope, id);
    const unknown = [
      ...propProblems(props, NETWORK_POLICIES_PROPS),
      ...(props.directories ?? []).flatMap((entry, i) => propProblems(entry, POLICY_DIRECTORY_PROPS, `directories[${i}]`)),
      ...propProblems(props.cilium, PROOF_CILIUM_PROPS, "cilium"),
      ...propProblems(props.assume, ASSUME_PROPS, "assume"),
      ...(props.requiredPaths ?? []).flatMap((entry, i) => propProblems(entry, REQUIRED_PATH_PROPS, `requiredPaths[${i}]`)),
      ...(props.workloads ?? []).flatMap((entry, i) => propProblems(entry, WORKLOAD_PROPS, `workloads[${i}]`)),
    ];
    const target = providerFor(this, props, "kubernetes");
    unknown.push(...target.problems);
    // A prop of the wrong kind cannot be read further; an unknown one is only reported.
    if (unknown.some((line) => / must be /.test(line))) throw new SynthError(this, unknown);
    // Every stage runs, and one error reports what all of them found.
    this.directories = (props.directories ?? []).map((entry) => (typeof entry === "string" ? { path: entry } : entry));
    const loaded = loadDirectories(this.directories);
    const documents = [...loaded.documents, ...codeDocuments(props)];
    const refusals = [...unknown, ...loaded.refusals];
    if (props.legacyAddresses !== undefined && props.legacyAddresses !== "0.1") {
      refusals.push(`legacyAddresses: "${String(props.legacyAddresses)}" is not a version with other addresses; use "0.1" or leave it out`);
    }
    const silenced = new Set<PolicyWarning>(props.silenceWarnings ?? []);
    const unknownIds = [...silenced].filter((id) => !POLICY_WARNINGS.includes(id));
    if (unknownIds.length > 0) {
      refusals.push(
        `silenceWarnings: unknown warning ${unknownIds.map((id) => JSON.stringify(id)).join(", ")}; the ids are ${POLICY_WARNINGS.join(", ")}`,
      );
    }
    const line = this.ciliumLine(props, refusals);
    const proofInputs = proofInputsOf(props, line);
    refusals.push(...proofInputs.refusals);
    const validated = validateDocuments(documents, { line });
    const problems = [...loaded.problems, ...validated.problems, ...literalProblems(validated.policies)];
    if (problems.length > 0) throw new PolicyValidationError(problems, this.node.path, refusals);
    if (refusals.length > 0) throw new SynthError(this, refusals);
    const files = loaded.files;
    const printed = new Set<string>();
    for (const warning of validated.warnings) {
      const text = formatWarning(warning);
      if (silenced.has(warning.id) || printed.has(text)) continue;
      printed.add(text);
      warn(this, text);
    }

    const sorted = [...validated.policies].sort((a, b) => (policyKey(a) < policyKey(b) ? -1 : 1));
    this.policies = sorted;
    this.files = files;
    const dependsOn: ITerraformDependable[] = [
      // A release of another stack orders the stacks (this one depends on the release's).
      ...orderAfter(this, props.release ? [props.release.helmRelease] : [], "release").sameStack,
      ...orderAfter(this, props.dependsOn ?? [], "dependsOn").sameStack,
    ];
    const legacyIds = sorted.map(legacyPolicyConstructId);
    this.resources = sorted.map((policy, i) => {
      const common = { ...(dependsOn.length > 0 ? { dependsOn } : {}), provider: target.provider };
      const resource =
        policy.kind === "NetworkPolicy"
          ? new NetworkPolicyV1(this, policyConstructId(policy), { ...common, ...literalTerraform(toNetworkPolicyV1(policy)) })
          : new Manifest(this, policyConstructId(policy), { ...common, manifest: literalTerraform({ ...policy.manifest }) });
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

    this.requiredPaths = proofInputs.requiredPaths;
    this.workloads = [...(props.workloads ?? [])];
    this.clusterKey = clusterKeyOf(target.provider, TerraformStack.of(this).node.path);
    this.proofCilium = proofInputs.cilium;
    this.ciliumNamespace = props.release?.namespace;
    this.proofAssume = proofInputs.assume;
    this.onDenied = props.onDenied ?? "error";
    this.onUnknown = props.onUnknown ?? "warn";
    // Its kind was checked with the other props (NETWORK_POLICIES_OPTIONS).
    if (props.reachability === true) writeReachabilityAtSynth(this);
    if (this.requiredPaths.length > 0) {
      const stack = TerraformStack.of(this);
      if (!proofAspectAdded.has(stack)) {
        proofAspectAdded.add(stack);
        Aspects.of(stack).add(new ProveRequiredPaths());
      }
    }
  }

  /** @internal The validated policy documents, as the API server stores them, sorted by kind/namespace/name. */
  public get documents(): readonly ValidatedPolicy[] {
    return this.policies;
  }

  /**
   * The proof of {@link NetworkPolicies.requiredPaths}: each path's verdict, decided over every policy the app
   * deploys to this cluster, and what the verdicts assume (Cilium settings, policy set, labels).
   * Computed when read; synth reads it once every construct exists.
   */
  public get proof(): PolicyProof {
    const { documents, policies, members } = this.clusterPolicies();
    return {
      paths: provePaths(documents, this.requiredPaths, this.proofCilium, this.proofAssume),
      cilium: this.proofCilium,
      ...(this.ciliumNamespace !== undefined ? { ciliumNamespace: this.ciliumNamespace } : {}),
      assume: this.proofAssume,
      policies,
      members,
    };
  }

  /** Decides one path as the proof does: over the cluster's policies, with this construct's settings. */
  public decidePath(path: Omit<RequiredPath, "name"> & { readonly name?: string }): PathVerdict {
    const { documents } = this.clusterPolicies();
    return provePaths(documents, [{ name: path.name ?? "path", ...path }], this.proofCilium, this.proofAssume)[0].verdict;
  }

  /**
   * Who can reach whom: for every ordered pair of the cluster's workloads, the port ranges with one
   * verdict each (`allowed`, `denied` or `unknown`) and the deciding policy, decided as the proof
   * decides, over every policy the app deploys to this cluster (docs/proof.md, "Reachability").
   * The workloads: each required path's ends and each declared workload of the cluster's
   * NetworkPolicies, a representative pod per selector the policies use, one pod without labels per
   * namespace, and the entities world, kube-apiserver, host and remote-node. The `reachability`
   * prop writes it at synth; the reachability CLI reads that file.
   *
   * @internal
   */
  public reachability(): ReachabilityMatrix {
    const { documents } = this.clusterPolicies();
    const cluster = this.clusterMembers();
    try {
      return reachabilityOfValidated(documents, {
        requiredPaths: cluster.flatMap((m) => m.requiredPaths),
        workloads: cluster.flatMap((m) => m.workloads),
        cilium: this.proofCilium,
        assume: this.proofAssume,
      });
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      throw new SynthError(this, [`${e.message} (the workloads of ${cluster.map((m) => m.node.path).join(", ")})`]);
    }
  }

  /** The file {@link NetworkPoliciesOptions.reachability} writes: the matrix, each policy's content hash, the settings. */
  public reachabilityFile(): string {
    return reachabilityJson({
      matrix: this.reachability(),
      policies: policyHashes(this.clusterPolicies().documents),
      settings: { cilium: this.proofCilium, assume: this.proofAssume },
    });
  }

  /** @internal The cluster this construct deploys to, as a key (providers with the same kubeconfig and context share it). */
  public get cluster(): string {
    return this.clusterKey;
  }

  /** How many required paths are proven (allowed) and how many unknown, for summaries. */
  public proofSummary(): { readonly proven: number; readonly unknown: number; readonly denied: number } {
    const verdicts = this.proof.paths.map((p) => p.verdict.verdict);
    return {
      proven: verdicts.filter((v) => v === "allowed").length,
      unknown: verdicts.filter((v) => v === "unknown").length,
      denied: verdicts.filter((v) => v === "denied").length,
    };
  }

  /**
   * The Cilium line that judges the documents and the proof: the release's, else `cilium.version`,
   * else the default line. A bad `cilium.version` joins `refusals`, and the default line judges meanwhile.
   */
  private ciliumLine(props: NetworkPoliciesProps, refusals: string[]): CiliumLine {
    if (props.release) return props.release.line;
    try {
      return readCiliumLine(props.cilium?.version, "cilium.version");
    } catch (err) {
      refusals.push((err as Error).message);
      return DEFAULT_CILIUM_LINE;
    }
  }

  /** Every NetworkPolicies of the app that deploys to this cluster, by construct path. */
  private clusterMembers(): NetworkPolicies[] {
    return this.node.root.node
      .findAll()
      .filter((c): c is NetworkPolicies => c instanceof NetworkPolicies && c.clusterKey === this.clusterKey)
      .sort((a, b) => (a.node.path < b.node.path ? -1 : 1));
  }

  /** Every NetworkPolicies of the app that deploys to this cluster, and their policies. */
  private clusterPolicies(): { documents: EnginePolicy[]; policies: string[]; members: string[] } {
    const members = this.clusterMembers();
    const owner = new Map<string, NetworkPolicies>();
    const twice: string[] = [];
    const documents: EnginePolicy[] = [];
    for (const member of members) {
      for (const policy of member.documents) {
        const key = policyKey(policy);
        const first = owner.get(key);
        if (first) {
          twice.push(`${key} is deployed to the same cluster by ${first.node.path} and ${member.node.path}; keep it in one of them`);
          continue;
        }
        owner.set(key, member);
        documents.push(policy);
      }
    }
    if (twice.length > 0) throw new SynthError(this, twice);
    return { documents, policies: [...owner.keys()].sort(), members: members.map((m) => m.node.path) };
  }

  /** @internal Refuses denied paths and warns of unknown ones, as `onDenied`/`onUnknown` say (the proof aspect). */
  public enforceProof(): void {
    if (this.requiredPaths.length === 0) return;
    const refusals: string[] = [];
    // Denied paths refused, by the policy that decided them: one default-deny cutting off a
    // whole namespace is one problem listing its paths, not one repeated screenful per path.
    const denied = new Map<string, Array<{ path: RequiredPath; verdict: PathVerdict }>>();
    for (const { path, verdict } of this.proof.paths) {
      if (verdict.verdict === "allowed") continue;
      const action = verdict.verdict === "denied" ? this.onDenied : this.onUnknown;
      if (action === "ignore") continue;
      if (action === "error" && verdict.verdict === "denied") {
        const key = verdict.blame?.policy === undefined ? `path ${path.name}` : `${verdict.blame.kind} ${verdict.blame.policy}`;
        denied.set(key, [...(denied.get(key) ?? []), { path, verdict }]);
        continue;
      }
      const line = verdict.verdict === "denied" ? this.deniedLine(path, verdict) : this.unknownLine(path, verdict);
      if (action === "error") refusals.push(line);
      else warn(this, line);
    }
    for (const group of denied.values())
      refusals.push(group.length === 1 ? this.deniedLine(group[0].path, group[0].verdict) : this.deniedGroupLine(group));
    if (refusals.length > 0) throw new SynthError(this, refusals);
  }

  /**
   * The required paths one policy denies, as one problem: the policy, each path under the
   * pod whose ingress or egress it cuts (that pod's selector written once), why, and one fix.
   */
  private deniedGroupLine(group: ReadonlyArray<{ path: RequiredPath; verdict: PathVerdict }>): string {
    const blame = group[0].verdict.blame;
    const policy = blame?.policy ?? "";
    const lines = [`${policy}${this.sourceOf(policy)} denies ${group.length} required paths:`];
    const bySide = new Map<string, string[]>();
    for (const { path, verdict } of group) {
      const direction = verdict.blame?.direction ?? "ingress";
      const [here, there, word] = direction === "egress" ? [path.from, path.to, "to"] : [path.to, path.from, "from"];
      const side = `${direction} of ${describePeer(here)}:`;
      bySide.set(side, [...(bySide.get(side) ?? []), `  ${path.name}: ${word} ${describePeer(there)}, ${path.protocol}/${path.port}`]);
    }
    for (const [side, paths] of bySide) lines.push(side, ...paths);
    lines.push(
      blame?.kind === "deny-rule"
        ? "why: a deny rule of it matches each path (a deny beats every allow)"
        : "why: it isolates each pod above in the direction named, and no allow rule of any policy admits the path",
    );
    const fix =
      blame?.kind === "deny-rule"
        ? "narrow or remove that deny rule (a deny beats every allow)"
        : "allow each path in a rule of a policy selecting that pod, in the direction named, on the pod port (after Service translation); " +
          "a host-networked API server is the entity kube-apiserver (`fromEntities: [kube-apiserver]`, `toEntities: [kube-apiserver]`)";
    lines.push(`fix: ${fix}; or set onDenied: "warn" to deploy anyway`);
    return lines.join("\n      ");
  }

  private sourceOf(key: string | undefined): string {
    if (key === undefined) return "";
    for (const member of this.node.root.node.findAll()) {
      if (!(member instanceof NetworkPolicies) || member.clusterKey !== this.clusterKey) continue;
      const policy = member.documents.find((p) => policyKey(p) === key);
      if (policy) return ` (${policy.source.file}, document ${policy.source.document})`;
    }
    return "";
  }

  private deniedLine(path: RequiredPath, verdict: PathVerdict): string {
    const blame = verdict.blame;
    const direction = blame?.direction ?? "ingress";
    const side = direction === "egress" ? "source" : "destination";
    const where = (key: string) => `${key}${this.sourceOf(key)}`;
    const lines = [`required path ${describePath(path)} is denied at the ${side}'s ${direction}`];
    if (blame?.policy) lines.push(`decided by ${where(blame.policy)}`);
    if (blame && blame.isolatedBy.length > 0) lines.push(`${direction} isolated by ${blame.isolatedBy.map(where).join(", ")}`);
    lines.push(...verdict.explanation.map((step) => `why: ${step}`));
    const entity = "entity" in path.from ? path.from.entity : undefined;
    const peer =
      entity === "kube-apiserver"
        ? "kube-apiserver (Cilium knows a host-networked API server as the entity kube-apiserver, `fromEntities: [kube-apiserver]`, never by its node's CIDR unless policyCIDRMatchMode is nodes)"
        : "this peer";
    const fix =
      blame?.kind === "deny-rule"
        ? "narrow or remove that deny rule (a deny beats every allow)"
        : `allow ${peer} in an ${direction} rule of a policy selecting the ${side}, on ${path.protocol}/${path.port} (the pod port, after Service translation)`;
    lines.push(`fix: ${fix}; or set onDenied: "warn" to deploy anyway`);
    return lines.join("\n      ");
  }

  private unknownLine(path: RequiredPath, verdict: PathVerdict): string {
    return [
      `required path ${describePath(path)} cannot be decided from the policies (${verdict.unknownReason ?? "unknown"}); the webhook check proves it after apply`,
      ...verdict.explanation.map((step) => `why: ${step}`),
      'set onUnknown: "ignore" to silence this',
    ].join("\n      ");
  }

  /**
   * Creates every policy only after these resources too, e.g. the helm_release
   * of cert-manager that creates the namespace a policy lives in (on a fresh
   * cluster the policy's create fails with "namespaces ... not found" if it
   * wins the race). A resource of another stack orders through the stacks: this
   * stack depends on that one (a `depends_on` cannot cross stacks); one whose
   * stack depends on this one is refused (a cycle).
   */
  public runAfter(...resources: ITerraformDependable[]): void {
    const { sameStack } = orderAfter(this, resources, "runAfter");
    if (sameStack.length === 0) return;
    for (const resource of this.resources) resource.dependsOn = [...(resource.dependsOn ?? []), ...sameStack.map(dependable)];
  }

  /** The Terraform address a resource had under construct id `legacyId` (version 0.1). */
  private legacyAddress(resource: TerraformResource, legacyId: string): string {
    const probe = new Construct(this, legacyId);
    const address = `${resource.terraformResourceType}.${TerraformStack.of(this).getLogicalId(probe.node)}`;
    this.node.tryRemoveChild(legacyId);
    return address;
  }
}

/** The policies given in code, as documents located `<code:...>`; never the caller's objects (copied). */
function codeDocuments(props: NetworkPoliciesProps): RawDocument[] {
  return [
    ...(props.networkPolicies ?? []).map((value, i) => ({
      source: { file: `<code:networkPolicies[${i}]>`, document: 1 },
      value: JSON.parse(JSON.stringify(value)),
    })),
    ...(props.manifests ?? []).map((value, i) => ({ source: { file: `<code:${i}>`, document: 1 }, value })),
  ];
}

/**
 * A policy is data: its text is written literally (literalTerraform), but cdktf reads certain
 * numbers and strings as its own tokens, and no literal can spell them.
 */
function literalProblems(policies: readonly ValidatedPolicy[]): PolicyProblem[] {
  return policies.flatMap((policy) =>
    tokenShapedValues(policy.manifest).map(({ at, why }) =>
      problemAt(policy.source, fieldPath(at), `${why}, so it cannot be written literally; use another value`),
    ),
  );
}

const proofAspectAdded = new WeakSet<TerraformStack>();
const reachabilityWriters = new WeakMap<TerraformStack, NetworkPolicies[]>();

/**
 * `reachability: true`: the stack's synthesizer, once cdk.tf.json is written, writes the matrix
 * beside it. The NetworkPolicies of one stack with `reachability` must deploy to one cluster (one
 * file per stack); the first by construct path writes it.
 */
function writeReachabilityAtSynth(policies: NetworkPolicies): void {
  const stack = TerraformStack.of(policies);
  const writers = reachabilityWriters.get(stack);
  if (writers) {
    writers.push(policies);
    return;
  }
  reachabilityWriters.set(stack, [policies]);
  const inner = stack.synthesizer;
  stack.synthesizer = {
    synthesize(session: ISynthesisSession) {
      inner.synthesize(session);
      const all = [...(reachabilityWriters.get(stack) ?? [])].sort((a, b) => (a.node.path < b.node.path ? -1 : 1));
      const clusters = new Set(all.map((p) => p.cluster));
      if (clusters.size > 1)
        throw new SynthError(all[1], [
          `reachability: ${all.map((p) => p.node.path).join(" and ")} deploy to different clusters, but a stack has one ${REACHABILITY_FILE}; set reachability on the NetworkPolicies of one cluster only`,
        ]);
      const dir = nodePath.join(session.outdir, session.manifest.forStack(stack).workingDirectory);
      writeFileSync(nodePath.join(dir, REACHABILITY_FILE), all[0].reachabilityFile());
    },
  };
}

/** At synth, once every construct exists: each NetworkPolicies' required paths proven over its cluster. */
class ProveRequiredPaths implements IAspect {
  visit(node: IConstruct): void {
    if (node instanceof NetworkPolicies) node.enforceProof();
  }
}
