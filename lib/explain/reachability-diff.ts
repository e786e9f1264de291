/**
 * What a change does to who can reach whom: two policy sets decided over the union of their
 * workloads and protocols (the same engine, lib/paths/reachability.ts), compared port range by
 * port range, as JSON and as Markdown (a table and a Mermaid graph of the changed edges, which
 * GitHub renders in a job summary). Pure: the CLI (reachability-cli.ts) reads the files.
 */
import {
  type EnginePolicy,
  type FoundWorkload,
  matrixPartsOfValidated,
  type ReachabilityCell,
  type ReachabilityMatrix,
  reachabilityOverValidated,
} from "../paths";
import type { Verdict } from "../paths/types";
import type { PathProtocol } from "../shared/vocabulary";
import { policyHashes, type ReachabilityData } from "../proof/reachability";

/** One side of a diff: its policies, and its reachability file where synth wrote one. */
export interface DiffSide {
  readonly policies: readonly EnginePolicy[];
  readonly file?: ReachabilityData;
  /** Each namespace's pod without labels among the workloads (synth's matrix has them; a policy directory's does not). */
  readonly namespacePods: boolean;
}

/** A verdict and its deciding policy. */
export interface CellVerdict {
  readonly verdict: Verdict;
  readonly policy: string | null;
}

