/**
 * Who can reach whom: the workloads a policy set talks about, and for each ordered pair of them
 * the port ranges with one verdict each. Pure, like the rest of the engine: every cell is one
 * decision of engine.ts over policies compiled once (the same code analyzePath runs).
 *
 * Workloads:
 * - the ends of every required path (not DNS names: they are destinations only, outside the cluster);
 * - for each distinct pod selector the policies use (a policy's endpointSelector/podSelector and
 *   its endpoint peers), one representative pod with the smallest label set that satisfies it:
 *   the value of each matchLabels entry, the first value of an `In`, {@link PLACEHOLDER} for an
 *   `Exists`; `NotIn` and `DoesNotExist` hold for a label left out. Its namespace is the
 *   selector's `io.kubernetes.pod.namespace` (or namespace label `kubernetes.io/metadata.name`,
 *   which Kubernetes sets to the name on every namespace), else {@link PLACEHOLDER}; namespace
 *   selectors become the namespace's labels (`io.cilium.k8s.namespace.labels.*`, labels.ts),
 *   merged per namespace so that a namespace has one label set. A selector on reserved or other
 *   non-pod labels (an entity) has no representative; nor has one no pod can satisfy;
 * - one pod without labels per namespace, the one that no label selector selects;
 * - the entities world, kube-apiserver, host and remote-node;
 * - the workloads the caller declares.
 *
 * Ports: a verdict changes only where a rule's port or range starts or ends (matchPorts in
 * engine.ts compares a port with a number or a range; a named port is unknown whatever the
 * number), so for a pair the ports 1-65535 split at the bounds of every rule of the policies that
 * select either end, each piece is decided once, at its first port, and adjacent pieces with the
 * same verdict and policy merge. That covers every port the policies and the required paths
 * mention, and the ports between them.
 */
import { decideWithPolicy, type PolicyIndex } from "./engine";
import { type EngineOptions, type Side, side } from "./input";
import { matches, NAMESPACE_LABEL, NAMESPACE_LABELS_PREFIX, type Selector } from "./labels";
import { PATH_PROTOCOLS, type PathProtocol } from "../shared/vocabulary";
import type { PathPeer, Verdict } from "./types";

/** The value a representative pod gets for a label (or namespace) a selector needs only to exist. */
export const PLACEHOLDER = "any";

/** The entities every matrix has. */
export const MATRIX_ENTITIES = ["world", "kube-apiserver", "host", "remote-node"] as const;

/** The protocols a matrix lists, in its order (sorted). */
const PROTOCOLS: readonly PathProtocol[] = [...PATH_PROTOCOLS].sort();

/** A workload the caller names: pods by namespace and labels. */
export interface DeclaredWorkload {
  /** Its id in the matrix. */
  readonly name: string;
  /** The pods' namespace. */
  readonly namespace: string;
  /** The pods' labels (all of them, as the proof's `labels: "complete"` reads them). */
  readonly labels: Readonly<Record<string, string>>;
}

/** One end of the matrix. */
export interface Workload {
  /** `NAMESPACE/KEY=VALUE,...` (labels sorted), an entity (`world`, `kube-apiserver@local`), or a declared name. */
  readonly id: string;
  /** Where it comes from. */
  readonly origin: "declared" | "required-path" | "entity" | "selector" | "namespace";
  /** The pods or entity, as a path names them. */
  readonly peer: Exclude<PathPeer, { fqdn: string }>;
  /** The policies whose endpointSelector/podSelector selects it (or may: unknown labels), by key, sorted. */
  readonly selectedBy: readonly string[];
}

/** One port range of one ordered pair. */
export interface ReachabilityCell {
  /** The source workload's id. */
  readonly from: string;
  /** The destination workload's id. */
  readonly to: string;
  /** The protocol. */
  readonly protocol: PathProtocol;
  /** First and last port, inclusive. */
  readonly ports: readonly [number, number];
  /** What the engine decides for every port of the range. */
  readonly verdict: Verdict;
  /** The deciding policy: on denied the blamed one, on allowed the admitting one; null when no policy decides it. */
  readonly policy: string | null;
}

