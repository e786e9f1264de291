import { Construct } from "constructs";
import { CiliumRelease, type CiliumReleaseOptions } from "../cilium/release";
import type { ClusterProviders, KubeAccess } from "./cluster-providers";
import { NetworkPolicies, type NetworkPoliciesOptions } from "../policies/network-policies";
import { POLICY_SETS, type PolicySet, policySetDirectory } from "../policies/sets";
import { SynthError } from "../shared/synth-error";
import { WebhookCheck, type WebhookCheckOptions } from "../webhook-check/webhook-check";

/** Props of {@link CiliumPlatform}. */
export interface CiliumPlatformProps {
  /**
   * The Cilium release.
   *
   * @default - CiliumRelease defaults (pinned chart, policy mode "default", no Talos preset)
   */
  readonly release?: CiliumReleaseOptions;

  /**
   * A policy set shipped with this package, loaded before `policies`.
   *
   * @default - none
   */
  readonly policySet?: PolicySet;

  /**
   * Your own policies (directories and objects), on top of `policySet`.
   *
   * @default - none
   */
  readonly policies?: NetworkPoliciesOptions;

  /**
   * The post-apply webhook check, or `false` for none.
   *
   * @default - the check with its defaults (cert-manager/cert-manager-webhook:443, 120 s)
   */
  readonly check?: WebhookCheckOptions | false;

  /**
   * The cluster: its providers (helm for the release, kubernetes for the
   * policies, null for the check) and the kubeconfig the check reads, all from
   * one ClusterProviders. Required when a stack has several clusters.
   *
   * @default - the stack's default providers, and `kube`
   */
  readonly cluster?: ClusterProviders;

  /**
   * The kubeconfig and context the check uses, when `cluster` is not given: pass
   * the same as to the providers.
   *
   * @default - `cluster.access`, else KUBECONFIG of the apply process, then ~/.kube/config; current-context
   */
  readonly kube?: KubeAccess;
}

/**
 * Cilium, the network policies, and proof that kube-apiserver can still reach
 * the cert-manager webhook: CiliumRelease -> NetworkPolicies (each depending on
 * the release) -> WebhookCheck (after all of them). Each part is also usable
 * alone.
 */
export class CiliumPlatform extends Construct {
  public readonly release: CiliumRelease;
  public readonly policies: NetworkPolicies;
  /** Absent when `check: false`. */
  public readonly check?: WebhookCheck;

  constructor(scope: Construct, id: string, props: CiliumPlatformProps = {}) {
    super(scope, id);
    const cluster = props.cluster;
    this.release = new CiliumRelease(this, "release", { ...(cluster ? { provider: cluster.helm } : {}), ...props.release });
    if (props.policySet !== undefined && !POLICY_SETS.includes(props.policySet)) {
      throw new SynthError(this, [
        `policySet "${String(props.policySet)}" is not a shipped policy set; use one of ${POLICY_SETS.join(", ")}`,
      ]);
    }
    const directories = [...(props.policySet ? [policySetDirectory(props.policySet)] : []), ...(props.policies?.directories ?? [])];
    this.policies = new NetworkPolicies(this, "policies", {
      ...(cluster ? { provider: cluster.kubernetes } : {}),
      ...props.policies,
      directories,
      release: this.release,
    });
    if (props.check !== false) {
      const kube = props.kube ?? cluster?.access;
      this.check = new WebhookCheck(this, "webhook-check", {
        ...(cluster ? { provider: cluster.null } : {}),
        ...(kube?.kubeconfigPaths ? { kubeconfigPaths: kube.kubeconfigPaths } : {}),
        ...(kube?.context !== undefined ? { context: kube.context } : {}),
        ...(props.check ?? {}),
        release: this.release,
        policies: this.policies,
      });
    }
  }
}
