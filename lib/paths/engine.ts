/**
 * The path engine: from a policy set alone, whether one path is allowed, denied
 * (by which rule) or unknown, with the semantics of one Cilium line (1.19 or 1.20;
 * what differs is in lib/cilium/lines.ts: CIDR rules selecting pods, the cluster-mesh
 * entity, ClusterNetworkPolicy in the assumptions). Pure: no cdktf, no
 * I/O; it works over validated, null-pruned documents (see compile.ts).
 *
 * The decision, each step with its source: cilium/cilium v1.20.2 unless named; a page
 * `NAME.rst` is Documentation/security/policy/NAME.rst there.
 * 1. Enforcement mode (Documentation/security/policy/intro.rst "Policy
 *    Enforcement Modes"): `never` allows everything (denies included); `always`
 *    isolates every endpoint in both directions; `default` isolates an endpoint
 *    in a direction once a policy selecting it has a section for that direction
 *    (intro.rst "Endpoint default policy"; compile.ts for enableDefaultDeny).
 * 2. Which sides apply (layer3.rst "Ingress Allow All Endpoints": "policy must
 *    be configured on both sides"): the source pod's egress and the destination
 *    pod's ingress. Entities (kube-apiserver, host, world, ...) are not endpoints
 *    with pod policies: from them only the destination's ingress applies, to
 *    them only the source's egress. With the host firewall
 *    (host.rst "Host Policies"), host policies (a CCNP `nodeSelector`)
 *    apply to the host side of kube-apiserver, host and remote-node; whether a
 *    nodeSelector other than `{}` selects a node depends on node labels, which
 *    the engine does not have (`node-labels`).
 * 3. In one direction: a matching deny rule beats every allow (deny.rst
 *    "Deny Policies": "Deny policies take precedence over allow policies,
 *    regardless of whether they are a Cilium Network Policy, a Clusterwide Cilium
 *    Network Policy or even a Kubernetes Network Policy"); allows are a union
 *    across all policies of all kinds (intro.rst "Rule Basics"); an isolated
 *    endpoint admits only what some allow rule matches.
 * 4. allow-localhost (from 1.20 only when some ingress rule selects the pod:
 *    pkg/policy/repository.go computePolicyEnforcementAndRules at v1.20.2; pkg/option/config.go: `auto` "defaults to policy except when
 *    running in Kubernetes where it then defaults to always"; pkg/policy/mapstate.go
 *    determineAllowLocalhostIngress adds an allow entry for reserved:host; deny entries
 *    win over it: "do not ... allow non-deny entries to overwrite deny entries"
 *    (denyPreferredInsert, commit a7a445a1), and a deny at the same precedence wins in
 *    the newer tiered mapState.lookup): traffic
 *    from the local host (the host entity, and a kube-apiserver on the
 *    destination's node) is allowed into local pods whatever the ingress policy;
 *    a matching deny rule still wins (deny precedence, step 3).
 * 5. Peers, ports and the unknowns: see matchPeer and matchPorts below.
 */
import * as ipaddr from "ipaddr.js";
import { type CompiledPolicy, type CompiledRule, compilePolicy, type EnginePolicy, type Peer, type PortEntry } from "./compile";
import type { EngineOptions, EnginePath, Side } from "./input";
import { CILIUM_LINES } from "../cilium/lines";
import { matches } from "./labels";
import { and, firstReason, isUnknown, nearness, not, or, type Tri, unknown } from "./tri";
import type { PathVerdict } from "./types";

/**
 * Compiled policies, indexed by what they can select: a NetworkPolicy or CNP only pods
 * of its namespace, a CCNP pods of any namespace, a host policy only nodes. A path
 * then reads only the policies that can apply to its endpoints.
 */
export interface PolicyIndex {
  readonly all: readonly CompiledPolicy[];
  readonly byNamespace: ReadonlyMap<string, readonly CompiledPolicy[]>;
  readonly clusterwide: readonly CompiledPolicy[];
  readonly host: readonly CompiledPolicy[];
}

