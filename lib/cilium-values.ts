/** Cilium's `policyEnforcementMode` (https://docs.cilium.io/en/stable/security/policy/intro/). */
export type PolicyEnforcementMode = "default" | "always" | "never";

export const POLICY_ENFORCEMENT_MODES: readonly PolicyEnforcementMode[] = ["default", "always", "never"];

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
  readonly policyEnforcementMode?: PolicyEnforcementMode;
  readonly operator?: { readonly replicas?: number };
}

/** KubePrism, Talos's in-node API server load balancer. */
export const TALOS_KUBEPRISM_HOST = "localhost";
export const TALOS_KUBEPRISM_PORT = 7445;

/**
 * The values Talos documents for Cilium with kube-proxy replacement
 * ("Deploying Cilium CNI", Talos docs, Cilium 1.18): Kubernetes IPAM, the cgroupv2
 * and bpffs mounts Talos already provides, API server through KubePrism, and the
 * default capabilities minus SYS_MODULE (Talos lets no workload load kernel modules).
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

export type Values = { [key: string]: unknown };

const isPlainObject = (v: unknown): v is Values => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Helm's merge of values: maps merge key by key, everything else (lists
 * included) is replaced by the later value, and `null` removes a key.
 * Neither input is modified.
 */
export function mergeValues(base: Values, override: Values): Values {
  const out: Values = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === null) delete out[key];
    else if (isPlainObject(value) && isPlainObject(out[key])) out[key] = mergeValues(out[key] as Values, value);
    else out[key] = value;
  }
  return out;
}
