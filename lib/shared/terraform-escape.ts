// Literal strings for cdk.tf.json: text from outside escaped so that neither cdktf's token
// markers nor Terraform's template syntax in it are evaluated.
import { Token, Tokenization } from "cdktf";

/*
 * In cdk.tf.json every string is a Terraform template (`${...}` is evaluated, `%{...}` runs a
 * directive), and before Terraform sees it cdktf reads it for its own token markers. The markers,
 * from cdktf 0.21.0 lib/tokens/private/encoding.ts (hashicorp/terraform-cdk, tag v0.21.0):
 *   BEGIN_STRING_TOKEN_MARKER "${TfToken[", BEGIN_LIST_TOKEN_MARKER "#{TfToken[",
 *   BEGIN_MAP_TOKEN_MARKER "&{TfToken[", END_TOKEN_MARKER "]}", VALID_KEY_CHARS "a-zA-Z0-9:._-",
 *   NUMBER_TOKEN_REGEX /[-|\d|.\+]+(e[-|\d|.|e|E|\+]+)/g (a number token concatenated into a string).
 * A marker that names no token makes cdktf throw (lookupToken: "Unrecognized token key"), one that
 * names a token is replaced by that token's expression; a list marker in a string throws too.
 *
 * So literal text is written without any marker: `TfToken[` becomes `${"T"}fToken[` and a
 * token-shaped number gets `${""}` before its exponent; Terraform evaluates both back to the text.
 * `${` becomes `$${` and `%{` becomes `%%{`, Terraform's own escapes. Where a string also holds
 * real tokens, cdktf reads `${ ... }` in it as a bracket (tokens inside lose their braces), so
 * there `${` is written `${"$"}{`, whose brackets close at once. A `$` just before an
 * interpolation would form `$${` with it, so it is written as one: `${"$"}`.
 */
// Terraform interpolations of string literals, written as text (not JavaScript templates).
// biome-ignore lint/suspicious/noTemplateCurlyInString: Terraform template text
const LITERAL_DOLLAR = '${"$"}';
// biome-ignore lint/suspicious/noTemplateCurlyInString: Terraform template text
const LITERAL_T = '${"T"}';
const STRING_MARKER = /\$\{TfToken\[[a-zA-Z0-9:._-]+\]\}/g;
const NUMBER_TOKEN = /[-|\d|.+]+(e[-|\d|.|e|E|+]+)/g;

/** Whether cdktf reads this number as an encoded number token (whether or not it names one). */
export function isTokenShapedNumber(n: number): boolean {
  return Token.isUnresolved(n);
}

/** One run of literal text, written so that Terraform reads it back unchanged and cdktf finds no marker in it. */
function encodeText(text: string, withTokens: boolean, beforeInterpolation: boolean): string {
  const out: string[] = [];
  let nextIsInterpolation = beforeInterpolation;
  for (let i = text.length - 1; i >= 0; i--) {
    const c = text[i];
    let chunk = c;
    const next = text[i + 1];
    if (c === "$" && (nextIsInterpolation || (next === "{" && withTokens))) chunk = LITERAL_DOLLAR;
    else if (c === "$" && next === "{") chunk = "$$";
    else if (c === "%" && next === "{") chunk = "%%";
    else if (c === "T" && text.startsWith("TfToken[", i)) chunk = LITERAL_T;
    out.push(chunk);
    nextIsInterpolation = chunk.startsWith("${");
  }
  return out.reverse().join("");
}

/** Breaks every number cdktf would read as a number token (the character before the exponent is never a `$`). */
function breakNumberTokens(text: string): string {
  let out = text;
  for (;;) {
    const hit = [...out.matchAll(NUMBER_TOKEN)].find((m) => isTokenShapedNumber(Number.parseFloat(m[0])));
    if (!hit) return out;
    const at = (hit.index ?? 0) + hit[0].length - hit[1].length;
    out = `${out.slice(0, at)}\${""}${out.slice(at)}`;
  }
}

const realToken = (marker: string): boolean => {
  try {
    return Tokenization.reverseString(marker).firstToken !== undefined;
  } catch {
    return false;
  }
};

