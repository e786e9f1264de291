// Unknown props at runtime (JavaScript callers, untyped objects): each named with a did-you-mean,
// from a list the compiler keeps equal to the Props interface.
import { didYouMean } from "./suggest";

/** What a prop's value must be at runtime; `any` where its type is a union of kinds (checked by its construct). */
export type PropKind = "boolean" | "string" | "number" | "string[]" | "array" | "object" | "any";

/** The kind of a prop's type, `undefined` aside. */
type KindOf<V> = [NonNullable<V>] extends [never]
  ? "any"
  : [NonNullable<V>] extends [boolean]
    ? "boolean"
    : [NonNullable<V>] extends [string]
      ? "string"
      : [NonNullable<V>] extends [number]
        ? "number"
        : [NonNullable<V>] extends [readonly string[]]
          ? "string[]"
          : [NonNullable<V>] extends [readonly unknown[]]
            ? "array"
            : [NonNullable<V>] extends [object]
              ? [NonNullable<V>] extends [(...args: never[]) => unknown]
                ? "any"
                : "object"
              : "any";

/**
 * Every prop of `T` with the kind of its value: written as `const KEYS = {...} satisfies
 * KnownProps<Props>`, the compiler refuses a list that misses a prop, names one `T` does not
 * have, or gives a prop another kind than its type's, so the runtime checks below cannot
 * drift from the interface.
 */
export type KnownProps<T> = { readonly [K in keyof Required<T>]: KindOf<T[K]> };

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

const KIND_WORDS: Record<Exclude<PropKind, "any">, string> = {
  boolean: "a boolean (true or false)",
  string: "a string",
  number: "a number",
  "string[]": "a list of strings",
  array: "a list",
  object: "an object",
};

function hasKind(value: unknown, kind: PropKind): boolean {
  switch (kind) {
    case "boolean":
    case "string":
    case "number":
      return typeof value === kind;
    case "string[]":
      return Array.isArray(value) && value.every((v) => typeof v === "string");
    case "array":
      return Array.isArray(value);
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    default:
      return true;
  }
}

/** How a value reads in a problem: its kind, and itself when short. */
function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  if (typeof value === "object") return "an object";
  return `the ${typeof value} ${String(value)}`;
}

/**
 * The problems of `value` against its props, each as one line: a key its type does not have
 * (`check.timeoutSecond: unknown prop "timeoutSecond" (did you mean "timeoutSeconds"?)`), and a
 * value of another kind than its prop's (`release.talos: must be a boolean (true or false), not
 * the string "false"`, as a value read from an environment variable would be). TypeScript
 * catches these only in a fresh object literal; props kept in a map, spread from a config, or
 * written in plain JavaScript reach the construct unchecked, where `"false"` is truthy. `at` is
 * the prop's path below the construct (`""` for the props themselves). Values that are not
 * plain objects (undefined, class instances) are not looked into; an undefined prop is unset.
 */
export function propProblems(value: unknown, known: Readonly<Record<string, PropKind>>, at = ""): string[] {
  if (!isPlainObject(value)) return [];
  const names = Object.keys(known);
  const prefix = at === "" ? "" : `${at}.`;
  return Object.entries(value).flatMap(([key, v]) => {
    if (!Object.hasOwn(known, key)) return [`${prefix}${key}: unknown prop "${key}"${didYouMean(key, names)}; known: ${names.join(", ")}`];
    const kind = known[key];
    if (v === undefined || kind === "any" || hasKind(v, kind)) return [];
    return [`${prefix}${key}: must be ${KIND_WORDS[kind]}, not ${describe(v)}`];
  });
}
