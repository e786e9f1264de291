/**
 * Every path from kube-apiserver to an in-cluster Service beside the cert-manager proof
 * (`--scope all`), as one probe: the incident broke all of them at once. The three
 * families (aggregated APIs, admission webhooks, conversion webhooks) run side by side
 * and share one Service state per Service per attempt. An item is `ok` only on
 * evidence; otherwise it is `not provable`, `not proven (blocked by ...)`,
 * `not proven (no answer)` or, under failurePolicy Ignore, "fails open; unproven".
 * Forbidden reads make the items they concern warnings that name the permission.
 */
import type { KubeTarget } from "../kube/http";
import { apiServices } from "./apiservices";
import { conversionWebhooks } from "./conversion-webhooks";
import { type Family, type PathsSettings, serviceStates } from "./items";
import type { ItemResult } from "./result";
import { admissionWebhooks } from "./webhooks";

/** Every path beside the cert-manager proof, checked side by side. */
export async function probeClusterPaths(
  target: KubeTarget,
  s: PathsSettings,
  deadline: number,
  signal?: AbortSignal,
): Promise<ItemResult[]> {
  const family: Family = { target, s, stateOf: serviceStates(target, deadline, signal), deadline, ...(signal ? { signal } : {}) };
  const [a, b, c] = await Promise.all([apiServices(family), admissionWebhooks(family), conversionWebhooks(family)]);
  return [...a, ...b, ...c];
}