/** Compiles validated policies, in their order (the lists in a verdict are sorted, so that order never shows in them). */
export function compilePolicies(policies: readonly EnginePolicy[], enableNonDefaultDenyPolicies: boolean): PolicyIndex {
  const all = policies.flatMap((p) => compilePolicy(p, enableNonDefaultDenyPolicies));
  const byNamespace = new Map<string, CompiledPolicy[]>();
  const clusterwide: CompiledPolicy[] = [];
  const host: CompiledPolicy[] = [];
  for (const p of all) {
    if (p.host) host.push(p);
    else if (p.namespace === undefined) clusterwide.push(p);
    else {
      const list = byNamespace.get(p.namespace);
      if (list) list.push(p);
      else byNamespace.set(p.namespace, [p]);
    }
  }
  return { all, byNamespace, clusterwide, host };
}

const NONE: readonly CompiledPolicy[] = [];

/** The policies that can select the endpoint of `d`. */
function candidates(index: PolicyIndex, d: Direction): Array<readonly CompiledPolicy[]> {
  if (d.host) return [index.host];
  if (d.endpoint.id.kind !== "pod") return [];
  return [index.byNamespace.get(d.endpoint.id.namespace) ?? NONE, index.clusterwide];
}

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const triText = (t: Tri) => (t === true ? "yes" : t === false ? "no" : `unknown (${[...t.unknown].join(", ")})`);

// ---- peers ---------------------------------------------------------------------------------------
const WORLD_ENTITIES = new Set(["world", "world-ipv4", "world-ipv6"]);
const isNodeSide = (s: Side) => s.kind === "entity" && (s.entity === "host" || s.entity === "remote-node" || s.entity === "kube-apiserver");
const isWorldSide = (s: Side) => s.kind === "fqdn" || (s.kind === "entity" && s.entity === "world");
const sideIp = (s: Side) => (s.kind === "entity" ? s.ip : undefined);

function inCidr(ip: string, cidr: string): boolean {
  try {
    const addr = ipaddr.process(ip);
    const [net, bits] = ipaddr.parseCIDR(cidr.includes("/") ? cidr : `${cidr}/${cidr.includes(":") ? 128 : 32}`);
    const a =
      net.kind() === "ipv4" && addr.kind() === "ipv6" && (addr as ipaddr.IPv6).isIPv4MappedAddress()
        ? (addr as ipaddr.IPv6).toIPv4Address()
        : addr;
    return a.kind() === net.kind() && a.match(net, bits);
  } catch {
    return false;
  }
}

/**
 * CIDR rules (layer3.rst "IP/CIDR based", "Selecting pods or nodes with CIDR / ipBlock"):
 * they match peers outside the cluster (world), and node IPs of other nodes only
 * under policyCIDRMatchMode `nodes`; pods only under `pods` (1.20).
 *
 * `pods` (pkg/policy/types/selector.go at v1.20.2, `CIDRSelector.Matches` and
 * `matchesCIDRWildcard`; pkg/endpoint/endpoint.go `computeCIDRLabelsRLocked`): a pod
 * carries the CIDR labels of its IP, or the wildcard `cidr:0.0.0.0/0` when no policy CIDR
 * covers it, so `0.0.0.0/0` without `except` selects every pod with an IPv4 address (the
 * engine assumes IPv4 pods, as on a default Talos cluster). Any other CIDR depends on the
 * pod's IP, which a path does not carry: `peer-ip`.
 *
 * Nodes, under `nodes`: the local host (reserved:host, also the same-node kube-apiserver) as well
 * as other nodes. pkg/node/manager/manager.go `nodeIdentityLabels` (v1.19.7 and v1.20.2) gives the
 * local node's identity the cidr labels of the node's own IPs under nodes mode, and
 * pkg/ipcache/metadata.go `resolveLabels` keeps them on remote nodes; selector.go at v1.20.2 counts
 * host and remote-node alike (`HasHostLabel() || HasRemoteNodeLabel()`), and its test "CIDR
 * matching nodes enabled, matches node" matches `cidr:192.168.1.10/32;reserved:host`.
 */
