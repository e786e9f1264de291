/**
 * The WebhookCheck construct: a `null_resource` that runs the bundled check (a
 * TerraformAsset) after apply, with its settings in `environment` and triggers derived
 * from them, so Terraform re-runs it exactly when what it proves changes. It owns the
 * synth side only (props, refusals, the proof handed over as WEBHOOK_CHECK_PROOF); what
 * the check does at run time is in runner/ and probes/, and the settings both sides
 * share are in settings.ts.
 */
import { existsSync } from "node:fs";
import * as path from "node:path";
import { Resource } from "@cdktf/provider-null/lib/resource";
import {
  Aspects,
  AssetType,
  dependable,
  Fn,
  type IAspect,
  type ITerraformDependable,
  Lazy,
  TerraformAsset,
  type TerraformProvider,
  TerraformStack,
  Token,
} from "cdktf";
import { Construct, type IConstruct } from "constructs";
import { toCheckProof } from "../proof/prove";
import { CHECK_ENV, type RawSettings, type Scope, settingsEnvironment, validateSettings } from "./settings";
import type { CiliumRelease } from "../cilium/release";
import type { NetworkPolicies } from "../policies/network-policies";
import { ClusterProviders, type KubeAccess, providerFor } from "../cluster-handle/cluster-providers";
import { type KnownProps, propProblems } from "../shared/known-props";
import { afterTriggers, orderAfter } from "../shared/ordering";
import { CHECK_BUNDLE, PACKAGE_ROOT } from "../shared/package-paths";
import { stableStringify } from "../shared/stable-json";
import { SynthError } from "../shared/synth-error";
import { escapeTerraform, literalTerraform } from "../shared/terraform-escape";
import { warn } from "../shared/warn";

/** What a caller sets on {@link WebhookCheck}.
 *
 * @example
 * { namespace: "cert-manager", timeoutSeconds: 300, exclude: ["legacy-webhook"] }
 */
export interface WebhookCheckOptions {
  /**
   * The cluster to check: its null provider runs the check, and the check reads
   * the cluster's kubeconfig paths (as KUBECONFIG) and context, so it proves
   * the cluster the policies went to. Of this construct's stack.
   *
   * @default - `provider`, `kubeconfigPaths` and `context`
   * @example new ClusterProviders(stack, "providers", { context: "admin@lab" })
   */
  readonly cluster?: ClusterProviders;

  /**
   * kubeconfig file(s) the check reads (passed as KUBECONFIG), when not
   * `cluster`: the same as the providers'.
   *
   * @default - KUBECONFIG of the `terraform apply` process, then ~/.kube/config
   */
  readonly kubeconfigPaths?: string[];

  /**
   * kubeconfig context, when not `cluster`.
   *
   * @default - the kubeconfig's current-context
   */
  readonly context?: string;

  /**
   * Say that the check is meant to read the apply process's KUBECONFIG and
   * current context (no `cluster`, `kubeconfigPaths` or `context`): silences
   * the synth warning about it. Still refused where that is provably another
   * cluster than the stack's: when the stack holds a ClusterProviders with
   * explicit access.
   *
   * @default false
   */
  readonly useApplyEnvironment?: boolean;

  /**
   * Namespace of the webhook Service.
   *
   * @default "cert-manager"
   */
  readonly namespace?: string;

  /**
   * Name of the webhook Service.
   *
   * @default "cert-manager-webhook"
   */
  readonly service?: string;

  /**
   * Namespace the dry-run CertificateRequests are created in (nothing is stored).
   * It must not be labelled `cert-manager.io/disable-validation=true`.
   *
   * @default - the webhook's namespace (`namespace`)
   */
  readonly probeNamespace?: string;

  /**
   * What the check proves: `"all"`, every admission webhook, conversion webhook
   * and aggregated API (APIService) backed by an in-cluster Service, beside the
   * cert-manager proof; `"cert-manager"`, the proof only.
   *
   * @default "all"
   */
  readonly scope?: Scope;

  /**
   * Names to leave out with scope "all": webhook configurations, webhooks,
   * APIServices or CRDs.
   *
   * @default - none
   */
  readonly exclude?: string[];

  /**
   * Port of the webhook Service.
   *
   * @default 443
   */
  readonly port?: number;

