/**
 * The check confirms what synth assumed. When `WEBHOOK_CHECK_PROOF` is set, the
 * verdicts the path engine reached at synth rest on facts about the cluster that
 * synth cannot see; this probe (`proof-assumptions`) reads them after apply:
 *
 * - the webhook's pods: for the proof's paths from the entity `kube-apiserver` to
 *   `{namespace: <the check's --namespace>, labels}`, the webhook Service's
 *   `spec.selector` must be a subset of those labels, and the pod port its
 *   `targetPort` resolves to (through the EndpointSlices' port for that Service
 *   port) must be the path's `port`;
 * - a host-networked API server: where a path comes from `kube-apiserver`, every
 *   address of the `default/kubernetes` EndpointSlices must be a node InternalIP;
 * - Cilium's settings: `cilium-config` in the release's namespace must agree with
 *   the proof's `cilium` settings, an absent key read as the agent's default.
 *
 * An assumption that does not hold is a failure of class `proof-assumption` (the
 * verdict, retried like every other failure until the deadline). One that cannot be
 * read (forbidden, no answer, not resolvable yet) is a warning that says so: never
 * "ok" without the evidence, never a failure without it either. What this cannot
 * see: labels added to pods later (only the selector's keys are confirmed), and
 * policies that are not the app's (`assume.policySet`).
 */
import type { KubeTarget } from "../kube/http";
import type { CheckProof } from "../../proof/check-proof";
import { apiServerAssumption } from "./api-server-assumption";
import type { AssumptionSettings } from "./assumptions";
import { ciliumAssumptions } from "./cilium-assumptions";
import { classification } from "./classify";
import { type AssumptionResult, type ProbeResult, verdictMark } from "./result";
import { webhookAssumptions } from "./webhook-assumptions";

/** Every assumption of the proof, read from the cluster side by side. */
export async function checkProofAssumptions(
  target: KubeTarget,
  proof: CheckProof,
  s: AssumptionSettings,
  deadline: number,
  signal?: AbortSignal,
): Promise<AssumptionResult[]> {
  const parts = await Promise.all([
    webhookAssumptions(target, proof, s, deadline, signal),
    apiServerAssumption(target, proof, deadline, signal),
    ciliumAssumptions(target, proof.cilium, deadline, signal),
  ]);
  return parts.flat();
}

/** The assumptions as one probe: failing when one does not hold, warning when one could not be read. */
export async function probeProofAssumptions(
  target: KubeTarget,
  proof: CheckProof,
  s: AssumptionSettings,
  deadline: number,
  signal?: AbortSignal,
): Promise<ProbeResult> {
  const start = Date.now();
  const assumptions = await checkProofAssumptions(target, proof, s, deadline, signal);
  const ms = Date.now() - start;
  const failed = assumptions.filter((a) => a.verdict === "fail");
  const warned = assumptions.filter((a) => a.verdict === "warn");
  const cut = assumptions.some((a) => a.cutByDeadline) ? { cutByDeadline: true } : {};
  const counts = `${assumptions.length} checked, ${failed.length} do not hold, ${warned.length} not confirmed`;
  const base = { probe: "proof-assumptions" as const, ms, assumptions };
  if (failed.length > 0) {
    const first = failed[0];
    return {
      ...base,
      ok: false,
      detail: `what synth assumed does not hold (${counts}): ${failed.map((f) => `${f.assumption}: assumed ${f.assumed}; found ${f.found}`).join(" | ")}`,
      class: "proof-assumption",
      hint: classification("proof-assumption").hint,
      ...(first.error !== undefined ? { error: first.error } : {}),
      ...cut,
    };
  }
  if (warned.length > 0) {
    const first = warned[0];
    return {
      ...base,
      ok: false,
      warning: true,
      detail: `not every assumption of the proof could be confirmed (${counts}): ${warned.map((w) => `${w.assumption}: ${w.found}`).join(" | ")}`,
      ...(first.class ? { class: first.class, hint: first.hint } : {}),
      ...(first.error !== undefined ? { error: first.error } : {}),
      ...cut,
    };
  }
  return { ...base, ok: true, detail: `every assumption of the proof holds (${counts})` };
}

/** One report line per assumption (and the API server's words where a read failed). */
export function formatAssumption(a: AssumptionResult): string {
  const lines = [`  ${verdictMark(a.verdict)} ${"assumption".padEnd(18)} ${a.assumption}: assumed ${a.assumed}; found ${a.found}`];
  if (a.verdict !== "ok" && a.error) lines.push(`       API server said: ${a.error}`);
  return lines.join("\n");
}