function matchCidr(peer: Extract<Peer, { kind: "cidr" }>, side: Side, o: EngineOptions): Tri {
  const node = side.kind === "entity" && (side.entity === "remote-node" || side.entity === "host" || side.entity === "kube-apiserver");
  if (side.kind === "pod") {
    if (!o.cidrMatchesPods) return false;
    return isIpv4Wildcard(peer.cidr) && peer.except.length === 0 ? true : unknown("peer-ip");
  }
  if (!isWorldSide(side) && !(node && o.cidrMatchesNodes)) return false;
  const ip = sideIp(side);
  if (node && prefixLength(peer.cidr) === 0) {
    // A zero-length prefix selects by the world label alone (pkg/labels/cidr.go IPStringToLabel),
    // and nodes never carry it (metadata.go resolveLabels removes it from in-cluster prefixes):
    // under nodes alone 0.0.0.0/0 selects no node, on both lines. Under pods too (1.20), the world
    // requirement is met by any cidr label of the same family (selector.go at v1.20.2,
    // `matchesCIDRWildcard`), which nodes carry under nodes mode.
    if (!o.cidrMatchesPods) return false;
    if (ip === undefined) return unknown("node-ip");
    return sameFamily(ip, peer.cidr) && !peer.except.some((e) => inCidr(ip, e));
  }
  if (ip === undefined) return unknown(node ? "node-ip" : "peer-ip");
  return inCidr(ip, peer.cidr) && !peer.except.some((e) => inCidr(ip, e));
}

/** Whether an IP and a CIDR are of one family (an IPv4-mapped IPv6 address counts as IPv4). */
function sameFamily(ip: string, cidr: string): boolean {
  return inCidr(ip, cidr.includes(":") ? "::/0" : "0.0.0.0/0");
}

function prefixLength(cidr: string): number | undefined {
  try {
    return ipaddr.parseCIDR(cidr)[1];
  } catch {
    return undefined;
  }
}

function isIpv4Wildcard(cidr: string): boolean {
  try {
    const [addr, bits] = ipaddr.parseCIDR(cidr);
    return addr.kind() === "ipv4" && bits === 0;
  } catch {
    return false;
  }
}

/** Entities (pkg/policy/api/entity.go EntitySelectorMapping, InitEntities). */
function matchEntity(entity: string, side: Side): Tri {
  if (entity === "all") return true;
  if (entity === "none") return false;
  // cluster-mesh (1.20 CRDs): the cluster entity's selectors plus every endpoint with a cluster
  // label, of any cluster of the mesh (pkg/policy/api/entity.go at v1.20.2, EntityClusterMesh):
  // for the peers of a path, all in this cluster, the same as cluster.
  if (entity === "cluster" || entity === "cluster-mesh") {
    // host, remote-node, init, ingress, health, unmanaged, kube-apiserver and every pod of the cluster.
    if (side.kind === "pod") return true;
    return side.kind === "entity" && side.entity !== "world";
  }
  if (side.kind === "pod") return false;
  if (WORLD_ENTITIES.has(entity)) {
    if (!isWorldSide(side)) return false;
    if (entity === "world") return true;
    const ip = sideIp(side);
    if (ip === undefined) return unknown("peer-ip");
    return ipaddr.process(ip).kind() === (entity === "world-ipv4" ? "ipv4" : "ipv6");
  }
  return side.id.kind === "reserved" && side.id.reserved.has(entity);
}

function globToRegExp(pattern: string): RegExp {
  // layer3.rst "DNS based": `*` alone matches every name; within a name it matches DNS characters except `.`.
  const p = pattern.toLowerCase().replace(/\.$/, "");
  if (p === "*") return /^.*$/;
  const body = p.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[-a-z0-9_]*");
  return new RegExp(`^${body}$`);
}

