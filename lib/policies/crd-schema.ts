/**
 * Cilium policy documents judged by Cilium's own CRDs of their line (schemas/cilium/<line>/*.yaml), in the
 * order kube-apiserver judges a custom resource on CREATE with fieldValidation=Strict
 * (kubernetes/kubernetes staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/
 * customresource_handler.go, `unstructuredSchemaCoercer.apply`):
 *
 * 1. unknown fields are recorded (pruning/algorithm.go `PruneWithOptions`; the strict
 *    decoder turns each into an error), keys whose value is null included;
 * 2. nulls of non-nullable fields without a default are removed
 *    (defaulting/prunenulls.go `PruneNonNullableNullsWithoutDefaults`);
 * 3. the value validation of the openAPIV3Schema: types, enum, pattern, lengths, limits,
 *    required, anyOf/oneOf (ajv, compiled at build time by scripts/bundle.mjs, with
 *    re2js for patterns), `x-kubernetes-list-type` set/map uniqueness
 *    (listtype/validation.go `ValidateListSetsAndMaps`), and the formats kube-apiserver
 *    enforces for CRDs (validation/formats.go: `cidr` and `date-time` are the only
 *    enforced ones these CRDs use; `int32`, `int64`, `idn-hostname` are not checked);
 * 4. the CRD's CEL rules (x-kubernetes-validations), written by hand below (celRules):
 *    kube-apiserver runs them after the schema unless an earlier error blocks them
 *    (registry/customresource/strategy.go `Validate`, `hasBlockingErr`); here they run
 *    when the schema found nothing, so a document is refused either way.
 *
 * Defaults are not applied: what is synthesized is what the user wrote (the server adds
 * `family: IPv4` itself). `metadata` is validated as ObjectMeta elsewhere (validate.ts).
 */
import * as ipaddr from "ipaddr.js";
import { decodePointer } from "../shared/json-pointer";
import type { CiliumLine } from "../cilium/lines";
import { ciliumPolicyValidator } from "../shared/package-paths";
import { isObject } from "../shared/stable-json";
import { closest } from "../shared/suggest";
import type { Path, Report } from "./kubernetes-rules";

/** The Cilium kinds the vendored CRDs define. */
export type CiliumKind = "CiliumNetworkPolicy" | "CiliumClusterwideNetworkPolicy";

/**
 * A node of the structural skeleton scripts/bundle.mjs extracts from a CRD schema
 * (apiextensions-apiserver pkg/apiserver/schema `Structural`).
 */
export interface StructuralNode {
  /** type; "int-or-string" for x-kubernetes-int-or-string */
  readonly t?: string;
  /** properties */
  readonly p?: Readonly<Record<string, StructuralNode>>;
  /** items */
  readonly i?: StructuralNode;
  /** additionalProperties */
  readonly a?: StructuralNode;
  /** x-kubernetes-preserve-unknown-fields */
  readonly x?: 1;
  /** nullable */
  readonly n?: 1;
  /** has a default */
  readonly d?: 1;
  /** x-kubernetes-list-type set or map */
  readonly l?: "set" | "map";
  /** x-kubernetes-list-map-keys */
  readonly k?: readonly string[];
  /** an enforced format: cidr, datetime */
  readonly f?: string;
  /** anyOf / oneOf whose branches each require properties */
  readonly any?: readonly (readonly string[])[];
  readonly one?: readonly (readonly string[])[];
  /** x-kubernetes-validations, each with the id of its hand-written implementation (scripts/bundle.mjs) */
  readonly c?: readonly CelRule[];
}

/** A CEL rule of the CRD, as the build records it. */
export interface CelRule {
  readonly id: "spec-or-specs";
  readonly rule: string;
  readonly message: string;
}