  /**
   * Overall deadline of the check, in seconds; the apply fails after it.
   *
   * @default 120
   */
  readonly timeoutSeconds?: number;

  /**
   * Pause between attempts, in seconds.
   *
   * @default 2
   */
  readonly intervalSeconds?: number;

  /**
   * Run the check on every `apply`, not only when its inputs change.
   *
   * @default false
   */
  readonly runOnEveryApply?: boolean;

  /**
   * Extra values that re-run the check when they change.
   *
   * @default - none
   */
  readonly triggers?: Record<string, string>;

  /**
   * The node executable local-exec runs the check with.
   *
   * @default "node"
   */
  readonly nodeBinary?: string;

  /**
   * The null provider to use, when not `cluster` (a ClusterProviders' provider
   * counts as its cluster, kubeconfig and context included).
   *
   * @default - the stack's default null provider
   */
  readonly provider?: TerraformProvider;

  /**
   * Further resources the check runs after, e.g. the `helm_release` of
   * cert-manager. One of another stack is not written into `depends_on`
   * (Terraform refuses that): this stack depends on that one, and the check
   * gets the trigger `after <address>` = its `id`.
   *
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** Props of {@link WebhookCheck}.
 *
 * @example
 * new WebhookCheck(stack, "check", { cluster, release, policies, scope: "all" });
 */
export interface WebhookCheckProps extends WebhookCheckOptions {
  /**
   * The Cilium release: the check runs after it, and again when its chart
   * version or values change.
   *
   * @default - none
   */
  readonly release?: CiliumRelease;

  /**
   * The policies: the check runs after all of them, and again when any changes.
   *
   * @default - none
   */
  readonly policies?: NetworkPolicies;
}

/** Every prop of {@link WebhookCheckOptions}. */
export const WEBHOOK_CHECK_OPTIONS = {
  cluster: "object",
  kubeconfigPaths: "string[]",
  context: "string",
  useApplyEnvironment: "boolean",
  namespace: "string",
  service: "string",
  probeNamespace: "string",
  scope: "string",
  exclude: "string[]",
  port: "number",
  timeoutSeconds: "number",
  intervalSeconds: "number",
  runOnEveryApply: "boolean",
  triggers: "object",
  nodeBinary: "string",
  provider: "object",
  dependsOn: "array",
} as const satisfies KnownProps<WebhookCheckOptions>;
/** Every prop of {@link WebhookCheckProps}: anything else is refused at synth. */
const WEBHOOK_CHECK_PROPS = {
  ...WEBHOOK_CHECK_OPTIONS,
  release: "object",
  policies: "object",
} as const satisfies KnownProps<WebhookCheckProps>;

/**
 * A `null_resource` whose local-exec proves, after apply, that kube-apiserver
 * can call the cert-manager webhook (server-side dry-run creates through the
 * webhook Service); a failure fails the deploy.
 *
 * The check is shipped into the stack as a TerraformAsset (one bundled JS file),
 * so `terraform apply` in `cdktf.out/stacks/<stack>` needs only `node`. It is run
 * without a shell (`node <asset>`), with every setting in `environment`: no value
 * can inject a command.
 *
 * @example
 * const check = new WebhookCheck(stack, "check", { cluster, release, policies });
 * check.runAfter(certManagerRelease);
 */
export class WebhookCheck extends Construct {
  /** The null_resource running the check. */
  public readonly resource: Resource;
  /** The shipped check script. */
  public readonly asset: TerraformAsset;
  /** Environment the check runs with. */
  public readonly environment: Readonly<Record<string, string>>;

  /** The cluster whose kubeconfig and context the check reads, if it was given one (`cluster`, or a cluster's `provider`). */
  public readonly cluster?: ClusterProviders;

