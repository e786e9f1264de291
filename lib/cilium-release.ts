import { Release } from "@cdktf/provider-helm/lib/release";
import type { ITerraformDependable, TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { stringify } from "yaml";
import {
  type CiliumValues,
  mergeValues,
  POLICY_ENFORCEMENT_MODES,
  type PolicyEnforcementMode,
  TALOS_KUBEPRISM_HOST,
  TALOS_PRESET,
  type Values,
} from "./cilium-values";
import { isDns1123Label } from "./k8s-names";
import { sha256 } from "./stable-json";

/** The Cilium chart version pinned by default: a current stable 1.x release. */
export const DEFAULT_CILIUM_VERSION = "1.19.2";
/** Cilium's Helm repository. */
export const CILIUM_HELM_REPOSITORY = "https://helm.cilium.io";

/** What a caller sets on {@link CiliumRelease}. */
export interface CiliumReleaseOptions {
  /**
   * Exact chart version (`1.19.2`, or a prerelease like `1.20.0-rc.1`). Ranges
   * such as `^1.18` or `1.x` are refused: an upgrade should be a reviewed diff.
   *
   * @default DEFAULT_CILIUM_VERSION ("1.19.2")
   */
  readonly version?: string;

  /**
   * Helm repository holding the chart.
   *
   * @default "https://helm.cilium.io"
   */
  readonly repository?: string;

  /**
   * Chart name in the repository.
   *
   * @default "cilium"
   */
  readonly chart?: string;

  /**
   * Helm release name.
   *
   * @default "cilium"
   */
  readonly releaseName?: string;

  /**
   * Namespace of the release. Cilium runs in kube-system on Talos.
   *
   * @default "kube-system"
   */
  readonly namespace?: string;

  /**
   * Apply the values Talos documents for Cilium with kube-proxy replacement
   * (see `TALOS_PRESET`): `ipam.mode=kubernetes`, `kubeProxyReplacement=true`,
   * KubePrism at `localhost:7445`, no cgroup auto-mount, `/sys/fs/cgroup` as
   * cgroup root, and capability lists without SYS_MODULE. The Talos machine
   * config must set `cluster.network.cni.name: none` and `cluster.proxy.disabled: true`.
   *
   * @default false
   */
  readonly talos?: boolean;

  /**
   * Cilium's policy enforcement mode. `"never"` turns network policy off
   * altogether and is refused unless `allowPolicyEnforcementNever` is set.
   *
   * @default "default"
   */
  readonly policyEnforcementMode?: PolicyEnforcementMode;

  /**
   * Acknowledge that `policyEnforcementMode: "never"` disables every network
   * policy in the cluster.
   *
   * @default false
   */
  readonly allowPolicyEnforcementNever?: boolean;

  /**
   * Replace kube-proxy with Cilium's eBPF service handling. Needs
   * `k8sServiceHost`, because nothing else provides the kubernetes Service then.
   *
   * @default - true with `talos`, otherwise the chart's default
   */
  readonly kubeProxyReplacement?: boolean;

  /**
   * Address Cilium uses to reach the API server. With `talos` only
   * `localhost` (KubePrism) is accepted.
   *
   * @default - "localhost" with `talos`, otherwise the chart's default
   */
  readonly k8sServiceHost?: string;

  /**
   * Port Cilium uses to reach the API server.
   *
   * @default - 7445 (KubePrism) with `talos`, otherwise the chart's default
   */
  readonly k8sServicePort?: number;

  /**
   * Number of cilium-operator replicas (1 suits a single-node dev cluster).
   *
   * @default - the chart's default (2)
   */
  readonly operatorReplicas?: number;

  /**
   * Any other chart values, deep-merged over the typed ones (these win; `null`
   * removes a key, as in Helm). The refusals above are checked on the merged
   * result, so they cannot be bypassed here.
   *
   * @default - none
   */
  readonly values?: Values;

  /**
   * Wait until every resource is ready before marking the release successful.
   *
   * @default true
   */
  readonly wait?: boolean;

  /**
   * Seconds to wait for any single Kubernetes operation.
   *
   * @default 600
   */
  readonly timeoutSeconds?: number;

  /**
   * Roll back (uninstall, on a first install) when the release fails. Off by
   * default: rolling back a CNI leaves the cluster with no pod network at all.
   *
   * @default false
   */
  readonly atomic?: boolean;

  /**
   * Delete resources created by a failed upgrade.
   *
   * @default true
   */
  readonly cleanupOnFail?: boolean;

  /**
   * Release revisions Helm keeps.
   *
   * @default 10
   */
  readonly maxHistory?: number;

  /**
   * The helm provider to install with.
   *
   * @default - the stack's default helm provider
   */
  readonly provider?: TerraformProvider;

  /**
   * Resources the release waits for.
   *
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** Props of {@link CiliumRelease}. */
export interface CiliumReleaseProps extends CiliumReleaseOptions {}

const EXACT_VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z.-]+)?$/;

