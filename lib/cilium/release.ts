// CiliumRelease: the one helm_release of the Cilium chart at a pinned version of a supported
// line, its values (Talos preset, typed options, free values) checked against the line's chart
// schema at synth, and the ordering other constructs use to run after Cilium.
import { Release } from "@cdktf/provider-helm/lib/release";
import { type ITerraformDependable, type TerraformProvider, TerraformStack } from "cdktf";
import { Construct, type IConstruct } from "constructs";
import { stringify } from "yaml";
import { type CiliumValues, mergeValues, TALOS_DNS_PRESET, TALOS_KUBEPRISM_HOSTS, TALOS_PRESET, type Values } from "./values";
import { CILIUM_LINES, type CiliumLine, lineOfVersion, unsupportedLineMessage } from "./lines";
import { validateCiliumValues } from "./values-schema";
import { DEFAULT_CILIUM_LINE, DEFAULT_CILIUM_VERSION } from "./version";
import { type ClusterProviders, providerFor } from "../cluster-handle/cluster-providers";
import { isDns1123Label } from "../shared/k8s-names";
import { POLICY_ENFORCEMENT_MODES, type PolicyEnforcementMode } from "../shared/vocabulary";
import { type KnownProps, propProblems } from "../shared/known-props";
import { orderAfter } from "../shared/ordering";
import { sha256, isObject } from "../shared/stable-json";
import { SynthError } from "../shared/synth-error";
import { escapeTerraform } from "../shared/terraform-escape";
import { warn } from "../shared/warn";

export { DEFAULT_CILIUM_VERSION };
/** Cilium's Helm repository. */
export const CILIUM_HELM_REPOSITORY = "https://helm.cilium.io";

/** What a caller sets on {@link CiliumRelease}.
 *
 * @example
 * { talos: true, operatorReplicas: 1, values: { hubble: { relay: { enabled: true } } } }
 */
export interface CiliumReleaseOptions {
  /**
   * Exact chart version of a supported Cilium line (`SUPPORTED_CILIUM_LINES`: `1.19.8`,
   * `1.20.2`, or a prerelease like `1.20.0-rc.1`). The line's values schema, policy CRDs
   * and semantics judge the release and the policies that follow it. Ranges such as
   * `^1.18` or `1.x` are refused: an upgrade should be a reviewed diff. A version of
   * another line is refused unless `allowUnsupportedVersion` is set.
   *
   * @default DEFAULT_CILIUM_VERSION ("1.20.2")
   */
  readonly version?: string;

  /**
   * Install a `version` of a Cilium line this module does not support (`1.18.14`,
   * `1.21.0`): it is judged by the nearest supported line's values schema, CRDs and
   * semantics, with a warning at synth.
   *
   * @default false
   */
  readonly allowUnsupportedVersion?: boolean;

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
   * cgroup root, capability lists without SYS_MODULE, and
   * `bpf.hostLegacyRouting=true` (see `talosForwardKubeDnsToHost`). The Talos
   * machine config must set `cluster.network.cni.name: none` and
   * `cluster.proxy.disabled: true`.
   *
   * @default false
   */
  readonly talos?: boolean;

