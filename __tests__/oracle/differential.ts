// The differential run over generated paths (generate.ts): the engine (or a mutant of it)
// and Cilium's code decide the same inputs; a disagreement is shrunk by fast-check.
import fc from "fast-check";
import type { CiliumLine } from "../../lib/cilium/lines";
import type { AnalyzePathInput, PathVerdict } from "../../lib/paths/types";
import { inputArb, inputArbOf } from "./generate";
import { asTestCase, askOracle, type Comparison, compare, type OracleAnswer } from "./oracle";

export const SEED = process.env.ORACLE_SEED ? Number(process.env.ORACLE_SEED) : 20261206;
export const PATHS = 10_000;

export interface Run {
  /** The line every input names (cilium.version); undefined: none named, the default line. */
  line?: CiliumLine;
  /** What the inputs were generated from (fast-check shrinks a disagreement with it). */
  arb: fc.Arbitrary<AnalyzePathInput>;
  inputs: AnalyzePathInput[];
  engine: PathVerdict[];
  answers: OracleAnswer[];
  kinds: Comparison[];
  refused: number;
}

/** The engine with a fault injected (the mutation check): every verdict goes through it. */
export type Engine = (input: AnalyzePathInput) => PathVerdict;

/** The inputs of a line: pod and entity paths by default. */
const arbOf = (line?: CiliumLine) => (line === undefined ? inputArb : inputArbOf(line));

/**
 * Generates until PATHS inputs the engine accepts (validation refuses some), and decides them
 * both ways; with `line`, every input names it, so both decide with that line's semantics.
 */
export function differential(engine: Engine, seed = SEED, paths = PATHS, line?: CiliumLine, arb = arbOf(line)): Run {
  const inputs: AnalyzePathInput[] = [];
  const verdicts: PathVerdict[] = [];
  let refused = 0;
  for (const input of fc.sample(arb, { seed, numRuns: Math.ceil(paths * 1.5) })) {
    if (inputs.length === paths) break;
    try {
      verdicts.push(engine(input));
      inputs.push(input);
    } catch {
      refused++;
    }
  }
  const answers = askOracle(inputs);
  return { line, arb, inputs, engine: verdicts, answers, kinds: inputs.map((_, i) => compare(verdicts[i], answers[i])), refused };
}

/** The smallest disagreement fast-check finds from the same seed, as a test case. */
export function shrunk(engine: Engine, run: Run, seed = SEED): string {
  const known = new Map(run.inputs.map((input, i) => [JSON.stringify(input), run.answers[i]]));
  const result = fc.check(
    fc.property(run.arb, (input) => {
      let verdict: PathVerdict;
      try {
        verdict = engine(input);
      } catch {
        return true;
      }
      const answer = known.get(JSON.stringify(input)) ?? askOracle([input])[0];
      return compare(verdict, answer) !== "disagree";
    }),
    { seed, numRuns: Math.ceil(PATHS * 1.5) },
  );
  if (!result.failed || !result.counterexample) return "(fast-check did not reproduce it)";
  const [input] = result.counterexample;
  return asTestCase(input, engine(input), askOracle([input])[0], seed);
}
