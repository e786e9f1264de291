/**
 * The supported Cilium lines, each one home of its facts: the pin (version.ts, where Renovate
 * updates it), the vendored values schema and policy CRDs (schemas/cilium/<line>/, with their
 * provenance in schemas/cilium/README.md) and their compiled validators
 * (dist/vendor/<line>/), the Talos preset's differences and the path engine's switches.
 * Everything that depends on the line reads it here.
 */
import { CILIUM_PINS, type CiliumLine, DEFAULT_CILIUM_LINE } from "./version";

export { type CiliumLine, CILIUM_PINS, DEFAULT_CILIUM_LINE };

/** What differs between the lines, with where each fact was read. */
export interface CiliumLineFacts {
  readonly line: CiliumLine;
  /** The chart version an app of this line installs by default: the line's newest patch. */
  readonly pin: string;
  /** The cilium/cilium tag whose values schema and policy CRDs schemas/cilium/<line>/ holds. */
  readonly vendoredTag: string;
  /**
   * The `policyCIDRMatchMode` entries the agent accepts (pkg/option/config.go
   * `validatePolicyCIDRMatchMode`: "nodes" at v1.19.7; "nodes" and "pods" at v1.20.2).
   */
  readonly policyCIDRMatchModes: readonly ("nodes" | "pods")[];
  /**
   * Whether a pod's connection to a NodePort is load-balanced as it leaves the pod, SNAT NodePorts
   * included, when socket LB is kept out of pods (`socketLB.hostNamespaceOnly=true`): bpf/bpf_lxc.c's
   * per-packet LB at v1.20.2, cilium/cilium#44507; Documentation/operations/upgrade-current.inc at
   * v1.20.2, "Changes to Features": "in-cluster connections to NodePort services by regular pods
   * are now immediately load-balanced when network traffic leaves the client pod ... The client
   * pod's NetworkPolicy consequently needs to allow egress traffic towards the service's
   * backends". At v1.19.7 that per-packet LB takes only DSR NodePorts. With socket LB in the pod
   * (kube-proxy replacement turns it on: pkg/kpr/kpr.go at both tags) both lines already do.
   * The path engine decides a path through a NodePort with it (lib/paths/node-port.ts, where
   * each rule is cited).
   */
  readonly nodePortLoadBalancedAtSource: boolean;
  /**
   * Whether the agent can enforce Kubernetes' ClusterNetworkPolicy
   * (policy.networking.k8s.io/v1alpha2, admin and baseline tiers) when the chart's
   * `k8sClusterNetworkPolicy.enabled` is set: pkg/policy/k8s/cell.go at v1.20.2; the
   * value is not in the 1.19 chart schema.
   */
  readonly clusterNetworkPolicy: boolean;
  /**
   * Whether allow-localhost's host-allow rule needs some ingress rule selecting the pod:
   * at v1.20.2 pkg/policy/repository.go computePolicyEnforcementAndRules adds it only when
   * `len(rulesIngress) > 0` (so policyEnforcementMode `always` alone denies the host); at
   * v1.19.7 pkg/policy/mapstate.go determineAllowLocalhostIngress adds it to every policy map.
   */
  readonly localhostNeedsIngressRule: boolean;
  /**
   * Chart values the Talos preset writes on this line beside TALOS_PRESET: none on either
   * line (Documentation/installation/k8s-install-talos-linux.rst is the same text at
   * v1.19.7 and v1.20.2).
   */
  readonly talosPresetDifferences: Readonly<Record<string, unknown>>;
}

/** Every supported line's facts. */
export const CILIUM_LINES: Readonly<Record<CiliumLine, CiliumLineFacts>> = {
  "1.19": {
    line: "1.19",
    pin: CILIUM_PINS["1.19"],
    vendoredTag: "v1.19.7",
    policyCIDRMatchModes: ["nodes"],
    nodePortLoadBalancedAtSource: false,
    clusterNetworkPolicy: false,
    localhostNeedsIngressRule: false,
    talosPresetDifferences: {},
  },
  "1.20": {
    line: "1.20",
    pin: CILIUM_PINS["1.20"],
    vendoredTag: "v1.20.2",
    policyCIDRMatchModes: ["nodes", "pods"],
    nodePortLoadBalancedAtSource: true,
    clusterNetworkPolicy: true,
    localhostNeedsIngressRule: true,
    talosPresetDifferences: {},
  },
};

/** The supported lines, oldest first. */
export const SUPPORTED_CILIUM_LINES = Object.keys(CILIUM_PINS) as CiliumLine[];

const supportedText = () => SUPPORTED_CILIUM_LINES.join(", ");

/** Whether `value` is a supported line's name. */
export const isCiliumLine = (value: unknown): value is CiliumLine => typeof value === "string" && Object.hasOwn(CILIUM_PINS, value);

/** What a chart version says about its line. */
export type VersionLine =
  | { readonly supported: true; readonly line: CiliumLine }
  /** `minor` is the version's own line; `nearest` the supported line whose facts stand in for it. */
  | { readonly supported: false; readonly minor: string; readonly nearest: CiliumLine };

const VERSION = /^v?(\d+)\.(\d+)\.\d+(?:[-+].*)?$/;

/** The line of an exact chart version (`1.20.2`, `v1.19.8`, `1.20.0-rc.1`), or undefined when it is not one. */
export function lineOfVersion(version: string): VersionLine | undefined {
  const m = VERSION.exec(version);
  if (!m) return undefined;
  const minor = `${Number(m[1])}.${Number(m[2])}`;
  if (isCiliumLine(minor)) return { supported: true, line: minor };
  const rank = (line: string) => {
    const [major, min] = line.split(".").map(Number);
    return major * 1000 + min;
  };
  const nearest = SUPPORTED_CILIUM_LINES.reduce((best, line) =>
    Math.abs(rank(line) - rank(minor)) < Math.abs(rank(best) - rank(minor)) ? line : best,
  );
  return { supported: false, minor, nearest };
}

/**
 * A line given as `"1.20"` or as an exact chart version of a supported line (`"1.20.2"`,
 * reduced to its line); undefined gives the default line. Anything else throws a TypeError
 * naming `field` and the supported lines.
 */
export function readCiliumLine(value: unknown, field: string): CiliumLine {
  if (value === undefined) return DEFAULT_CILIUM_LINE;
  if (isCiliumLine(value)) return value;
  const found = typeof value === "string" ? lineOfVersion(value) : undefined;
  if (found?.supported) return found.line;
  throw new TypeError(
    `${field} must be a supported Cilium line (${supportedText()}) or an exact chart version of one, got ${JSON.stringify(value)}`,
  );
}

/** The refusal of a version of another line. */
export function unsupportedLineMessage(version: string, found: Extract<VersionLine, { supported: false }>): string {
  return (
    `version "${version}" is of Cilium ${found.minor}, which this module does not support; supported lines: ${supportedText()} ` +
    `(pins ${SUPPORTED_CILIUM_LINES.map((l) => CILIUM_PINS[l]).join(", ")}). Pick a version of one of them, or set ` +
    `allowUnsupportedVersion: true to install it judged by the ${found.nearest} line's schema, CRDs and semantics (a warning at synth)`
  );
}
