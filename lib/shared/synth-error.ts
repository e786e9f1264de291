import type { IConstruct } from "constructs";

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
    super(`${where}: ${lines.length} problem(s); nothing was synthesized:\n${lines.map((p) => `  - ${p}`).join("\n")}`);
    hidden(this, "name", "SynthError");
    hidden(this, "constructPath", where);
    hidden(this, "lines", lines);
    hidden(this, "stack", this.message);
  }
}

/** Sets a read-only, non-enumerable own property (subclasses use it for their own data). */
export function hidden(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: false, writable: key === "name" || key === "stack", configurable: true });
}
