/**
 * The cluster handle: one cluster's helm, kubernetes and null providers from one kubeconfig and
 * context (ClusterProviders), the access they are made from (KubeAccess), and how a construct
 * finds its provider (`providerFor`). The constructs of cilium/, policies/ and webhook-check/
 * take a handle through their `cluster` prop and import only this file, as aws-eks' constructs
 * take an `ICluster`; nothing here knows of any of them.
 */
import { existsSync } from "node:fs";
import * as path from "node:path";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { NullProvider } from "@cdktf/provider-null/lib/provider";
import { App, Aspects, type IAspect, type TerraformProvider, TerraformStack } from "cdktf";
import { Construct, type IConstruct } from "constructs";
import { type KnownProps, propProblems } from "../shared/known-props";
import { literalTerraform } from "../shared/terraform-escape";
import { SynthError } from "../shared/synth-error";
import { warn } from "../shared/warn";
import { accessKey, registerClusterKey } from "../shared/cluster-key";
import { DEFAULT_KUBECONFIG, expandHome } from "../shared/home";

/** Which cluster to talk to: kubeconfig paths and context, never kubeconfig contents. */
export interface KubeAccess {
  /**
   * kubeconfig files, merged in order (as kubectl merges KUBECONFIG). A leading
   * `~/` stays as written and is expanded at apply time, so the synthesized JSON
   * does not depend on whose home directory it was synthesized in. A relative
   * path means the directory synth ran in (see ClusterProviders).
   *
   * @default ["~/.kube/config"]
   */
  readonly kubeconfigPaths?: string[];

  /**
   * kubeconfig context.
   *
   * @default - the kubeconfig's current-context
   */
  readonly context?: string;
}

/** The props of a KubeAccess, for the runtime check of unknown props. */
export const KUBE_ACCESS_PROPS = { kubeconfigPaths: "string[]", context: "string" } as const satisfies KnownProps<KubeAccess>;

/** The environment variable a KubeAccess' paths came from (kubeAccessFromEnvironment), for warnings. */
const PATHS_FROM = new WeakMap<object, string>();

/**
 * KubeAccess from the environment, as kubectl reads it: `KUBECONFIG` (a
 * path-list) else `~/.kube/config`, and `KUBE_CONTEXT` else the current-context.
 */
