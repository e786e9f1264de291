/**
 * Runs the probes until all pass or the deadline: attempt, pause `interval`,
 * attempt again. The deadline is absolute: every request is cut off at it.
 * Time comes from a Clock, so the loop's timing is tested with a fake one.
 */
import type { KubeTarget } from "./kube";
import type { CheckOptions } from "./options";
import { type ProbeResult, probeAdmission, probeApiServer, probeEndpoints } from "./probes";

/** Where the loop gets the time and how it waits; injected in tests. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

/** The outcome of the retry loop. */
export interface RetryOutcome {
  readonly ok: boolean;
  readonly attempts: number;
  readonly elapsedMs: number;
  /** The probes of the last attempt (a probe not run is absent). */
  readonly probes: ProbeResult[];
  /** The first failing probe of the last attempt. */
  readonly failure?: ProbeResult;
}

export interface CheckReport extends RetryOutcome {
  readonly server: string;
  readonly context: string;
  readonly webhook: string;
}

/** One attempt: every probe once, in diagnosis order. */
export async function runAttempt(
  target: KubeTarget,
  options: Pick<CheckOptions, "namespace" | "service" | "port">,
  deadline: number,
): Promise<ProbeResult[]> {
  const api = await probeApiServer(target, deadline);
  if (!api.ok) return [api];
  // The admission probe runs even when endpoints fail: the API server's own
  // error text is the best evidence of why it cannot reach the webhook.
  const endpoints = await probeEndpoints(target, options, deadline);
  const admission = await probeAdmission(target, options, deadline);
  return [api, endpoints, admission];
}

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
): Promise<RetryOutcome> {
  const deadline = settings.started + settings.timeoutMs;
  const elapsed = () => clock.now() - settings.started;
  let attempts = 0;
  let lastKey = "";
  let complete: { probes: ProbeResult[]; failure: ProbeResult } | undefined;
  for (;;) {
    attempts++;
    const probes = await attempt(deadline);
    const failure = probes.find((p) => !p.ok);
    if (!failure) return { ok: true, attempts, elapsedMs: elapsed(), probes };
    const cut = probes.some((p) => p.cutByDeadline);
    if (cut && complete) return { ok: false, attempts, elapsedMs: elapsed(), ...complete };
    if (!cut) complete = { probes, failure };
    const key = `${failure.probe}|${failure.class}|${failure.error ?? failure.detail}`;
    if (key !== lastKey) {
      progress(
        `attempt ${attempts} (${(elapsed() / 1000).toFixed(1)}s): ${failure.probe} failed [${failure.class}]: ${failure.error ?? failure.detail}`,
      );
      lastKey = key;
    }
    const remaining = deadline - clock.now();
    if (remaining <= 0) return { ok: false, attempts, elapsedMs: elapsed(), probes, failure };
    await clock.sleep(Math.min(settings.intervalMs, remaining));
    if (clock.now() >= deadline) return { ok: false, attempts, elapsedMs: elapsed(), probes, failure };
  }
}

export async function runCheck(
  target: KubeTarget,
  options: CheckOptions,
  started: number,
  progress: (line: string) => void,
  clock: Clock = SYSTEM_CLOCK,
): Promise<CheckReport> {
  const outcome = await retryUntilDeadline(
    (deadline) => runAttempt(target, options, deadline),
    { started, timeoutMs: options.timeout * 1000, intervalMs: options.interval * 1000 },
    clock,
    progress,
  );
  return {
    server: target.server.origin,
    context: target.context,
    webhook: `${options.namespace}/${options.service}:${options.port}`,
    ...outcome,
  };
}

export function formatReport(report: CheckReport): string {
  const lines = [
    `webhook-check: ${report.ok ? "REACHABLE" : "NOT REACHABLE"}: kube-apiserver -> ${report.webhook}`,
    `  server ${report.server} (context ${report.context}), ${report.attempts} attempt(s), ${(report.elapsedMs / 1000).toFixed(1)}s`,
  ];
  for (const p of report.probes) {
    lines.push(`  ${p.ok ? "ok  " : "FAIL"} ${p.probe.padEnd(17)} ${String(p.ms).padStart(5)}ms  ${p.detail}`);
    if (!p.ok && p.error) lines.push(`       API server said: ${p.error}`);
    if (!p.ok && p.hint) lines.push(`       hint [${p.class}]: ${p.hint}`);
  }
  return lines.join("\n");
}