  constructor(scope: Construct, id: string, props: WebhookCheckProps = {}) {
    super(scope, id);
    const unknown = propProblems(props, WEBHOOK_CHECK_PROPS);
    if (unknown.length > 0) throw new SynthError(this, unknown);
    const target = providerFor(this, props, "null");
    // The same validator as the CLI (settings.ts): synth refuses what the check would refuse at apply (exit 2).
    const problems = [...target.problems, ...checkAccess(props, target.cluster), ...validateSettings(settingsOf(props, props), "prop")];
    if (!existsSync(CHECK_BUNDLE)) problems.push(`the check bundle ${CHECK_BUNDLE} is missing; run \`npm run build\` in ${PACKAGE_ROOT}`);
    if (problems.length > 0) throw new SynthError(this, problems);
    this.asset = new TerraformAsset(this, "script", { path: CHECK_BUNDLE, type: AssetType.FILE });
    this.cluster = target.cluster;
    const access: KubeAccess = target.cluster?.access ?? props;
    if (target.cluster === undefined && (props.kubeconfigPaths ?? []).length === 0 && props.context === undefined) {
      Aspects.of(TerraformStack.of(this)).add(new ApplyEnvironmentAccess(this, props.useApplyEnvironment === true));
    }

    const settings = settingsEnvironment(settingsOf(props, access));
    // What synth proved about these policies and assumed to prove it (lib/proof), for the check to
    // confirm on the cluster: decided over every policy of the app, so only once the app is complete
    // (a Lazy, resolved at synth after the constructors and aspects have run).
    const policies = props.policies;
    let proofJson: string | undefined;
    const proof =
      policies !== undefined && policies.requiredPaths.length > 0
        ? () => {
            proofJson ??= JSON.stringify(toCheckProof(policies.proof));
            return proofJson;
          }
        : undefined;
    // The settings (the operator's text, validated) and the proof (data) are never cdktf tokens:
    // written literally, whatever markers they hold.
    const proofValue: Record<string, string> = proof
      ? { [CHECK_ENV.proof]: Lazy.stringValue({ produce: () => literalTerraform(proof()) }) }
      : {};
    this.environment = { ...settings, ...proofValue };

    // Re-run whenever the proof may be stale. Synth-time values cover changes of the
    // configuration; values known only after apply cover changes of the cluster: a
    // release installed, upgraded, rolled back or re-created (id, revision, last_deployed), a policy
    // created or re-created, also after an out-of-band deletion (its uid). When refresh
    // drops a deleted resource, Terraform plans a create, which replace_triggered_by
    // does not see; an unknown-until-apply trigger value does.
    const triggers: Record<string, string> = {
      check_script_hash: this.asset.assetHash,
      // The settings as the check receives them, the proof included: a changed proof re-runs the check.
      check_settings: proof
        ? Lazy.stringValue({ produce: () => literalTerraform(stableStringify({ ...settings, [CHECK_ENV.proof]: proof() })) })
        : literalTerraform(stableStringify(settings)),
      ...(props.release
        ? {
            cilium_chart_version: props.release.chartVersion,
            cilium_values_sha256: props.release.valuesHash,
            cilium_release_id: props.release.helmRelease.id,
            cilium_release_revision: Token.asString(props.release.helmRelease.metadata.revision),
            // Unix seconds of the last install, upgrade or rollback (helm provider 3.x sets it on each):
            // a release re-created at revision 1 keeps its id and revision, not this.
            cilium_release_last_deployed: Token.asString(props.release.helmRelease.metadata.lastDeployed),
          }
        : {}),
      ...(props.policies ? { policies_sha256: props.policies.contentHash } : {}),
      ...Object.fromEntries(Object.entries(props.policies?.uids ?? {}).map(([key, uid]) => [`policy_uid ${key}`, uid])),
      ...(props.triggers ?? {}),
      ...(props.runOnEveryApply ? { always: Fn.timestamp() } : {}),
    };
    const after = orderAfter(this, props.dependsOn ?? [], "dependsOn");
    const dependsOn: ITerraformDependable[] = [
      ...(props.release?.dependablesFor(this) ?? []),
      ...orderAfter(this, props.policies ? props.policies.resources : [], "policies").sameStack,
      ...after.sameStack,
    ];
    this.resource = new Resource(this, "check", {
      // check_settings is literal already; the other triggers may hold the app's tokens (ids, revisions).
      triggers: { ...escapeTerraform(triggers), check_settings: triggers.check_settings, ...afterTriggers(after.otherStacks) },
      dependsOn,
      provider: target.provider,
      provisioners: [
        {
          type: "local-exec",
          interpreter: [literalTerraform(props.nodeBinary ?? "node")],
          command: this.asset.path,
          environment: { ...literalTerraform(settings), ...proofValue },
        },
      ],
    });
  }

