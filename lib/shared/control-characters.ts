// Escaping of control and bidirectional formatting characters in text from outside (file names,
// servers' words) before it is printed.
const SHORT: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f" };

/**
 * Unicode's bidirectional formatting characters (ALM U+061C, LRM/RLM U+200E-U+200F, the embeddings
 * and overrides U+202A-U+202E, the isolates U+2066-U+2069; Unicode UAX #9, table 4) reorder what a
 * terminal shows ("Trojan Source", CVE-2021-42574), and the line and paragraph separators
 * U+2028-U+2029 break a line in some: escaped like control characters.
 */
const isInvisibleFormatting = (code: number) =>
  code === 0x061c || code === 0x200e || code === 0x200f || (code >= 0x2028 && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);

/**
 * Control characters (C0, DEL, C1) and bidirectional formatting characters written as JSON writes
 * control characters (`\n`, `\u001b`, `\u202e`), so that text from outside (a file name, a
 * server's message) prints on one line, in its order, and cannot drive a terminal.
 */
export function escapeControlCharacters(text: string): string {
  let out = "";
  for (const c of text) {
    const code = c.charCodeAt(0);
    out +=
      code < 0x20 || (code >= 0x7f && code <= 0x9f) || isInvisibleFormatting(code)
        ? (SHORT[c] ?? `\\u${code.toString(16).padStart(4, "0")}`)
        : c;
  }
  return out;
}
