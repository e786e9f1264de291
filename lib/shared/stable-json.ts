// Stable JSON (keys sorted at every level) and the hashes over it, and isObject.
import { createHash } from "node:crypto";

/** A JSON object: not null, not an array. */
export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** JSON with object keys sorted at every level: equal data, equal text. */
export function stableStringify(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * The length in UTF-8 bytes of `JSON.stringify(value)`, counted while walking it: once past
 * `limit` it stops and returns a number over `limit`. A value with many aliases to one long
 * string (YAML anchors) would make a string longer than V8 allows; counting never builds one.
 */
export function jsonByteLengthUpTo(value: unknown, limit: number): number {
  let bytes = 0;
  const walk = (v: unknown, inArray: boolean): void => {
    if (bytes > limit) return;
    if (v === undefined || typeof v === "function" || typeof v === "symbol") {
      if (inArray) bytes += 4; // null
      return;
    }
    if (typeof v === "string") {
      // Escaping only lengthens a string: past the limit unescaped is past it escaped.
      const raw = Buffer.byteLength(v);
      bytes += raw > limit ? raw : Buffer.byteLength(JSON.stringify(v));
      return;
    }
    if (typeof v !== "object" || v === null || typeof (v as { toJSON?: unknown }).toJSON === "function") {
      bytes += Buffer.byteLength(JSON.stringify(v) ?? "null");
      return;
    }
    if (Array.isArray(v)) {
      bytes += 2 + Math.max(0, v.length - 1);
      for (const item of v) walk(item, true);
      return;
    }
    bytes += 2;
    let first = true;
    for (const [key, item] of Object.entries(v)) {
      if (item === undefined || typeof item === "function" || typeof item === "symbol") continue;
      bytes += (first ? 0 : 1) + Buffer.byteLength(JSON.stringify(key)) + 1;
      first = false;
      walk(item, false);
      if (bytes > limit) return;
    }
  };
  walk(value, false);
  return bytes;
}
