/**
 * Cilium's settings as the proof assumed them: `cilium-config` in the release's
 * namespace must agree with the proof's `cilium` settings, an absent key read as the
 * agent's default.
 */
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import { POLICY_ENFORCEMENT_MODES } from "../../shared/vocabulary";
import { ALLOW_LOCALHOST_MODES } from "../../paths/types";
import type { KubeTarget } from "../kube/http";
import type { ProofCiliumSettings } from "../../proof/check-proof";
import { notAnObject, notConfirmed, quoted, verdict } from "./assumptions";
import type { AssumptionResult } from "./result";
import { read } from "./services";

/** Go's strconv.ParseBool, which the agent's config-map validation uses (cast.ToBoolE). */
function goBool(raw: string): boolean | undefined {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(raw)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(raw)) return false;
  return undefined;
}

/**
 * How the agent reads each key the proof depends on. The chart writes them in
 * install/kubernetes/cilium/templates/cilium-configmap.yaml (cilium/cilium):
 * `enable-policy: "{{ lower .Values.policyEnforcementMode }}"`,
 * `policy-cidr-match-mode: {{ join " " .Values.policyCIDRMatchMode | quote }}`,
 * `enable-host-firewall` only when hostFirewall.enabled, `enable-non-default-deny-policies:
 * {{ .Values.enableNonDefaultDenyPolicies | quote }}`, and `allow-localhost` only through
 * `extraConfig`. The agent reads the mounted ConfigMap with each value trimmed
 * (pkg/option/config.go ReadDirConfig, bytes.TrimSpace), refuses a bool it cannot parse
 * (validateConfigMap, cast.ToBoolE) and fills an absent key from its flag default
 * (daemon/cmd/daemon_main.go: enable-policy "default" (option.DefaultEnforcement),
 * allow-localhost "auto", enable-host-firewall false, policy-cidr-match-mode a string
 * slice defaulting to empty, enable-non-default-deny-policies
 * defaults.EnableNonDefaultDenyPolicies, true in pkg/defaults/defaults.go).
 * pkg/option/config.go Populate lowercases enable-policy and reads
 * policy-cidr-match-mode with GetStringSlice (whitespace-separated).
 * Sources: cilium/cilium v1.20.2 (daemon/cmd/daemon_main.go, pkg/defaults/defaults.go,
 * pkg/option/config.go, the chart template above). These are the agent's defaults, a fact of
 * their own: they agree today with the engine's (DEFAULT_CILIUM_SETTINGS, lib/paths/input.ts)
 * and the chart's (lib/proof/cilium-settings.ts). The values schemas vendored in schemas/cilium/<line>/ (1.19 and 1.20) have the same five values
 * (policyEnforcementMode, policyCIDRMatchMode, enableNonDefaultDenyPolicies,
 * hostFirewall, extraConfig) that feed these keys.
 */
interface CiliumKey {
  readonly key: string;
  readonly setting: keyof Omit<ProofCiliumSettings, "namespace">;
  readonly absent: string;
  /** The value as the agent acts on it, or undefined when it is not one the proof can stand for. */
  readonly effective: (raw: string) => string | undefined;
  /** The proof's value as the agent would act on it. */
  readonly assumed: (c: ProofCiliumSettings) => string;
}

// In Kubernetes the agent turns allow-localhost "auto" into "always" ("Kubernetes demands
// that the localhost can always reach local pods", daemon/cmd/daemon.go).
const localhost = (v: string) => (v === "auto" ? "always" : v);

