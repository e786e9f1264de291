/**
 * The reachability matrix as a file, `cdktf.out/stacks/<stack>/reachability.json`, and back.
 * Deterministic: workloads by id, then the pairs sorted by from, to, protocol and first port (one
 * a line, so a text diff of two files is readable too), then each policy's content hash and the
 * engine settings. `cilium-explain diff` decides both sides again over the union of their
 * workloads; from a file it takes the workloads (declared ones and required path ends, which
 * cdk.tf.json does not hold) and the settings (the release's, likewise).
 */
import type { EnginePolicy, ReachabilityCell, ReachabilityMatrix, Workload } from "../paths";
import { policyKeyOf } from "../paths/compile";
import type { PathAssumptions, PathCiliumSettings } from "../paths/types";
import { isObject, sha256, stableStringify } from "../shared/stable-json";

/** The file's name in a stack's directory. */
export const REACHABILITY_FILE = "reachability.json";

/** The engine settings a matrix was decided with. */
export interface ReachabilitySettings {
  readonly cilium: PathCiliumSettings;
  readonly assume: PathAssumptions;
}

/** What a reachability file holds: the matrix, each policy's content hash by key, and the settings. */
export interface ReachabilityData {
  readonly matrix: ReachabilityMatrix;
  readonly policies: Readonly<Record<string, string>>;
  readonly settings: ReachabilitySettings;
}

/** Each policy's key and content hash. */
export function policyHashes(policies: readonly EnginePolicy[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of [...policies].sort((a, b) => (policyKeyOf(a) < policyKeyOf(b) ? -1 : 1)))
    out[policyKeyOf(p)] = sha256(stableStringify(p.manifest));
  return out;
}

/** The file's text. */
export function reachabilityJson(data: ReachabilityData): string {
  const workloads = data.matrix.workloads.map(
    (w) => `    ${JSON.stringify(w.id)}: ${stableStringify({ origin: w.origin, peer: w.peer, selectedBy: w.selectedBy })}`,
  );
  const pairs = data.matrix.cells.map(
    (c) => `    ${JSON.stringify({ from: c.from, to: c.to, protocol: c.protocol, ports: c.ports, verdict: c.verdict, policy: c.policy })}`,
  );
  const policies = Object.keys(data.policies)
    .sort()
    .map((k) => `    ${JSON.stringify(k)}: ${JSON.stringify(data.policies[k])}`);
  const block = (lines: string[]) => (lines.length === 0 ? "" : `\n${lines.join(",\n")}\n  `);
  const settings = stableStringify(data.settings);
  return `{\n  "version": 1,\n  "workloads": {${block(workloads)}},\n  "pairs": [${block(pairs)}],\n  "policies": {${block(policies)}},\n  "settings": ${settings}\n}\n`;
}

/** Reads a file written by {@link reachabilityJson}; throws an Error naming what is wrong. */
export function parseReachabilityJson(text: string, file: string): ReachabilityData {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not JSON (${(e as Error).message})`);
  }
  if (
    !isObject(raw) ||
    raw.version !== 1 ||
    !isObject(raw.workloads) ||
    !Array.isArray(raw.pairs) ||
    !isObject(raw.policies) ||
    !isObject(raw.settings) ||
    !isObject(raw.settings.cilium) ||
    !isObject(raw.settings.assume)
  )
    throw new Error(`${file}: not a reachability file (version 1: workloads, pairs, policies, settings)`);
  const workloads: Workload[] = Object.entries(raw.workloads).map(([id, w]) => {
    if (!isObject(w) || !isObject(w.peer)) throw new Error(`${file}: workload ${JSON.stringify(id)} has no peer`);
    return {
      id,
      origin: w.origin,
      peer: w.peer,
      selectedBy: Array.isArray(w.selectedBy) ? w.selectedBy.map(String) : [],
    } as unknown as Workload;
  });
  const cells = raw.pairs.map((c, i) => {
    const ok =
      isObject(c) &&
      typeof c.from === "string" &&
      typeof c.to === "string" &&
      typeof c.protocol === "string" &&
      Array.isArray(c.ports) &&
      c.ports.length === 2 &&
      c.ports.every((p) => Number.isInteger(p)) &&
      (c.verdict === "allowed" || c.verdict === "denied" || c.verdict === "unknown") &&
      (c.policy === null || typeof c.policy === "string");
    if (!ok) throw new Error(`${file}: pairs[${i}] is not { from, to, protocol, ports: [lo, hi], verdict, policy }`);
    return c as unknown as ReachabilityCell;
  });
  const policies = Object.fromEntries(Object.entries(raw.policies).map(([k, v]) => [k, String(v)]));
  const settings = { cilium: raw.settings.cilium, assume: raw.settings.assume } as ReachabilitySettings;
  return { matrix: { workloads, cells }, policies, settings };
}
