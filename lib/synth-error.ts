import type { IConstruct } from "constructs";

/**
 * The one way this package refuses input at synth: the construct's path, then
 * every problem (each saying where and how to fix it), and nothing synthesized.
 */
export class SynthError extends Error {
  constructor(
    scope: IConstruct,
    public readonly problems: readonly string[],
  ) {
    super(`${scope.node.path}: ${problems.length} problem(s); nothing was synthesized:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "SynthError";
  }
}
