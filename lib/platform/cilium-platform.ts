/**
 * CiliumPlatform: the release, the network policies and the webhook check wired on one cluster,
 * named by its `cluster` prop, in one stack or across two (`releaseStack`, so Cilium's CRDs
 * exist before the policies are planned). Each part is also a construct of its own.
 */
import { type ITerraformDependable, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { CILIUM_RELEASE_PROPS, CiliumRelease, type CiliumReleaseOptions } from "../cilium/release";
import { ClusterProviders, KUBE_ACCESS_PROPS, type KubeAccess } from "../cluster-handle/cluster-providers";
import { NETWORK_POLICIES_OPTIONS, NetworkPolicies, type NetworkPoliciesOptions } from "../policies/network-policies";
import { POLICY_SETS, type PolicySet, policySetDirectory } from "../policies/sets";
import { type KnownProps, propProblems } from "../shared/known-props";
import { SynthError } from "../shared/synth-error";
import { warn } from "../shared/warn";
import { RequiredPaths } from "../proof/required-paths";
import { CHECK_DEFAULTS } from "../webhook-check/settings";
import { WEBHOOK_CHECK_OPTIONS, WebhookCheck, type WebhookCheckOptions } from "../webhook-check/webhook-check";

/** Props of {@link CiliumPlatform}.
 *
 * @example
 * const app = new App();
 * const releaseStack = new TerraformStack(app, "lab-cilium");
 * const workloadStack = new TerraformStack(app, "lab");
 * new CiliumPlatform(workloadStack, "cilium", {
 *   releaseStack,
 *   cluster: { kubeconfigPaths: ["~/.kube/lab"], context: "admin@lab" },
 *   release: { talos: true },
 *   policySet: "least-privilege",
 * });
 */
export interface CiliumPlatformProps {
  /**
   * The Cilium release.
   *
   * @default - CiliumRelease defaults (pinned chart, policy mode "default", no Talos preset)
   * @example { talos: true, operatorReplicas: 1 }
   */
  readonly release?: CiliumReleaseOptions;

  /**
   * A policy set shipped with this package, loaded before `policies`.
   *
   * @default - none
   * @example "least-privilege"
   */
  readonly policySet?: PolicySet;

  /**
   * Your own policies (directories and objects), on top of `policySet`, and what the path proof
   * requires of them: `requiredPaths` defaults to `RequiredPaths.certManager()` in the check's
   * namespace (`[]` proves nothing); `onDenied`, `onUnknown` and `assume` pass through.
   *
   * @default - none; the cert-manager paths required
   * @example { directories: ["./policies"] }
   */
  readonly policies?: NetworkPoliciesOptions;

  /**
   * The post-apply webhook check, or `false` for none.
   *
   * @default - the check with its defaults (cert-manager/cert-manager-webhook:443, 120 s)
   */
  readonly check?: WebhookCheckOptions | false;

  /**
   * The stack the Cilium release goes into, under this construct's id, while
   * the policies and the check stay in this construct's stack (which then
   * depends on `releaseStack`): a deploy applies Cilium, and with it Cilium's
   * CRDs, before the policies are planned, so CiliumNetworkPolicies work on a
   * fresh cluster. The platform creates a ClusterProviders from `cluster` (the
   * cluster's access) in each stack.
   *
   * @default - everything in this construct's stack
   * @example new TerraformStack(app, "lab-cilium")
   */
  readonly releaseStack?: TerraformStack;

  /**
   * The cluster, the one way to name it: either its access (kubeconfig paths,
   * relative ones meaning the directory synth runs in, and context), from
   * which the platform creates a ClusterProviders in each of its stacks, or,
   * when everything is in one stack, a ClusterProviders: its providers (helm for
   * the release, kubernetes for the policies, null for the check) and the
   * kubeconfig the check reads. Required when a stack has several clusters.
   *
   * @default - with `releaseStack`, ~/.kube/config and its current-context; else the stack's default providers
   * @example kubeAccessFromEnvironment(process.env)
   */
  readonly cluster?: ClusterProviders | KubeAccess;

  /**
   * The cluster's access.
   *
   * @deprecated Pass the same object as `cluster`; `access` goes in the next breaking release.
   * @default - `cluster`
   */
  readonly access?: KubeAccess;

  /**
   * The kubeconfig and context the check uses, when no `cluster` is given.
   *
   * @deprecated Pass `cluster` (the check reads the cluster's kubeconfig and context); `kube` goes in the next breaking release.
   * @default - KUBECONFIG of the apply process, then ~/.kube/config; current-context (with a synth warning)
   */
  readonly kube?: KubeAccess;

  /**
   * Keep CiliumNetworkPolicies in the same stack as the release on purpose
   * (Cilium already runs on every cluster this deploys to): silences the synth
   * warning that such a stack fails at plan on a cluster without Cilium's CRDs.
   *
   * @default false
   */
  readonly singleStackOnPurpose?: boolean;
}

const CILIUM_PLATFORM_PROPS = {
  release: "object",
  policySet: "string",
  policies: "object",
  check: "any",
  releaseStack: "object",
  access: "object",
  cluster: "object",
  kube: "object",
  singleStackOnPurpose: "boolean",
} as const satisfies KnownProps<CiliumPlatformProps>;

/**
 * Cilium, the network policies, and proof that kube-apiserver can still reach
 * the cert-manager webhook: CiliumRelease -> NetworkPolicies (each depending on
 * the release) -> WebhookCheck (after all of them), all on one cluster. With
 * `releaseStack`, the release goes there and the rest stays in this
 * construct's stack, which depends on it. Each part is also usable alone.
 *
 * @example
 * new CiliumPlatform(workloadStack, "cilium", {
 *   releaseStack, // the release (and Cilium's CRDs) deploys first
 *   cluster: kubeAccessFromEnvironment(process.env),
 *   release: { talos: true, operatorReplicas: 1 },
 *   policies: { directories: ["./policies"] }, // proven against RequiredPaths.certManager()
 * });
 */
export class CiliumPlatform extends Construct {
  public readonly release: CiliumRelease;
  public readonly policies: NetworkPolicies;
  /** Absent when `check: false`. */
  public readonly check?: WebhookCheck;
  /** The stack of the release: `releaseStack`, or this construct's. */
  public readonly releaseStack: TerraformStack;
  /** The stack of the policies and the check: this construct's. */
  public readonly workloadStack: TerraformStack;
  /** The cluster's providers in the workload stack (`cluster`, or made from the cluster's access); absent when no cluster was given. */
  public readonly cluster?: ClusterProviders;
  /** The cluster's providers in the release stack (the same as `cluster` in one stack), e.g. for a cert-manager release beside Cilium. */
  public readonly releaseCluster?: ClusterProviders;

  constructor(scope: Construct, id: string, props: CiliumPlatformProps = {}) {
    super(scope, id);
    this.workloadStack = TerraformStack.of(this);
    this.releaseStack = props.releaseStack ?? this.workloadStack;
    const split = this.releaseStack !== this.workloadStack;
    // `cluster` is a ClusterProviders (a handle in one stack) or the access to make one from.
    const handle = props.cluster instanceof ClusterProviders ? props.cluster : undefined;
    const clusterAccess = props.cluster !== undefined && handle === undefined ? (props.cluster as KubeAccess) : undefined;
    const problems = [
      ...propProblems(props, CILIUM_PLATFORM_PROPS),
      ...propProblems(props.release, CILIUM_RELEASE_PROPS, "release"),
      ...propProblems(props.policies, NETWORK_POLICIES_OPTIONS, "policies"),
      ...propProblems(props.check, WEBHOOK_CHECK_OPTIONS, "check"),
      ...propProblems(clusterAccess, KUBE_ACCESS_PROPS, "cluster"),
      ...propProblems(props.access, KUBE_ACCESS_PROPS, "access"),
      ...propProblems(props.kube, KUBE_ACCESS_PROPS, "kube"),
    ];
    if (props.policySet !== undefined && !POLICY_SETS.includes(props.policySet)) {
      problems.push(`policySet "${String(props.policySet)}" is not a shipped policy set; use one of ${POLICY_SETS.join(", ")}`);
    }
    if (props.releaseStack !== undefined && !(props.releaseStack instanceof TerraformStack)) {
      problems.push("`releaseStack` must be a TerraformStack");
    } else if (props.releaseStack !== undefined && !split) {
      problems.push("`releaseStack` is this construct's own stack; leave it out for one stack, or pass the other stack");
    }
    if (handle !== undefined && split) {
      problems.push(
        "`cluster` (a ClusterProviders) and `releaseStack` together: a ClusterProviders serves only its own stack; " +
          "pass the cluster's access ({ kubeconfigPaths, context }) as `cluster`, and the platform creates one in each stack",
      );
    }
    if (props.cluster !== undefined && props.access !== undefined) problems.push("`cluster` and `access` together: pass one");
    if (props.kube !== undefined && (props.cluster !== undefined || props.access !== undefined || split)) {
      problems.push(
        "`kube` together with `cluster`, `access` or `releaseStack`: the check reads the cluster's kubeconfig and context; drop `kube` (pass `cluster`)",
      );
    }
    if (split && this.releaseStack.dependsOn(this.workloadStack)) {
      problems.push(
        `\`releaseStack\` "${this.releaseStack.node.id}" already depends on this construct's stack "${this.workloadStack.node.id}", ` +
          `which must come after it: a cycle between "${this.workloadStack.node.id}" and "${this.releaseStack.node.id}"`,
      );
    }
    const platformCluster = props.cluster !== undefined || props.access !== undefined || split;
    for (const part of ["release", "policies", "check"] as const) {
      const options = props[part];
      if (platformCluster && options && typeof options === "object" && options.cluster !== undefined) {
        problems.push(`${part}.cluster: the platform puts all three parts on its own cluster (\`cluster\`); drop ${part}.cluster`);
      }
    }
    if (problems.length > 0) throw new SynthError(this, problems);
    if (props.access !== undefined) warn(this, "`access` is deprecated: pass the same object as `cluster`");
    if (props.kube !== undefined) warn(this, "`kube` is deprecated: pass `cluster` (the check reads the cluster's kubeconfig and context)");

    // With releaseStack, the release keeps this construct's id in that stack, so the
    // path (and the Terraform address) is what the same platform has in one stack.
    const releaseScope = split ? new Construct(this.releaseStack, id) : this;
    const access = clusterAccess ?? props.access ?? (split ? {} : undefined);
    // The access as configured: each ClusterProviders writes relative paths relative to its own stack's directory.
    this.releaseCluster = split ? new ClusterProviders(releaseScope, "providers", access) : undefined;
    this.cluster = handle ?? (access !== undefined ? new ClusterProviders(this, "providers", access) : undefined);
    this.releaseCluster ??= this.cluster;
    const withCluster = (cluster: ClusterProviders | undefined) => (cluster ? { cluster } : {});

    this.release = new CiliumRelease(releaseScope, "release", { ...withCluster(this.releaseCluster), ...props.release });
    const directories = [...(props.policySet ? [policySetDirectory(props.policySet)] : []), ...(props.policies?.directories ?? [])];
    if (split) this.workloadStack.addDependency(this.releaseStack);
    // The incident's paths are proven at every synth unless the caller says which paths to prove
    // (`policies.requiredPaths`, [] for none); cert-manager's namespace is the check's.
    const certManagerNamespace = (props.check === false ? undefined : props.check?.namespace) ?? CHECK_DEFAULTS.namespace;
    this.policies = new NetworkPolicies(this, "policies", {
      ...withCluster(this.cluster),
      requiredPaths: RequiredPaths.certManager({ namespace: certManagerNamespace }),
      ...props.policies,
      directories,
      release: this.release,
    });
    if (!split && props.singleStackOnPurpose !== true) {
      const cilium = this.policies.documents.filter((p) => p.kind !== "NetworkPolicy");
      if (cilium.length > 0) {
        warn(
          this,
          `${cilium.length} Cilium ${cilium.length === 1 ? "policy" : "policies"} (${cilium[0].kind} ${cilium[0].namespace ? `${cilium[0].namespace}/` : ""}${cilium[0].name}${cilium.length > 1 ? ", ..." : ""}) ` +
            "in the stack of the CiliumRelease: kubernetes_manifest reads Cilium's CRDs at plan, so this stack fails at plan on a cluster without Cilium's CRDs; " +
            "use `releaseStack` (or set singleStackOnPurpose: true where Cilium already runs)",
        );
      }
    }
    if (props.check !== false) {
      const kube = props.kube;
      this.check = new WebhookCheck(this, "webhook-check", {
        ...withCluster(this.cluster),
        ...(kube?.kubeconfigPaths ? { kubeconfigPaths: kube.kubeconfigPaths } : {}),
        ...(kube?.context !== undefined ? { context: kube.context } : {}),
        ...(props.check ?? {}),
        release: this.release,
        policies: this.policies,
      });
    }
  }

  /**
   * Creates the policies, and runs the check, only after these resources too:
   * e.g. the helm_release of cert-manager, which creates the namespace a policy
   * lives in and the webhook the check proves. Across stacks this orders the
   * stacks (see NetworkPolicies.runAfter and WebhookCheck.runAfter).
   */
  public runAfter(...resources: ITerraformDependable[]): void {
    this.policies.runAfter(...resources);
    this.check?.runAfter(...resources);
  }
}