/** Workloads sorted by id, and cells sorted by from, to, protocol and first port. */
export interface ReachabilityMatrix {
  readonly workloads: readonly Workload[];
  readonly cells: readonly ReachabilityCell[];
}

/** The ends of a required path, as far as the matrix reads them. */
export interface MatrixPath {
  readonly from: PathPeer;
  readonly to: PathPeer;
  readonly protocol: PathProtocol;
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function labelsText(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels)
    .sort(byText)
    .map((k) => `${k}=${labels[k]}`)
    .join(",");
}

function sorted(labels: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.keys(labels)
      .sort(byText)
      .map((k) => [k, labels[k]]),
  );
}

/** The id of a workload found rather than declared (the CLI's peer syntax). */
export function peerId(peer: Exclude<PathPeer, { fqdn: string }>): string {
  if ("entity" in peer) return `${peer.entity}${peer.node ? `@${peer.node}` : ""}${peer.ip ? `@${peer.ip}` : ""}`;
  return `${peer.namespace}/${labelsText(peer.labels)}`;
}

interface Representative {
  namespace: string;
  labels: Record<string, string>;
  namespaceLabels: Record<string, string>;
}

/** The smallest pod a selector selects (see the header), or undefined when it selects no pod. */
function representative(selector: Selector): Representative | undefined {
  let namespace: string | undefined;
  const labels: Record<string, string> = {};
  const namespaceLabels: Record<string, string> = {};
  for (const r of selector.requirements) {
    if (r.source !== "k8s" && r.source !== "any") return undefined;
    const value = r.operator === "In" ? r.values[0] : r.operator === "Exists" ? PLACEHOLDER : undefined;
    if (value === undefined) continue;
    if (r.key === NAMESPACE_LABEL) namespace ??= value;
    else if (r.key.startsWith(NAMESPACE_LABELS_PREFIX)) namespaceLabels[r.key.slice(NAMESPACE_LABELS_PREFIX.length)] ??= value;
    else labels[r.key] ??= value;
  }
  const named = namespaceLabels["kubernetes.io/metadata.name"];
  delete namespaceLabels["kubernetes.io/metadata.name"];
  return { namespace: namespace ?? named ?? PLACEHOLDER, labels, namespaceLabels };
}

/** Every pod selector of the policies: subjects and endpoint peers. */
function selectorsOf(index: PolicyIndex): Selector[] {
  const out: Selector[] = [];
  for (const p of index.all) {
    if (!p.host) out.push(p.subject);
    for (const rule of [...p.ingress.rules, ...p.egress.rules])
      if (rule.peers !== "all") for (const peer of rule.peers) if (peer.kind === "selector") out.push(peer.selector);
  }
  return out;
}

function checkDeclared(declared: readonly DeclaredWorkload[]): void {
  const names = new Set<string>();
  declared.forEach((w, i) => {
    const field = `workloads[${i}]`;
    if (w === null || typeof w !== "object") throw new TypeError(`${field} must be { name, namespace, labels }`);
    if (typeof w.name !== "string" || w.name === "") throw new TypeError(`${field}.name must be a non-empty string`);
    if (names.has(w.name)) throw new TypeError(`${field}.name "${w.name}" is used twice; give each workload its own name`);
    names.add(w.name);
    if (typeof w.namespace !== "string" || w.namespace === "") throw new TypeError(`${field}.namespace must be a non-empty string`);
  });
}

/** A workload with its engine side (built once: every cell reuses it). */
interface Endpoint {
  readonly workload: Workload;
  readonly side: Side;
}

/** A workload as found, before the policies that select it are known. */
export type FoundWorkload = Omit<Workload, "selectedBy">;

