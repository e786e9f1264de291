import { didYouMean } from "./suggest";

/**
 * Every prop of `T`, each `true`: written as `const KEYS = {...} satisfies
 * KnownProps<Props>`, the compiler refuses a list that misses a prop or names
 * one `T` does not have, so the runtime check below cannot drift from the
 * interface.
 */
export type KnownProps<T> = { readonly [K in keyof Required<T>]: true };

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

/**
 * The keys of `value` its type does not have, each as one problem line
 * (`check.timeoutSecond: unknown prop "timeoutSecond" (did you mean
 * "timeoutSeconds"?)`). TypeScript catches these only in a fresh object
 * literal; props kept in a map, spread from a config, or written in plain
 * JavaScript reach the construct unchecked, and a construct that reads
 * `props.context` never sees `contxt`. `at` is the prop's path below the
 * construct (`""` for the props themselves). Values that are not plain objects
 * (undefined, class instances) are not looked into.
 */
export function unknownProps(value: unknown, known: object, at = ""): string[] {
  if (!isPlainObject(value)) return [];
  const names = Object.keys(known);
  return Object.keys(value)
    .filter((key) => !Object.hasOwn(known, key))
    .map((key) => `${at === "" ? "" : `${at}.`}${key}: unknown prop "${key}"${didYouMean(key, names)}; known: ${names.join(", ")}`);
}
