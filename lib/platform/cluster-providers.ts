import * as path from "node:path";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { NullProvider } from "@cdktf/provider-null/lib/provider";
import { App, Aspects, type IAspect, TerraformStack } from "cdktf";
import { Construct, type IConstruct } from "constructs";
import { accessKey, registerClusterKey } from "../shared/cluster-key";
import { DEFAULT_KUBECONFIG } from "../webhook-check/settings";

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

/**
 * KubeAccess from the environment, as kubectl reads it: `KUBECONFIG` (a
 * path-list) else `~/.kube/config`, and `KUBE_CONTEXT` else the current-context.
 */
export function kubeAccessFromEnvironment(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Required<Pick<KubeAccess, "kubeconfigPaths">> & KubeAccess {
  const kubeconfigPaths = (env.KUBECONFIG ?? "").split(path.delimiter).filter((p) => p !== "");
  return {
    kubeconfigPaths: kubeconfigPaths.length > 0 ? kubeconfigPaths : [DEFAULT_KUBECONFIG],
    ...(env.KUBE_CONTEXT ? { context: env.KUBE_CONTEXT } : {}),
  };
}

/** Props of {@link ClusterProviders}. */
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
 */
export class ClusterProviders extends Construct {
  public readonly helm: HelmProvider;
  public readonly kubernetes: KubernetesProvider;
  public readonly null: NullProvider;
  /** The kubeconfig paths (as written into the stack) and context the providers use. */
  public readonly access: KubeAccess;
  /** The alias given in props, if any. */
  public readonly explicitAlias?: string;

  constructor(scope: Construct, id: string, props: ClusterProvidersProps = {}) {
    super(scope, id);
    const stack = TerraformStack.of(this);
    const stackDir = path.resolve(App.of(this).outdir, "stacks", stack.node.id);
    const given = props.kubeconfigPaths && props.kubeconfigPaths.length > 0 ? props.kubeconfigPaths : [DEFAULT_KUBECONFIG];
    const kubeconfigPaths = given.map((p) =>
      p === "~" || p.startsWith("~/") || path.isAbsolute(p) ? p : path.relative(stackDir, path.resolve(p)) || ".",
    );
    this.access = { kubeconfigPaths, ...(props.context !== undefined ? { context: props.context } : {}) };
    this.explicitAlias = props.alias;
    const paths = kubeconfigPaths.length === 1 ? { configPath: kubeconfigPaths[0] } : { configPaths: kubeconfigPaths };
    const context = props.context !== undefined ? { configContext: props.context } : {};
    const alias = props.alias !== undefined ? { alias: props.alias } : {};
    this.kubernetes = new KubernetesProvider(this, "kubernetes", { ...paths, ...context, ...alias });
    this.helm = new HelmProvider(this, "helm", { kubernetes: { ...paths, ...context }, ...alias });
    this.null = new NullProvider(this, "null", alias);
    const key = accessKey(given, props.context);
    for (const provider of [this.kubernetes, this.helm, this.null]) registerClusterKey(provider, key);
    if (!aspectAdded.has(stack)) {
      aspectAdded.add(stack);
      Aspects.of(stack).add(new AliasWhenSeveral());
    }
  }

  /** @internal Sets the alias of the three providers. */
  public applyAlias(alias: string): void {
    this.helm.alias = alias;
    this.kubernetes.alias = alias;
    this.null.alias = alias;
  }
}