/** A string from code: the tokens the app made are kept, everything else is literal text. */
function escapeCodeString(value: string): string {
  const parts: Array<{ text: string; token: boolean }> = [];
  let last = 0;
  for (const m of value.matchAll(STRING_MARKER)) {
    if (!realToken(m[0])) continue;
    parts.push({ text: value.slice(last, m.index), token: false }, { text: m[0], token: true });
    last = (m.index ?? 0) + m[0].length;
  }
  parts.push({ text: value.slice(last), token: false });
  const withTokens = parts.some((p) => p.token);
  return parts.map((p, i) => (p.token ? p.text : encodeText(p.text, withTokens, parts[i + 1]?.token === true))).join("");
}

function deep<T>(value: T, onString: (s: string) => string, keepTokens: boolean): T {
  if (typeof value === "string") return onString(value) as T;
  if (Array.isArray(value)) return value.map((v) => deep(v, onString, keepTokens)) as T;
  if (typeof value === "object" && value !== null && !(keepTokens && Token.isUnresolved(value))) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [onString(k), deep(v, onString, keepTokens)])) as T;
  }
  return value;
}

/**
 * Makes text from code literal for Terraform, deep (objects, lists, keys): every `${`, `%{`
 * and cdktf marker that is not a token the app made is written so that Terraform reads the
 * original text; tokens the app made (a reference, `Fn.*`) are kept and evaluated.
 */
export function escapeTerraform<T>(value: T): T {
  return deep(value, escapeCodeString, true);
}

/**
 * Makes data literal for Terraform, deep (objects, lists, keys): text read from a file is
 * never a token, whatever markers it holds. Numbers cdktf would read as tokens cannot be
 * written; callers refuse them first ({@link tokenShapedValues}).
 */
export function literalTerraform<T>(value: T): T {
  return deep(value, (s) => breakNumberTokens(encodeText(s, false, false)), false);
}

/**
 * cdktf's sentinels for a map token read where one value is expected: resolving a string or a
 * number equal to one throws ("Found an encoded map token in a scalar string context"), so no
 * literal can spell them. From cdktf 0.21.0 lib/tokens/token.ts (`Token.STRING_MAP_TOKEN_VALUE`,
 * `Token.ANY_MAP_TOKEN_VALUE`, `Token.NUMBER_MAP_TOKEN_VALUE`) and lib/tokens/private/resolve.ts.
 */
const MAP_TOKEN_SENTINELS: ReadonlyArray<string | number> = [
  Token.STRING_MAP_TOKEN_VALUE,
  Token.ANY_MAP_TOKEN_VALUE,
  Token.NUMBER_MAP_TOKEN_VALUE,
];

/** A value literalTerraform cannot write: where it is, and what cdktf would make of it. */
export interface TokenShapedValue {
  readonly at: Array<string | number>;
  readonly why: string;
}

/**
 * Where `value` holds what cdktf reads as a token whatever the escaping (a number with a token's
 * bits, a map-token sentinel), as paths of keys and indexes. Callers refuse these before
 * {@link literalTerraform}.
 */
export function tokenShapedValues(value: unknown, at: ReadonlyArray<string | number> = []): TokenShapedValue[] {
  if (MAP_TOKEN_SENTINELS.includes(value as string | number))
    return [
      { at: [...at], why: `${JSON.stringify(value)} is the value cdktf uses to stand for a map token (cdktf's Token.*_MAP_TOKEN_VALUE)` },
    ];
  if (typeof value === "number")
    return isTokenShapedNumber(value)
      ? [{ at: [...at], why: "this number is one cdktf reads as a reference to a value of the app (an encoded token)" }]
      : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => tokenShapedValues(v, [...at, i]));
  if (typeof value === "object" && value !== null)
    return Object.entries(value).flatMap(([k, v]) => [
      ...(MAP_TOKEN_SENTINELS.includes(k)
        ? [{ at: [...at, k], why: `the key ${JSON.stringify(k)} is the value cdktf uses to stand for a map token` }]
        : []),
      ...tokenShapedValues(v, [...at, k]),
    ]);
  return [];
}

/**
 * What Terraform makes of a string {@link escapeTerraform} or {@link literalTerraform} wrote, for
 * strings without tokens: its escapes `$${` and `%%{`, and the string-literal interpolations
 * written above. Read left to right, as Terraform's template scanner does.
 */
export function unescapeTerraform(text: string): string {
  return text.replace(/\$\$\{|%%\{|\$\{"(\$|T|)"\}/g, (m, inner?: string) => (m === "$${" ? "${" : m === "%%{" ? "%{" : (inner ?? "")));
}
