/**
 * What the check prints of text it did not write: the API server's, a proxy's or a webhook's
 * words, names read from the cluster. Control characters (terminal escape sequences, a carriage
 * return, a newline that would start a fake report line) are written as JSON escapes, and each
 * string is cut at MAX_QUOTED characters, so a hostile answer can neither draw on the terminal
 * nor flood it (a 5 MB message became 5.9 MB of output).
 */
import { escapeControlCharacters } from "../../shared/control-characters";

export const MAX_QUOTED = 2000;

/** One string, bounded and with its control characters escaped. */
export function printableText(text: string, max = MAX_QUOTED): string {
  const cut = text.length > max ? `${text.slice(0, max)}... (${text.length - max} more characters)` : text;
  return escapeControlCharacters(cut);
}

/** Every string in a report (deep), object keys included, made printable; the report's shape is kept. */
export function printable<T>(value: T): T {
  if (typeof value === "string") return printableText(value) as T;
  if (Array.isArray(value)) return value.map((v) => printable(v)) as T;
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [printableText(k), printable(v)])) as T;
  return value;
}