/** An ajv error, as the standalone validator reports it. */
export interface SchemaError {
  instancePath?: string;
  schemaPath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

interface ValidateFunction {
  (data: unknown): boolean;
  errors?: SchemaError[] | null;
}

interface PolicyValidatorBundle {
  readonly validators: Readonly<Record<CiliumKind, ValidateFunction>>;
  readonly structure: Readonly<Record<CiliumKind, { readonly file: string; readonly namespaced: boolean; readonly root: StructuralNode }>>;
  readonly re2Pattern: (pattern: string) => { test(value: string): boolean };
}

const loaded = new Map<CiliumLine, PolicyValidatorBundle>();
/** A line's build-time bundle (dist/vendor/<line>/cilium-policy-validator.js), loaded once. @internal */
export function policyValidatorBundle(line: CiliumLine): PolicyValidatorBundle {
  let bundle = loaded.get(line);
  if (!bundle) {
    const file = ciliumPolicyValidator(line);
    try {
      bundle = require(file) as PolicyValidatorBundle;
    } catch (err) {
      throw new Error(`the Cilium policy validator ${file} could not be loaded (${(err as Error).message}); run \`npm run build\``);
    }
    loaded.set(line, bundle);
  }
  return bundle;
}

const objectLike = (s: StructuralNode) => s.p !== undefined || s.a !== undefined || s.t === "object";
const TYPE_META = new Set(["apiVersion", "kind", "metadata"]);

/**
 * Step 1: every key below the document's root that the schema does not declare, with
 * the declared names there (for "did you mean"). A null value does not make a key
 * known. Following pruning/algorithm.go: at the root apiVersion, kind and metadata are
 * left to the ObjectMeta rules; below `x-kubernetes-preserve-unknown-fields` nothing is
 * unknown, only declared properties are followed. Where the value's type differs from
 * the schema's (a map where a list belongs), the type error of step 3 says it better
 * than a list of "unknown" keys, so those are not walked.
 */
export function unknownFields(doc: Record<string, unknown>, root: StructuralNode): Array<{ path: Path; known: string[] }> {
  const found: Array<{ path: Path; known: string[] }> = [];
  const walk = (value: unknown, s: StructuralNode, path: Path, isRoot: boolean): void => {
    if (Array.isArray(value)) {
      if (s.i) for (const [i, item] of value.entries()) walk(item, s.i, [...path, i], false);
      return;
    }
    if (!isObject(value) || !objectLike(s)) return;
    for (const [key, v] of Object.entries(value)) {
      if (isRoot && TYPE_META.has(key)) continue;
      const sub = s.p?.[key] ?? s.a;
      if (sub) walk(v, sub, [...path, key], false);
      else if (!s.x) found.push({ path: [...path, key], known: Object.keys(s.p ?? {}) });
    }
  };
  walk(doc, root, [], true);
  return found;
}

/**
 * Step 2: a copy of `value` without the nulls kube-apiserver removes (those of
 * non-nullable properties and map values; a field with a default is defaulted by the
 * server instead, and left out here too: the server stores its default). Nulls in lists
 * stay, and step 3 refuses them. `removed` gets the path of each null removed.
 */
export function withoutServerNulls(value: unknown, s: StructuralNode | undefined, removed: Path[] = [], path: Path = []): unknown {
  if (Array.isArray(value)) return value.map((item, i) => withoutServerNulls(item, s?.i, removed, [...path, i]));
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const sub = s?.p?.[key] ?? s?.a;
    if (v === null && sub !== undefined && !sub.n) {
      removed.push([...path, key]);
      continue;
    }
    out[key] = withoutServerNulls(v, sub, removed, [...path, key]);
  }
  return out;
}

// ---- formats (kube-openapi pkg/validation/strfmt, as apiextensions registers them) --------------
/**
 * `cidr` as kube-openapi's strfmt checks it for CRDs: k8s.io/utils/net ParseCIDRSloppy,
 * which accepts leading zeros in IPv4 octets (`010.0.0.0/8`, read as decimal) and in the
 * prefix length, unlike Go's net.ParseCIDR since Go 1.17. No zone, prefix within the
 * family's bits.
 */
export function isSloppyCidr(value: string): boolean {
  const slash = value.indexOf("/");
  if (slash < 0) return false;
  const addr = value.slice(0, slash);
  const bits = value.slice(slash + 1);
  if (!/^\d+$/.test(bits)) return false;
  const prefix = Number(bits);
  if (/^\d+\.\d+\.\d+\.\d+$/.test(addr)) return addr.split(".").every((o) => Number(o) <= 255) && prefix <= 32;
  if (!addr.includes(":") || addr.includes("%")) return false;
  // An IPv4 tail (`::ffff:010.1.2.3`) is read as sloppily as an IPv4 address.
  const tail = addr.match(/^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/);
  const normalized = tail
    ? `${tail[1]}${tail
        .slice(2)
        .map((o) => String(Number(o)))
        .join(".")}`
    : addr;
  if (tail?.slice(2).some((o) => Number(o) > 255)) return false;
  return ipaddr.IPv6.isValid(normalized) && prefix <= 128;
}