export function kubeAccessFromEnvironment(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Required<Pick<KubeAccess, "kubeconfigPaths">> & KubeAccess {
  const kubeconfigPaths = (env.KUBECONFIG ?? "").split(path.delimiter).filter((p) => p !== "");
  const access = {
    kubeconfigPaths: kubeconfigPaths.length > 0 ? kubeconfigPaths : [DEFAULT_KUBECONFIG],
    ...(env.KUBE_CONTEXT ? { context: env.KUBE_CONTEXT } : {}),
  };
  if (kubeconfigPaths.length > 0) PATHS_FROM.set(access, "KUBECONFIG");
  return access;
}

/** Props of {@link ClusterProviders}.
 *
 * @example
 * { kubeconfigPaths: ["~/.kube/lab"], context: "admin@lab" }
 */
export interface ClusterProvidersProps extends KubeAccess {
  /**
   * Alias of the three providers. Needed when a stack talks to several clusters:
   * Terraform allows one default (unaliased) configuration per provider.
   *
   * @default - none while this is the only ClusterProviders in its stack;
   * otherwise derived from its construct path (e.g. `cluster_a`)
   */
  readonly alias?: string;
}

const CLUSTER_PROVIDERS_PROPS = { ...KUBE_ACCESS_PROPS, alias: "string" } as const satisfies KnownProps<ClusterProvidersProps>;

/** Each ClusterProviders' helm, kubernetes and null provider -> that ClusterProviders. */
const OWNER = new WeakMap<object, ClusterProviders>();
/** Per app, the kubeconfig paths already warned about (a path shared by two stacks is said once). */
const WARNED = new WeakMap<object, Set<string>>();

/** Sets the aliases of every ClusterProviders of a stack once the stack is complete. */
class AliasWhenSeveral implements IAspect {
  visit(node: IConstruct): void {
    if (!(node instanceof TerraformStack)) return;
    const all = node.node.findAll().filter((c): c is ClusterProviders => c instanceof ClusterProviders && TerraformStack.of(c) === node);
    if (all.length < 2) return;
    for (const providers of all)
      providers.applyAlias(
        providers.explicitAlias ??
          providers.node.path
            .split("/")
            .slice(1)
            .join("_")
            .replace(/[^A-Za-z0-9_]/g, "_"),
      );
  }
}
const aspectAdded = new WeakSet<TerraformStack>();

/**
 * The helm, kubernetes and null providers of one cluster: the first two read the
 * same kubeconfig and context, and `access` hands them to the webhook check.
 * Several in one stack (several clusters) are aliased, and every construct of
 * this package takes them through its `cluster` prop (or `provider` props).
 *
 * A relative kubeconfig path means the directory synth ran in. It is written
 * into cdk.tf.json relative to the stack's output directory, where Terraform
 * runs, so providers and check find the same file and the JSON holds no
 * absolute path.
 *
 * @example
 * const lab = new ClusterProviders(stack, "lab", { kubeconfigPaths: ["~/.kube/lab"], context: "admin@lab" });
 * new CiliumRelease(stack, "cilium", { cluster: lab, talos: true });
 */
export class ClusterProviders extends Construct {
  /** The helm provider (for `CiliumRelease` and your own releases on this cluster). */
  public readonly helm: HelmProvider;
  /** The kubernetes provider (for `NetworkPolicies` and your own resources on this cluster). */
  public readonly kubernetes: KubernetesProvider;
  /** @deprecated Use {@link ClusterProviders.nullProvider}: `cluster.null` reads as the value null. */
  public readonly null: NullProvider;
  /** The kubeconfig paths (as written into the stack) and context the providers use. */
  public readonly access: KubeAccess;
  /** The alias given in props, if any. */
  public readonly explicitAlias?: string;
  /**
   * Whether kubeconfig paths or a context were given: then the providers talk to
   * a cluster the apply process' own KUBECONFIG and current context may not name.
   */
  public readonly explicitAccess: boolean;
  /** The access as given (paths relative to the synth directory), before `access` rewrote them for the stack. */
  public readonly givenAccess: KubeAccess;

  /** The ClusterProviders that `provider` (its helm, kubernetes or null provider) belongs to, if any. */
  public static of(provider: TerraformProvider | undefined): ClusterProviders | undefined {
    return provider === undefined ? undefined : OWNER.get(provider);
  }

  constructor(scope: Construct, id: string, props: ClusterProvidersProps = {}) {
    super(scope, id);
    const unknown = propProblems(props, CLUSTER_PROVIDERS_PROPS);
    if (unknown.length > 0) throw new SynthError(this, unknown);
    const stack = TerraformStack.of(this);
    const stackDir = path.resolve(App.of(this).outdir, "stacks", stack.node.id);
    const given = props.kubeconfigPaths && props.kubeconfigPaths.length > 0 ? props.kubeconfigPaths : [DEFAULT_KUBECONFIG];
    const kubeconfigPaths = given.map((p) =>
      p === "~" || p.startsWith("~/") || path.isAbsolute(p) ? p : path.relative(stackDir, path.resolve(p)) || ".",
    );
    this.access = { kubeconfigPaths, ...(props.context !== undefined ? { context: props.context } : {}) };
    this.givenAccess = { kubeconfigPaths: given, ...(props.context !== undefined ? { context: props.context } : {}) };
    // The default path alone says nothing: it is what the check reads too when nothing else is set.
    this.explicitAccess = given.some((p) => p !== DEFAULT_KUBECONFIG) || props.context !== undefined;
    this.explicitAlias = props.alias;
    this.warnMissing(props.kubeconfigPaths ?? [], PATHS_FROM.get(props) ?? "kubeconfigPaths");
    // The operator's text (often from the environment), never a cdktf token: literal for Terraform,
    // as the check's environment is, so both name the same file and context whatever markers they hold.
    const paths = literalTerraform(kubeconfigPaths.length === 1 ? { configPath: kubeconfigPaths[0] } : { configPaths: kubeconfigPaths });
    const context = props.context !== undefined ? { configContext: literalTerraform(props.context) } : {};
    const alias = props.alias !== undefined ? { alias: props.alias } : {};
    this.kubernetes = new KubernetesProvider(this, "kubernetes", { ...paths, ...context, ...alias });
    this.helm = new HelmProvider(this, "helm", { kubernetes: { ...paths, ...context }, ...alias });
    this.null = new NullProvider(this, "null", alias);
    for (const provider of [this.helm, this.kubernetes, this.null]) OWNER.set(provider, this);
    const key = accessKey(given, props.context);
    for (const provider of [this.kubernetes, this.helm, this.null]) registerClusterKey(provider, key);
    if (!aspectAdded.has(stack)) {
      aspectAdded.add(stack);
      Aspects.of(stack).add(new AliasWhenSeveral());
    }
  }

  /**
   * A kubeconfig path that does not exist where synth runs is most often a typo
   * in KUBECONFIG: said once per app, naming where the path came from. Only a
   * warning: `terraform apply` may run on another machine (a `~/` path is looked
   * up in this user's home).
   */
  private warnMissing(paths: readonly string[], from: string): void {
    const app = App.of(this);
    const warned = WARNED.get(app) ?? new Set<string>();
    WARNED.set(app, warned);
    for (const p of paths) {
      // The check expands `~` the same way (lib/shared/home.ts), so both look in one home.
      const local = path.resolve(expandHome(p));
      // The default is what everything reads when nothing is said; a machine without it is normal in CI.
      if (p === DEFAULT_KUBECONFIG || existsSync(local) || warned.has(p)) continue;
      warned.add(p);
      warn(
        this,
        `kubeconfig ${p} (from ${from}) does not exist at synth (looked for ${local}); fix ${from}, or ignore this if apply runs where it exists`,
      );
    }
  }

  /** The null provider (for `WebhookCheck`'s `null_resource`). */
  public get nullProvider(): NullProvider {
    return this.null;
  }

  /** @internal Sets the alias of the three providers. */
  public applyAlias(alias: string): void {
    this.helm.alias = alias;
    this.kubernetes.alias = alias;
    this.null.alias = alias;
  }
}

/** Which of a ClusterProviders' providers a construct uses. */
export type ProviderKind = "helm" | "kubernetes" | "null";

/**
 * The provider and cluster of a construct in `scope` from its `cluster` and
 * `provider` props: `cluster` gives its provider of `kind`; a `provider` that
 * is some ClusterProviders' provider stands for that cluster. Problems: both
 * props at once, something else than a ClusterProviders as `cluster`, and a
 * cluster of another stack (a provider configuration serves only the stack it
 * is written into).
 */
export function providerFor(
  scope: IConstruct,
  props: { readonly cluster?: ClusterProviders; readonly provider?: TerraformProvider },
  kind: ProviderKind,
): { cluster?: ClusterProviders; provider?: TerraformProvider; problems: string[] } {
  const problems: string[] = [];
  if (props.cluster !== undefined && !(props.cluster instanceof ClusterProviders)) {
    return { problems: ["`cluster` must be a ClusterProviders"] };
  }
  if (props.cluster !== undefined && props.provider !== undefined) {
    problems.push(`\`cluster\` and \`provider\` together: pass \`cluster\` (its ${kind} provider is used) or \`provider\`, not both`);
  }
  const cluster = props.cluster ?? ClusterProviders.of(props.provider);
  if (cluster !== undefined && TerraformStack.of(cluster) !== TerraformStack.of(scope)) {
    problems.push(
      `\`${props.cluster !== undefined ? "cluster" : "provider"}\` belongs to the ClusterProviders ${cluster.node.path} of stack "${TerraformStack.of(cluster).node.id}", ` +
        `but this construct is in stack "${TerraformStack.of(scope).node.id}", where that provider is not configured; ` +
        "create a ClusterProviders in this stack for the same access",
    );
  }
  return { ...(cluster ? { cluster } : {}), provider: cluster ? cluster[kind] : props.provider, problems };
}
