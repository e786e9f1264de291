/**
 * The check confirms what synth assumed. When `WEBHOOK_CHECK_PROOF` is set, the
 * verdicts the path engine reached at synth rest on facts about the cluster that
 * synth cannot see; this probe (`proof-assumptions`) reads them after apply:
 *
 * - the webhook's pods: for the proof's paths from the entity `kube-apiserver` to
 *   `{namespace: <the check's --namespace>, labels}`, the webhook Service's
 *   `spec.selector` must be a subset of those labels, and the pod port its
 *   `targetPort` resolves to (through the EndpointSlices' port for that Service
 *   port) must be the path's `port`;
 * - a host-networked API server: where a path comes from `kube-apiserver`, every
 *   address of the `default/kubernetes` EndpointSlices must be a node InternalIP;
 * - Cilium's settings: `cilium-config` in the release's namespace must agree with
 *   the proof's `cilium` settings, an absent key read as the agent's default.
 *
 * An assumption that does not hold is a failure of class `proof-assumption` (the
 * verdict, retried like every other failure until the deadline). One that cannot be
 * read (forbidden, no answer, not resolvable yet) is a warning that says so: never
 * "ok" without the evidence, never a failure without it either. What this cannot
 * see: labels added to pods later (only the selector's keys are confirmed), and
 * policies that are not the app's (`assume.policySet`).
 */
import * as net from "node:net";
import type { KubeTarget } from "../kube/http";
import type { CheckProof, ProofCiliumSettings, ProofPeer } from "../../proof/check-proof";
import type { ProbeResult } from "./cert-manager";
import { classification, type FailureClass } from "./classify";
import { read, type ServiceState } from "./services";

export interface AssumptionResult {
  /** `webhook-selector`, `webhook-target-port`, `api-server-host-network`, or `cilium-config <key>`. */
  readonly assumption: string;
  readonly verdict: "ok" | "warn" | "fail";
  /** What the proof assumed. */
  readonly assumed: string;
  /** What the cluster shows; for a warning, why it could not be confirmed. */
  readonly found: string;
  /** The proof's paths that rest on it (empty for the Cilium settings: every verdict does). */
  readonly paths: readonly string[];
  readonly class?: FailureClass;
  readonly hint?: string;
  /** The API server's own words, when a read failed. */
  readonly error?: string;
  readonly cutByDeadline?: boolean;
}

/** The check's own settings the assumptions are read against. */
export interface AssumptionSettings {
  /** The cert-manager namespace (`--namespace`): the proof's webhook paths end there. */
  readonly namespace: string;
  /** The webhook Service (`--service`) and its port (`--port`). */
  readonly service: string;
  readonly port: number;
}

// biome-ignore lint/suspicious/noExplicitAny: JSON from the API server, read defensively field by field
type Obj = Record<string, any>;

const isEntity = (peer: ProofPeer, name: string) => "entity" in peer && peer.entity === name;
const labelsOf = (labels: Readonly<Record<string, string>>) =>
  `{${Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(", ")}}`;
const quoted = (v: string) => JSON.stringify(v);

function notConfirmed(assumption: string, assumed: string, paths: readonly string[], state: ServiceState): AssumptionResult {
  return {
    assumption,
    verdict: "warn",
    assumed,
    found: `not confirmed: ${state.detail}`,
    paths,
    ...(state.class ? { class: state.class, hint: classification(state.class).hint } : {}),
    ...(state.error !== undefined ? { error: state.error } : {}),
    ...(state.cutByDeadline ? { cutByDeadline: true } : {}),
  };
}

const verdict = (holds: boolean, r: Omit<AssumptionResult, "verdict">): AssumptionResult =>
  holds ? { ...r, verdict: "ok" } : { ...r, verdict: "fail", class: "proof-assumption", hint: classification("proof-assumption").hint };

/** A body that is not what the API returns for that read. */
const notAnObject = (what: string): ServiceState => ({
  ok: false,
  unknown: true,
  detail: `${what}: a body that is not Kubernetes JSON`,
  class: "bad-response",
});

/** The same address, whatever its spelling (`::1` and `0:0:0:0:0:0:0:1`). */
function sameIp(a: string, b: string): boolean {
  const family = net.isIP(a);
  if (family === 0 || net.isIP(b) !== family) return a === b;
  const list = new net.BlockList();
  list.addAddress(a, family === 6 ? "ipv6" : "ipv4");
  return list.check(b, family === 6 ? "ipv6" : "ipv4");
}

