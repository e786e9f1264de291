/**
 * Runs the probes until all pass or the deadline: attempt, pause `interval`,
 * attempt again. The deadline is absolute: every request is cut off at it.
 */
import type { KubeTarget } from "./kube";
import type { CheckOptions } from "./options";
import { probeAdmission, probeApiServer, probeEndpoints, type ProbeResult } from "./probes";

export interface CheckReport {
  readonly ok: boolean;
  readonly server: string;
  readonly context: string;
  readonly webhook: string;
  readonly attempts: number;
  readonly elapsedMs: number;
  /** The probes of the last attempt (a probe not run is absent). */
  readonly probes: ProbeResult[];
  /** The first failing probe of the last attempt. */
  readonly failure?: ProbeResult;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

async function attempt(target: KubeTarget, options: CheckOptions, deadline: number): Promise<ProbeResult[]> {
  const api = await probeApiServer(target, deadline);
  if (!api.ok) return [api];
  // The admission probe runs even when endpoints fail: the API server's own
  // error text is the best evidence of why it cannot reach the webhook.
  const endpoints = await probeEndpoints(target, options, deadline);
  const admission = await probeAdmission(target, options, deadline);
  return [api, endpoints, admission];
}

export async function runCheck(
  target: KubeTarget,
  options: CheckOptions,
  started: number,
  progress: (line: string) => void,
): Promise<CheckReport> {
  const deadline = started + options.timeout * 1000;
  const webhook = `${options.namespace}/${options.service}:${options.port}`;
  let attempts = 0;
  let lastKey = "";
  // The last attempt that ran to its end: when the deadline cuts the final attempt
  // short, that attempt knows nothing, and the report keeps this one's diagnosis.
  let complete: { probes: ProbeResult[]; failure: ProbeResult } | undefined;
  for (;;) {
    attempts++;
    const probes = await attempt(target, options, deadline);
    const failure = probes.find((p) => !p.ok);
    const report = { server: target.server.origin, context: target.context, webhook, attempts, elapsedMs: Date.now() - started, probes };
    if (!failure) return { ok: true, ...report };
    const cut = probes.some((p) => p.cutByDeadline);
    if (cut && complete) return { ok: false, ...report, ...complete };
    if (!cut) complete = { probes, failure };
    const key = `${failure.probe}|${failure.class}|${failure.error ?? failure.detail}`;
    if (key !== lastKey) {
      progress(
        `attempt ${attempts} (${(report.elapsedMs / 1000).toFixed(1)}s): ${failure.probe} failed [${failure.class}]: ${failure.error ?? failure.detail}`,
      );
      lastKey = key;
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) return { ok: false, ...report, failure };
    await sleep(Math.min(options.interval * 1000, remaining));
    if (Date.now() >= deadline) return { ok: false, ...report, elapsedMs: Date.now() - started, failure };
  }
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
