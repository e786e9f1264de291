/** Damerau-free Levenshtein distance, case-insensitive. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

/** The candidate closest to `key` (at most 2 edits, or a case-only difference), for "did you mean". */
export function closest(key: string, candidates: readonly string[]): string | undefined {
  let best: [string, number] | undefined;
  for (const c of candidates) {
    const d = distance(key, c);
    if (best === undefined || d < best[1]) best = [c, d];
  }
  return best && best[1] <= 2 ? best[0] : undefined;
}

/** ` (did you mean "x"?)` or nothing. */
export function didYouMean(key: string, candidates: readonly string[]): string {
  const hint = closest(key, candidates);
  return hint ? ` (did you mean "${hint}"?)` : "";
}
