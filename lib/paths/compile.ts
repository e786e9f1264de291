/**
 * Validated, null-pruned policy documents -> the rules Cilium's agent builds from
 * them, one shape for all three kinds. Sources: cilium/cilium v1.20.2, paths as named.
 * - NetworkPolicy: pkg/k8s/network_policy.go ParseNetworkPolicy: one rule per peer; `from`/`to` empty or missing is the
 *   wildcard selector (every identity, entities included); podSelector peers get
 *   the policy's namespace; namespaceSelector keys become
 *   `io.cilium.k8s.namespace.labels.*` and `{}` becomes "namespace label exists"
 *   (pods only); ipBlock is a CIDR rule; ports default to TCP, a missing port is
 *   every port; ingress isolates when there are ingress rules, or policyTypes has
 *   Ingress, or policyTypes lacks Egress; egress isolates when there are egress
 *   rules or policyTypes has Egress. NOTE: Cilium adds egress rules whatever
 *   policyTypes says, where the Kubernetes API reference says a policy without
 *   Egress in policyTypes does not apply to egress: the engine follows Cilium.
 * - CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy:
 *   pkg/k8s/apis/cilium.io/utils/utils.go getEndpointSelector /
 *   ParseToCiliumRule: a CNP's endpointSelector always gets the policy's namespace
 *   (an illegal namespace match is removed); fromEndpoints/toEndpoints without a
 *   namespace key get the policy's namespace in a CNP unless they use
 *   `io.cilium.k8s.namespace.labels.*` keys, and "namespace label exists" (pods
 *   only) in a CCNP; selectors on `reserved:` labels are left as written.
 *   NOTE: Documentation/security/policy/kubernetes.rst says namespace-label keys
 *   "will be ignored in CiliumNetworkPolicy resources"; the code keeps them and
 *   drops the namespace scoping instead. The engine follows the code.
 * - Default deny: pkg/policy/api/rule_validation.go Sanitize: with
 *   enableNonDefaultDenyPolicies, an unset enableDefaultDeny.<dir> means "the rule
 *   has a section for that direction" (a non-empty ingress/ingressDeny list, so
 *   `ingress: []` does not isolate and `ingress: [{}]` does); without it both are
 *   forced true. Deny rules apply whatever enableDefaultDeny says
 *   (Documentation/security/policy/intro.rst "Endpoint default policy").
 * - Rules the agent refuses (rule_validation.go Validate): one rule combining
 *   several kinds of peers (fromEndpoints with fromCIDR, ...), or `icmps` beside
 *   `toPorts`, make the whole document fail to import: such a policy enforces
 *   nothing, and the explanation says so.
 */
import { isObject } from "../shared/stable-json";
import {
  compileSelector,
  hasKey,
  hasKeyPrefix,
  hasSource,
  NAMESPACE_LABEL,
  NAMESPACE_LABELS_PREFIX,
  type Requirement,
  type Selector,
} from "./labels";

/** A policy document that passed validation, as the engine reads it (structurally a ValidatedPolicy). */
export interface EnginePolicy {
  readonly kind: "NetworkPolicy" | "CiliumNetworkPolicy" | "CiliumClusterwideNetworkPolicy";
  readonly name: string;
  readonly namespace?: string;
  /** The document as the API server stores it (typed by its kind upstream; read here by field). */
  readonly manifest: { readonly spec?: unknown; readonly specs?: unknown };
}

export type Peer =
  | { kind: "selector"; selector: Selector }
  | { kind: "entity"; entity: string }
  | { kind: "cidr"; cidr: string; except: string[] }
  | { kind: "fqdn"; matchName?: string; matchPattern?: string }
  | { kind: "service" }
  | { kind: "groups"; what: string }
  | { kind: "nodes"; selector: Selector };

export interface PortEntry {
  /** "ANY" for every protocol. */
  readonly protocol: string;
  /** undefined: every port. */
  readonly port?: number | string;
  readonly endPort?: number;
  /** Enforced through the L7 proxy (rules, serverNames, listener, TLS). */
  readonly l7: boolean;
}

export interface CompiledRule {
  /** Where in the document, e.g. `spec.ingress[0]`. */
  readonly where: string;
  readonly deny: boolean;
  /** "all": no peer given (every identity). */
  readonly peers: readonly Peer[] | "all";
  /** "all": every port and protocol; "none": no TCP/UDP/SCTP port (an `icmps`-only rule). */
  readonly ports: readonly PortEntry[] | "all" | "none";
  /** Admits nothing: a rule with neither peers nor ports (Cilium's `{}`). */
  readonly empty: boolean;
  readonly authentication: boolean;
}

