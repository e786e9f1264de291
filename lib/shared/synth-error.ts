// SynthError, the one format of a refusal at synth: construct path, then file, document and
// field, then the fix; long values cut so a refusal stays readable.
import type { IConstruct } from "constructs";

/** How much of a quoted value a refusal repeats, and the most one line of it holds. */
const QUOTE_PREFIX = 80;
const MAX_LINE = 2000;

/**
 * One refusal line with its huge parts cut: a quoted value over 200 characters keeps its first
 * QUOTE_PREFIX and says how long it was, and each printed line stops at MAX_LINE characters. A 1 MB value
 * would otherwise be repeated whole (and twice, by Node's report of the uncaught error).
 */
export function boundedLine(line: string): string {
  // A quoted value is JSON text: one line, its opening quote not glued to a word before it and
  // its closing quote not glued to one after it, so the text between two short quoted words
  // ("open" ... "warn") is never taken for a value.
  const quoted = line.replace(
    /(?<![\w"])"((?:[^"\\\n]|\\.){200,})"(?![\w"])/g,
    (_m, inner: string) => `"${inner.slice(0, QUOTE_PREFIX)}..." (${inner.length} characters)`,
  );
  // Per printed line: a proof's refusal spans several (why:, fix:), and its fix must stay whole.
  return quoted
    .split("\n")
    .map((l) => (l.length > MAX_LINE ? `${l.slice(0, MAX_LINE)}... (${l.length - MAX_LINE} more characters)` : l))
    .join("\n");
}

/**
 * The one way this package refuses input at synth: the construct's path, then
 * every problem (each saying where and how to fix it), and nothing synthesized.
 *
 * Printed as it is meant to be read: its `stack` is its message (no frames: the
 * problem is in the input, not in this package's code), and its fields are not
 * enumerable, so Node's report of an uncaught error does not list the problems a
 * second time after the message.
 */
export class SynthError extends Error {
  /** The construct path the problems belong to. */
  declare public readonly constructPath: string;
  /** Each problem as one line. */
  declare public readonly lines: readonly string[];

  constructor(scope: IConstruct | string, lines: readonly string[]) {
    const where = typeof scope === "string" ? scope : scope.node.path;
    const bounded = lines.map(boundedLine);
    super(`${where}: ${bounded.length} problem(s); nothing was synthesized:\n${bounded.map((p) => `  - ${p}`).join("\n")}`);
    hidden(this, "name", "SynthError");
    hidden(this, "constructPath", where);
    hidden(this, "lines", bounded);
    hidden(this, "stack", this.message);
  }
}

/** Sets a read-only, non-enumerable own property (subclasses use it for their own data). */
export function hidden(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: false, writable: key === "name" || key === "stack", configurable: true });
}
