/** Up to this many edits (or a case-only difference) a candidate counts as what was meant. */
const MAX_EDITS = 2;

/**
 * Levenshtein distance of two lower-cased strings, or `limit` when it is at least
 * that: rows stop as soon as every cell reaches the limit.
 */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  let next = new Array<number>(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    next[0] = i;
    let smallest = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (ca === b.charCodeAt(j - 1) ? 0 : 1));
      if (next[j] < smallest) smallest = next[j];
    }
    if (smallest >= limit) return limit;
    [row, next] = [next, row];
  }
  return Math.min(row[b.length], limit);
}

/** The candidate closest to `key` (at most 2 edits, or a case-only difference), for "did you mean"; the first of equals. */
export function closest(key: string, candidates: readonly string[]): string | undefined {
  const wanted = key.toLowerCase();
  let best: string | undefined;
  let bestDistance = MAX_EDITS + 1;
  for (const c of candidates) {
    const d = distance(wanted, c.toLowerCase(), bestDistance);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
      if (d === 0) break;
    }
  }
  return best;
}

/** ` (did you mean "x"?)` or nothing. */
export function didYouMean(key: string, candidates: readonly string[]): string {
  const hint = closest(key, candidates);
  return hint ? ` (did you mean "${hint}"?)` : "";
}
