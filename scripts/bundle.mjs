// Builds the bundled artifacts that dist/ ships beside the tsc output:
// - dist/check/webhook-check.js: the webhook check, one self-contained file (its
//   only dependency, yaml, bundled in), the TerraformAsset that `terraform apply` runs
//   with plain `node`, without this repo or its node_modules;
// - dist/vendor/<line>/cilium-values-validator.js, per supported Cilium line: the vendored
//   Cilium chart values schema (schemas/cilium/<line>) compiled by ajv ahead of time (standalone code, bundled with the
//   ajv runtime helpers it needs), because compiling it at synth costs ~450 ms;
// - dist/vendor/<line>/cilium-policy-validator.js, per line: the vendored CiliumNetworkPolicy and
//   CiliumClusterwideNetworkPolicy CRDs (schemas/cilium/<line>/*.yaml): their openAPIV3Schema
//   compiled by ajv the same way (only what a document carries: metadata, spec, specs,
//   status), with re2js for the patterns, plus the structural skeleton that
//   lib/policies/crd-schema.ts walks for what ajv does not do (unknown fields, null
//   pruning, list-type uniqueness, the formats kube-apiserver enforces, the CEL rules
//   written by hand in crd-schema.ts).
// esbuild output is deterministic for the same inputs, so asset hashes only change
// when the code does.
import { build } from "esbuild";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { VENDOR_OUTPUTS, vendorCache, vendorKey } from "./vendor-cache.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const vendor = path.join(root, "dist", "vendor");
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  legalComments: "eof",
  logLevel: "warning",
};
const check = path.join(root, "dist", "check", "webhook-check.js");
/** The supported Cilium lines: the keys of CILIUM_PINS (lib/cilium/version.ts), each with schemas/cilium/<line>/. */
const LINES = [
  ...readFileSync(path.join(root, "lib", "cilium", "version.ts"), "utf8")
    .match(/CILIUM_PINS\b[^=]*= \{([^}]*)\}/)[1]
    .matchAll(/"(\d+\.\d+)":/g),
].map((m) => m[1]);

/** Writes `files` (name -> text) into dist/vendor/<line>, bundles `entry` of them to `outfile`, removes them. */
async function bundleGenerated(line, files, entry, outfile) {
  const dir = path.join(vendor, line);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  try {
    await build({ ...common, entryPoints: [path.join(dir, entry)], outfile: path.join(dir, outfile), minify: true });
  } finally {
    for (const name of Object.keys(files)) rmSync(path.join(dir, name), { force: true });
  }
}

/** ajv standalone code for one line's Cilium values schema, bundled into one CommonJS file. */
async function valuesValidator(line) {
  const Ajv = require("ajv").default;
  const standaloneCode = require("ajv/dist/standalone").default;
  const schema = JSON.parse(readFileSync(path.join(root, "schemas", "cilium", line, "values.schema.json"), "utf8"));
  const ajv = new Ajv({ strict: false, allErrors: true, code: { source: true } });
  await bundleGenerated(
    line,
    { "cilium-values-validator.src.js": standaloneCode(ajv, ajv.compile(schema)) },
    "cilium-values-validator.src.js",
    "cilium-values-validator.js",
  );
}

// ---- Cilium policy CRDs ---------------------------------------------------------------------
/**
 * The vendored CRDs, by the kind they define: each Cilium kind's `schema.file` in POLICY_KINDS
 * (lib/policies/kinds.ts, the home of what a kind is). schemas/cilium/README.md says where they come from.
 */
const CRD_FILES = Object.fromEntries(
  [
    ...readFileSync(path.join(root, "lib", "policies", "kinds.ts"), "utf8").matchAll(
      /^ {2}(\w+): \{\n[^}]*?schema: \{ by: "crd", file: "([^"]+)" \}/gm,
    ),
  ].map((m) => [m[1], m[2]]),
);
if (Object.keys(CRD_FILES).length !== 2) throw new Error("lib/policies/kinds.ts: the CRD files of the Cilium kinds not found");
/** What a policy document carries beside apiVersion and kind: all that is compiled. */
const DOCUMENT_FIELDS = ["metadata", "spec", "specs", "status"];
/**
 * The string formats kube-apiserver validates in CRD schemas, normalized as it normalizes
 * them (lower case, dashes and underscores removed). kubernetes/kubernetes
 * staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/validation/formats.go,
 * `supportedVersionedFormats` (1.33). Every other format (int32, int64, idn-hostname) is
 * stripped from the schema by the server, and here.
 */
const ENFORCED_FORMATS = new Set(
  "bsonobjectid uri email hostname ipv4 ipv6 cidr mac uuid uuid3 uuid4 uuid5 isbn isbn10 isbn13 creditcard ssn hexcolor rgbcolor byte password date duration datetime quantity".split(
    " ",
  ),
);
/** The enforced formats lib/policies/crd-schema.ts implements; a CRD using another one fails the build. */
const IMPLEMENTED_FORMATS = new Set(["cidr", "datetime"]);
const normalizeFormat = (f) => f.toLowerCase().replace(/[-_]/g, "");