  /**
   * Runs the check after these resources too, e.g. a cert-manager
   * `helm_release` that itself waits for the Cilium release (so it cannot be
   * given to the constructor of a CiliumPlatform that creates that release).
   * A resource of another stack is not written into `depends_on` (Terraform
   * refuses that): this stack depends on that one, and the check gets the
   * trigger `after <address>` = its `id`; one whose stack depends on this one
   * is refused (a cycle).
   */
  public runAfter(...resources: ITerraformDependable[]): void {
    const { sameStack, otherStacks } = orderAfter(this, resources, "runAfter");
    if (sameStack.length > 0) this.resource.dependsOn = [...(this.resource.dependsOn ?? []), ...sameStack.map(dependable)];
    if (otherStacks.length > 0) this.resource.triggers = { ...this.resource.triggersInput, ...afterTriggers(otherStacks) };
  }
}

/** Where the check's kubeconfig and context come from: one place only. */
function checkAccess(p: WebhookCheckProps, cluster: ClusterProviders | undefined): string[] {
  const problems: string[] = [];
  const own = [(p.kubeconfigPaths ?? []).length > 0 ? "`kubeconfigPaths`" : "", p.context !== undefined ? "`context`" : ""].filter(Boolean);
  if (cluster !== undefined && own.length > 0) {
    problems.push(
      `${own.join(" and ")} together with a cluster (${cluster.node.path}): the check reads the cluster's kubeconfig and context; drop ${own.join(" and ")}`,
    );
  }
  if (p.useApplyEnvironment === true && (cluster !== undefined || own.length > 0)) {
    problems.push("`useApplyEnvironment: true` together with `cluster`, `kubeconfigPaths` or `context`: keep one of them");
  }
  return problems;
}

/**
 * A check given no kubeconfig and no context reads, at apply, whatever
 * KUBECONFIG and current-context the `terraform apply` process has, which need
 * not be the cluster the stack deploys to (then REACHABLE proves another
 * cluster). Once the stack is complete: refused where that is provably wrong,
 * the stack holding a ClusterProviders with explicit access; else a warning,
 * unless `useApplyEnvironment: true` says it is meant.
 */
class ApplyEnvironmentAccess implements IAspect {
  constructor(
    private readonly check: WebhookCheck,
    private readonly meant: boolean,
  ) {}

  /** Each synth invokes aspects anew (cdktf lib/synthesize/synthesizer.ts, invokeAspects): said once. */
  private done = false;

  visit(node: IConstruct): void {
    const stack = TerraformStack.of(this.check);
    if (node !== stack || this.done) return;
    const explicit = stack.node
      .findAll()
      .filter((c): c is ClusterProviders => c instanceof ClusterProviders && c.explicitAccess && TerraformStack.of(c) === stack);
    if (explicit.length > 0) {
      throw new SynthError(this.check, [
        `the check has no \`cluster\` (nor kubeconfigPaths/context), so at apply it reads the apply process's KUBECONFIG and current context, ` +
          `while this stack deploys through ${explicit.map((c) => `${c.node.path} (${describe(c.givenAccess)})`).join(", ")}; ` +
          "pass `cluster` (CiliumPlatform does)",
      ]);
    }
    this.done = true;
    if (!this.meant) {
      warn(
        this.check,
        "reads the apply process's KUBECONFIG and current context; pass `cluster` (or set useApplyEnvironment: true if that is meant)",
      );
    }
  }
}

const describe = (a: KubeAccess) =>
  [a.kubeconfigPaths ? `kubeconfig ${a.kubeconfigPaths.join(path.delimiter)}` : "", a.context !== undefined ? `context ${a.context}` : ""]
    .filter(Boolean)
    .join(", ");

/** The props as the settings table names them; the kubeconfig and context as `access` gives them. */
function settingsOf(p: WebhookCheckProps, access: KubeAccess): RawSettings {
  return {
    kubeconfig: access.kubeconfigPaths,
    context: access.context,
    namespace: p.namespace,
    service: p.service,
    port: p.port,
    probeNamespace: p.probeNamespace,
    scope: p.scope,
    exclude: p.exclude,
    timeout: p.timeoutSeconds,
    interval: p.intervalSeconds,
  };
}
