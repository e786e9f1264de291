/**
 * The path and settings of analyzePath, checked and defaulted. An invalid path
 * (unknown entity, illegal `node`, port outside 1-65535, another protocol,
 * `fqdn` as the source) throws a TypeError naming the field.
 */
import * as ipaddr from "ipaddr.js";
import { CILIUM_LINES, type CiliumLine, DEFAULT_CILIUM_LINE, readCiliumLine } from "../cilium/lines";
import { isObject } from "../shared/stable-json";
import { listOf, PATH_PROTOCOLS, POLICY_ENFORCEMENT_MODES, type PathProtocol, type PolicyEnforcementMode } from "../shared/vocabulary";
import { type Identity, reservedLabels } from "./labels";
import { ALLOW_LOCALHOST_MODES, type AnalyzePathInput, type PathCiliumSettings, type PathEntity, type PolicyCiliumSettings } from "./types";

export const ENTITIES: readonly PathEntity[] = ["kube-apiserver", "host", "remote-node", "world", "health", "ingress", "init", "unmanaged"];

export type Side =
  | { kind: "pod"; id: Identity; text: string }
  | { kind: "entity"; entity: PathEntity; node: "local" | "remote"; ip?: string; id: Identity; text: string }
  | { kind: "fqdn"; fqdn: string; id: Identity; text: string };

export interface EngineOptions {
  readonly line: CiliumLine;
  readonly mode: PolicyEnforcementMode;
  readonly cidrMatchesNodes: boolean;
  /** policyCIDRMatchMode `pods` (1.20): CIDR rules select pods by their IP. */
  readonly cidrMatchesPods: boolean;
  readonly enableNonDefaultDenyPolicies: boolean;
  readonly allowLocalhost: boolean;
  readonly hostFirewall: boolean;
  readonly openPolicySet: boolean;
  readonly partialLabels: boolean;
  /** The settings only a path through a NodePort reads (node-port.ts). */
  readonly kubeProxyReplacement: boolean;
  readonly socketLBHostNamespaceOnly: boolean;
  readonly loadBalancerMode: (typeof LOAD_BALANCER_MODES)[number];
}

export interface EnginePath {
  readonly from: Side;
  readonly to: Side;
  readonly protocol: PathProtocol;
  readonly port: number;
  /** Through a NodePort (node-port.ts decides it); absent on a pod path. */
  readonly via?: { readonly nodePort: number; readonly node: "remote" | "local" };
}