/**
 * The webhook's pods as the proof named them: the paths from `kube-apiserver` to the
 * check's cert-manager namespace, grouped by the labels and the pod port they assumed.
 */
function webhookGroups(proof: CheckProof, namespace: string) {
  const groups = new Map<string, { labels: Readonly<Record<string, string>>; port: number; protocol: string; paths: string[] }>();
  for (const p of proof.paths) {
    if (!isEntity(p.from, "kube-apiserver") || !("namespace" in p.to) || p.to.namespace !== namespace) continue;
    const key = JSON.stringify([labelsOf(p.to.labels), p.port, p.protocol]);
    const group = groups.get(key) ?? { labels: p.to.labels, port: p.port, protocol: p.protocol, paths: [] };
    group.paths.push(p.name);
    groups.set(key, group);
  }
  return [...groups.values()];
}

async function webhookAssumptions(
  target: KubeTarget,
  proof: CheckProof,
  s: AssumptionSettings,
  deadline: number,
  signal?: AbortSignal,
): Promise<AssumptionResult[]> {
  const groups = webhookGroups(proof, s.namespace);
  if (groups.length === 0) return [];
  const svcName = `Service ${s.namespace}/${s.service}`;
  const svc = await read(target, `/api/v1/namespaces/${s.namespace}/services/${s.service}`, "get services", deadline, signal);
  const spec: Obj | undefined = "res" in svc ? (svc.res.body as Obj).spec : undefined;
  const svcState =
    "state" in svc
      ? svc.state.unknown
        ? svc.state
        : { ...svc.state, detail: `${svcName} does not exist` }
      : spec === undefined || typeof spec !== "object"
        ? notAnObject(`GET ${svcName}`)
        : undefined;
  // The Service's endpoints, read once for every group (only when a port needs resolving).
  let slices: Promise<{ items: Obj[] } | { state: ServiceState }> | undefined;
  const readSlices = () => {
    slices ??= read(
      target,
      `/apis/discovery.k8s.io/v1/namespaces/${s.namespace}/endpointslices?labelSelector=${encodeURIComponent(`kubernetes.io/service-name=${s.service}`)}`,
      "list endpointslices",
      deadline,
      signal,
    ).then((r) => {
      if ("state" in r) return r;
      const items = (r.res.body as Obj).items;
      return Array.isArray(items) ? { items } : { state: notAnObject("GET endpointslices") };
    });
    return slices;
  };
  const out: AssumptionResult[] = [];
  for (const g of groups) {
    const assumedLabels = `pods labelled ${labelsOf(g.labels)}`;
    const assumedPort = `pod port ${g.port}/${g.protocol}`;
    if (svcState || !spec) {
      const state = svcState ?? notAnObject(`GET ${svcName}`);
      out.push(notConfirmed("webhook-selector", assumedLabels, g.paths, state));
      out.push(notConfirmed("webhook-target-port", assumedPort, g.paths, state));
      continue;
    }
    // A Service routes to the pods whose labels match every key of spec.selector
    // (kubernetes/api core/v1 ServiceSpec.selector); pods with the assumed labels are
    // among them only if the selector asks for nothing the proof did not assume.
    const selector: Record<string, string> = spec.selector && typeof spec.selector === "object" ? spec.selector : {};
    const keys = Object.keys(selector).sort();
    if (keys.length === 0) {
      out.push(
        notConfirmed("webhook-selector", assumedLabels, g.paths, {
          ok: false,
          detail: `${svcName} has no spec.selector: its endpoints are not chosen by pod labels`,
        }),
      );
    } else {
      const off = keys.filter((k) => g.labels[k] !== selector[k]);
      const why = off.map((k) => (k in g.labels ? `${k}=${selector[k]} (assumed ${g.labels[k]})` : `${k}=${selector[k]} (not assumed)`));
      out.push(
        verdict(off.length === 0, {
          assumption: "webhook-selector",
          assumed: assumedLabels,
          found:
            off.length === 0
              ? `${svcName} spec.selector ${labelsOf(selector)}, a subset`
              : `${svcName} spec.selector ${labelsOf(selector)}, not a subset: ${why.join(", ")}`,
          paths: g.paths,
        }),
      );
    }
    out.push(await targetPortAssumption(svcName, spec, g, assumedPort, s.port, readSlices));
  }
  return out;
}