/** `date-time` as strfmt.ParseDateTime reads it: RFC 3339, seconds optional fractions, a zone. */
export function isDateTime(value: string): boolean {
  const m = value.match(/^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/);
  if (!m) return false;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
  const day = new Date(Date.UTC(y, mo - 1, d));
  return day.getUTCMonth() === mo - 1 && day.getUTCDate() === d && h < 24 && mi < 60 && s < 61;
}

const FORMATS: Readonly<Record<string, { test: (v: string) => boolean; what: string }>> = {
  cidr: { test: isSloppyCidr, what: 'a CIDR (format "cidr", e.g. 10.0.0.0/8 or fd00::/8)' },
  datetime: { test: isDateTime, what: 'an RFC 3339 time (format "date-time", e.g. 2026-01-02T15:04:05Z)' },
};

// ---- step 3 ---------------------------------------------------------------------------------------
function nodeAt(root: StructuralNode, path: Path): StructuralNode | undefined {
  let s: StructuralNode | undefined = root;
  for (const part of path) s = typeof part === "number" ? s?.i : (s?.p?.[part] ?? s?.a);
  return s;
}

function valueAt(doc: unknown, path: Path): unknown {
  return path.reduce<unknown>(
    (v, k) => (v !== null && typeof v === "object" ? (v as Record<string | number, unknown>)[k] : undefined),
    doc,
  );
}

const list = (names: readonly string[]) => names.join(", ");

/**
 * One ajv error in the author's terms. `raw` is the document as written (before nulls
 * were removed), so an anyOf that fails because a key was written empty says so.
 */
function describe(e: SchemaError, root: StructuralNode, doc: unknown, raw: unknown): string {
  const path = decodePointer(e.instancePath ?? "");
  const node = nodeAt(root, path);
  const actual = valueAt(doc, path);
  const written = valueAt(raw, path);
  switch (e.keyword) {
    case "anyOf": {
      if (node?.t === "int-or-string") return `must be an integer or a string, got ${actual === null ? "null" : typeof actual}`;
      const names = (node?.any ?? []).flat();
      const empty = isObject(written) ? names.filter((n) => written[n] === null) : [];
      const nulls = empty.map((n) => `\`${n}\` is empty (null), which kube-apiserver drops`);
      const hint = empty.length > 0 ? `; give it at least one rule (\`${empty[0]}: [{}]\` selects no peer: default deny)` : "";
      return `needs at least one of ${list(names)}${nulls.length > 0 ? `; ${nulls.join("; ")}${hint}` : ""}`;
    }
    case "oneOf": {
      const branches = node?.one ?? [];
      const names = branches.flat();
      const passing = Array.isArray(e.params?.passingSchemas) ? (e.params.passingSchemas as number[]) : undefined;
      if (passing && passing.length > 1)
        return `has ${list(passing.flatMap((i) => branches[i] ?? []))}: exactly one of ${list(names)} may be set`;
      const empty = isObject(written) ? names.filter((n) => written[n] === null) : [];
      return `needs exactly one of ${list(names)}${empty.length > 0 ? `; \`${empty[0]}\` is empty (null), which kube-apiserver drops` : ""}`;
    }
    case "enum": {
      const allowed = Array.isArray(e.params?.allowedValues) ? (e.params.allowedValues as unknown[]) : [];
      return `${JSON.stringify(actual)} is not one of the allowed values (${allowed.join(", ")})`;
    }
    case "pattern":
      return `${JSON.stringify(actual)} does not match the CRD's pattern ${String(e.params?.pattern)} (Go RE2, matched anywhere in the value)`;
    case "required":
      return `missing required field "${String(e.params?.missingProperty)}"`;
    case "type": {
      let hint = "";
      if (String(e.params?.type).includes("string") && (typeof actual === "boolean" || typeof actual === "number")) {
        hint = `; YAML 1.1 (as kubectl reads it) made the unquoted value a ${typeof actual} (${JSON.stringify(actual)}): quote it to keep it a string`;
      }
      const got = actual === null ? "null" : Array.isArray(actual) ? "a list" : typeof actual;
      return `${e.message ?? "has the wrong type"}, got ${got}${hint}`;
    }
    default:
      return e.message ?? "is invalid";
  }
}

