import type { IConstruct } from "constructs";

/**
 * The one way this package refuses input at synth: the construct's path, then
 * every problem (each saying where and how to fix it), and nothing synthesized.
 */
export class SynthError extends Error {
  /** The construct path the problems belong to. */
  public readonly constructPath: string;
  /** Each problem as one line. */
  public readonly lines: readonly string[];

  constructor(scope: IConstruct | string, lines: readonly string[]) {
    const where = typeof scope === "string" ? scope : scope.node.path;
    super(`${where}: ${lines.length} problem(s); nothing was synthesized:\n${lines.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "SynthError";
    this.constructPath = where;
    this.lines = lines;
  }
}
