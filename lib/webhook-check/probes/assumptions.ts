/**
 * What the proof-assumption files share: the check's settings the assumptions are read
 * against, and how an assumption becomes a verdict with its evidence (`ok` or a
 * `proof-assumption` failure on evidence; a warning, never a verdict, when it cannot be
 * read). Lower than every assumption file, so none imports another.
 */
import type { ProofPeer } from "../../proof/check-proof";
import { classification } from "./classify";
import type { AssumptionResult } from "./result";
import type { ServiceState } from "./services";

/** The check's own settings the assumptions are read against. */
export interface AssumptionSettings {
  /** The cert-manager namespace (`--namespace`): the proof's webhook paths end there. */
  readonly namespace: string;
  /** The webhook Service (`--service`) and its port (`--port`). */
  readonly service: string;
  readonly port: number;
}

export const isEntity = (peer: ProofPeer, name: string) => "entity" in peer && peer.entity === name;
export const labelsOf = (labels: Readonly<Record<string, string>>) =>
  `{${Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(", ")}}`;
export const quoted = (v: string) => JSON.stringify(v);

export function notConfirmed(assumption: string, assumed: string, paths: readonly string[], state: ServiceState): AssumptionResult {
  return {
    assumption,
    verdict: "warn",
    assumed,
    found: `not confirmed: ${state.detail}`,
    paths,
    ...(state.class ? { class: state.class, hint: classification(state.class).hint } : {}),
    ...(state.error !== undefined ? { error: state.error } : {}),
    ...(state.cutByDeadline ? { cutByDeadline: true } : {}),
  };
}

export const verdict = (holds: boolean, r: Omit<AssumptionResult, "verdict">): AssumptionResult =>
  holds ? { ...r, verdict: "ok" } : { ...r, verdict: "fail", class: "proof-assumption", hint: classification("proof-assumption").hint };

/** A body that is not what the API returns for that read. */
export const notAnObject = (what: string): ServiceState => ({
  ok: false,
  unknown: true,
  detail: `${what}: a body that is not Kubernetes JSON`,
  class: "bad-response",
});

/** The same address, whatever its spelling (`::1` and `0:0:0:0:0:0:0:1`). */