function crdSchema(line, kind) {
  const { parse } = require("yaml");
  const crd = parse(readFileSync(path.join(root, "schemas", "cilium", line, CRD_FILES[kind]), "utf8"));
  if (crd.spec.names.kind !== kind) throw new Error(`${CRD_FILES[kind]} defines ${crd.spec.names.kind}, not ${kind}`);
  const version = crd.spec.versions.find((v) => v.name === "v2" && v.served);
  if (!version) throw new Error(`${CRD_FILES[kind]}: no served version v2`);
  return { schema: version.schema.openAPIV3Schema, namespaced: crd.spec.scope === "Namespaced" };
}

/** The branches of an anyOf/oneOf that only say "this property is required" (the CRDs' only kind). */
function requiredBranches(list, where) {
  return list
    .map((b) => {
      const keys = Object.keys(b).filter((k) => k !== "properties" && k !== "required");
      if (keys.length > 0 || !Array.isArray(b.required)) return undefined;
      return b.required;
    })
    .every((r) => r !== undefined)
    ? list.map((b) => b.required)
    : (() => {
        const types = list.map((b) => b.type);
        if (types.length === 2 && types.includes("integer") && types.includes("string")) return undefined;
        throw new Error(`${where}: an anyOf/oneOf the validator's messages do not know`);
      })();
}

/**
 * The CEL rules (x-kubernetes-validations) lib/policies/crd-schema.ts evaluates, each written
 * there by hand (no OpenAPI validator runs CEL): by rule text. A CRD with any other rule
 * fails the build, so a new rule is never silently skipped.
 */
const HAND_WRITTEN_CEL = { "has(self.spec) || has(self.specs)": "spec-or-specs" };

function celRule(v, where) {
  const id = HAND_WRITTEN_CEL[v.rule];
  if (!id)
    throw new Error(`${where}: the CEL rule ${JSON.stringify(v.rule)} has no hand-written implementation in lib/policies/crd-schema.ts`);
  return { id, rule: v.rule, message: v.message };
}

/**
 * The structural skeleton of a schema (apiextensions-apiserver pkg/apiserver/schema
 * `Structural`): what pruning, null removal, list-type validation and formats need.
 * t type ("int-or-string" for x-kubernetes-int-or-string), p properties, i items,
 * a additionalProperties, x x-kubernetes-preserve-unknown-fields, n nullable, d has a
 * default, l x-kubernetes-list-type set|map, k list-map keys, f enforced format,
 * any/one the required-property branches of anyOf/oneOf, c the CEL rules (x-kubernetes-validations).
 */
function skeleton(s, where) {
  const n = {};
  if (s["x-kubernetes-int-or-string"]) n.t = "int-or-string";
  else if (s.type) n.t = s.type;
  if (s.nullable) n.n = 1;
  if (s.default !== undefined) n.d = 1;
  if (s["x-kubernetes-preserve-unknown-fields"]) n.x = 1;
  if (s.format !== undefined) {
    const f = normalizeFormat(s.format);
    if (ENFORCED_FORMATS.has(f)) {
      if (!IMPLEMENTED_FORMATS.has(f)) throw new Error(`${where}: format ${s.format} is enforced by kube-apiserver but not implemented`);
      n.f = f;
    }
  }
  const listType = s["x-kubernetes-list-type"];
  if (listType === "set" || listType === "map") n.l = listType;
  if (listType === "map") n.k = s["x-kubernetes-list-map-keys"];
  if (s.properties) n.p = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, skeleton(v, `${where}.${k}`)]));
  if (s.items) n.i = skeleton(s.items, `${where}[]`);
  if (s.additionalProperties && typeof s.additionalProperties === "object") n.a = skeleton(s.additionalProperties, `${where}.*`);
  if (s["x-kubernetes-validations"]) n.c = s["x-kubernetes-validations"].map((v) => celRule(v, where));
  for (const [key, short] of [
    ["anyOf", "any"],
    ["oneOf", "one"],
  ]) {
    if (!s[key]) continue;
    const branches = requiredBranches(s[key], where);
    if (branches) n[short] = branches;
  }
  return n;
}

/** The schema ajv compiles: value validation only (descriptions, defaults, formats and x-kubernetes-* left out). */
function valueSchema(s) {
  if (Array.isArray(s)) return s.map(valueSchema);
  if (s === null || typeof s !== "object") return s;
  const out = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === "description" && typeof v === "string") continue;
    if (k === "default" || k === "format" || k.startsWith("x-kubernetes-")) continue;
    out[k] = k === "properties" ? Object.fromEntries(Object.entries(v).map(([p, sub]) => [p, valueSchema(sub)])) : valueSchema(v);
  }
  return out;
}

/**
 * Moves every subschema that occurs more than once (spec and specs[] are the same rule,
 * ingress and ingressDeny share peers, ...) to `$defs` and refers to it, so ajv
 * generates its code once: the bundle is a fraction of the size and validates the same.
 */
