const SHORT: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f" };

/**
 * Control characters (C0, DEL, C1) written as JSON writes them (`\n`, `\u001b`), so that text
 * from outside (a file name, a server's message) prints on one line and cannot drive a terminal.
 */
export function escapeControlCharacters(text: string): string {
  let out = "";
  for (const c of text) {
    const code = c.charCodeAt(0);
    out += code < 0x20 || (code >= 0x7f && code <= 0x9f) ? (SHORT[c] ?? `\\u${code.toString(16).padStart(4, "0")}`) : c;
  }
  return out;
}
