// The oracle suite's helpers: ask Cilium's own code (each line's binary, which the global
// setup built) about many lines at once, and compare its answers with the engine's verdicts.
import { spawnSync } from "node:child_process";
import { CILIUM_LINES, type CiliumLine, DEFAULT_CILIUM_LINE, readCiliumLine } from "../../lib/cilium/lines";
import type { AnalyzePathInput, PathVerdict } from "../../lib/paths/types";
import { nodePortAnswer, nodePortQuestion } from "./node-port";

export interface OracleAnswer {
  id: unknown;
  verdict?: "allowed" | "denied" | "outside";
  proxy?: boolean;
  detail?: string;
  error?: string;
}

/**
 * Throws, saying what is missing, when the oracle cannot run here (Go missing, or the suite not
 * run through npm run test:oracle), on any machine: a test that needs it fails, never skips.
 */
export function requireOracle(): void {
  const missing = process.env.CILIUM_ORACLE_MISSING;
  if (!missing && process.env.CILIUM_ORACLE_BINS) return;
  throw new Error(missing ?? "the oracle's binary is unknown (run through npm run test:oracle)");
}

/** The path of the line's oracle binary (the global setup built it). */
export function oracleBin(line: CiliumLine): string {
  const bin = (JSON.parse(process.env.CILIUM_ORACLE_BINS as string) as Record<string, string>)[line];
  if (!bin) throw new Error(`no oracle binary for Cilium ${line}`);
  return bin;
}

/** The line whose oracle decides `input`: its cilium.version as analyzePath reads it; an unreadable one the default's, which answers it with an error. */
function lineOf(input: Omit<AnalyzePathInput, "assume">): CiliumLine {
  try {
    return readCiliumLine(input.cilium?.version, "cilium.version");
  } catch {
    return DEFAULT_CILIUM_LINE;
  }
}

/**
 * One answer per input, in input order. A path through a NodePort (`path.via`) is asked as the
 * leg(s) where it is load-balanced (node-port.ts), and its answer combines theirs.
 */
export function askOracle(inputs: readonly Omit<AnalyzePathInput, "assume">[]): OracleAnswer[] {
  const questions = inputs.map((input) => (input.path.via === undefined ? undefined : nodePortQuestion(input, lineOf(input))));
  const asked = inputs.flatMap((input, i) => questions[i]?.inputs ?? [input]);
  const answers = askLines(asked);
  let next = 0;
  return inputs.map((_input, i) => {
    const question = questions[i];
    if (question === undefined) return { ...answers[next++], id: i };
    const own = answers.slice(next, next + question.inputs.length);
    next += question.inputs.length;
    return nodePortAnswer(i, question, own);
  });
}

/** One answer per input, in input order: each line's inputs go to that line's oracle, one process per line. */
function askLines(inputs: readonly Omit<AnalyzePathInput, "assume">[]): OracleAnswer[] {
  const answers: OracleAnswer[] = new Array(inputs.length);
  const byLine = new Map<CiliumLine, number[]>();
  inputs.forEach((input, i) => {
    const line = lineOf(input);
    const indexes = byLine.get(line) ?? [];
    indexes.push(i);
    byLine.set(line, indexes);
  });
  for (const [line, indexes] of byLine) {
    const stdin = indexes.map((id) => `${JSON.stringify({ id, ...inputs[id] })}\n`).join("");
    const r = spawnSync(oracleBin(line), [], { input: stdin, encoding: "utf8", maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`the ${line} oracle exited ${r.status}: ${r.stderr}`);
    const lines = r.stdout.split("\n").filter((l) => l !== "");
    if (lines.length !== indexes.length) throw new Error(`the ${line} oracle answered ${lines.length} of ${indexes.length} lines`);
    lines.forEach((l, k) => {
      answers[indexes[k]] = JSON.parse(l) as OracleAnswer;
    });
  }
  return answers;
}

export type Comparison = "agree" | "disagree" | "engine-unknown" | "oracle-outside" | "both-undecided" | "no-oracle";

/** How the engine's verdict and the oracle's answer relate (the issue's agreement rule). */
export function compare(engine: PathVerdict, oracle: OracleAnswer): Comparison {
  if (oracle.error !== undefined || oracle.verdict === undefined) return "no-oracle";
  const engineDecided = engine.verdict !== "unknown";
  const oracleDecided = oracle.verdict !== "outside";
  if (!engineDecided && !oracleDecided) return "both-undecided";
  if (!engineDecided) return "engine-unknown";
  if (!oracleDecided) return "oracle-outside";
  if (engine.verdict !== oracle.verdict) return "disagree";
  if (engine.verdict === "allowed" && (engine.qualifier === "l7-proxy") !== oracle.proxy) return "disagree";
  return "agree";
}

/** A disagreement as a case ready to paste into __tests__/paths/ (the seed says where it came from). */
export function asTestCase(input: AnalyzePathInput, engine: PathVerdict, oracle: OracleAnswer, seed?: number): string {
  const want = oracle.verdict === "allowed" && oracle.proxy ? `"allowed" with qualifier "l7-proxy"` : JSON.stringify(oracle.verdict);
  return [
    // Each line's oracle is built from the tag the line vendors (sources.test.ts).
    `// Cilium ${CILIUM_LINES[lineOf(input)].vendoredTag.slice(1)} decides ${want} (${oracle.detail}); the engine said ${JSON.stringify(engine.verdict)}${engine.qualifier ? ` (${engine.qualifier})` : ""}.${seed === undefined ? "" : ` fast-check seed ${seed}.`}`,
    `test("TODO: name the rule", () => {`,
    `  const v = analyzePath(${JSON.stringify(input)});`,
    `  expect(v.verdict).toBe(${JSON.stringify(oracle.verdict)});`,
    ...(oracle.verdict === "allowed" ? [`  expect(v.qualifier).toBe(${oracle.proxy ? `"l7-proxy"` : "undefined"});`] : []),
    "});",
  ].join("\n");
}

/** Counts of each comparison. */
export function tally(kinds: readonly Comparison[]): Record<Comparison, number> {
  const out: Record<Comparison, number> = {
    agree: 0,
    disagree: 0,
    "engine-unknown": 0,
    "oracle-outside": 0,
    "both-undecided": 0,
    "no-oracle": 0,
  };
  for (const k of kinds) out[k]++;
  return out;
}