async function targetPortAssumption(
  svcName: string,
  spec: Obj,
  g: { port: number; protocol: string; paths: string[] },
  assumed: string,
  servicePort: number,
  readSlices: () => Promise<{ items: Obj[] } | { state: ServiceState }>,
): Promise<AssumptionResult> {
  const base = { assumption: "webhook-target-port", assumed, paths: g.paths };
  const ports: Obj[] = Array.isArray(spec.ports) ? spec.ports : [];
  const sp = ports.find((p) => p?.port === servicePort && (p.protocol ?? "TCP") === g.protocol);
  if (!sp)
    return notConfirmed(base.assumption, assumed, g.paths, {
      ok: false,
      detail: `${svcName} has no port ${servicePort}/${g.protocol}`,
      class: "service-missing",
    });
  // targetPort defaults to the port; a name is resolved per pod, and the
  // EndpointSlices carry the result: their port named like the Service port
  // ("this corresponds to the Service.ports[].name", kubernetes/api discovery/v1
  // EndpointPort) holds the pod's port number.
  const targetPort: number | string = sp.targetPort ?? sp.port;
  const portName: string = sp.name ?? "";
  const slices = await readSlices();
  const resolved =
    "items" in slices
      ? [
          ...new Set(
            slices.items
              .flatMap((sl) => (Array.isArray(sl?.ports) ? sl.ports : []))
              .filter((p: Obj) => (p?.name ?? "") === portName && (p.protocol ?? "TCP") === g.protocol && typeof p.port === "number")
              .map((p: Obj) => p.port as number),
          ),
        ].sort((a, b) => a - b)
      : [];
  const via = `${svcName} port ${servicePort} (targetPort ${quoted(String(targetPort))})`;
  if (resolved.length > 0) {
    return verdict(
      resolved.every((p) => p === g.port),
      { ...base, found: `${via} resolves to pod port ${resolved.join(", ")} in its EndpointSlices (port ${quoted(portName)})` },
    );
  }
  if (typeof targetPort === "number") return verdict(targetPort === g.port, { ...base, found: `${via}: pod port ${targetPort}` });
  if ("state" in slices) return notConfirmed(base.assumption, assumed, g.paths, slices.state);
  return notConfirmed(base.assumption, assumed, g.paths, {
    ok: false,
    detail: `${via}: the name is not resolved yet (no EndpointSlice port ${quoted(portName)})`,
    class: "no-endpoints",
  });
}

/**
 * Cilium gives the `kube-apiserver` identity to the addresses of the
 * `default/kubernetes` endpoints (cilium/cilium#29432: "the source of this data is
 * the Endpoints / EndpointSlice watcher"); where they are node IPs, the API server
 * runs on the host network and its traffic comes from the host or remote-node
 * (cilium/cilium#14724). The proof's `kube-apiserver` paths assumed that.
 */
async function apiServerAssumption(
  target: KubeTarget,
  proof: CheckProof,
  deadline: number,
  signal?: AbortSignal,
): Promise<AssumptionResult[]> {
  const paths = proof.paths.filter((p) => isEntity(p.from, "kube-apiserver")).map((p) => p.name);
  if (paths.length === 0) return [];
  const assumption = "api-server-host-network";
  const assumed = "a host-networked API server: every default/kubernetes endpoint address is a node InternalIP";
  const [slices, nodes] = await Promise.all([
    read(
      target,
      `/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=${encodeURIComponent("kubernetes.io/service-name=kubernetes")}`,
      "list endpointslices in default",
      deadline,
      signal,
    ),
    read(target, "/api/v1/nodes", "list nodes", deadline, signal),
  ]);
  if ("state" in slices) return [notConfirmed(assumption, assumed, paths, slices.state)];
  if ("state" in nodes) return [notConfirmed(assumption, assumed, paths, nodes.state)];
  const sliceItems = (slices.res.body as Obj).items;
  const nodeItems = (nodes.res.body as Obj).items;
  if (!Array.isArray(sliceItems)) return [notConfirmed(assumption, assumed, paths, notAnObject("GET default endpointslices"))];
  if (!Array.isArray(nodeItems)) return [notConfirmed(assumption, assumed, paths, notAnObject("GET nodes"))];
  const addresses = [
    ...new Set(sliceItems.flatMap((s: Obj) => (Array.isArray(s?.endpoints) ? s.endpoints : [])).flatMap((e: Obj) => e?.addresses ?? [])),
  ] as string[];
  if (addresses.length === 0)
    return [notConfirmed(assumption, assumed, paths, { ok: false, detail: "the default/kubernetes EndpointSlices list no address" })];
  const nodeIps = nodeItems
    .flatMap((n: Obj) => (Array.isArray(n?.status?.addresses) ? n.status.addresses : []))
    .filter((a: Obj) => a?.type === "InternalIP" && typeof a.address === "string")
    .map((a: Obj) => a.address as string);
  const outside = addresses.filter((a) => !nodeIps.some((ip) => sameIp(a, ip)));
  return [
    verdict(outside.length === 0, {
      assumption,
      assumed,
      found:
        outside.length === 0
          ? `API server at ${addresses.join(", ")}: node InternalIPs`
          : `API server at ${addresses.join(", ")}; not a node InternalIP: ${outside.join(", ")} (node InternalIPs: ${nodeIps.join(", ") || "none"})`,
      paths,
    }),
  ];
}

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
 * slice defaulting to empty; pkg/option flags.go RegisterCommonPolicyFlags:
 * enable-non-default-deny-policies defaults.EnableNonDefaultDenyPolicies = true).
 * pkg/option/config.go Populate lowercases enable-policy and reads
 * policy-cidr-match-mode with GetStringSlice (whitespace-separated).
 * Read from the stored copies of cilium/cilium's main line (the chart template at
 * 002c6fff, pkg/option/flags.go at d8ca2a25); the v1.19 tag itself was not among
 * them. The values schemas vendored in schemas/cilium/<line>/ (1.19 and 1.20) have the same five values
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
    effective: (raw) => (["default", "always", "never"].includes(raw.toLowerCase()) ? raw.toLowerCase() : undefined),
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
    effective: (raw) => (["auto", "always", "policy"].includes(raw) ? localhost(raw) : undefined),
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