function matchPeer(peer: Peer, side: Side, o: EngineOptions): Tri {
  switch (peer.kind) {
    case "selector":
      return matches(peer.selector, side.id);
    case "entity":
      return matchEntity(peer.entity, side);
    case "cidr":
      return matchCidr(peer, side, o);
    case "fqdn": {
      // toFQDNs allow the IPs that DNS answers seen by the proxy gave for the names: a runtime fact.
      if (side.kind === "fqdn") {
        const hit =
          (peer.matchName !== undefined && peer.matchName.toLowerCase().replace(/\.$/, "") === side.fqdn) ||
          (peer.matchPattern !== undefined && globToRegExp(peer.matchPattern).test(side.fqdn));
        return hit ? unknown("fqdn") : false;
      }
      return isWorldSide(side) ? unknown("fqdn") : false;
    }
    case "service":
      // toServices becomes CIDR rules for the endpoints of Services without a selector (layer3.rst "Services based").
      return isWorldSide(side) ? unknown("service") : false;
    case "groups":
      return isWorldSide(side) ? unknown("groups") : false;
    case "nodes":
      if (!isNodeSide(side)) return false;
      return peer.selector.requirements.length === 0 ? true : unknown("node-labels");
  }
}

// ---- ports ---------------------------------------------------------------------------------------
/**
 * Ports (layer4.rst "Layer 4 Policies": "Layer 4 policies apply to ports after
 * service port mapping has been applied", so the path's port is the pod port;
 * PortProtocol: an empty protocol or ANY matches every protocol, `endPort` makes
 * a range; a named port resolves against the pod's container ports, which the
 * engine does not have: `named-port`). NetworkPolicy's default protocol is TCP
 * (compile.ts). A rule with only `icmps` admits no TCP/UDP/SCTP path ("none").
 */
function matchPorts(ports: CompiledRule["ports"], path: EnginePath): { tri: Tri; l7: boolean } {
  if (ports === "all") return { tri: true, l7: false };
  if (ports === "none") return { tri: false, l7: false };
  let tri: Tri = false;
  let l7 = false;
  for (const e of ports as readonly PortEntry[]) {
    if (e.protocol !== "ANY" && e.protocol !== path.protocol) continue;
    let hit: Tri;
    const p = e.port;
    if (p === undefined || p === 0 || p === "0") hit = true;
    else if (typeof p === "number" || /^\d+$/.test(p)) {
      const start = Number(p);
      hit = e.endPort !== undefined && e.endPort >= start ? path.port >= start && path.port <= e.endPort : path.port === start;
    } else hit = unknown("named-port");
    if (hit === true && e.l7) l7 = true;
    tri = or(tri, hit);
  }
  // A port with L7 rules redirects even beside a plain entry for it: pkg/policy/rule.go
  // mergePortProto at v1.19.7 and v1.20.2 expands the plain one to an L7 wildcard.
  return { tri, l7: tri === true && l7 };
}

// ---- one direction -------------------------------------------------------------------------------
interface Direction {
  readonly name: "ingress" | "egress";
  /** The endpoint whose policy applies, and the peer. */
  readonly endpoint: Side;
  readonly peer: Side;
  readonly host: boolean;
}

interface DirectionResult {
  result: Tri;
  basis: "rule" | "default";
  l7: boolean;
  denied: Tri;
  isolatedBy: string[];
  blamePolicy?: string;
  /** On allowed by a rule: the first policy (by key) with an allow rule that admits the path. */
  admittedBy?: string;
  lines: string[];
}

function describeRule(p: CompiledPolicy, r: CompiledRule): string {
  return `${p.key} ${r.where}`;
}

function selects(p: CompiledPolicy, d: Direction): Tri {
  if (p.host !== d.host) return false;
  // A node's labels are not part of a path: only nodeSelector {} is known to select it.
  if (p.host) return p.subject.requirements.length === 0 ? true : unknown("node-labels");
  return matches(p.subject, d.endpoint.id);
}

// The policies selecting an endpoint, per policy index and endpoint: the same for every path from
// or to it, so a matrix (reachability.ts), which reuses one Side per workload, selects once.
type Selecting = ReadonlyArray<{ p: CompiledPolicy; sel: Tri }>;
const selections = new WeakMap<PolicyIndex, WeakMap<Side, { pods?: Selecting; host?: Selecting }>>();

