/**
 * What the API server does to a document before validating it, so that what
 * kubectl accepts is accepted here too, and means the same:
 * - JSON `null` decodes as "absent" (Go's encoding/json for optional fields;
 *   for CRDs, apiextensions prunes nulls of non-nullable fields). In a list of
 *   objects a null item decodes as the zero-value object (`ingress: [null]` is
 *   one empty rule), in a list of strings as "", and a null map value as "";
 * - NetworkPolicy's `spec` and `spec.podSelector` are structs, not pointers:
 *   absent means their zero value `{}` (all pods of the namespace).
 * Then metadata as kubectl leaves it in generated YAML: `creationTimestamp`
 * (always null in `kubectl create --dry-run=client -o yaml`; set by the server
 * anyway) is dropped, and `generateName` beside `name` is dropped (`name` wins).
 */
import { isObject } from "../shared/stable-json";

/**
 * The fields of a kind, as far as nulls are concerned: "value" (a scalar, or
 * anything below), "map" (string values), an object of fields, or a list of
 * either.
 */
export type Shape = { readonly [key: string]: Shape | "value" | readonly [Shape | "value"] | "map" };
export type ShapeNode = Shape | "value" | "map" | readonly [Shape | "value"];

/** Drops null fields, following `shape`; returns undefined for null itself. */
export function withoutNulls(value: unknown, shape: ShapeNode = "value"): unknown {
  if (value === null) return undefined;
  if (shape === "map") {
    if (!isObject(value)) return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, v === null ? "" : v]));
  }
  if (Array.isArray(shape)) {
    if (!Array.isArray(value)) return value;
    const item = shape[0];
    return value.map((v) => (v === null ? (item === "value" ? "" : {}) : withoutNulls(v, item)));
  }
  if (Array.isArray(value)) return value.map((v) => withoutNulls(v, "value"));
  if (!isObject(value)) return value;
  const fields = shape === "value" ? undefined : (shape as Shape);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const next = withoutNulls(v, fields?.[key] ?? "value");
    if (next !== undefined) out[key] = next;
  }
  return out;
}

/** Metadata as kubectl's generated YAML leaves it, tidied as the server would. */
export function tidyMetadata(meta: Record<string, unknown>): Record<string, unknown> {
  const { creationTimestamp: _created, ...rest } = meta;
  if (typeof rest.name === "string" && rest.generateName !== undefined) delete rest.generateName;
  return rest;
}