/** One port range whose verdict changed (a new deciding policy alone is not a change in who reaches whom). */
export interface ChangedCell {
  readonly from: string;
  readonly to: string;
  readonly protocol: PathProtocol;
  readonly ports: readonly [number, number];
  readonly before: CellVerdict;
  readonly after: CellVerdict;
  /** The policies added, removed or changed that select either end, by key, sorted. */
  readonly policies: readonly string[];
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function partsOf(side: DiffSide): { workloads: readonly FoundWorkload[]; protocols: readonly PathProtocol[] } {
  if (side.file) {
    const protocols = [...new Set(side.file.matrix.cells.map((c) => c.protocol))];
    return { workloads: side.file.matrix.workloads, protocols };
  }
  return matrixPartsOfValidated(side.policies, { namespacePods: side.namespacePods });
}

/** Both sides decided over the union of their workloads (the head's description of an id wins) and protocols. */
export function decideBoth(base: DiffSide, head: DiffSide): { before: ReachabilityMatrix; after: ReachabilityMatrix } {
  const b = partsOf(base);
  const h = partsOf(head);
  const workloads = new Map<string, FoundWorkload>();
  for (const w of [...h.workloads, ...b.workloads])
    if (!workloads.has(w.id)) workloads.set(w.id, { id: w.id, origin: w.origin, peer: w.peer });
  const union = [...workloads.values()].sort((x, y) => byText(x.id, y.id));
  const protocols = [...new Set([...b.protocols, ...h.protocols])].sort(byText);
  return {
    before: reachabilityOverValidated(base.policies, union, protocols, base.file?.settings ?? {}),
    after: reachabilityOverValidated(head.policies, union, protocols, head.file?.settings ?? {}),
  };
}

const pairKey = (c: ReachabilityCell) => `${c.from}\u0000${c.to}\u0000${c.protocol}`;

function byPair(cells: readonly ReachabilityCell[]): Map<string, ReachabilityCell[]> {
  const out = new Map<string, ReachabilityCell[]>();
  for (const c of cells) {
    const list = out.get(pairKey(c));
    if (list) list.push(c);
    else out.set(pairKey(c), [c]);
  }
  return out;
}

const verdictAt = (ranges: readonly ReachabilityCell[] | undefined, port: number): CellVerdict => {
  const c = ranges?.find((r) => r.ports[0] <= port && port <= r.ports[1]);
  return c ? { verdict: c.verdict, policy: c.policy } : { verdict: "allowed", policy: null };
};

const same = (a: CellVerdict, b: CellVerdict) => a.verdict === b.verdict && a.policy === b.policy;

/**
 * The changed port ranges between two sides, sorted by from, to, protocol and port. `prefix`
 * names each workload's stack when the outputs hold more than one (`STACK:ID`).
 */
export function diffReachability(base: DiffSide, head: DiffSide, prefix = ""): ChangedCell[] {
  const { before, after } = decideBoth(base, head);
  const baseHashes = policyHashes(base.policies);
  const headHashes = policyHashes(head.policies);
  const changedPolicies = new Set(
    [...new Set([...Object.keys(baseHashes), ...Object.keys(headHashes)])].filter((k) => baseHashes[k] !== headHashes[k]),
  );
  const selecting = new Map<string, Set<string>>();
  for (const w of [...before.workloads, ...after.workloads]) {
    const set = selecting.get(w.id) ?? new Set<string>();
    for (const key of w.selectedBy) if (changedPolicies.has(key)) set.add(key);
    selecting.set(w.id, set);
  }
  const beforeCells = byPair(before.cells);
  const out: ChangedCell[] = [];
  for (const [key, afterRanges] of byPair(after.cells)) {
    const beforeRanges = beforeCells.get(key);
    const starts = [...new Set([...afterRanges, ...(beforeRanges ?? [])].map((c) => c.ports[0]))].sort((a, b) => a - b);
    const { from, to, protocol } = afterRanges[0];
    const policies = [...new Set([...(selecting.get(from) ?? []), ...(selecting.get(to) ?? [])])].sort(byText);
    let open: { lo: number; hi: number; before: CellVerdict; after: CellVerdict } | undefined;
    const close = () => {
      if (open)
        out.push({
          from: prefix + from,
          to: prefix + to,
          protocol,
          ports: [open.lo, open.hi],
          before: open.before,
          after: open.after,
          policies,
        });
      open = undefined;
    };
    starts.forEach((lo, i) => {
      const hi = i + 1 < starts.length ? starts[i + 1] - 1 : 65535;
      const b = verdictAt(beforeRanges, lo);
      const a = verdictAt(afterRanges, lo);
      if (a.verdict === b.verdict) close();
      else if (open && open.hi === lo - 1 && same(open.before, b) && same(open.after, a)) open.hi = hi;
      else {
        close();
        open = { lo, hi, before: b, after: a };
      }
    });
    close();
  }
  return sortChanges(out);
}

/** Sorted by from, to, protocol and first port. */
export function sortChanges(changes: ChangedCell[]): ChangedCell[] {
  return changes.sort((a, b) => byText(a.from, b.from) || byText(a.to, b.to) || byText(a.protocol, b.protocol) || a.ports[0] - b.ports[0]);
}

/** `--json`: `{"changed": [...]}`, keys in the documented order. */
export function diffJson(changes: readonly ChangedCell[]): string {
  const changed = changes.map((c) => ({
    from: c.from,
    to: c.to,
    protocol: c.protocol,
    ports: c.ports,
    before: { verdict: c.before.verdict, policy: c.before.policy },
    after: { verdict: c.after.verdict, policy: c.after.policy },
    policies: c.policies,
  }));
  return `${JSON.stringify({ changed }, null, 2)}\n`;
}

/** `80`, `8000-8100`, or `all` for 1-65535. */
export function portsText([lo, hi]: readonly [number, number]): string {
  if (lo === 1 && hi === 65535) return "all";
  return lo === hi ? String(lo) : `${lo}-${hi}`;
}

const verdictText = (v: CellVerdict) => `${v.verdict}${v.policy ? ` (${v.policy})` : ""}`;
const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;
const cell = (text: string) => text.replace(/\|/g, "\\|");

/** Opened (now allowed), closed (no longer allowed), or otherwise changed. */
export function changeKind(c: ChangedCell): "opened" | "closed" | "changed" {
  if (c.after.verdict === "allowed" && c.before.verdict !== "allowed") return "opened";
  if (c.before.verdict === "allowed" && c.after.verdict !== "allowed") return "closed";
  return "changed";
}

const MERMAID_COLOR = { opened: "#1a7f37", closed: "#cf222e", changed: "#9a6700" } as const;

/** Text for a Mermaid label in double quotes (Mermaid's entity codes for what would end it). */
const mermaidText = (text: string) => text.replace(/"/g, "#quot;").replace(/\|/g, "#124;");

/**
 * How much of a diff the markdown shows: GitHub keeps at most 1 MiB of one step's job summary,
 * and Mermaid refuses a diagram over 50,000 characters (its default `maxTextSize`). The rest is
 * counted in a line that points at `--json`.
 */
export const MARKDOWN_LIMITS = { rows: 400, edges: 60 } as const;

/** `--markdown`: a heading, the table of changed port ranges and a Mermaid graph of the changed edges. */
export function diffMarkdown(changes: readonly ChangedCell[], limits: { rows: number; edges: number } = MARKDOWN_LIMITS): string {
  const lines = ["### Reachability: who can reach whom, before and after", ""];
  if (changes.length === 0) {
    lines.push("No change: every workload reaches the same workloads on the same ports as before.", "");
    return lines.join("\n");
  }
  const opened = changes.filter((c) => changeKind(c) === "opened").length;
  const closed = changes.filter((c) => changeKind(c) === "closed").length;
  lines.push(
    `${changes.length} port ${changes.length === 1 ? "range" : "ranges"} changed: ${opened} opened, ${closed} closed, ${changes.length - opened - closed} otherwise.`,
    "",
    "| from | to | protocol | ports | before | after | policies |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  );
  for (const c of changes.slice(0, limits.rows))
    lines.push(
      `| ${[
        code(c.from),
        code(c.to),
        c.protocol,
        portsText(c.ports),
        cell(verdictText(c.before)),
        cell(verdictText(c.after)),
        c.policies.map(code).join(", "),
      ].join(" | ")} |`,
    );
  if (changes.length > limits.rows)
    lines.push("", `${changes.length - limits.rows} more port ranges changed; \`cilium-explain diff --json\` lists every one.`);
  const edges = new Map<string, ChangedCell[]>();
  for (const c of changes) {
    const key = `${c.from}\u0000${c.to}`;
    edges.set(key, [...(edges.get(key) ?? []), c]);
  }
  const shown = [...edges.values()].slice(0, limits.edges);
  const ids = [...new Set(shown.flatMap((list) => [list[0].from, list[0].to]))].sort(byText);
  lines.push("", "```mermaid", "graph LR");
  ids.forEach((id, i) => {
    lines.push(`  w${i}["${mermaidText(id)}"]`);
  });
  const styles: string[] = [];
  shown.forEach((list, i) => {
    const label = list.map((c) => `${c.protocol} ${portsText(c.ports)}: ${c.before.verdict} → ${c.after.verdict}`).join("<br/>");
    lines.push(`  w${ids.indexOf(list[0].from)} -->|"${mermaidText(label)}"| w${ids.indexOf(list[0].to)}`);
    const kinds = new Set(list.map(changeKind));
    const kind = kinds.size === 1 ? [...kinds][0] : "changed";
    styles.push(`  linkStyle ${i} stroke:${MERMAID_COLOR[kind]},stroke-width:2px`);
  });
  lines.push(...styles, "```", "");
  if (edges.size > limits.edges) lines.push(`The graph shows the first ${limits.edges} of ${edges.size} changed edges.`, "");
  return lines.join("\n");
}
