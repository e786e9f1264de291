/**
 * The Cilium settings a proof is decided with, read from a release's merged Helm values. Here,
 * beside the proof that consumes them, rather than in cilium/: cilium/ sits below the path engine
 * (which reads its version lines), so it cannot name the engine's settings type.
 */
import type { CiliumLine } from "../cilium/lines";
import { CILIUM_LINES } from "../cilium/lines";
import type { ProofCilium } from "./prove";
import { isObject } from "../shared/stable-json";

/**
 * The settings of a Cilium release that decide a path, read from its merged Helm values, with the
 * chart's defaults where a value is absent (cilium/cilium v1.20.2,
 * install/kubernetes/cilium/values.yaml: `policyEnforcementMode: "default"`, `policyCIDRMatchMode:`
 * unset, `enableNonDefaultDenyPolicies: true`, `hostFirewall.enabled: false`; `allow-localhost` is
 * not a chart value: it comes only through `extraConfig`, and the agent's default is `auto`).
 * These are the chart's defaults, a fact of their own: they agree today with the engine's
 * (DEFAULT_CILIUM_SETTINGS, lib/paths/input.ts) and the agent's (the check's CILIUM_KEYS), and a
 * chart that changed one would make a release's settings differ from both, as it should.
 *
 * `policyCIDRMatchMode` is a string or a list in the chart (`templates/cilium-configmap.yaml` joins a
 * list with spaces into `policy-cidr-match-mode`); the engine knows the modes of the line (`nodes`;
 * `nodes` and `pods` from 1.20: CILIUM_LINES), in the agent's order, and null means `""`.
 */
export function ciliumPolicySettings(values: Readonly<Record<string, unknown>>, line: CiliumLine): ProofCilium {
  const mode = values.policyEnforcementMode;
  const cidr = values.policyCIDRMatchMode;
  const cidrModes = Array.isArray(cidr) ? cidr : typeof cidr === "string" ? cidr.split(/[\s,]+/) : [];
  const hostFirewall = isObject(values.hostFirewall) ? values.hostFirewall.enabled : undefined;
  const extra = isObject(values.extraConfig) ? values.extraConfig["allow-localhost"] : undefined;
  const known = CILIUM_LINES[line].policyCIDRMatchModes.filter((m) => cidrModes.includes(m));
  return {
    version: line,
    policyEnforcementMode: mode === "always" || mode === "never" ? mode : "default",
    policyCIDRMatchMode: known.join(" ") as ProofCilium["policyCIDRMatchMode"],
    enableNonDefaultDenyPolicies: values.enableNonDefaultDenyPolicies !== false,
    allowLocalhost: extra === "always" || extra === "policy" ? extra : "auto",
    hostFirewall: hostFirewall === true,
  };
}