function shareRepeated(schema) {
  const counts = new Map();
  const count = (s) => {
    if (Array.isArray(s)) return s.forEach(count);
    if (s === null || typeof s !== "object") return;
    for (const v of Object.values(s)) count(v);
    const text = JSON.stringify(s);
    counts.set(text, (counts.get(text) ?? 0) + 1);
  };
  count(schema);
  const defs = {};
  const names = new Map();
  const share = (s, isRoot) => {
    if (Array.isArray(s)) return s.map((x) => share(x, false));
    if (s === null || typeof s !== "object") return s;
    const text = JSON.stringify(s);
    const inner = Object.fromEntries(
      Object.entries(s).map(([k, v]) =>
        k === "properties" ? [k, Object.fromEntries(Object.entries(v).map(([p, sub]) => [p, share(sub, false)]))] : [k, share(v, false)],
      ),
    );
    if (isRoot || (counts.get(text) ?? 0) < 2 || text.length < 300) return inner;
    if (!names.has(text)) {
      names.set(text, `d${names.size}`);
      defs[names.get(text)] = inner;
    }
    return { $ref: `#/$defs/${names.get(text)}` };
  };
  const shared = share(schema, true);
  return { ...shared, $defs: defs };
}

async function policyValidator(line) {
  const Ajv = require("ajv").default;
  const standaloneCode = require("ajv/dist/standalone").default;
  const { re2Pattern } = require(path.join(root, "lib", "policies", "vendor", "re2-pattern.cjs"));
  const ajv = new Ajv({ strict: false, allErrors: true, code: { source: true, regExp: re2Pattern } });
  const validators = {};
  const structure = {};
  const compiled = new Map();
  for (const kind of Object.keys(CRD_FILES)) {
    const { schema, namespaced } = crdSchema(line, kind);
    // ObjectMeta is validated as kube-apiserver validates it (lib/policies/kubernetes-rules.ts), not by the CRD.
    const properties = Object.fromEntries(DOCUMENT_FIELDS.filter((f) => schema.properties[f]).map((f) => [f, schema.properties[f]]));
    const root = { type: "object", properties: { ...properties, metadata: { type: "object" } } };
    const text = JSON.stringify(shareRepeated(valueSchema(root)));
    if (!compiled.has(text)) compiled.set(text, `v${compiled.size}`);
    validators[kind] = compiled.get(text);
    structure[kind] = {
      file: CRD_FILES[kind],
      namespaced,
      root: skeleton({ ...schema, properties: { ...schema.properties, metadata: { type: "object" } } }, kind),
    };
  }
  const exported = {};
  for (const [text, name] of compiled) {
    ajv.addSchema({ $id: name, ...JSON.parse(text) });
    exported[name] = name;
  }
  const entry = [
    'const v = require("./cilium-policy-validator.ajv.js");',
    `exports.validators = { ${Object.entries(validators)
      .map(([k, name]) => `${k}: v.${name}`)
      .join(", ")} };`,
    'exports.structure = require("./cilium-policy-structure.json");',
    'exports.re2Pattern = require("../../../lib/policies/vendor/re2-pattern.cjs").re2Pattern;',
  ].join("\n");
  await bundleGenerated(
    line,
    {
      "cilium-policy-validator.ajv.js": standaloneCode(ajv, exported),
      "cilium-policy-structure.json": JSON.stringify(structure),
      "cilium-policy-validator.src.js": entry,
    },
    "cilium-policy-validator.src.js",
    "cilium-policy-validator.js",
  );
}

// ---- the generated validators' cache ----------------------------------------------------------
// Generating a line's two validators (parsing the CRDs, ajv's code generation) is most of a
// build from clean (about 3.4 s of CPU of the 4 s), and depends only on the line's schemas, this
// script, re2-pattern.cjs and the locked versions of ajv, yaml, re2js and esbuild. So the
// outputs are kept under node_modules/.cache, keyed by the hash of those inputs, and copied into
// dist/ when the key matches: a rebuild after `rm -rf dist` or a change of lib/ skips them.
export { vendorKey };

async function vendorValidators(line) {
  const cached = path.join(vendorCache, vendorKey(line));
  const dir = path.join(vendor, line);
  if (VENDOR_OUTPUTS.every((f) => existsSync(path.join(cached, f)))) {
    mkdirSync(dir, { recursive: true });
    for (const f of VENDOR_OUTPUTS) copyFileSync(path.join(cached, f), path.join(dir, f));
    return;
  }
  await Promise.all([valuesValidator(line), policyValidator(line)]);
  // Written aside and renamed, so a build stopped half-way never leaves a partial entry; older
  // entries of the line are removed.
  mkdirSync(vendorCache, { recursive: true });
  for (const old of readdirSync(vendorCache))
    if (old.startsWith(`${line}-`)) rmSync(path.join(vendorCache, old), { recursive: true, force: true });
  const partial = `${cached}.partial-${process.pid}`;
  mkdirSync(partial, { recursive: true });
  for (const f of VENDOR_OUTPUTS) copyFileSync(path.join(dir, f), path.join(partial, f));
  renameSync(partial, cached);
}

export async function bundle() {
  await Promise.all([
    ...LINES.map(vendorValidators),
    build({ ...common, entryPoints: ["lib/webhook-check/runner/bin.ts"], outfile: check, minify: true }),
  ]);
  chmodSync(check, 0o755);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundle();
