/**
 * Cilium policy documents against Cilium's CRD schemas, as kube-apiserver and
 * `kubectl --validate=strict` see them, using @kubernetes-models/cilium (the CRD
 * schemas compiled to validators; bundled to CommonJS at build time because the
 * package is ESM-only, see scripts/bundle.mjs).
 *
 * - Types, enums and patterns: the models' validators.
 * - Formats: only those kube-apiserver enforces for CRDs (apiextensions-apiserver
 *   pkg/apiserver/validation/formats.go; Kubernetes 1.33); others are ignored, as the
 *   server strips them from the schema. `idn-hostname` on an L7 `host` is not checked.
 * - Unknown fields: a key is a field of the schema where the validator refuses a
 *   wrongly typed value in its place; elsewhere it is unknown, and refused with a
 *   "did you mean" drawn from the package's own property names
 *   (dist/vendor/cilium-vocabulary.json) and confirmed the same way.
 */
import { existsSync, readFileSync } from "node:fs";
import { CILIUM_MODELS_BUNDLE, CILIUM_VOCABULARY } from "../shared/package-paths";
import { closest } from "../shared/suggest";
import type { Path, Report } from "./kubernetes-rules";
import { isObject } from "../shared/stable-json";

type CiliumKind = "CiliumNetworkPolicy" | "CiliumClusterwideNetworkPolicy";
export interface SchemaError {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}
type ModelClass = new (data: Record<string, unknown>) => { validate(): void };

/**
 * The string formats kube-apiserver 1.33 validates in CRD schemas, normalized as it
 * normalizes them (dashes removed: `date-time` is `datetime`). Source:
 * kubernetes/kubernetes staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/
 * validation/formats.go, `supportedVersionedFormats` up to 1.33 (1.34 adds
 * k8s-short-name and k8s-long-name).
 */
export const CRD_FORMATS_ENFORCED = new Set([
  "bsonobjectid",
  "uri",
  "email",
  "hostname",
  "ipv4",
  "ipv6",
  "cidr",
  "mac",
  "uuid",
  "uuid3",
  "uuid4",
  "uuid5",
  "isbn",
  "isbn10",
  "isbn13",
  "creditcard",
  "ssn",
  "hexcolor",
  "rgbcolor",
  "byte",
  "password",
  "date",
  "duration",
  "datetime",
  "quantity",
]);

let models: Record<CiliumKind, ModelClass> | undefined;
function model(kind: CiliumKind): ModelClass {
  if (!models) {
    if (!existsSync(CILIUM_MODELS_BUNDLE))
      throw new Error(`the Cilium policy validators ${CILIUM_MODELS_BUNDLE} are missing; run \`npm run build\``);
    models = require(CILIUM_MODELS_BUNDLE) as Record<CiliumKind, ModelClass>;
  }
  return models[kind];
}

let vocabulary: string[] | undefined;
function words(): string[] {
  vocabulary ??= JSON.parse(readFileSync(CILIUM_VOCABULARY, "utf8")) as string[];
  return vocabulary;
}

/** The validator's errors for `doc` (none when it is valid). */
export function ciliumSchemaErrors(kind: CiliumKind, doc: Record<string, unknown>): SchemaError[] {
  try {
    new (model(kind))(structuredClone(doc)).validate();
    return [];
  } catch (err) {
    const errors = (err as { errors?: SchemaError[] }).errors;
    if (!Array.isArray(errors)) return [{ instancePath: "", message: (err as Error).message }];
    return errors.filter((e) => e.keyword !== "format" || CRD_FORMATS_ENFORCED.has(String(e.params?.format ?? "").replace(/-/g, "")));
  }
}

const pointer = (path: Path) => path.map((p) => `/${String(p).replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");

function at(doc: unknown, path: Path): unknown {
  return path.reduce<unknown>(
    (v, p) => (v !== null && typeof v === "object" ? (v as Record<string | number, unknown>)[p] : undefined),
    doc,
  );
}

/** Probes whether `key` is a schema field of the object at `path` in `doc`. Memoized per kind and path shape. */
class FieldOracle {
  private readonly cache = new Map<string, boolean>();
  constructor(private readonly kind: CiliumKind) {}

  isField(doc: Record<string, unknown>, path: Path, key: string): boolean {
    const memo = `${path.map((p) => (typeof p === "number" ? "[]" : p)).join(".")}|${key}`;
    const known = this.cache.get(memo);
    if (known !== undefined) return known;
    const target = pointer([...path, key]);
    const refused = (probe: unknown) => {
      const copy = structuredClone(doc);
      (at(copy, path) as Record<string, unknown>)[key] = probe;
      return ciliumSchemaErrors(this.kind, copy).some((e) => e.instancePath === target);
    };
    // A number is refused by every string, object, list and boolean field; `{}` by
    // integer and int-or-string fields. A key neither disturbs is not in the schema.
    const result = refused(12345) || refused({});
    this.cache.set(memo, result);
    return result;
  }
}

const oracles = new Map<CiliumKind, FieldOracle>();

/** Reports every key below `spec`/`specs` that is not a field of Cilium's schema there. */
export function checkCiliumUnknownFields(kind: CiliumKind, doc: Record<string, unknown>, report: Report): void {
  const o = oracles.get(kind) ?? new FieldOracle(kind);
  oracles.set(kind, o);
  const walk = (value: unknown, path: Path): void => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        walk(item, [...path, i]);
      });
      return;
    }
    if (!isObject(value)) return;
    for (const key of Object.keys(value)) {
      if (o.isField(doc, path, key)) {
        walk(value[key], [...path, key]);
        continue;
      }
      const nearby = words().filter((w) => w !== key && closest(key, [w]) !== undefined);
      const confirmed = nearby.filter((w) => o.isField(doc, path, w));
      const hint = closest(key, confirmed);
      report(
        [...path, key],
        `unknown field "${key}"${hint ? ` (did you mean "${hint}"?)` : ""}; kubectl --validate=strict and kube-apiserver refuse it`,
      );
    }
  };
  for (const top of ["spec", "specs"]) if (doc[top] !== undefined) walk(doc[top], [top]);
}