/**
 * The Cilium CNI as one `helm_release`, with a pinned chart and typed values,
 * Talos-ready. Values are rendered as one YAML document with sorted keys, so the
 * same props always synthesize the same text.
 */
export class CiliumRelease extends Construct {
  /** The helm_release; make resources that need the CNI depend on it. */
  public readonly release: Release;
  /** Namespace of the release. */
  public readonly namespace: string;
  /** Helm release name. */
  public readonly releaseName: string;
  /** Pinned chart version. */
  public readonly chartVersion: string;
  /** The merged values passed to the chart. */
  public readonly values: Values;
  /** `values` as the YAML document handed to Helm. */
  public readonly valuesYaml: string;
  /** sha256 of `valuesYaml`. */
  public readonly valuesHash: string;
  /** The effective policy enforcement mode. */
  public readonly policyEnforcementMode: PolicyEnforcementMode;

  constructor(scope: Construct, id: string, props: CiliumReleaseProps = {}) {
    super(scope, id);
    const version = props.version ?? DEFAULT_CILIUM_VERSION;
    const namespace = props.namespace ?? "kube-system";
    const releaseName = props.releaseName ?? "cilium";
    const talos = props.talos ?? false;

    const typed: CiliumValues = {
      ...(talos ? TALOS_PRESET : {}),
      policyEnforcementMode: props.policyEnforcementMode ?? "default",
      ...(props.kubeProxyReplacement !== undefined ? { kubeProxyReplacement: props.kubeProxyReplacement } : {}),
      ...(props.k8sServiceHost !== undefined ? { k8sServiceHost: props.k8sServiceHost } : {}),
      ...(props.k8sServicePort !== undefined ? { k8sServicePort: props.k8sServicePort } : {}),
      ...(props.operatorReplicas !== undefined ? { operator: { replicas: props.operatorReplicas } } : {}),
    };
    const values = mergeValues(typed as Values, props.values ?? {});

    const problems = checkRelease({ version, namespace, releaseName, talos, values, props });
    if (problems.length > 0) {
      throw new Error(
        `CiliumRelease "${id}": ${problems.length} problem(s); nothing was synthesized:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
      );
    }

    this.namespace = namespace;
    this.releaseName = releaseName;
    this.chartVersion = version;
    this.values = values;
    this.valuesYaml = stringify(values, { sortMapEntries: true });
    this.valuesHash = sha256(this.valuesYaml);
    this.policyEnforcementMode = values.policyEnforcementMode as PolicyEnforcementMode;
    this.release = new Release(this, "release", {
      name: releaseName,
      repository: props.repository ?? CILIUM_HELM_REPOSITORY,
      chart: props.chart ?? "cilium",
      version,
      namespace,
      values: [this.valuesYaml],
      wait: props.wait ?? true,
      timeout: props.timeoutSeconds ?? 600,
      atomic: props.atomic ?? false,
      cleanupOnFail: props.cleanupOnFail ?? true,
      maxHistory: props.maxHistory ?? 10,
      provider: props.provider,
      dependsOn: props.dependsOn,
    });
  }
}

interface ReleaseCheck {
  version: string;
  namespace: string;
  releaseName: string;
  talos: boolean;
  values: Values;
  props: CiliumReleaseProps;
}

function checkRelease(c: ReleaseCheck): string[] {
  const problems: string[] = [];
  const { values, props } = c;
  if (!EXACT_VERSION.test(c.version)) {
    problems.push(`version "${c.version}" is not an exact chart version; pin one, e.g. version: "${DEFAULT_CILIUM_VERSION}"`);
  }
  if (!isDns1123Label(c.namespace)) problems.push(`namespace "${c.namespace}" is not a valid namespace name (RFC 1123 label)`);
  if (!isDns1123Label(c.releaseName, 53)) {
    problems.push(
      `releaseName "${c.releaseName}" is not a valid Helm release name (lowercase alphanumerics and '-', at most 53 characters)`,
    );
  }
  const mode = values.policyEnforcementMode;
  if (typeof mode !== "string" || !POLICY_ENFORCEMENT_MODES.includes(mode as PolicyEnforcementMode)) {
    problems.push(`policyEnforcementMode "${String(mode)}" is not one of ${POLICY_ENFORCEMENT_MODES.join(", ")}`);
  } else if (mode === "never" && props.allowPolicyEnforcementNever !== true) {
    problems.push(
      'policyEnforcementMode "never" turns off every network policy in the cluster (the security layer this module manages); ' +
        'use "default" or "always", or set allowPolicyEnforcementNever: true to accept that',
    );
  }
  const port = values.k8sServicePort;
  if (port !== undefined && (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535)) {
    problems.push(`k8sServicePort ${String(port)} must be an integer from 1 to 65535`);
  }
  if (values.kubeProxyReplacement === true && (typeof values.k8sServiceHost !== "string" || values.k8sServiceHost === "")) {
    problems.push(
      "kubeProxyReplacement needs k8sServiceHost (and k8sServicePort): without kube-proxy nothing else routes Cilium to the API server",
    );
  }
  if (c.talos) {
    if (values.k8sServiceHost !== TALOS_KUBEPRISM_HOST) {
      problems.push(
        `the Talos preset reaches the API server through KubePrism on ${TALOS_KUBEPRISM_HOST}; k8sServiceHost "${String(values.k8sServiceHost)}" would bypass it. ` +
          "Remove the k8sServiceHost override, or set talos: false",
      );
    }
    const caps = (values.securityContext as Values | undefined)?.capabilities as Values | undefined;
    for (const key of ["ciliumAgent", "cleanCiliumState"]) {
      const list = caps?.[key];
      if (Array.isArray(list) && list.includes("SYS_MODULE")) {
        problems.push(`securityContext.capabilities.${key} includes SYS_MODULE, which Talos does not grant to workloads; remove it`);
      }
    }
  }
  if (props.timeoutSeconds !== undefined && (!Number.isInteger(props.timeoutSeconds) || props.timeoutSeconds <= 0)) {
    problems.push(`timeoutSeconds ${props.timeoutSeconds} must be a positive whole number`);
  }
  if (props.maxHistory !== undefined && (!Number.isInteger(props.maxHistory) || props.maxHistory < 0)) {
    problems.push(`maxHistory ${props.maxHistory} must be a whole number, 0 or more`);
  }
  if (props.operatorReplicas !== undefined && (!Number.isInteger(props.operatorReplicas) || props.operatorReplicas < 1)) {
    problems.push(`operatorReplicas ${props.operatorReplicas} must be a whole number, 1 or more`);
  }
  return problems;
}