export const CILIUM_KEYS: readonly CiliumKey[] = [
  {
    key: "enable-policy",
    setting: "policyEnforcementMode",
    absent: "default",
    effective: (raw) => ((POLICY_ENFORCEMENT_MODES as readonly string[]).includes(raw.toLowerCase()) ? raw.toLowerCase() : undefined),
    assumed: (c) => c.policyEnforcementMode,
  },
  {
    key: "policy-cidr-match-mode",
    setting: "policyCIDRMatchMode",
    absent: "",
    // "nodes", and "pods" from 1.20 (pkg/option/config.go validatePolicyCIDRMatchMode at v1.20.2),
    // in the order the proof writes them; the agent reads the list as a set (slices.Contains).
    effective: (raw) => {
      const modes = raw.split(/\s+/).filter((m) => m !== "");
      if (modes.some((m) => m !== "nodes" && m !== "pods")) return undefined;
      return ["nodes", "pods"].filter((m) => modes.includes(m)).join(" ");
    },
    assumed: (c) => c.policyCIDRMatchMode,
  },
  {
    key: "allow-localhost",
    setting: "allowLocalhost",
    absent: "auto",
    effective: (raw) => ((ALLOW_LOCALHOST_MODES as readonly string[]).includes(raw) ? localhost(raw) : undefined),
    assumed: (c) => localhost(c.allowLocalhost),
  },
  {
    key: "enable-host-firewall",
    setting: "hostFirewall",
    absent: "false",
    effective: (raw) => (goBool(raw) === undefined ? undefined : String(goBool(raw))),
    assumed: (c) => String(c.hostFirewall),
  },
  {
    key: "enable-non-default-deny-policies",
    setting: "enableNonDefaultDenyPolicies",
    absent: "true",
    effective: (raw) => (goBool(raw) === undefined ? undefined : String(goBool(raw))),
    assumed: (c) => String(c.enableNonDefaultDenyPolicies),
  },
];

export async function ciliumAssumptions(
  target: KubeTarget,
  cilium: ProofCiliumSettings,
  deadline: number,
  signal?: AbortSignal,
): Promise<AssumptionResult[]> {
  const settings = CILIUM_KEYS.map((k) => `${k.setting}=${quoted(String(cilium[k.setting]))}`).join(", ");
  if (cilium.namespace === undefined) {
    return [
      notConfirmed("cilium-config", settings, [], {
        ok: false,
        detail: "the proof names no Cilium release (cilium.namespace), so there is no cilium-config to read",
      }),
    ];
  }
  const name = `ConfigMap ${cilium.namespace}/cilium-config`;
  const res = await read(
    target,
    `/api/v1/namespaces/${cilium.namespace}/configmaps/cilium-config`,
    `get configmaps cilium-config in ${cilium.namespace}`,
    deadline,
    signal,
  );
  if ("state" in res) {
    // A 404 is evidence: Cilium's release is not where the proof assumed it.
    if (!res.state.unknown)
      return [
        verdict(false, {
          assumption: "cilium-config",
          assumed: `Cilium's release in ${cilium.namespace} with ${settings}`,
          found: `no ${name}`,
          paths: [],
          ...(res.state.error !== undefined ? { error: res.state.error } : {}),
        }),
      ];
    return [notConfirmed("cilium-config", settings, [], res.state)];
  }
  const data: Record<string, unknown> = (res.res.body as IConfigMap).data ?? {};
  if (typeof data !== "object") return [notConfirmed("cilium-config", settings, [], notAnObject(`GET ${name}`))];
  return CILIUM_KEYS.map((k) => {
    const raw = typeof data[k.key] === "string" ? (data[k.key] as string).trim() : undefined;
    const found = k.effective(raw ?? k.absent);
    const assumed = k.assumed(cilium);
    const shown =
      raw === undefined
        ? `absent, so the agent's default ${quoted(k.absent)}${found !== k.absent ? ` (acted on as ${quoted(String(found))})` : ""}`
        : found === undefined
          ? `${quoted(raw)}, not a value the proof stands for`
          : found !== raw
            ? `${quoted(raw)} (the agent acts on ${quoted(found)})`
            : quoted(raw);
    return verdict(found === assumed, {
      assumption: `cilium-config ${k.key}`,
      assumed: `${quoted(String(cilium[k.setting]))} (${k.setting})${assumed !== String(cilium[k.setting]) ? `, acted on as ${quoted(assumed)}` : ""}`,
      found: `${name}: ${shown}`,
      paths: [],
    });
  });
}