function fail(field: string, message: string): never {
  throw new TypeError(`analyzePath: ${field} ${message}`);
}

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value))
    fail(field, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${JSON.stringify(value)}`);
  return value as T;
}

function stringMap(field: string, value: unknown): Record<string, string> {
  if (!isObject(value)) fail(field, "must be an object of string labels");
  for (const [k, v] of Object.entries(value))
    if (typeof v !== "string") fail(`${field}.${k}`, `must be a string, got ${JSON.stringify(v)}`);
  return value as Record<string, string>;
}

/** One end of a path, checked (a TypeError names `field`); `source` refuses a DNS name. */
export function side(field: string, value: unknown, partialLabels: boolean, source: boolean): Side {
  if (!isObject(value)) fail(field, "must be an object: { entity }, { namespace, labels } or { fqdn }");
  if ("fqdn" in value) {
    if (source) fail(`${field}.fqdn`, "is for destinations only: a DNS name cannot be a source");
    if (typeof value.fqdn !== "string" || value.fqdn === "") fail(`${field}.fqdn`, "must be a non-empty string");
    const fqdn = value.fqdn.toLowerCase().replace(/\.$/, "");
    return {
      kind: "fqdn",
      fqdn,
      id: { kind: "reserved", entity: "fqdn", reserved: new Set(["world"]), node: "none" },
      text: `fqdn ${fqdn}`,
    };
  }
  if ("entity" in value) {
    const entity = value.entity as PathEntity;
    if (typeof entity !== "string" || !ENTITIES.includes(entity))
      fail(`${field}.entity`, `must be one of ${ENTITIES.join(", ")}, got ${JSON.stringify(value.entity)}`);
    const fixed = entity === "host" ? "local" : entity === "remote-node" ? "remote" : undefined;
    let node: "local" | "remote" = fixed ?? "remote";
    if (value.node !== undefined) {
      if (value.node !== "local" && value.node !== "remote")
        fail(`${field}.node`, `must be "local" or "remote", got ${JSON.stringify(value.node)}`);
      if (entity === "kube-apiserver") node = value.node;
      else if (value.node !== fixed)
        fail(
          `${field}.node`,
          `applies only to kube-apiserver${fixed ? ` (${entity} is always ${fixed})` : ""}, got ${JSON.stringify(value.node)}`,
        );
    }
    let ip: string | undefined;
    if (value.ip !== undefined) {
      if (typeof value.ip !== "string" || !ipaddr.isValid(value.ip))
        fail(`${field}.ip`, `must be an IPv4 or IPv6 address, got ${JSON.stringify(value.ip)}`);
      ip = value.ip;
    }
    const text = `${entity}${entity === "kube-apiserver" ? ` (${node === "local" ? "same node: host" : "another node: remote-node"})` : ""}${ip ? ` ${ip}` : ""}`;
    return {
      kind: "entity",
      entity,
      node,
      ...(ip ? { ip } : {}),
      id: { kind: "reserved", entity, reserved: reservedLabels(entity, node), ...(ip ? { ip } : {}), node },
      text,
    };
  }
  if ("namespace" in value) {
    if (typeof value.namespace !== "string" || value.namespace === "") fail(`${field}.namespace`, "must be a non-empty string");
    const labels = stringMap(`${field}.labels`, value.labels);
    const namespaceLabels = value.namespaceLabels === undefined ? undefined : stringMap(`${field}.namespaceLabels`, value.namespaceLabels);
    const shown = Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(",");
    return {
      kind: "pod",
      id: { kind: "pod", namespace: value.namespace, labels, ...(namespaceLabels ? { namespaceLabels } : {}), partial: partialLabels },
      text: `pod ${value.namespace}/{${shown}}`,
    };
  }
  return fail(field, "must be { entity }, { namespace, labels } or { fqdn }");
}

/**
 * The engine's defaults: what a setting is when the caller (the `cilium` input, a release, the
 * NetworkPolicies `cilium` prop) does not say. The one home of these; the chart's defaults
 * (lib/proof/cilium-settings.ts) and the agent's (the check's CILIUM_KEYS) are other facts that
 * agree with them today, and tests hold both to them.
 */
export const DEFAULT_CILIUM_SETTINGS: Readonly<Required<PolicyCiliumSettings>> = {
  version: DEFAULT_CILIUM_LINE,
  policyEnforcementMode: "default",
  policyCIDRMatchMode: "",
  enableNonDefaultDenyPolicies: true,
  allowLocalhost: "auto",
  hostFirewall: false,
};

/**
 * The defaults of the settings only a NodePort path reads, the chart's at v1.19.7 and v1.20.2
 * (each cited on PathCiliumSettings). Apart from DEFAULT_CILIUM_SETTINGS because a proof carries
 * none of them (PolicyCiliumSettings).
 */
export const DEFAULT_NODE_PORT_SETTINGS = {
  kubeProxyReplacement: false,
  socketLB: { hostNamespaceOnly: false },
  loadBalancer: { mode: "snat" },
} as const satisfies Required<Omit<PathCiliumSettings, keyof PolicyCiliumSettings>>;

/**
 * The words of PathCiliumSettings `loadBalancer.mode`, for the check at run time. Here, not in
 * types.ts beside the other word lists, because the check's bundle includes types.ts and needs
 * none of these.
 */
export const LOAD_BALANCER_MODES = listOf<NonNullable<NonNullable<PathCiliumSettings["loadBalancer"]>["mode"]>>()([
  "snat",
  "dsr",
  "hybrid",
]);

/** A settings group (`socketLB`, `loadBalancer`): an object or absent. */
function group(field: string, value: unknown, shape: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isObject(value)) fail(field, `must be an object ${shape}, got ${JSON.stringify(value)}`);
  return value;
}

/** The checked settings, defaults filled in. */
export function readOptions(input: Pick<AnalyzePathInput, "cilium" | "assume">): EngineOptions {
  if (!isObject(input)) fail("input", "must be an object");
  const cilium = input.cilium === undefined ? {} : input.cilium;
  const assume = input.assume === undefined ? {} : input.assume;
  if (!isObject(cilium)) fail("cilium", "must be an object");
  if (!isObject(assume)) fail("assume", "must be an object");
  const bool = (field: string, v: unknown, d: boolean) => {
    if (v === undefined) return d;
    if (typeof v !== "boolean") fail(field, `must be a boolean, got ${JSON.stringify(v)}`);
    return v;
  };
  const line: CiliumLine = readCiliumLine(cilium.version, "analyzePath: cilium.version");
  // The modes the line's agent accepts (CILIUM_LINES: pkg/option/config.go validatePolicyCIDRMatchMode).
  const modes = CILIUM_LINES[line].policyCIDRMatchModes;
  // A set of words in any order, each checked alone, as the agent reads the list.
  const cidrModes = ["", ...modes, ...(modes.length > 1 ? [modes.join(" ")] : [])] as const;
  const cidrMode = cilium.policyCIDRMatchMode;
  const cidrWords = typeof cidrMode === "string" ? cidrMode.split(" ").filter((w) => w !== "") : [];
  if (cidrMode !== undefined && (typeof cidrMode !== "string" || cidrWords.some((w) => !(modes as readonly string[]).includes(w))))
    fail(
      "cilium.policyCIDRMatchMode",
      `must be one of ${cidrModes.map((m) => JSON.stringify(m)).join(", ")} under Cilium ${line}, got ${JSON.stringify(cidrMode)}`,
    );
  return {
    line,
    mode: oneOf(
      "cilium.policyEnforcementMode",
      cilium.policyEnforcementMode,
      POLICY_ENFORCEMENT_MODES,
      DEFAULT_CILIUM_SETTINGS.policyEnforcementMode,
    ),
    cidrMatchesNodes: cidrWords.includes("nodes"),
    cidrMatchesPods: cidrWords.includes("pods"),
    enableNonDefaultDenyPolicies: bool(
      "cilium.enableNonDefaultDenyPolicies",
      cilium.enableNonDefaultDenyPolicies,
      DEFAULT_CILIUM_SETTINGS.enableNonDefaultDenyPolicies,
    ),
    allowLocalhost:
      oneOf("cilium.allowLocalhost", cilium.allowLocalhost, ALLOW_LOCALHOST_MODES, DEFAULT_CILIUM_SETTINGS.allowLocalhost) !== "policy",
    hostFirewall: bool("cilium.hostFirewall", cilium.hostFirewall, DEFAULT_CILIUM_SETTINGS.hostFirewall),
    kubeProxyReplacement: bool("cilium.kubeProxyReplacement", cilium.kubeProxyReplacement, DEFAULT_NODE_PORT_SETTINGS.kubeProxyReplacement),
    socketLBHostNamespaceOnly: bool(
      "cilium.socketLB.hostNamespaceOnly",
      group("cilium.socketLB", cilium.socketLB, "{ hostNamespaceOnly? }").hostNamespaceOnly,
      DEFAULT_NODE_PORT_SETTINGS.socketLB.hostNamespaceOnly,
    ),
    loadBalancerMode: oneOf(
      "cilium.loadBalancer.mode",
      group("cilium.loadBalancer", cilium.loadBalancer, "{ mode? }").mode,
      LOAD_BALANCER_MODES,
      DEFAULT_NODE_PORT_SETTINGS.loadBalancer.mode,
    ),
    openPolicySet: oneOf("assume.policySet", assume.policySet, ["closed", "open"] as const, "closed") === "open",
    partialLabels: oneOf("assume.labels", assume.labels, ["complete", "partial"] as const, "complete") === "partial",
  };
}

/** The checked path and settings, defaults filled in. */
export function readInput(input: Omit<AnalyzePathInput, "policies">): { path: EnginePath; options: EngineOptions } {
  const options = readOptions(input);
  const path = input.path as unknown;
  if (!isObject(path)) fail("path", "must be an object { from, to, protocol, port }");
  const protocol = oneOf("path.protocol", path.protocol ?? null, PATH_PROTOCOLS, "TCP");
  const port = path.port;
  if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535)
    fail("path.port", `must be an integer from 1 to 65535 (the pod port), got ${JSON.stringify(port)}`);
  const from = side("path.from", path.from, options.partialLabels, true);
  const to = side("path.to", path.to, options.partialLabels, false);
  return {
    path: {
      from,
      to,
      protocol,
      port,
      ...(path.via === undefined ? {} : { via: via(path.via, to) }),
    },
    options,
  };
}

/** `path.via`, checked: a NodePort (any port; the cluster's range is not modelled) leading to a backend pod. */
function via(value: unknown, to: Side): NonNullable<EnginePath["via"]> {
  if (!isObject(value)) fail("path.via", `must be an object { nodePort, node? }, got ${JSON.stringify(value)}`);
  const { nodePort, node = "remote" } = value;
  if (typeof nodePort !== "number" || !Number.isInteger(nodePort) || nodePort < 1 || nodePort > 65535)
    fail(
      "path.via.nodePort",
      `must be an integer from 1 to 65535 (the port the client dials on a node's address), got ${JSON.stringify(nodePort)}`,
    );
  if (node !== "remote" && node !== "local") fail("path.via.node", `must be "remote" or "local", got ${JSON.stringify(node)}`);
  if (to.kind !== "pod") fail("path.to", "must be a pod (the Service's backend) when path.via is given");
  return { nodePort, node };
}