/** Step 3's list-type and format rules, which ajv does not know. */
function structuralRules(value: unknown, s: StructuralNode | undefined, path: Path, report: Report): void {
  if (s === undefined) return;
  if (Array.isArray(value)) {
    if (s.l === "set") {
      const seen = new Set<string>();
      for (const [i, item] of value.entries()) {
        const key = JSON.stringify(item);
        if (seen.has(key))
          report([...path, i], `Duplicate value: ${key} (the list is an x-kubernetes-list-type set; kube-apiserver refuses repeats)`);
        seen.add(key);
      }
    } else if (s.l === "map") {
      const seen = new Set<string>();
      for (const [i, item] of value.entries()) {
        if (!isObject(item)) continue;
        const key = JSON.stringify((s.k ?? []).map((k) => item[k]));
        if (seen.has(key))
          report(
            [...path, i],
            `Duplicate value: an entry with the same ${list(s.k ?? [])} (x-kubernetes-list-type map; kube-apiserver refuses it)`,
          );
        seen.add(key);
      }
    }
    for (const [i, item] of value.entries()) structuralRules(item, s.i, [...path, i], report);
    return;
  }
  if (typeof value === "string" && s.f !== undefined) {
    const format = FORMATS[s.f];
    if (format && !format.test(value)) report(path, `${JSON.stringify(value)} is not ${format.what}`);
    return;
  }
  if (!isObject(value)) return;
  for (const [key, v] of Object.entries(value)) structuralRules(v, s.p?.[key] ?? s.a, [...path, key], report);
}

/** A "did you mean" for an unknown key, from the names the schema declares there. */
export function unknownFieldHint(key: string, known: readonly string[]): string | undefined {
  return closest(key, known);
}

/**
 * Step 4: the CRD's CEL rules, each written by hand from its text (the build refuses a rule
 * without an implementation here). `self` is the document as stored, nulls removed.
 *
 * - `has(self.spec) || has(self.specs)` ("spec or specs must be provided"): the 1.20 CRDs'
 *   root rule (pkg/k8s/apis/cilium.io/client/crds/v2/ciliumnetworkpolicies.yaml and
 *   ciliumclusterwidenetworkpolicies.yaml at v1.20.2, `x-kubernetes-validations` of the
 *   openAPIV3Schema; Documentation/operations/upgrade-current.inc: "CiliumNetworkPolicy and
 *   CiliumClusterwideNetworkPolicy resources that specify neither spec nor specs are now
 *   rejected at admission time"). CEL's `has()` on a field of an object is true when the key is
 *   present: an empty `spec: {}` passes, a `spec: null` was removed in step 2 and fails.
 *   kube-apiserver reports it at the root: `Invalid value: "object": spec or specs must be provided`.
 */
function celRules(doc: Record<string, unknown>, rules: readonly CelRule[], report: Report): void {
  for (const r of rules) {
    const holds = r.id === "spec-or-specs" ? doc.spec !== undefined || doc.specs !== undefined : false;
    if (!holds) report([], `${r.message} (the CRD's CEL rule \`${r.rule}\`)`);
  }
}

/**
 * Steps 3 and 4 over `doc` (nulls already removed; `raw` as written): every value problem,
 * reported at its field. Errors below a failing anyOf/oneOf branch are folded into
 * one message about the anyOf/oneOf.
 */
export function validateCrdValues(line: CiliumLine, kind: CiliumKind, doc: Record<string, unknown>, raw: unknown, report: Report): void {
  const bundle = policyValidatorBundle(line);
  const root = bundle.structure[kind].root;
  const validate = bundle.validators[kind];
  const { apiVersion: _a, kind: _k, ...carried } = doc;
  let found = 0;
  const counted: Report = (path, message) => {
    found++;
    report(path, message);
  };
  if (!validate(carried)) {
    for (const e of validate.errors ?? []) {
      if (/\/(anyOf|oneOf)\/\d+\//.test(e.schemaPath ?? "")) continue;
      counted(decodePointer(e.instancePath ?? ""), describe(e, root, doc, raw));
    }
  }
  structuralRules(carried, root, [], counted);
  if (found === 0 && root.c) celRules(carried, root.c, report);
}
