import * as path from "node:path";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { NullProvider } from "@cdktf/provider-null/lib/provider";
import { Construct } from "constructs";
import { DEFAULT_KUBECONFIG } from "./check/options";

/** Which cluster to talk to: kubeconfig paths and context, never kubeconfig contents. */
export interface KubeAccess {
  /**
   * kubeconfig files, merged in order. A leading `~/` is expanded by the
   * providers and the check at apply time, so the synthesized JSON does not
   * depend on whose home directory it was synthesized in.
   *
   * @default ["~/.kube/config"]
   */
  readonly configPaths?: string[];

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
): Required<Pick<KubeAccess, "configPaths">> & KubeAccess {
  const configPaths = (env.KUBECONFIG ?? "").split(path.delimiter).filter((p) => p !== "");
  return {
    configPaths: configPaths.length > 0 ? configPaths : [DEFAULT_KUBECONFIG],
    ...(env.KUBE_CONTEXT ? { context: env.KUBE_CONTEXT } : {}),
  };
}

/** Props of {@link ClusterProviders}. */
export interface ClusterProvidersProps extends KubeAccess {}

/**
 * The helm, kubernetes and null providers this module's resources use, the
 * first two reading the same kubeconfig and context.
 */
export class ClusterProviders extends Construct {
  public readonly helm: HelmProvider;
  public readonly kubernetes: KubernetesProvider;
  public readonly null: NullProvider;
  /** The kubeconfig paths and context the providers use; hand them to WebhookCheck. */
  public readonly access: KubeAccess;

  constructor(scope: Construct, id: string, props: ClusterProvidersProps = {}) {
    super(scope, id);
    const configPaths = props.configPaths && props.configPaths.length > 0 ? props.configPaths : [DEFAULT_KUBECONFIG];
    this.access = { configPaths, ...(props.context !== undefined ? { context: props.context } : {}) };
    const paths = configPaths.length === 1 ? { configPath: configPaths[0] } : { configPaths };
    const context = props.context !== undefined ? { configContext: props.context } : {};
    this.kubernetes = new KubernetesProvider(this, "kubernetes", { ...paths, ...context });
    this.helm = new HelmProvider(this, "helm", { kubernetes: { ...paths, ...context } });
    this.null = new NullProvider(this, "null");
  }
}
