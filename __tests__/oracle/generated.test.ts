// Generated policy sets and paths (generate.ts, a fixed seed unless ORACLE_SEED is set),
// each decided by the engine and by Cilium's code. A disagreement is shrunk by fast-check
// and printed as a test case ready to commit.
import { analyzePath } from "../../lib/analyze-path";
import { SUPPORTED_CILIUM_LINES } from "../../lib/cilium/lines";
import { differential, PATHS, type Run, SEED, shrunk } from "./differential";
import { featuresOf, nodePortArbOf } from "./generate";
import { nodePortQuestion } from "./node-port";
import { type Comparison, requireOracle, tally } from "./oracle";

/** Fewer than PATHS: a NodePort path asks the oracle once or twice, and the paths it is made of are PATHS' kind. */
const NODE_PORT_PATHS = 2_000;

/** The two tests every generated run passes: each path answered, and no disagreement (shrunk and printed). */
function answeredAndAgreeing(runOf: () => Run, paths: number, what: string): void {
  test("every path is generated and answered", () => {
    expect(runOf().inputs.length).toBe(paths);
    expect(tally(runOf().kinds)["no-oracle"]).toBe(0);
  });
  test(`where both decide, the engine agrees with Cilium ${what}`, () => {
    const disagree = tally(runOf().kinds).disagree;
    if (disagree > 0) throw new Error(`${disagree} disagreements; the smallest fast-check found:\n${shrunk(analyzePath, runOf())}`);
  });
}

// Once per supported line: each input names the line, and that line's oracle decides it.
describe.each(SUPPORTED_CILIUM_LINES)(`${PATHS} generated paths (seed ${SEED}), Cilium %s`, (line) => {
  let run: Run;
  let counts: Record<Comparison, number>;
  beforeAll(() => {
    requireOracle();
    run = differential(analyzePath, SEED, PATHS, line);
    counts = tally(run.kinds);
    const features = new Map<string, number>();
    for (const input of run.inputs) for (const f of featuresOf(input)) features.set(f, (features.get(f) ?? 0) + 1);
    const decided = run.answers.filter((_a, i) => run.kinds[i] === "agree" || run.kinds[i] === "disagree");
    const allowed = decided.filter((a) => a.verdict === "allowed").length;
    const outside = new Map<string, number>();
    run.answers.forEach((a, i) => {
      if (run.kinds[i] === "oracle-outside")
        outside.set(a.detail?.split(";")[0] ?? "", (outside.get(a.detail?.split(";")[0] ?? "") ?? 0) + 1);
    });
    process.stderr.write(
      `${[
        `Cilium ${line}, seed ${SEED}: ${run.inputs.length} paths (${run.refused} generated inputs refused by validation): ${JSON.stringify(counts)}`,
        `decided by both: ${decided.length}, allowed ${allowed}, denied ${decided.length - allowed}`,
        `oracle outside: ${[...outside].map(([k, v]) => `${v} × ${k}`).join(" | ") || "none"}`,
        "features:",
        ...[...features].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `  ${k}: ${v}`),
      ].join("\n")}\n`,
    );
  });

  answeredAndAgreeing(() => run, PATHS, "(the verdict, and on allowed the proxy flag)");
  test("at least 25% of the paths both decide are allowed, and 25% denied", () => {
    const decided = run.answers.filter((_, i) => run.kinds[i] === "agree");
    const allowed = decided.filter((a) => a.verdict === "allowed").length;
    expect(allowed / decided.length).toBeGreaterThanOrEqual(0.25);
    expect((decided.length - allowed) / decided.length).toBeGreaterThanOrEqual(0.25);
  });
  test("the engine says unknown for at most 10% of the paths the oracle decides", () => {
    const oracleDecided = counts.agree + counts.disagree + counts["engine-unknown"];
    expect(counts["engine-unknown"] / oracleDecided).toBeLessThanOrEqual(0.1);
  });
  test("the oracle says outside for at most 15% of the paths the engine decides", () => {
    const engineDecided = counts.agree + counts.disagree + counts["oracle-outside"];
    expect(counts["oracle-outside"] / engineDecided).toBeLessThanOrEqual(0.15);
  });
});

// Paths through a NodePort, once per line: Cilium's code judges the leg(s) where the sources say
// the NodePort is load-balanced (node-port.ts), and the engine's verdict must be theirs.
describe.each(SUPPORTED_CILIUM_LINES)(`${NODE_PORT_PATHS} generated NodePort paths (seed ${SEED}), Cilium %s`, (line) => {
  let run: Run;
  let counts: Record<Comparison, number>;
  /** How many paths both decide, per kind of question (the pod path, two legs). */
  const decidedBy = new Map<string, number>();
  beforeAll(() => {
    requireOracle();
    run = differential(analyzePath, SEED, NODE_PORT_PATHS, line, nodePortArbOf(line));
    counts = tally(run.kinds);
    run.inputs.forEach((input, i) => {
      const kind = `${nodePortQuestion(input, line).kind} ${run.answers[i].verdict ?? "error"}`;
      if (run.kinds[i] === "agree") decidedBy.set(kind, (decidedBy.get(kind) ?? 0) + 1);
    });
    process.stderr.write(
      `NodePort paths, Cilium ${line}, seed ${SEED}: ${run.inputs.length} paths (${run.refused} refused): ${JSON.stringify(counts)}\n` +
        `decided by both, per question and verdict: ${JSON.stringify(Object.fromEntries([...decidedBy].sort()))}\n`,
    );
  });

  answeredAndAgreeing(() => run, NODE_PORT_PATHS, "on the leg(s) the sources name");
  test("both the pod path and the two legs are decided both ways", () => {
    const kinds = line === "1.19" ? ["pod allowed", "pod denied", "legs allowed", "legs denied"] : ["pod allowed", "pod denied"];
    for (const kind of kinds) expect(decidedBy.get(kind) ?? 0).toBeGreaterThan(0);
  });
});