/** The candidates with one workload per id and per pods or entity (the first wins), sorted by id. */
function unique(candidates: readonly FoundWorkload[]): FoundWorkload[] {
  const byId = new Map<string, FoundWorkload>();
  const identities = new Set<string>();
  for (const w of candidates) {
    const identity = peerId(w.peer);
    const existing = byId.get(w.id);
    if (existing && existing.origin === "declared" && peerId(existing.peer) !== identity)
      throw new TypeError(`workloads: the name "${w.id}" is also the id of another workload (${identity}); choose another name`);
    if (existing || identities.has(identity)) continue;
    identities.add(identity);
    byId.set(w.id, w);
  }
  return [...byId.values()].sort((a, b) => byText(a.id, b.id));
}

/** Each workload with its engine side and the policies selecting it. */
function endpoints(index: PolicyIndex, workloads: readonly FoundWorkload[], o: EngineOptions): Endpoint[] {
  return workloads.map((w) => {
    const s = side(`workload "${w.id}"`, w.peer, o.partialLabels, true);
    return { workload: { id: w.id, origin: w.origin, peer: w.peer, selectedBy: selectedBy(index, s) }, side: s };
  });
}

function policiesFor(index: PolicyIndex, s: Side, hostFirewall: boolean) {
  if (s.id.kind === "pod") return [...(index.byNamespace.get(s.id.namespace) ?? []), ...index.clusterwide];
  const node = s.kind === "entity" && (s.entity === "host" || s.entity === "remote-node" || s.entity === "kube-apiserver");
  return hostFirewall && node ? index.host : [];
}

function selectedBy(index: PolicyIndex, s: Side): string[] {
  if (s.id.kind !== "pod") return [];
  const keys = new Set<string>();
  for (const p of policiesFor(index, s, false)) if (!p.host && matches(p.subject, s.id) !== false) keys.add(p.key);
  return [...keys].sort(byText);
}

/**
 * The workloads of a policy set (see the header), sorted by id; `namespacePods: false` leaves out
 * the pod without labels of each namespace.
 */
export function matrixWorkloads(
  index: PolicyIndex,
  requiredPaths: readonly MatrixPath[],
  declared: readonly DeclaredWorkload[],
  namespacePods = true,
): FoundWorkload[] {
  checkDeclared(declared);
  const candidates: Omit<Workload, "selectedBy">[] = declared.map((w) => ({
    id: w.name,
    origin: "declared",
    peer: { namespace: w.namespace, labels: sorted(w.labels) },
  }));
  for (const path of requiredPaths)
    for (const peer of [path.from, path.to]) {
      if ("fqdn" in peer) continue;
      const p = "entity" in peer ? peer : { ...peer, labels: sorted(peer.labels) };
      candidates.push({ id: peerId(p), origin: "required-path", peer: p });
    }
  for (const entity of MATRIX_ENTITIES) candidates.push({ id: entity, origin: "entity", peer: { entity } });
  const reps = selectorsOf(index)
    .map((sel) => ({ sel, rep: representative(sel) }))
    .filter((r): r is { sel: Selector; rep: Representative } => r.rep !== undefined);
  // One label set per namespace: the union of what its representatives need (first value wins).
  const nsLabels = new Map<string, Record<string, string>>();
  for (const { rep } of reps) {
    const merged = nsLabels.get(rep.namespace) ?? {};
    for (const [k, v] of Object.entries(rep.namespaceLabels)) merged[k] ??= v;
    nsLabels.set(rep.namespace, merged);
  }
  const podOf = (namespace: string, labels: Record<string, string>) => ({
    namespace,
    labels: sorted(labels),
    namespaceLabels: sorted(nsLabels.get(namespace) ?? {}),
  });
  for (const { sel, rep } of reps) {
    const peer = podOf(rep.namespace, rep.labels);
    const probe = side("selector", peer, false, true);
    if (matches(sel, probe.id) === false) continue;
    candidates.push({ id: peerId(peer), origin: "selector", peer });
  }
  const namespaces = new Set<string>([...index.byNamespace.keys(), ...nsLabels.keys()]);
  for (const c of candidates) if ("namespace" in c.peer) namespaces.add(c.peer.namespace);
  if (namespacePods)
    for (const namespace of [...namespaces].sort(byText)) {
      const peer = podOf(namespace, {});
      candidates.push({ id: peerId(peer), origin: "namespace", peer });
    }
  return unique(candidates);
}

