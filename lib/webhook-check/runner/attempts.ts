/**
 * Runs the probes until all pass or the deadline: attempt, pause `interval`,
 * attempt again. The deadline is absolute: every request is cut off at it.
 * Time comes from a Clock, so the loop's timing is tested with a fake one.
 */
import { SYSTEM_TIMER, type Timer } from "../kube/deadline";
import type { KubeTarget } from "../kube/http";
import type { CheckOptions } from "../settings";
import { type ProbeTarget, probeAdmission, probeApiServer, probeEndpoints, probeNamespace } from "../probes/cert-manager";
import { probeClusterPaths } from "../probes/cluster-paths";
import { formatItem } from "../probes/items";
import { formatAssumption, probeProofAssumptions } from "../probes/proof-assumptions";
import { type ItemResult, type ProbeResult, probeVerdict, verdictMark } from "../probes/result";

/**
 * Where the loop gets the time, how it waits and how the requests' deadline fires;
 * injected in tests, so that no verdict depends on the machine's speed.
 */
export interface Clock extends Timer {
  /** Waits `ms`, or less when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const SYSTEM_CLOCK: Clock = {
  ...SYSTEM_TIMER,
  sleep: (ms, signal) => new Promise<void>((resolve) => SYSTEM_TIMER.onDeadline(Date.now() + ms, signal, () => resolve())),
};

/** The outcome of the retry loop. */
export interface RetryOutcome {
  readonly ok: boolean;
  readonly attempts: number;
  readonly elapsedMs: number;
  /** The probes of the last attempt (a probe not run is absent). */
  readonly probes: ProbeResult[];
  /** The first failing probe of the last attempt (diagnostics that only warn never are). */
  readonly failure?: ProbeResult;
  /** Diagnostics of the last attempt that failed without deciding the verdict. */
  readonly warnings?: string[];
  /** The signal that stopped the check early, if one did. */
  readonly interrupted?: string;
}

export interface CheckReport extends RetryOutcome {
  readonly scope?: string;
  /** Scope all: the webhooks and aggregated APIs, one entry each, at most MAX_REPORTED_ITEMS (failures first). */
  readonly items?: ItemResult[];
  /** How many items were checked but not listed in `items` (absent when none). */
  readonly itemsOmitted?: number;
  readonly server: string;
  readonly context: string;
  readonly webhook: string;
}

/**
 * How many items (and warnings, and names in a probe's detail) the report lists: a cluster with
 * 50,000 webhooks printed 15 MB. Failures are listed first, then warnings, then passes; the
 * cluster-paths line keeps the full counts.
 */
export const MAX_REPORTED_ITEMS = 50;

const VERDICT_RANK = { fail: 0, warn: 1, ok: 2 } as const;

/** At most `max` items, failures first then warnings then passes, each kept in its place; and how many were left out. */
export function reportedItems<T extends { readonly verdict: keyof typeof VERDICT_RANK }>(
  items: readonly T[],
  max = MAX_REPORTED_ITEMS,
): { items: T[]; omitted: number } {
  if (items.length <= max) return { items: [...items], omitted: 0 };
  const kept = new Set(
    items
      .map((item, at) => ({ rank: VERDICT_RANK[item.verdict], at }))
      .sort((a, b) => a.rank - b.rank || a.at - b.at)
      .slice(0, max)
      .map((x) => x.at),
  );
  return { items: items.filter((_, at) => kept.has(at)), omitted: items.length - max };
}

/** At most `max` entries of a list printed whole, the rest said as `... and K more`. */
function bounded(list: readonly string[], max = MAX_REPORTED_ITEMS): string[] {
  return list.length <= max ? [...list] : [...list.slice(0, max), `... and ${list.length - max} more`];
}

/** Every other path, summarized as one probe (the items are in it). */
function pathsProbe(items: ItemResult[], ms: number): ProbeResult {
  const failed = items.filter((i) => i.verdict === "fail");
  const warned = items.filter((i) => i.verdict === "warn").length;
  const counts = `${items.length} checked, ${failed.length} failed, ${warned} with warnings`;
  // A request the deadline cut decided nothing: the attempt is not complete.
  const cut = items.some((i) => i.cutByDeadline) ? { cutByDeadline: true } : {};
  const waits = items.map((i) => i.retryAfterMs ?? 0);
  const wait = Math.max(0, ...waits) > 0 ? { retryAfterMs: Math.max(...waits) } : {};
  if (failed.length === 0)
    return { probe: "cluster-paths", ok: true, ms, detail: `every webhook and aggregated API: ${counts}`, items, ...cut, ...wait };
  const first = failed[0];
  return {
    probe: "cluster-paths",
    ok: false,
    ms,
    detail: `${counts}: ${bounded(failed.map((i) => `${i.kind} ${i.name}`)).join(", ")}`,
    ...(first.error !== undefined ? { error: first.error } : {}),
    ...(first.class ? { class: first.class, hint: first.hint } : {}),
    items,
    ...cut,
    ...wait,
  };
}

/**
 * One attempt: every probe once, in diagnosis order. With `paths` (scope all),
 * every other webhook and aggregated API is checked beside the cert-manager proof.
 */
export async function runAttempt(
  target: KubeTarget,
  t: ProbeTarget,
  deadline: number,
  signal?: AbortSignal,
  paths?: (deadline: number) => Promise<ItemResult[]>,
  assumptions?: (deadline: number) => Promise<ProbeResult>,
): Promise<ProbeResult[]> {
  const api = await probeApiServer(target, deadline, signal);
  if (!api.ok) return [api];
  const started = Date.now();
  const others = paths?.(deadline);
  // With WEBHOOK_CHECK_PROOF: what synth assumed, read beside the proof; after it in the report.
  const assumed = assumptions?.(deadline);
  // The diagnostics run side by side; the proof runs even when they fail: the API
  // server's own words are the best evidence of why it cannot reach the webhook.
  const [namespace, endpoints] = await Promise.all([
    probeNamespace(target, t, deadline, signal),
    probeEndpoints(target, t, deadline, signal),
  ]);
  const proof = !namespace.ok && !namespace.warning ? [] : [await probeAdmission(target, t, deadline, signal)];
  const rest = others ? [pathsProbe(await others, Date.now() - started)] : [];
  const confirmed = assumed ? [await assumed] : [];
  return [api, namespace, endpoints, ...proof, ...confirmed, ...rest];
}

/**
 * The probe that decides the verdict: the first one that failed and is not only a
 * diagnostic. A probe the deadline cut learnt nothing about the cluster, so it decides
 * only when no probe of the same attempt completed with a finding.
 */
export function decidingFailure(probes: readonly ProbeResult[]): ProbeResult | undefined {
  const failed = probes.filter((p) => !p.ok && !p.warning);
  return failed.find((p) => !p.cutByDeadline) ?? failed[0];
}

const warningsOf = (probes: readonly ProbeResult[]) =>
  bounded([
    ...probes.filter((p) => p.warning).map((p) => `${p.probe}: ${p.detail}${p.error ? ` (${p.error})` : ""}`),
    ...probes
      .flatMap((p) => p.items ?? [])
      .filter((i) => i.verdict === "warn")
      .map((i) => `${i.kind} ${i.name}: ${i.detail}`),
  ]);

export interface RetrySettings {
  /** When the check started (clock time, ms); the deadline counts from here. */
  readonly started: number;
  readonly timeoutMs: number;
  readonly intervalMs: number;
}

/**
 * Calls `attempt` until it passes or the deadline passes, pausing `intervalMs`
 * between attempts and never sleeping past the deadline. When the deadline cuts
 * the last attempt short, that attempt knows nothing about the cluster, and the
 * outcome keeps the diagnosis of the last attempt that ran to its end.
 * `progress` hears each new failure once.
 */
export async function retryUntilDeadline(
  attempt: (deadline: number) => Promise<ProbeResult[]>,
  settings: RetrySettings,
  clock: Clock,
  progress: (line: string) => void,
  signal?: AbortSignal,
): Promise<RetryOutcome> {
  const deadline = settings.started + settings.timeoutMs;
  const elapsed = () => clock.now() - settings.started;
  const interrupted = () => (signal?.aborted ? { interrupted: String(signal.reason ?? "interrupted") } : {});
  let attempts = 0;
  let lastKey = "";
  let complete: { probes: ProbeResult[]; failure: ProbeResult; warnings: string[] } | undefined;
  for (;;) {
    attempts++;
    const probes = await attempt(deadline);
    const failure = decidingFailure(probes);
    const warnings = warningsOf(probes);
    // An attempt the deadline cut never replaces the verdict of the last complete one.
    const cut = probes.some((p) => p.cutByDeadline);
    if (cut && complete) return { ok: false, attempts, elapsedMs: elapsed(), ...complete, ...interrupted() };
    if (!failure) return { ok: true, attempts, elapsedMs: elapsed(), probes, ...(warnings.length ? { warnings } : {}) };
    if (!cut) complete = { probes, failure, warnings };
    if (signal?.aborted) return { ok: false, attempts, elapsedMs: elapsed(), probes, failure, warnings, ...interrupted() };
    const key = `${failure.probe}|${failure.class}|${failure.error ?? failure.detail}`;
    if (key !== lastKey) {
      progress(
        `attempt ${attempts} (${(elapsed() / 1000).toFixed(1)}s): ${failure.probe} failed [${failure.class}]: ${failure.error ?? failure.detail}`,
      );
      lastKey = key;
    }
    const remaining = deadline - clock.now();
    if (remaining <= 0) return { ok: false, attempts, elapsedMs: elapsed(), probes, failure, warnings };
    // The server's Retry-After (429, 503) is honoured, within the deadline.
    const retryAfter = Math.max(0, ...probes.map((p) => p.retryAfterMs ?? 0));
    await clock.sleep(Math.min(Math.max(settings.intervalMs, retryAfter), remaining), signal);
    if (clock.now() >= deadline || signal?.aborted)
      return { ok: false, attempts, elapsedMs: elapsed(), probes, failure, warnings, ...interrupted() };
  }
}

export async function runCheck(
  target: KubeTarget,
  options: CheckOptions,
  started: number,
  progress: (line: string) => void,
  clock: Clock = SYSTEM_CLOCK,
  signal?: AbortSignal,
): Promise<CheckReport> {
  const t: ProbeTarget = {
    namespace: options.namespace,
    service: options.service,
    port: options.port,
    probeNamespace: options.probeNamespace,
  };
  const settings = {
    probeNamespace: options.probeNamespace,
    anchor: { namespace: options.namespace, service: options.service },
    exclude: options.exclude,
  };
  const paths = options.scope === "all" ? (deadline: number) => probeClusterPaths(target, settings, deadline, signal) : undefined;
  const proof = options.proof;
  const assumptions = proof ? (deadline: number) => probeProofAssumptions(target, proof, t, deadline, signal) : undefined;
  const outcome = await retryUntilDeadline(
    (deadline) => runAttempt(target, t, deadline, signal, paths, assumptions),
    { started, timeoutMs: options.timeout * 1000, intervalMs: options.interval * 1000 },
    clock,
    progress,
    signal,
  );
  // The items of every other path: one list in the report, not inside the probe; internal fields stay out.
  const all = outcome.probes.find((p) => p.probe === "cluster-paths")?.items;
  const listed = all ? reportedItems(all) : undefined;
  const items = listed?.items.map(({ cutByDeadline: _c, retryAfterMs: _r, ...i }) => i);
  const probes = outcome.probes.map(({ items: _items, retryAfterMs: _r, ...p }) => p);
  const failure = outcome.failure ? (({ items: _items, retryAfterMs: _r, ...f }) => f)(outcome.failure) : undefined;
  return {
    server: target.server.origin,
    context: target.context,
    webhook: `${options.namespace}/${options.service}:${options.port}`,
    scope: options.scope,
    ...outcome,
    probes,
    ...(failure ? { failure } : {}),
    ...(items ? { items } : {}),
    ...(listed && listed.omitted > 0 ? { itemsOmitted: listed.omitted } : {}),
  };
}

/** The report's first line: the verdict on the path, or, when the API server itself could not be asked, that nothing was checked. */
function headline(report: CheckReport): string {
  const failure = report.failure;
  if (failure?.probe === "api-server") {
    const why = failure.class === "api-down" ? "did not answer" : "could not be asked";
    return `webhook-check: NOT CHECKED: the API server ${report.server} ${why} [${failure.class}]; kube-apiserver -> ${report.webhook} is unknown`;
  }
  const verdict = report.ok ? "REACHABLE" : failure?.class === "proof-assumption" ? "REACHABLE, BUT NOT AS SYNTH ASSUMED" : "NOT REACHABLE";
  return `webhook-check: ${verdict}: kube-apiserver -> ${report.webhook}`;
}

export function formatReport(report: CheckReport): string {
  const lines = [
    headline(report),
    `  server ${report.server} (context ${report.context}), ${report.attempts} attempt(s), ${(report.elapsedMs / 1000).toFixed(1)}s`,
  ];
  if (report.interrupted) lines.push(`  interrupted by ${report.interrupted}: the report shows what was known then`);
  for (const p of report.probes) {
    lines.push(`  ${verdictMark(probeVerdict(p))} ${p.probe.padEnd(17)} ${String(p.ms).padStart(5)}ms  ${p.detail}`);
    if (!p.ok && p.error) lines.push(`       API server said: ${p.error}`);
    if (!p.ok && p.hint) lines.push(`       hint [${p.class}]: ${p.hint}`);
  }
  for (const i of report.items ?? []) lines.push(formatItem(i));
  if (report.itemsOmitted) lines.push(`  ... and ${report.itemsOmitted} more (not listed; failures are listed first)`);
  for (const a of report.probes.flatMap((p) => p.assumptions ?? [])) lines.push(formatAssumption(a));
  return lines.join("\n");
}
