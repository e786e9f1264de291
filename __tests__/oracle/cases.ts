// The engine's own analyzePath cases (__tests__/paths/), decided once more by Cilium's code: a
// test file mocks lib/analyze-path with `recordingAnalyzePath()`, requires the suites (they run
// here as they do under npm test, each analyzePath call recorded with its verdict), then
// `decideRecorded()` sends them all to the oracle of each case's line.
import type { AnalyzePathInput, PathVerdict } from "../../lib/paths/types";
import { asTestCase, askOracle, compare, requireOracle, tally } from "./oracle";

type Recorded = { input: AnalyzePathInput; verdict: PathVerdict }[];
const store = globalThis as { oracleRecord?: Recorded };

/** lib/analyze-path with analyzePath recording each input and verdict (the factory of a jest.mock). */
export function recordingAnalyzePath() {
  store.oracleRecord = [];
  const real = jest.requireActual("../../lib/analyze-path");
  return {
    ...real,
    analyzePath: (input: AnalyzePathInput) => {
      const verdict = real.analyzePath(input) as PathVerdict;
      // A deep copy: a test may reuse and change its documents afterwards.
      store.oracleRecord?.push({ input: JSON.parse(JSON.stringify(input)), verdict });
      return verdict;
    },
  };
}

/** The test that sends every recorded case to the oracle and expects no disagreement. */
export function decideRecorded(which: string): void {
  test(`Cilium's code decides every analyzePath case of ${which} as the engine does`, () => {
    requireOracle();
    const recorded = store.oracleRecord ?? [];
    // `assume` is the engine's alone: the oracle decides a closed set with complete labels.
    const closed = recorded.filter(
      (r) => r.input.assume === undefined || (r.input.assume.policySet !== "open" && r.input.assume.labels !== "partial"),
    );
    const answers = askOracle(closed.map(({ input: { assume: _, ...rest } }) => rest));
    const kinds = closed.map((r, i) => compare(r.verdict, answers[i]));
    const counts = tally(kinds);
    const outside = [...new Set(answers.filter((_a, i) => kinds[i] === "oracle-outside").map((a) => a.detail?.split(";")[0]))];
    const refused = [...new Set(answers.filter((_a, i) => kinds[i] === "no-oracle").map((a) => a.error))];
    process.stderr.write(
      `analyzePath cases of ${which}: ${recorded.length} (${closed.length} closed), ${JSON.stringify(counts)}\noracle outside because: ${outside.join(" | ")}\noracle refused: ${refused.join(" | ") || "none"}\n`,
    );
    const disagreements = closed.flatMap((r, i) => (kinds[i] === "disagree" ? [asTestCase(r.input, r.verdict, answers[i])] : []));
    expect(disagreements).toEqual([]);
    expect(counts.agree).toBeGreaterThan(0);
  });
}