function selecting(index: PolicyIndex, d: Direction): Selecting {
  let bySide = selections.get(index);
  if (!bySide) {
    bySide = new WeakMap();
    selections.set(index, bySide);
  }
  let entry = bySide.get(d.endpoint);
  if (!entry) {
    entry = {};
    bySide.set(d.endpoint, entry);
  }
  const which = d.host ? "host" : "pods";
  let found = entry[which];
  if (!found) {
    const list: { p: CompiledPolicy; sel: Tri }[] = [];
    for (const candidatesOf of candidates(index, d))
      for (const p of candidatesOf) {
        const sel = selects(p, d);
        if (sel !== false) list.push({ p, sel });
      }
    found = list;
    entry[which] = found;
  }
  return found;
}

function evaluate(index: PolicyIndex, d: Direction, path: EnginePath, o: EngineOptions): DirectionResult {
  const lines: string[] = [];
  const who = `${d.name} of ${d.host ? `the host of ${d.endpoint.text}` : d.endpoint.text}`;
  let isolated: Tri = o.mode === "always";
  let allowed: Tri = false;
  let denied: Tri = false;
  let l7 = false;
  let anyAllowRule = false;
  const isolatedBy: string[] = [];
  let nearest: { score: number; policy: string } | undefined;
  let firstIsolating: string | undefined;
  let admittedBy: string | undefined;
  let hasRules: Tri = false;
  for (const { p, sel } of selecting(index, d)) {
    if (p.refused) {
      lines.push(`${p.key}: not enforced: ${p.refused}`);
      continue;
    }
    const section = p[d.name];
    if (section.rules.length === 0 && !section.isolates) continue;
    // A policy with a section in this direction that selects the endpoint (Cilium's rulesIngress).
    hasRules = or(hasRules, sel);
    const iso = and(sel, section.isolates);
    if (o.mode !== "always" && iso !== false) {
      isolated = or(isolated, iso);
      if (iso === true && !isolatedBy.includes(p.key)) isolatedBy.push(p.key);
      if (firstIsolating === undefined || p.key < firstIsolating) firstIsolating = p.key;
      lines.push(
        `${p.key} selects the ${d.name === "ingress" ? "destination" : "source"}${sel === true ? "" : ` (${triText(sel)})`} and isolates its ${d.name}`,
      );
    } else if (section.isolates === false && section.rules.length > 0) {
      lines.push(`${p.key} selects it without isolating ${d.name} (enableDefaultDeny.${d.name}: false)`);
    }
    for (const r of section.rules) {
      if (r.empty) {
        lines.push(`${describeRule(p, r)}: no peer and no port: admits nothing`);
        if (!r.deny && iso !== false && (!nearest || (nearest.score === 0 && p.key < nearest.policy)))
          nearest = { score: 0, policy: p.key };
        continue;
      }
      const l3 = r.peers === "all" ? true : r.peers.reduce<Tri>((acc, peer) => or(acc, matchPeer(peer, d.peer, o)), false);
      const l4 = matchPorts(r.ports, path);
      let m = and(and(sel, l3), l4.tri);
      if (!r.deny && m === true && r.authentication) m = unknown("authentication");
      if (r.deny) {
        denied = or(denied, m);
        if (m !== false)
          lines.push(`${describeRule(p, r)} (deny): peer ${triText(l3)}, port ${triText(l4.tri)}: ${m === true ? "denies" : triText(m)}`);
        continue;
      }
      anyAllowRule = true;
      const score = nearness(and(sel, l3)) + nearness(l4.tri);
      if (iso !== false && (!nearest || score > nearest.score || (score === nearest.score && p.key < nearest.policy)))
        nearest = { score, policy: p.key };
      allowed = or(allowed, m);
      // Any admitting rule with L7 rules on the port sends the path through the proxy, beside
      // plain allows too: the policy map entry with the redirect takes priority over a plain
      // allow (pkg/policy/l4.go toMapState at v1.19.7 and v1.20.2; both oracles decide so).
      if (m === true && l4.l7) l7 = true;
      if (m === true && (admittedBy === undefined || p.key < admittedBy)) admittedBy = p.key;
      lines.push(
        `${describeRule(p, r)}: peer ${triText(l3)}, port ${path.port}/${path.protocol} ${triText(l4.tri)}${m === true && l4.l7 ? " (through the L7 proxy)" : ""}: ${m === true ? "admits" : m === false ? "does not admit" : triText(m)}`,
      );
    }
  }
  if (o.mode === "always") lines.push(`policyEnforcementMode always: the ${d.name} of every endpoint is isolated`);
  // allow-localhost: the local host reaches local pods whatever the ingress policy (deny rules still apply).
  // From 1.20 the host-allow rule exists only beside an ingress rule selecting the pod
  // (CiliumLineFacts.localhostNeedsIngressRule): enforcement mode always alone denies the host.
  const hostRule: Tri = CILIUM_LINES[o.line].localhostNeedsIngressRule ? hasRules : true;
  if (d.name === "ingress" && !d.host && o.allowLocalhost && d.peer.id.kind === "reserved" && d.peer.id.reserved.has("host")) {
    if (hostRule === true) {
      lines.push("allow-localhost (auto = always on Kubernetes): the local host is allowed into local pods");
      allowed = true;
      anyAllowRule = true;
    } else {
      lines.push(
        `allow-localhost: no ingress rule selects the pod${hostRule === false ? "" : ` (${triText(hostRule)})`}, so Cilium adds no host-allow rule`,
      );
      allowed = or(allowed, hostRule);
    }
  }
  const result = and(not(denied), or(not(isolated), allowed));
  const basis = isolated === false ? "default" : "rule";
  if (result === true) lines.push(`${who}: allowed${basis === "default" ? " (nothing isolates it)" : ""}`);
  else if (result === false) lines.push(`${who}: denied${denied === true ? " by a deny rule" : " (isolated, no allow rule matches)"}`);
  else lines.push(`${who}: ${triText(result)}`);
  let blamePolicy: string | undefined;
  isolatedBy.sort(byKey);
  if (denied === true) {
    // The matching deny rule's policy (the first by key when several match).
    for (const { p, sel } of selecting(index, d)) {
      if (p.refused || sel !== true || (blamePolicy !== undefined && p.key >= blamePolicy)) continue;
      const hit = p[d.name].rules.some((r) => {
        if (!r.deny || r.empty) return false;
        const l3 = r.peers === "all" ? true : r.peers.reduce<Tri>((acc, peer) => or(acc, matchPeer(peer, d.peer, o)), false);
        return and(l3, matchPorts(r.ports, path).tri) === true;
      });
      if (hit) blamePolicy = p.key;
    }
  } else blamePolicy = anyAllowRule ? (nearest?.policy ?? firstIsolating) : firstIsolating;
  return {
    result,
    basis,
    l7: result === true && allowed === true && l7 && basis === "rule",
    denied,
    isolatedBy,
    ...(blamePolicy ? { blamePolicy } : {}),
    ...(result === true && basis === "rule" && admittedBy ? { admittedBy } : {}),
    lines,
  };
}

