// The chart values this module writes, typed (CiliumValues), the Talos preset and its KubePrism
// address, and mergeValues (the deep merge of values layers).
import { isObject } from "../shared/stable-json";
import type { PolicyEnforcementMode } from "../shared/vocabulary";

/**
 * The Cilium chart values this module owns, typed. Every key exists in the
 * chart's values schema (checked by the tests against Cilium's
 * values.schema.json). Anything else goes through `values`.
 */
export interface CiliumValues {
  readonly ipam?: { readonly mode?: string };
  readonly kubeProxyReplacement?: boolean;
  readonly k8sServiceHost?: string;
  readonly k8sServicePort?: number;
  readonly cgroup?: { readonly autoMount?: { readonly enabled?: boolean }; readonly hostRoot?: string };
  readonly securityContext?: {
    readonly capabilities?: { readonly ciliumAgent?: readonly string[]; readonly cleanCiliumState?: readonly string[] };
  };
  readonly bpf?: { readonly hostLegacyRouting?: boolean; readonly masquerade?: boolean };
  readonly policyEnforcementMode?: PolicyEnforcementMode;
  readonly operator?: { readonly replicas?: number };
  readonly upgradeCompatibility?: string;
}

/** KubePrism, Talos's in-node API server load balancer, as the preset writes it. @internal */
export const TALOS_KUBEPRISM_HOST = "localhost";
/** Every address KubePrism answers on: it listens on 127.0.0.1, which `localhost` names. @internal */
export const TALOS_KUBEPRISM_HOSTS: readonly string[] = [TALOS_KUBEPRISM_HOST, "127.0.0.1"];
/** KubePrism's port on every Talos node. @internal */
export const TALOS_KUBEPRISM_PORT = 7445;

/**
 * The values Talos documents for Cilium with kube-proxy replacement
 * ("Deploying Cilium CNI", Talos docs, Cilium 1.18): Kubernetes IPAM, the cgroupv2
 * and bpffs mounts Talos already provides, API server through KubePrism, and the
 * default capabilities minus SYS_MODULE (Talos lets no workload load kernel modules).
 * docs/cilium.md ("The Talos preset, value by value") compares it value by value with both install pages.
 *
 * Plus `bpf.hostLegacyRouting: true`, from Cilium's own Talos install page: since
 * Talos 1.8, `forwardKubeDNSToHost` (on by default) forwards pod DNS to the host's
 * DNS on 169.254.116.108, which Cilium's eBPF host routing with BPF masquerading
 * breaks ("operation not permitted" from pods' DNS). See TALOS_DNS_PRESET.
 *
 * @internal `CiliumRelease`'s `talos: true` applies it; exported for tests and comparison.
 */
export const TALOS_PRESET: CiliumValues = {
  ipam: { mode: "kubernetes" },
  kubeProxyReplacement: true,
  k8sServiceHost: TALOS_KUBEPRISM_HOST,
  k8sServicePort: TALOS_KUBEPRISM_PORT,
  cgroup: { autoMount: { enabled: false }, hostRoot: "/sys/fs/cgroup" },
  securityContext: {
    capabilities: {
      ciliumAgent: [
        "CHOWN",
        "KILL",
        "NET_ADMIN",
        "NET_RAW",
        "IPC_LOCK",
        "SYS_ADMIN",
        "SYS_RESOURCE",
        "DAC_OVERRIDE",
        "FOWNER",
        "SETGID",
        "SETUID",
      ],
      cleanCiliumState: ["NET_ADMIN", "SYS_ADMIN", "SYS_RESOURCE"],
    },
  },
};

/** Added to TALOS_PRESET while Talos forwards kube DNS to the host (`forwardKubeDNSToHost`, default since Talos 1.8). @internal */
export const TALOS_DNS_PRESET: CiliumValues = { bpf: { hostLegacyRouting: true } };

export type Values = { [key: string]: unknown };

/**
 * Helm's merge of values: maps merge key by key, everything else (lists
 * included) is replaced by the later value, and `null` removes a key.
 * Neither input is modified.
 */
export function mergeValues(base: Values, override: Values): Values {
  const out: Values = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === null) delete out[key];
    else if (isObject(value) && isObject(out[key])) out[key] = mergeValues(out[key] as Values, value);
    else out[key] = value;
  }
  return out;
}
