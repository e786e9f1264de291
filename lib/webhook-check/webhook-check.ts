import { existsSync } from "node:fs";
import { Resource } from "@cdktf/provider-null/lib/resource";
import { AssetType, dependable, Fn, type ITerraformDependable, TerraformAsset, type TerraformProvider, Token } from "cdktf";
import { Construct } from "constructs";
import { type RawSettings, type Scope, settingsEnvironment, validateSettings } from "./settings";
import type { CiliumRelease } from "../cilium/release";
import type { NetworkPolicies } from "../policies/network-policies";
import { CHECK_BUNDLE, PACKAGE_ROOT } from "../shared/package-paths";
import { stableStringify } from "../shared/stable-json";
import { SynthError } from "../shared/synth-error";
import { escapeTerraform } from "../shared/terraform-escape";

/** What a caller sets on {@link WebhookCheck}. */
export interface WebhookCheckOptions {
  /**
   * kubeconfig file(s) the check reads (passed as KUBECONFIG). Use the same as
   * the providers: `ClusterProviders.access` (or pass `cluster` to CiliumPlatform).
   *
   * @default - KUBECONFIG of the `terraform apply` process, then ~/.kube/config
   */
  readonly kubeconfigPaths?: string[];

  /**
   * kubeconfig context.
   *
   * @default - the kubeconfig's current-context
   */
  readonly context?: string;

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
   * The null provider to use.
   *
   * @default - the stack's default null provider
   */
  readonly provider?: TerraformProvider;

  /**
   * Further resources the check runs after, e.g. the `helm_release` of
   * cert-manager in the same stack.
   *
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** Props of {@link WebhookCheck}. */
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

/**
 * A `null_resource` whose local-exec proves, after apply, that kube-apiserver
 * can call the cert-manager webhook (server-side dry-run creates through the
 * webhook Service); a failure fails the deploy.
 *
 * The check is shipped into the stack as a TerraformAsset (one bundled JS file),
 * so `terraform apply` in `cdktf.out/stacks/<stack>` needs only `node`. It is run
 * without a shell (`node <asset>`), with every setting in `environment`: no value
 * can inject a command.
 */
export class WebhookCheck extends Construct {
  /** The null_resource running the check. */
  public readonly resource: Resource;
  /** The shipped check script. */
  public readonly asset: TerraformAsset;
  /** Environment the check runs with. */
  public readonly environment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: WebhookCheckProps = {}) {
    super(scope, id);
    // The same validator as the CLI: synth refuses what the check would refuse at apply (exit 2).
    const problems = validateSettings(settingsOf(props), "prop");
    if (!existsSync(CHECK_BUNDLE)) problems.push(`the check bundle ${CHECK_BUNDLE} is missing; run \`npm run build\` in ${PACKAGE_ROOT}`);
    if (problems.length > 0) throw new SynthError(this, problems);
    this.asset = new TerraformAsset(this, "script", { path: CHECK_BUNDLE, type: AssetType.FILE });

    const environment = settingsEnvironment(settingsOf(props));
    this.environment = environment;

    // Re-run whenever the proof may be stale. Synth-time values cover changes of the
    // configuration; values known only after apply cover changes of the cluster: a
    // release installed, upgraded, rolled back or re-created (id, revision, last_deployed), a policy
    // created or re-created, also after an out-of-band deletion (its uid). When refresh
    // drops a deleted resource, Terraform plans a create, which replace_triggered_by
    // does not see; an unknown-until-apply trigger value does.
    const triggers: Record<string, string> = {
      check_script_hash: this.asset.assetHash,
      check_settings: stableStringify(environment),
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
    const dependsOn: ITerraformDependable[] = [
      ...(props.release?.dependablesFor(this) ?? []),
      ...(props.policies ? props.policies.resources : []),
      ...(props.dependsOn ?? []),
    ];
    this.resource = new Resource(this, "check", {
      triggers: escapeTerraform(triggers),
      dependsOn,
      provider: props.provider,
      provisioners: [
        {
          type: "local-exec",
          interpreter: [props.nodeBinary ?? "node"],
          command: this.asset.path,
          environment: escapeTerraform(environment),
        },
      ],
    });
  }

  /**
   * Runs the check after these resources too, e.g. a cert-manager
   * `helm_release` that itself waits for the Cilium release (so it cannot be
   * given to the constructor of a CiliumPlatform that creates that release).
   */
  public runAfter(...resources: ITerraformDependable[]): void {
    this.resource.dependsOn = [...(this.resource.dependsOn ?? []), ...resources.map(dependable)];
  }
}

/** The props as the settings table names them. */
function settingsOf(p: WebhookCheckProps): RawSettings {
  return {
    kubeconfig: p.kubeconfigPaths,
    context: p.context,
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
