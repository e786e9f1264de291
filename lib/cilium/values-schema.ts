/**
 * Cilium chart values against the chart's own values schema of their line (vendored in
 * schemas/cilium/<line>), at synth:
 * - every key path must exist in the schema: Helm ignores unknown keys (the
 *   chart's schema sets no additionalProperties), so a typo would silently not
 *   apply. Refused with a "did you mean";
 * - types and enums are checked by ajv, with the validator compiled at build
 *   time (dist/vendor/<line>/cilium-values-validator.js).
 * Free-form maps accept any key: objects the schema gives no properties
 * (`podAnnotations`, `extraConfig`), objects whose known keys are label keys
 * rather than chart identifiers (`nodeSelector: {kubernetes.io/os: linux}`), and
 * what lies below a Kubernetes pod-template field (`affinity`, `tolerations`,
 * `resources`: see kubernetes-fields.ts). `null` is Helm's "remove this key" and
 * passes everywhere.
 */
import { existsSync, readFileSync } from "node:fs";
import { isKubernetesObjectField } from "./kubernetes-fields";
import { decodePointer } from "../shared/json-pointer";
import { type CiliumLine, DEFAULT_CILIUM_LINE, isCiliumLine, SUPPORTED_CILIUM_LINES } from "./lines";
import { ciliumValuesSchema, ciliumValuesValidator } from "../shared/package-paths";
import { didYouMean } from "../shared/suggest";
import { isObject } from "../shared/stable-json";

interface Schema {
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly items?: Schema;
  readonly anyOf?: readonly Schema[];
  readonly oneOf?: readonly Schema[];
  readonly allOf?: readonly Schema[];
  readonly additionalProperties?: boolean | Schema;
}

/** One thing wrong with the values: where (`hubble.relay.enabeld`) and what. */
export interface ValuesProblem {
  readonly path: string;
  readonly message: string;
  /** An unknown key (allowed with `allowUnknownValues`), rather than a wrong type. */
  readonly unknownKey: boolean;
}

type Path = ReadonlyArray<string | number>;
type AjvError = { instancePath: string; message?: string; keyword: string; params?: { allowedValues?: unknown[] } };
type Validator = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

const schemas = new Map<CiliumLine, Schema>();
const validators = new Map<CiliumLine, Validator>();

function loadSchema(line: CiliumLine): Schema {
  let schema = schemas.get(line);
  if (!schema) {
    schema = JSON.parse(readFileSync(ciliumValuesSchema(line), "utf8")) as Schema;
    schemas.set(line, schema);
  }
  return schema;
}

function loadValidator(line: CiliumLine): Validator {
  let validator = validators.get(line);
  if (!validator) {
    const file = ciliumValuesValidator(line);
    if (!existsSync(file)) throw new Error(`the Cilium values validator ${file} is missing; run \`npm run build\``);
    const mod = require(file) as Validator & { default?: Validator };
    validator = mod.default ?? mod;
    validators.set(line, validator);
  }
  return validator;
}

function formatPath(path: Path): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

/** Below a Kubernetes pod-template field somewhere above the last segment: Kubernetes' shape, not the chart's. */
function belowKubernetesField(path: Path): boolean {
  return path.slice(0, -1).some((p) => typeof p === "string" && isKubernetesObjectField(p));
}

interface Found {
  readonly path: Path;
  readonly message: string;
  readonly unknownKey: boolean;
}

function unknownKeys(value: unknown, node: Schema, at: Path, out: Found[]): void {
  if (Array.isArray(value)) {
    if (node.items) for (const [i, item] of value.entries()) unknownKeys(item, node.items, [...at, i], out);
    return;
  }
  if (!isObject(value)) return;
  const alternatives = [node, ...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])];
  if (!alternatives.some((a) => a.properties)) return; // a free-form map
  const properties: Record<string, Schema> = Object.assign({}, ...alternatives.map((a) => a.properties ?? {}));
  const known = Object.keys(properties);
  if (known.some((k) => !IDENTIFIER.test(k))) return; // a label map with a default entry
  const additional = alternatives.map((a) => a.additionalProperties).find((a) => a !== undefined && a !== false);
  for (const [key, sub] of Object.entries(value)) {
    if (sub === null) continue; // Helm: remove the key
    const path = [...at, key];
    if (properties[key]) unknownKeys(sub, properties[key], path, out);
    else if (typeof additional === "object") unknownKeys(sub, additional, path, out);
    else if (additional !== true) {
      out.push({ path, message: `unknown key "${key}"${didYouMean(key, known)}`, unknownKey: true });
    }
  }
}

function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, withoutNulls(v)]),
  );
}

/**
 * Which line's schema judges the values.
 *
 * @example
 * validateCiliumValues({ k8sClusterNetworkPolicy: { enabled: true } }, { line: "1.20" }); // []
 */
export interface ValidateCiliumValuesOptions {
  /**
   * The Cilium line whose chart values schema is used.
   *
   * @default DEFAULT_CILIUM_LINE
   */
  readonly line?: CiliumLine;
}

/**
 * Every problem of `values` against the vendored Cilium chart values schema of a line (empty when they pass):
 * unknown keys with did-you-mean, wrong types and values. `CiliumRelease` refuses at synth what this
 * returns; use it to validate values before you pass them.
 *
 * @example
 * const problems = validateCiliumValues({ hubble: { relay: { enabeld: true } } });
 * // [{ path: "hubble.relay.enabeld", message: 'unknown key "enabeld" (did you mean "enabled"?)', unknownKey: true }]
 */
export function validateCiliumValues(values: Record<string, unknown>, options: ValidateCiliumValuesOptions = {}): ValuesProblem[] {
  const line = options.line ?? DEFAULT_CILIUM_LINE;
  if (!isCiliumLine(line))
    throw new TypeError(`validateCiliumValues: line must be one of ${SUPPORTED_CILIUM_LINES.join(", ")}, got ${JSON.stringify(line)}`);
  const out: Found[] = [];
  unknownKeys(values, loadSchema(line), [], out);
  const validate = loadValidator(line);
  if (!validate(withoutNulls(values))) {
    for (const e of validate.errors ?? []) {
      if (e.keyword === "anyOf" || e.keyword === "oneOf") continue; // the branch errors say why
      const allowed = Array.isArray(e.params?.allowedValues) ? ` (${e.params.allowedValues.join(", ")})` : "";
      out.push({ path: decodePointer(e.instancePath), message: `${e.message ?? "invalid"}${allowed}`, unknownKey: false });
    }
  }
  return out
    .filter((p) => !belowKubernetesField(p.path))
    .map((p) => ({ path: formatPath(p.path) || "(values)", message: p.message, unknownKey: p.unknownKey }));
}