export interface CompiledSection {
  readonly isolates: boolean;
  readonly rules: readonly CompiledRule[];
}

export interface CompiledPolicy {
  /** `Kind/namespace/name`, or `Kind/name` for cluster-scoped kinds. */
  readonly key: string;
  /** The endpoints it selects: pods (endpointSelector/podSelector) or, for host policies, nodes. */
  readonly subject: Selector;
  readonly host: boolean;
  /** The only namespace whose pods it can select (NetworkPolicy, CNP); undefined for a CCNP. */
  readonly namespace?: string;
  readonly ingress: CompiledSection;
  readonly egress: CompiledSection;
  /** Why Cilium's agent refuses the document (it then enforces nothing). */
  readonly refused?: string;
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const nsRequirement = (namespace: string): Requirement => ({ source: "k8s", key: NAMESPACE_LABEL, operator: "In", values: [namespace] });
/** parsePodSelector sets matchLabels[io.kubernetes.pod.namespace] = the policy's namespace, replacing the user's. */
const inNamespace = (sel: Selector, namespace: string): Requirement[] => [
  ...sel.requirements.filter((r) => !(r.matchLabel && r.key === NAMESPACE_LABEL)),
  nsRequirement(namespace),
];
const nsExists: Requirement = { source: "k8s", key: NAMESPACE_LABEL, operator: "Exists", values: [] };

export function policyKeyOf(p: EnginePolicy): string {
  return p.namespace === undefined ? `${p.kind}/${p.name}` : `${p.kind}/${p.namespace}/${p.name}`;
}

// ---- NetworkPolicy -----------------------------------------------------------------------------------
function npPorts(ports: unknown): PortEntry[] | "all" {
  const items = list(ports);
  if (items.length === 0) return "all";
  return items.map((p) => {
    const o = isObject(p) ? p : {};
    return {
      protocol: typeof o.protocol === "string" ? o.protocol.toUpperCase() : "TCP",
      ...(o.port !== undefined ? { port: o.port as number | string } : {}),
      ...(typeof o.endPort === "number" ? { endPort: o.endPort } : {}),
      l7: false,
    };
  });
}

function npPeer(peer: Record<string, unknown>, namespace: string): Peer[] {
  const out: Peer[] = [];
  if (peer.namespaceSelector !== undefined) {
    let ns = compileSelector(peer.namespaceSelector, "k8s", NAMESPACE_LABELS_PREFIX);
    if (ns.requirements.length === 0) ns = { requirements: [nsExists] };
    const pods = compileSelector(peer.podSelector ?? {}, "k8s");
    out.push({
      kind: "selector",
      selector: { requirements: [...ns.requirements, ...pods.requirements] },
    });
  } else if (peer.podSelector !== undefined) {
    const pods = compileSelector(peer.podSelector, "k8s");
    out.push({
      kind: "selector",
      selector: { requirements: inNamespace(pods, namespace) },
    });
  }
  if (isObject(peer.ipBlock)) out.push({ kind: "cidr", cidr: String(peer.ipBlock.cidr), except: list(peer.ipBlock.except).map(String) });
  return out;
}

function compileNetworkPolicy(p: EnginePolicy): CompiledPolicy {
  const spec = isObject(p.manifest.spec) ? p.manifest.spec : {};
  const namespace = p.namespace ?? "default";
  const subject = compileSelector(spec.podSelector ?? {}, "k8s");
  const types = list(spec.policyTypes).map(String);
  const section = (dir: "ingress" | "egress"): CompiledSection => {
    const field = dir === "ingress" ? "from" : "to";
    const rules: CompiledRule[] = list(spec[dir]).map((raw, i) => {
      const r = isObject(raw) ? raw : {};
      const peersRaw = list(r[field]);
      const peers = peersRaw.length === 0 ? "all" : peersRaw.flatMap((peer) => npPeer(isObject(peer) ? peer : {}, namespace));
      return { where: `spec.${dir}[${i}]`, deny: false, peers, ports: npPorts(r.ports), empty: false, authentication: false };
    });
    const isolates =
      dir === "ingress"
        ? rules.length > 0 || types.includes("Ingress") || !types.includes("Egress")
        : rules.length > 0 || types.includes("Egress");
    return { isolates, rules };
  };
  return {
    key: policyKeyOf(p),
    subject: { requirements: inNamespace(subject, namespace) },
    host: false,
    namespace,
    ingress: section("ingress"),
    egress: section("egress"),
  };
}

// ---- Cilium kinds ----------------------------------------------------------------------------------
function endpointPeer(raw: unknown, namespace: string | undefined): Peer {
  const sel = compileSelector(raw, "any");
  if (hasSource(sel, "reserved")) return { kind: "selector", selector: sel };
  if (hasKey(sel, NAMESPACE_LABEL)) return { kind: "selector", selector: sel };
  if (namespace === undefined) return { kind: "selector", selector: { requirements: [...sel.requirements, nsExists] } };
  if (hasKeyPrefix(sel, NAMESPACE_LABELS_PREFIX)) return { kind: "selector", selector: sel };
  return {
    kind: "selector",
    selector: { requirements: [...sel.requirements, nsRequirement(namespace)] },
  };
}

function ciliumPorts(toPorts: unknown): PortEntry[] {
  const out: PortEntry[] = [];
  for (const raw of list(toPorts)) {
    const pr = isObject(raw) ? raw : {};
    const l7 =
      (isObject(pr.rules) && Object.keys(pr.rules).length > 0) ||
      list(pr.serverNames).length > 0 ||
      pr.listener !== undefined ||
      pr.terminatingTLS !== undefined ||
      pr.originatingTLS !== undefined;
    const ports = list(pr.ports);
    if (ports.length === 0) out.push({ protocol: "ANY", l7 });
    for (const p of ports) {
      const o = isObject(p) ? p : {};
      const protocol = typeof o.protocol === "string" && o.protocol !== "" ? o.protocol.toUpperCase() : "ANY";
      out.push({
        protocol,
        ...(o.port !== undefined && o.port !== "" ? { port: o.port as number | string } : {}),
        ...(typeof o.endPort === "number" && o.endPort > 0 ? { endPort: o.endPort } : {}),
        l7,
      });
    }
  }
  return out;
}

const INGRESS_PEERS = ["fromEndpoints", "fromCIDR", "fromCIDRSet", "fromEntities", "fromNodes", "fromGroups"];
const EGRESS_PEERS = ["toEndpoints", "toCIDR", "toCIDRSet", "toEntities", "toNodes", "toGroups", "toServices", "toFQDNs"];

function ciliumRule(
  raw: unknown,
  where: string,
  dir: "ingress" | "egress",
  deny: boolean,
  namespace: string | undefined,
): CompiledRule & { refusal?: string } {
  const r = isObject(raw) ? raw : {};
  const from = dir === "ingress" ? "from" : "to";
  const peers: Peer[] = [];
  for (const e of list(r[`${from}Endpoints`])) peers.push(endpointPeer(e, namespace));
  for (const c of list(r[`${from}CIDR`])) peers.push({ kind: "cidr", cidr: String(c), except: [] });
  for (const c of list(r[`${from}CIDRSet`])) {
    const o = isObject(c) ? c : {};
    if (typeof o.cidr === "string") peers.push({ kind: "cidr", cidr: o.cidr, except: list(o.except).map(String) });
    else peers.push({ kind: "groups", what: "a CiliumCIDRGroup (cidrGroupRef/cidrGroupSelector), not in the policy set" });
  }
  for (const e of list(r[`${from}Entities`])) peers.push({ kind: "entity", entity: String(e) });
  for (const n of list(r[`${from}Nodes`])) peers.push({ kind: "nodes", selector: compileSelector(n, "any") });
  for (const _ of list(r[`${from}Groups`])) peers.push({ kind: "groups", what: "cloud provider groups" });
  if (dir === "egress") {
    for (const _ of list(r.toServices)) peers.push({ kind: "service" });
    for (const f of list(r.toFQDNs)) {
      const o = isObject(f) ? f : {};
      peers.push({
        kind: "fqdn",
        ...(typeof o.matchName === "string" ? { matchName: o.matchName } : {}),
        ...(typeof o.matchPattern === "string" ? { matchPattern: o.matchPattern } : {}),
      });
    }
  }
  const kinds = (dir === "ingress" ? INGRESS_PEERS : EGRESS_PEERS).filter((k) => list(r[k]).length > 0);
  const toPorts = list(r.toPorts);
  const icmps = list(r.icmps);
  let refusal: string | undefined;
  if (kinds.length > 1) refusal = `${where} combines ${kinds.join(" and ")} (Cilium's agent refuses: "combining ... is not supported yet")`;
  else if (icmps.length > 0 && toPorts.length > 0) refusal = `${where} has icmps beside toPorts (Cilium's agent refuses it)`;
  const ports = toPorts.length > 0 ? ciliumPorts(toPorts) : icmps.length > 0 ? "none" : "all";
  const auth = isObject(r.authentication) && r.authentication.mode !== undefined && r.authentication.mode !== "disabled";
  return {
    where,
    deny,
    peers: peers.length > 0 ? peers : "all",
    ports,
    // pkg/policy/rule.go mergeIngress/mergeEgress: without peers and without toPorts/icmps nothing is allowed.
    empty: peers.length === 0 && toPorts.length === 0 && icmps.length === 0,
    authentication: !deny && auth,
    ...(refusal ? { refusal } : {}),
  };
}

function compileCiliumRule(
  p: EnginePolicy,
  spec: Record<string, unknown>,
  at: string,
  enableNonDefaultDeny: boolean,
): Omit<CompiledPolicy, "key"> & { refused?: string } {
  const namespace = p.kind === "CiliumNetworkPolicy" ? (p.namespace ?? "default") : undefined;
  const host = spec.nodeSelector !== undefined && spec.endpointSelector === undefined;
  let subject: Selector;
  if (host) subject = compileSelector(spec.nodeSelector, "any");
  else {
    const es = compileSelector(spec.endpointSelector ?? {}, "any");
    subject =
      namespace === undefined
        ? es
        : {
            // AddMatch(k8s:io.kubernetes.pod.namespace) replaces that matchLabels key only; an
            // `io.kubernetes.pod.namespace` of any source or a matchExpression stays, ANDed.
            requirements: [
              ...es.requirements.filter((r) => !(r.matchLabel && r.source === "k8s" && r.key === NAMESPACE_LABEL)),
              nsRequirement(namespace),
            ],
          };
  }
  const edd = isObject(spec.enableDefaultDeny) ? spec.enableDefaultDeny : {};
  let refused: string | undefined;
  const section = (dir: "ingress" | "egress"): CompiledSection => {
    const allow = list(spec[dir]).map((r, i) => ciliumRule(r, `${at}.${dir}[${i}]`, dir, false, namespace));
    const deny = list(spec[`${dir}Deny`]).map((r, i) => ciliumRule(r, `${at}.${dir}Deny[${i}]`, dir, true, namespace));
    const rules = [...allow, ...deny];
    refused ??= rules.find((r) => r.refusal)?.refusal;
    const hasSection = rules.length > 0;
    const flag = edd[dir];
    const isolates = hasSection && (!enableNonDefaultDeny || flag !== false);
    return { isolates, rules };
  };
  const ingress = section("ingress");
  const egress = section("egress");
  if (ingress.rules.length === 0 && egress.rules.length === 0)
    refused ??= `${at} has none of ingress, ingressDeny, egress, egressDeny with a rule (Cilium's agent refuses it)`;
  return { subject, host, ...(namespace !== undefined ? { namespace } : {}), ingress, egress, ...(refused ? { refused } : {}) };
}

/** One compiled policy per Cilium rule (`spec` and each of `specs`), or one per NetworkPolicy. */
export function compilePolicy(p: EnginePolicy, enableNonDefaultDeny: boolean): CompiledPolicy[] {
  if (p.kind === "NetworkPolicy") return [compileNetworkPolicy(p)];
  const key = policyKeyOf(p);
  const specs: Array<[Record<string, unknown>, string]> = [];
  if (isObject(p.manifest.spec)) specs.push([p.manifest.spec, "spec"]);
  list(p.manifest.specs).forEach((s, i) => {
    if (isObject(s)) specs.push([s, `specs[${i}]`]);
  });
  const compiled = specs.map(([s, at]) => compileCiliumRule(p, s, at, enableNonDefaultDeny));
  // One refused rule fails the whole document's import (pkg/k8s/apis/cilium.io/v2 CiliumNetworkPolicy.Parse).
  const refused = compiled.find((c) => c.refused)?.refused;
  return compiled.map((c) => ({ ...c, key, ...(refused ? { refused } : {}) }));
}
