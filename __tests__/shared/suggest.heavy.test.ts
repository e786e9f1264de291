// "Did you mean": the closest known name (lib/shared/suggest.ts) against the textbook
// Levenshtein distance, on generated words (property-based, so test:e2e; the typical typos
// are in policies/real-input.test.ts).
import * as fc from "fast-check";
import { closest } from "../../lib/shared/suggest";

describe("did you mean: the closest known name", () => {
  /** The textbook definition, written independently: full matrix, no cut-offs. */
  function reference(key: string, candidates: readonly string[]): string | undefined {
    const lev = (a: string, b: string) => {
      const d = Array.from({ length: a.length + 1 }, (_, i) =>
        Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
      );
      for (let i = 1; i <= a.length; i++)
        for (let j = 1; j <= b.length; j++)
          d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      return d[a.length][b.length];
    };
    let best: string | undefined;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (const c of candidates) {
      const d = lev(key.toLowerCase(), c.toLowerCase());
      if (d < bestDistance) [best, bestDistance] = [c, d];
    }
    return bestDistance <= 2 ? best : undefined;
  }

  test("closest: what the textbook Levenshtein distance picks (at most 2 edits, the first of equals)", () => {
    const word = fc.string({ unit: fc.constantFrom("a", "b", "c", "A", "-"), maxLength: 7 });
    fc.assert(
      fc.property(word, fc.array(word, { maxLength: 8 }), (key, candidates) => closest(key, candidates) === reference(key, candidates)),
      {
        numRuns: 500,
      },
    );
  });
});