  /**
   * Whether the Talos nodes forward kube DNS to the host
   * (`machine.features.hostDNS.forwardKubeDNSToHost`, on by default since Talos
   * 1.8). While it is on, the preset sets `bpf.hostLegacyRouting: true`, as
   * Cilium's Talos page requires, and refuses `bpf.hostLegacyRouting: false`
   * with `bpf.masquerade: true` (pods' DNS would fail). Set `false` only when the
   * machine config turns forwarding off.
   *
   * @default true
   */
  readonly talosForwardKubeDnsToHost?: boolean;

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
   * Address Cilium uses to reach the API server. With `talos` only KubePrism's
   * addresses, `localhost` and `127.0.0.1`, are accepted.
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
   * The Cilium minor version the cluster is upgraded from (`"1.18"`), Cilium's
   * `upgradeCompatibility` value: keeps defaults that changed since then, so an
   * upgrade changes no behaviour by itself. See docs/upgrading.md, "Cilium upgrades on a live cluster".
   *
   * @default - none (the chart's defaults of the pinned version)
   */
  readonly upgradeCompatibility?: string;

  /**
   * Any other chart values, deep-merged over the typed ones (these win; `null`
   * removes a key, as in Helm). The refusals above are checked on the merged
   * result, so they cannot be bypassed here. Every key must exist in the
   * chart's values schema (`schemas/cilium`), with the right type.
   *
   * @default - none
   */
  readonly values?: { readonly [key: string]: unknown };

  /**
   * Accept keys the vendored values schema does not know (for a chart newer
   * than the schema); each is printed as a warning at synth. Types of known keys
   * are still checked.
   *
   * @default false
   */
  readonly allowUnknownValues?: boolean;

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
   * The cluster to install into: its helm provider. Of this construct's stack.
   *
   * @default - `provider`
   * @example new ClusterProviders(stack, "providers", { context: "admin@lab" })
   */
  readonly cluster?: ClusterProviders;

  /**
   * The helm provider to install with, when not `cluster` (a ClusterProviders'
   * provider counts as its cluster).
   *
   * @default - the stack's default helm provider
   */
  readonly provider?: TerraformProvider;

  /**
   * Resources the release waits for. One of another stack is not written into
   * `depends_on` (Terraform refuses that): this stack depends on that one.
   *
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** Props of {@link CiliumRelease}.
 *
 * @example
 * new CiliumRelease(stack, "cilium", { cluster, talos: true, policyEnforcementMode: "default" });
 */
export interface CiliumReleaseProps extends CiliumReleaseOptions {}

/** Every prop of {@link CiliumReleaseProps}: anything else is refused at synth. */
export const CILIUM_RELEASE_PROPS = {
  version: "string",
  allowUnsupportedVersion: "boolean",
  repository: "string",
  chart: "string",
  releaseName: "string",
  namespace: "string",
  talos: "boolean",
  talosForwardKubeDnsToHost: "boolean",
  policyEnforcementMode: "string",
  allowPolicyEnforcementNever: "boolean",
  kubeProxyReplacement: "boolean",
  k8sServiceHost: "string",
  k8sServicePort: "number",
  operatorReplicas: "number",
  upgradeCompatibility: "string",
  values: "object",
  allowUnknownValues: "boolean",
  wait: "boolean",
  timeoutSeconds: "number",
  atomic: "boolean",
  cleanupOnFail: "boolean",
  maxHistory: "number",
  cluster: "object",
  provider: "object",
  dependsOn: "array",
} as const satisfies KnownProps<CiliumReleaseProps>;

const EXACT_VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z.-]+)?$/;
const MINOR_VERSION = /^\d+\.\d+$/;

/**
 * The Cilium CNI as one `helm_release`, with a pinned chart and typed values,
 * Talos-ready. Values are checked against the chart's values schema and
 * rendered as one YAML document with sorted keys, so the same props always
 * synthesize the same text.
 *
 * @example
 * const release = new CiliumRelease(stack, "cilium", { cluster, talos: true });
 * new NetworkPolicies(stack, "policies", { cluster, release, directories: ["./policies"] });
 */
export class CiliumRelease extends Construct {
  /** The helm_release (construct id "release"); make resources that need the CNI depend on it. */
  public readonly helmRelease: Release;
  /** Namespace of the release. */
  public readonly namespace: string;
  /** Helm release name. */
  public readonly releaseName: string;
  /** Pinned chart version. */
  public readonly chartVersion: string;
  /**
   * The supported Cilium line whose facts judge this release (values schema, policy CRDs,
   * semantics): the version's own line, or the nearest one with `allowUnsupportedVersion`.
   */
  public readonly line: CiliumLine;
  /** The merged values passed to the chart. */
  public readonly values: { readonly [key: string]: unknown };
  /** `values` as the YAML document handed to Helm. */
  public readonly valuesYaml: string;
  /** sha256 of `valuesYaml`. */
  public readonly valuesHash: string;
  /** The effective policy enforcement mode. */
  public readonly policyEnforcementMode: PolicyEnforcementMode;

