/**
 * The result shapes of the check's probes, below every probe file so that each family
 * imports them downward and none imports another. Every result is a verdict with its
 * evidence (`Finding`: what was observed, the API server's words, a class and hint).
 * The names of the verdict fields differ only as the --json report has always had them:
 * a probe says `ok`/`warning`, an item or an assumption says `verdict`; the report's JSON
 * is a public interface (docs/webhook-check.md), so the shapes stay as they are.
 */
import type { FailureClass, Finding } from "./classify";

/** The verdict of one item or assumption: proven, not proven (a warning), or disproven. */
export type Verdict = "ok" | "warn" | "fail";

export type ProbeName = "api-server" | "probe-namespace" | "webhook-endpoints" | "admission" | "cluster-paths" | "proof-assumptions";

export type ItemKind = "apiservice" | "validating-webhook" | "mutating-webhook" | "conversion-webhook";

/** One path beside the cert-manager proof (`--scope all`): an APIService, a webhook or a CRD. */
export interface ItemResult extends Finding {
  readonly kind: ItemKind;
  /** The APIService, `configuration/webhook`, or the CRD. */
  readonly name: string;
  readonly verdict: Verdict;
  /** Internal (not in the report): the deadline cut the request that would have decided it. */
  readonly cutByDeadline?: boolean;
  /** Internal (not in the report): the server's Retry-After, ms. */
  readonly retryAfterMs?: number;
}

/** One assumption of the synth-time proof, assumed vs found. */
export interface AssumptionResult {
  /** `webhook-selector`, `webhook-target-port`, `api-server-host-network`, or `cilium-config <key>`. */
  readonly assumption: string;
  readonly verdict: Verdict;
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

/** One probe of an attempt, as the report lists it. */
export interface ProbeResult extends Finding {
  readonly probe: ProbeName;
  readonly ok: boolean;
  /** Failed, but only a diagnostic: reported, never the verdict. */
  readonly warning?: boolean;
  /** The overall deadline (or a signal) cut this probe short: it says nothing about the cluster. */
  readonly cutByDeadline?: boolean;
  /** `cluster-paths`: every webhook and aggregated API checked. */
  readonly items?: ItemResult[];
  /** The server asked to wait this long before asking again (Retry-After); internal, not in the report. */
  readonly retryAfterMs?: number;
  /** `proof-assumptions`: each assumption of the synth-time proof, assumed vs found. */
  readonly assumptions?: AssumptionResult[];
}

/** The report's mark of a verdict, one width for every line. */
export function verdictMark(verdict: Verdict): string {
  return verdict === "ok" ? "ok  " : verdict === "warn" ? "warn" : "FAIL";
}

/** A probe's verdict in the same three words as an item's: `ok`, `warning` (a diagnostic) or a failure. */
export function probeVerdict(p: Pick<ProbeResult, "ok" | "warning">): Verdict {
  return p.ok ? "ok" : p.warning ? "warn" : "fail";
}
