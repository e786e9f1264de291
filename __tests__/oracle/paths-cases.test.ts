// Every analyzePath case of the engine's own suites (__tests__/paths/), decided once more by
// Cilium's code: the suites run here as they do under npm test, with analyzePath recording
// each input and verdict, and the last test sends them all to the oracle.
import type { AnalyzePathInput, PathVerdict } from "../../lib/paths/types";
import { asTestCase, askOracle, compare, oracleOrSkip, tally } from "./oracle";

const recorded: { input: AnalyzePathInput; verdict: PathVerdict }[] = [];
(globalThis as { oracleRecord?: typeof recorded }).oracleRecord = recorded;

jest.mock("../../lib/analyze-path", () => {
  const real = jest.requireActual("../../lib/analyze-path");
  return {
    ...real,
    analyzePath: (input: AnalyzePathInput) => {
      const verdict = real.analyzePath(input) as PathVerdict;
      // A deep copy: a test may reuse and change its documents afterwards.
      (globalThis as { oracleRecord?: unknown[] }).oracleRecord?.push({ input: JSON.parse(JSON.stringify(input)), verdict });
      return verdict;
    },
  };
});

// The default line's suites (other-line.heavy.test.ts runs them for 1.19, which has no oracle).
require("../paths/isolation.test");
require("../paths/peers-ports.test");
require("../paths/interface.test");
require("../paths/lines.test");
require("../paths/reachability.test");

test("Cilium's code decides every analyzePath case of the suites above as the engine does", () => {
  if (!oracleOrSkip()) return;
  // `assume` is the engine's alone: the oracle decides a closed set with complete labels.
  const closed = recorded.filter(
    (r) => r.input.assume === undefined || (r.input.assume.policySet !== "open" && r.input.assume.labels !== "partial"),
  );
  const answers = askOracle(closed.map(({ input: { assume: _, ...rest } }) => rest));
  const kinds = closed.map((r, i) => compare(r.verdict, answers[i]));
  const counts = tally(kinds);
  const outside = [...new Set(answers.filter((_a, i) => kinds[i] === "oracle-outside").map((a) => a.detail?.split(";")[0]))];
  process.stderr.write(
    `analyzePath cases of __tests__/paths/: ${recorded.length} (${closed.length} closed), ${JSON.stringify(counts)}\noracle outside because: ${outside.join(" | ")}\n`,
  );
  const disagreements = closed.flatMap((r, i) => (kinds[i] === "disagree" ? [asTestCase(r.input, r.verdict, answers[i])] : []));
  expect(disagreements).toEqual([]);
  expect(counts.agree).toBeGreaterThan(0);
});