  constructor(scope: Construct, id: string, props: CiliumReleaseProps = {}) {
    super(scope, id);
    const unknown = propProblems(props, CILIUM_RELEASE_PROPS);
    if (unknown.length > 0) throw new SynthError(this, unknown);
    const version = props.version ?? DEFAULT_CILIUM_VERSION;
    const namespace = props.namespace ?? "kube-system";
    const releaseName = props.releaseName ?? "cilium";
    const talos = props.talos ?? false;
    const forwardKubeDns = props.talosForwardKubeDnsToHost ?? true;

    const found = lineOfVersion(version);
    const line = found === undefined ? DEFAULT_CILIUM_LINE : found.supported ? found.line : found.nearest;
    const unsupported = found !== undefined && !found.supported ? found : undefined;

    const preset = talos
      ? mergeValues(
          forwardKubeDns ? mergeValues(TALOS_PRESET as Values, TALOS_DNS_PRESET as Values) : (TALOS_PRESET as Values),
          CILIUM_LINES[line].talosPresetDifferences,
        )
      : {};
    const typed: CiliumValues = {
      policyEnforcementMode: props.policyEnforcementMode ?? "default",
      ...(props.kubeProxyReplacement !== undefined ? { kubeProxyReplacement: props.kubeProxyReplacement } : {}),
      ...(props.k8sServiceHost !== undefined ? { k8sServiceHost: props.k8sServiceHost } : {}),
      ...(props.k8sServicePort !== undefined ? { k8sServicePort: props.k8sServicePort } : {}),
      ...(props.operatorReplicas !== undefined ? { operator: { replicas: props.operatorReplicas } } : {}),
      ...(props.upgradeCompatibility !== undefined ? { upgradeCompatibility: props.upgradeCompatibility } : {}),
    };
    const values = mergeValues(mergeValues(preset, typed as Values), props.values ?? {});

    const problems = checkRelease({ version, namespace, releaseName, talos, forwardKubeDns, values, props, line });
    if (unsupported && props.allowUnsupportedVersion !== true) problems.push(unsupportedLineMessage(version, unsupported));
    const target = providerFor(this, props, "helm");
    problems.push(...target.problems);
    const schemaProblems = validateCiliumValues(values, { line });
    const unknownAllowed = props.allowUnknownValues === true;
    for (const p of schemaProblems) {
      if (p.unknownKey && unknownAllowed) continue;
      problems.push(
        `values.${p.path}: ${p.message} (Cilium ${line} chart schema)${p.unknownKey ? "; fix the key, or set allowUnknownValues: true for a chart newer than the vendored schema" : ""}`,
      );
    }
    if (problems.length > 0) throw new SynthError(this, problems);
    if (unsupported) {
      warn(
        this,
        `version "${version}" is of Cilium ${unsupported.minor}, not a supported line; judged by the ${line} line's values schema, CRDs and semantics (allowUnsupportedVersion)`,
      );
    }
    if (unknownAllowed) {
      for (const p of schemaProblems.filter((x) => x.unknownKey)) {
        warn(
          this,
          `values.${p.path}: ${p.message}, not in the vendored Cilium values schema; passed to Helm as written (allowUnknownValues)`,
        );
      }
    }

    this.namespace = namespace;
    this.releaseName = releaseName;
    this.chartVersion = version;
    this.line = line;
    this.values = values;
    this.valuesYaml = stringify(values, { sortMapEntries: true });
    this.valuesHash = sha256(this.valuesYaml);
    this.policyEnforcementMode = values.policyEnforcementMode as PolicyEnforcementMode;
    const after = orderAfter(this, props.dependsOn ?? [], "dependsOn").sameStack;
    this.helmRelease = new Release(this, "release", {
      name: releaseName,
      repository: props.repository ?? CILIUM_HELM_REPOSITORY,
      chart: props.chart ?? "cilium",
      version,
      namespace,
      // Helm receives the text literally: Terraform must not read `${` in a value as a template.
      values: [escapeTerraform(this.valuesYaml)],
      wait: props.wait ?? true,
      timeout: props.timeoutSeconds ?? 600,
      atomic: props.atomic ?? false,
      cleanupOnFail: props.cleanupOnFail ?? true,
      maxHistory: props.maxHistory ?? 10,
      provider: target.provider,
      dependsOn: after.length > 0 ? after : undefined,
    });
  }

  /**
   * What a resource in `scope` lists in `depends_on` to run after Cilium: the
   * helm_release when it is in the same stack; none across stacks, where a stack
   * dependency orders them instead (a depends_on cannot cross stacks).
   */
  public dependablesFor(scope: IConstruct): ITerraformDependable[] {
    return TerraformStack.of(this) === TerraformStack.of(scope) ? [this.helmRelease] : [];
  }
}

interface ReleaseCheck {
  version: string;
  namespace: string;
  releaseName: string;
  talos: boolean;
  forwardKubeDns: boolean;
  /** The merged values: every rule on a chart value reads them, whatever set the value. */
  values: Values;
  props: CiliumReleaseProps;
  line: CiliumLine;
}