/** The protocols of the matrix: TCP, and those any rule or required path names. */
export function matrixProtocols(index: PolicyIndex, requiredPaths: readonly MatrixPath[]): PathProtocol[] {
  const named = new Set<string>(["TCP", ...requiredPaths.map((p) => p.protocol)]);
  for (const p of index.all)
    for (const rule of [...p.ingress.rules, ...p.egress.rules])
      if (Array.isArray(rule.ports)) for (const e of rule.ports) named.add(e.protocol);
  return PROTOCOLS.filter((p) => named.has(p));
}

/** Where a verdict can change for an endpoint in one direction: each rule's first port, and the port after its last. */
function bounds(index: PolicyIndex, s: Side, direction: "ingress" | "egress", protocol: PathProtocol, o: EngineOptions): number[] {
  const points = new Set<number>();
  for (const p of policiesFor(index, s, o.hostFirewall)) {
    if (p.host ? !o.hostFirewall : matches(p.subject, s.id) === false) continue;
    for (const rule of p[direction].rules) {
      if (!Array.isArray(rule.ports)) continue;
      for (const e of rule.ports) {
        if (e.protocol !== "ANY" && e.protocol !== protocol) continue;
        if (e.port === undefined || (typeof e.port === "string" && !/^\d+$/.test(e.port))) continue;
        const lo = Number(e.port);
        if (lo === 0) continue;
        const hi = e.endPort !== undefined && e.endPort >= lo ? e.endPort : lo;
        points.add(lo);
        points.add(hi + 1);
      }
    }
  }
  return [...points].filter((p) => p > 1 && p <= 65535);
}

/**
 * The matrix of a policy set over the given workloads and protocols (matrixWorkloads and
 * matrixProtocols give a policy set's own; a diff gives both sides the union of theirs).
 * `o` are the engine's settings (input.ts readOptions).
 */
export function reachabilityMatrix(
  index: PolicyIndex,
  workloads: readonly FoundWorkload[],
  protocols: readonly PathProtocol[],
  o: EngineOptions,
): ReachabilityMatrix {
  const ends = endpoints(index, workloads, o);
  const cells: ReachabilityCell[] = [];
  const cache = new Map<string, number[]>();
  const boundsOf = (e: Endpoint, direction: "ingress" | "egress", protocol: PathProtocol) => {
    const key = `${direction} ${protocol} ${e.workload.id}`;
    let found = cache.get(key);
    if (!found) {
      found = bounds(index, e.side, direction, protocol, o);
      cache.set(key, found);
    }
    return found;
  };
  for (const from of ends)
    for (const to of ends)
      for (const protocol of protocols) {
        const starts = [...new Set([1, ...boundsOf(from, "egress", protocol), ...boundsOf(to, "ingress", protocol)])].sort((a, b) => a - b);
        let open: { lo: number; hi: number; verdict: Verdict; policy: string | null } | undefined;
        const close = () => {
          if (open)
            cells.push({
              from: from.workload.id,
              to: to.workload.id,
              protocol,
              ports: [open.lo, open.hi],
              verdict: open.verdict,
              policy: open.policy,
            });
        };
        starts.forEach((lo, i) => {
          const hi = i + 1 < starts.length ? starts[i + 1] - 1 : 65535;
          const { verdict, policy } = decideWithPolicy(index, { from: from.side, to: to.side, protocol, port: lo }, o);
          const cell = { lo, hi, verdict: verdict.verdict, policy: policy ?? null };
          if (open && open.verdict === cell.verdict && open.policy === cell.policy) open.hi = hi;
          else {
            close();
            open = cell;
          }
        });
        close();
      }
  return { workloads: ends.map((e) => e.workload), cells };
}