/** Decides one path over compiled policies. */
export function decide(index: PolicyIndex, path: EnginePath, o: EngineOptions): PathVerdict {
  return decideWithPolicy(index, path, o).verdict;
}

/**
 * A verdict with the policy that decides it: on denied the blamed one, on allowed the first policy
 * (by key) whose rule admits it at the destination's ingress, else at the source's egress; none when
 * no rule admits it (nothing isolates the endpoints) or the verdict is unknown.
 */
export function decideWithPolicy(index: PolicyIndex, path: EnginePath, o: EngineOptions): { verdict: PathVerdict; policy?: string } {
  const explanation: string[] = [`path: ${path.from.text} -> ${path.to.text} ${path.protocol}/${path.port}`];
  if (o.mode === "never") {
    explanation.push(
      "policyEnforcementMode never: no policy is enforced on any endpoint, denies included",
      "verdict: allowed (nothing is enforced)",
    );
    return { verdict: { verdict: "allowed", basis: "default", explanation } };
  }
  const directions: Direction[] = [];
  // The source's egress first: where Cilium drops the packet first.
  if (path.from.kind === "pod") directions.push({ name: "egress", endpoint: path.from, peer: path.to, host: false });
  else if (o.hostFirewall && isNodeSide(path.from)) directions.push({ name: "egress", endpoint: path.from, peer: path.to, host: true });
  else
    explanation.push(
      `egress: ${path.from.text} is not a Cilium endpoint with pod policies${isNodeSide(path.from) ? " (hostFirewall off)" : ""}: only the destination's ingress applies`,
    );
  if (path.to.kind === "pod") directions.push({ name: "ingress", endpoint: path.to, peer: path.from, host: false });
  else if (o.hostFirewall && isNodeSide(path.to)) directions.push({ name: "ingress", endpoint: path.to, peer: path.from, host: true });
  else explanation.push(`ingress: ${path.to.text} is not a Cilium endpoint with pod policies: only the source's egress applies`);
  if (!o.hostFirewall && index.host.length > 0) explanation.push("host policies (nodeSelector) are not enforced: hostFirewall is off");
  // Cilium 1.20 enforces Kubernetes' ClusterNetworkPolicy (admin tier before, baseline tier after
  // the namespaced policies) when k8sClusterNetworkPolicy.enabled: pkg/policy/k8s/cell.go at v1.20.2.
  // The engine does not read them (a policy directory refuses them), so the verdict assumes none
  // exists, or, with policySet open, that policies outside the set may change it.
  if (CILIUM_LINES[o.line].clusterNetworkPolicy)
    explanation.push(
      o.openPolicySet
        ? "assumed (Cilium 1.20): ClusterNetworkPolicies (admin and baseline tiers) outside the set may exist, as policySet open says; an admin-tier Deny or Allow outside the set decides before these policies"
        : 'assumed (Cilium 1.20): no ClusterNetworkPolicy (admin or baseline tier) outside the set; an admin-tier one decides before these policies: set assume.policySet "open" if one may exist',
    );

  const results = directions.map((d) => ({ d, r: evaluate(index, d, path, o) }));
  for (const { r } of results) explanation.push(...r.lines);
  const blocked = results.find(({ r }) => r.result === false);
  if (blocked) {
    const { d, r } = blocked;
    explanation.push(
      `verdict: denied at the ${d.name === "egress" ? "source's egress" : "destination's ingress"}${r.blamePolicy ? ` (${r.denied === true ? "deny rule in" : "no allow rule matches; nearest in"} ${r.blamePolicy})` : ""}`,
    );
    return {
      verdict: {
        verdict: "denied",
        blame: {
          direction: d.name,
          kind: r.denied === true ? "deny-rule" : "no-allow",
          ...(r.blamePolicy ? { policy: r.blamePolicy } : {}),
          isolatedBy: r.isolatedBy,
        },
        explanation,
      },
      ...(r.blamePolicy ? { policy: r.blamePolicy } : {}),
    };
  }
  const unknowns = results.filter(({ r }) => isUnknown(r.result));
  if (unknowns.length > 0) {
    const reasons = unknowns.reduce<Tri>((acc, { r }) => and(acc, r.result), true);
    const unknownReason = isUnknown(reasons) ? firstReason(reasons) : "open-policy-set";
    explanation.push(`verdict: unknown (${unknownReason})`);
    return { verdict: { verdict: "unknown", unknownReason, explanation } };
  }
  // Allowed on every side that applies; by a rule only if every side was admitted by one.
  const basis = results.length > 0 && results.every(({ r }) => r.basis === "rule") ? "rule" : "default";
  if (basis === "default" && o.openPolicySet) {
    explanation.push("allowed only because nothing isolates an endpoint; policySet open: a policy outside the set could isolate it");
    return { verdict: { verdict: "unknown", unknownReason: "open-policy-set", explanation } };
  }
  const l7 = results.some(({ r }) => r.l7);
  explanation.push(
    `verdict: allowed (${basis === "rule" ? "admitted by rules" : "nothing isolates an endpoint"}${l7 ? ", through the L7 proxy" : ""})`,
  );
  const verdict: PathVerdict = { verdict: "allowed", basis, ...(l7 ? { qualifier: "l7-proxy" as const } : {}), explanation };
  const admitting =
    results.find(({ d }) => d.name === "ingress")?.r.admittedBy ?? results.find(({ d }) => d.name === "egress")?.r.admittedBy;
  return { verdict, ...(admitting ? { policy: admitting } : {}) };
}