const at = (values: Values, path: string): unknown => path.split(".").reduce<unknown>((v, k) => (isObject(v) ? v[k] : undefined), values);

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
  // The agent checks each word of policy-cidr-match-mode and does not start on one it does not
  // know (pkg/option/config.go validatePolicyCIDRMatchMode at v1.19.7: "nodes"; v1.20.2: "nodes",
  // "pods"); the chart joins a list with spaces (templates/cilium-configmap.yaml).
  const cidr = values.policyCIDRMatchMode;
  const cidrWords = Array.isArray(cidr) ? cidr : typeof cidr === "string" ? cidr.split(/[\s,]+/).filter((w) => w !== "") : [];
  const cidrModes: readonly unknown[] = CILIUM_LINES[c.line].policyCIDRMatchModes;
  for (const word of cidrWords.filter((w) => !cidrModes.includes(w))) {
    problems.push(
      `values.policyCIDRMatchMode: ${JSON.stringify(word)} is not a mode the Cilium ${c.line} agent knows (${cidrModes.join(", ")}): the agent would refuse it and not start`,
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
  const portNumber = typeof port === "string" && /^\d+$/.test(port) ? Number(port) : port;
  if (port !== undefined && (typeof portNumber !== "number" || !Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535)) {
    problems.push(`k8sServicePort ${JSON.stringify(port)} must be a whole number from 1 to 65535`);
  }
  const kpr = values.kubeProxyReplacement;
  if ((kpr === true || kpr === "true") && (typeof values.k8sServiceHost !== "string" || values.k8sServiceHost === "")) {
    problems.push(
      "kubeProxyReplacement needs k8sServiceHost (and k8sServicePort): without kube-proxy nothing else routes Cilium to the API server",
    );
  }
  const replicas = at(values, "operator.replicas");
  if (replicas !== undefined && (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 1)) {
    problems.push(
      `operator.replicas ${JSON.stringify(replicas)} must be a whole number, 1 or more: without cilium-operator, IPAM and identity garbage collection stop`,
    );
  }
  const compat = values.upgradeCompatibility;
  if (compat !== undefined && (typeof compat !== "string" || !MINOR_VERSION.test(compat))) {
    problems.push(`upgradeCompatibility ${JSON.stringify(compat)} must be the Cilium minor version you upgrade from, e.g. "1.18"`);
  }
  if (c.talos) checkTalos(c, problems);
  if (props.timeoutSeconds !== undefined && (!Number.isInteger(props.timeoutSeconds) || props.timeoutSeconds <= 0)) {
    problems.push(`timeoutSeconds ${props.timeoutSeconds} must be a positive whole number`);
  }
  if (props.maxHistory !== undefined && (!Number.isInteger(props.maxHistory) || props.maxHistory < 0)) {
    problems.push(`maxHistory ${props.maxHistory} must be a whole number, 0 or more`);
  }
  return problems;
}

function checkTalos(c: ReleaseCheck, problems: string[]): void {
  const { values } = c;
  if (!TALOS_KUBEPRISM_HOSTS.includes(values.k8sServiceHost as string)) {
    problems.push(
      `the Talos preset reaches the API server through KubePrism (${TALOS_KUBEPRISM_HOSTS.join(" or ")}); k8sServiceHost "${String(values.k8sServiceHost)}" would bypass it. ` +
        "Remove the k8sServiceHost override, or set talos: false",
    );
  }
  for (const key of ["ciliumAgent", "cleanCiliumState"]) {
    const list = at(values, `securityContext.capabilities.${key}`);
    if (Array.isArray(list) && list.includes("SYS_MODULE")) {
      problems.push(`securityContext.capabilities.${key} includes SYS_MODULE, which Talos does not grant to workloads; remove it`);
    }
  }
  // The chart's default for both is false.
  if (c.forwardKubeDns && at(values, "bpf.hostLegacyRouting") !== true && at(values, "bpf.masquerade") === true) {
    problems.push(
      "bpf.masquerade: true without bpf.hostLegacyRouting: true breaks pods' DNS on Talos >= 1.8, which forwards kube DNS to the host " +
        "(forwardKubeDNSToHost; Cilium's Talos install page). Keep the preset's bpf.hostLegacyRouting: true, or turn " +
        "machine.features.hostDNS.forwardKubeDNSToHost off in the Talos machine config and set talosForwardKubeDnsToHost: false",
    );
  }
}