async function ciliumAssumptions(
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
  const data: Obj = (res.res.body as Obj).data ?? {};
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

/** Every assumption of the proof, read from the cluster side by side. */
export async function checkProofAssumptions(
  target: KubeTarget,
  proof: CheckProof,
  s: AssumptionSettings,
  deadline: number,
  signal?: AbortSignal,
): Promise<AssumptionResult[]> {
  const parts = await Promise.all([
    webhookAssumptions(target, proof, s, deadline, signal),
    apiServerAssumption(target, proof, deadline, signal),
    ciliumAssumptions(target, proof.cilium, deadline, signal),
  ]);
  return parts.flat();
}

/** The assumptions as one probe: failing when one does not hold, warning when one could not be read. */
export async function probeProofAssumptions(
  target: KubeTarget,
  proof: CheckProof,
  s: AssumptionSettings,
  deadline: number,
  signal?: AbortSignal,
): Promise<ProbeResult> {
  const start = Date.now();
  const assumptions = await checkProofAssumptions(target, proof, s, deadline, signal);
  const ms = Date.now() - start;
  const failed = assumptions.filter((a) => a.verdict === "fail");
  const warned = assumptions.filter((a) => a.verdict === "warn");
  const cut = assumptions.some((a) => a.cutByDeadline) ? { cutByDeadline: true } : {};
  const counts = `${assumptions.length} checked, ${failed.length} do not hold, ${warned.length} not confirmed`;
  const base = { probe: "proof-assumptions" as const, ms, assumptions };
  if (failed.length > 0) {
    const first = failed[0];
    return {
      ...base,
      ok: false,
      detail: `what synth assumed does not hold (${counts}): ${failed.map((f) => `${f.assumption}: assumed ${f.assumed}; found ${f.found}`).join(" | ")}`,
      class: "proof-assumption",
      hint: classification("proof-assumption").hint,
      ...(first.error !== undefined ? { error: first.error } : {}),
      ...cut,
    };
  }
  if (warned.length > 0) {
    const first = warned[0];
    return {
      ...base,
      ok: false,
      warning: true,
      detail: `not every assumption of the proof could be confirmed (${counts}): ${warned.map((w) => `${w.assumption}: ${w.found}`).join(" | ")}`,
      ...(first.class ? { class: first.class, hint: first.hint } : {}),
      ...(first.error !== undefined ? { error: first.error } : {}),
      ...cut,
    };
  }
  return { ...base, ok: true, detail: `every assumption of the proof holds (${counts})` };
}

/** One report line per assumption (and the API server's words where a read failed). */
export function formatAssumption(a: AssumptionResult): string {
  const mark = a.verdict === "ok" ? "ok  " : a.verdict === "warn" ? "warn" : "FAIL";
  const lines = [`  ${mark} ${"assumption".padEnd(18)} ${a.assumption}: assumed ${a.assumed}; found ${a.found}`];
  if (a.verdict !== "ok" && a.error) lines.push(`       API server said: ${a.error}`);
  return lines.join("\n");
}
