/**
 * Three-valued (Kleene) logic with reasons: a fact is true, false, or unknown
 * for named reasons. AND/OR keep "false wins" / "true wins", so an unknown that
 * cannot change the outcome never reaches the verdict.
 */
import { UNKNOWN_REASONS, type UnknownReason } from "./types";

export type Tri = true | false | Unknown;
export interface Unknown {
  readonly unknown: ReadonlySet<UnknownReason>;
}

export const unknown = (...reasons: UnknownReason[]): Unknown => ({ unknown: new Set(reasons) });
export const isUnknown = (t: Tri): t is Unknown => typeof t === "object";

function merge(a: Unknown, b: Unknown): Unknown {
  if (a.unknown.size === 0) return b;
  return { unknown: new Set([...a.unknown, ...b.unknown]) };
}

export function and(a: Tri, b: Tri): Tri {
  if (a === false || b === false) return false;
  if (a === true) return b;
  if (b === true) return a;
  return merge(a, b);
}

export function or(a: Tri, b: Tri): Tri {
  if (a === true || b === true) return true;
  if (a === false) return b;
  if (b === false) return a;
  return merge(a, b);
}

export function not(a: Tri): Tri {
  return isUnknown(a) ? a : !a;
}

/** The first reason in the order of UNKNOWN_REASONS, the order analyzePath reports them in. */
export function firstReason(t: Unknown): UnknownReason {
  for (const r of UNKNOWN_REASONS) if (t.unknown.has(r)) return r;
  return "open-policy-set";
}

/** A score for "how near" a fact is to true: 2 true, 1 unknown, 0 false. */
export const nearness = (t: Tri): number => (t === true ? 2 : t === false ? 0 : 1);
