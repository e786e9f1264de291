// Builds the two bundled artifacts that dist/ ships beside the tsc output:
// - dist/check/webhook-check.js: the webhook check, one self-contained file (its
//   only dependency, yaml, bundled in), the TerraformAsset that `terraform apply` runs
//   with plain `node`, without this repo or its node_modules;
// - dist/vendor/cilium-models.js: Cilium's policy models and validators (ESM-only
//   upstream) as CommonJS that synchronous construct code can require, with the
//   re2.wasm it loads at run time;
// - dist/vendor/cilium-values-validator.js: the vendored Cilium chart values schema
//   (schemas/cilium) compiled by ajv ahead of time (standalone code, bundled with the
//   ajv runtime helpers it needs), because compiling it at synth costs ~450 ms.
// esbuild output is deterministic for the same inputs, so asset hashes only change
// when the code does.
import { build } from "esbuild";
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
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

/** ajv standalone code for the Cilium values schema, bundled into one CommonJS file. */
async function valuesValidator() {
  const require = createRequire(import.meta.url);
  const Ajv = require("ajv").default;
  const standaloneCode = require("ajv/dist/standalone").default;
  const schema = JSON.parse(readFileSync(path.join(root, "schemas", "cilium", "values.schema.json"), "utf8"));
  const ajv = new Ajv({ strict: false, allErrors: true, code: { source: true } });
  const source = path.join(root, "dist", "vendor", "cilium-values-validator.src.js");
  mkdirSync(path.dirname(source), { recursive: true });
  writeFileSync(source, standaloneCode(ajv, ajv.compile(schema)));
  try {
    await build({
      ...common,
      entryPoints: [source],
      outfile: path.join(root, "dist", "vendor", "cilium-values-validator.js"),
      minify: true,
    });
  } finally {
    rmSync(source, { force: true });
  }
}

/**
 * Every property name the Cilium models declare (their .d.ts files, generated from
 * Cilium's CRD schemas): the candidates for "did you mean" on unknown fields.
 */
function ciliumVocabulary() {
  const dir = path.join(root, "node_modules", "@kubernetes-models", "cilium");
  const names = new Set();
  for (const entry of readdirSync(dir, { recursive: true })) {
    if (!String(entry).endsWith(".d.ts")) continue;
    for (const m of readFileSync(path.join(dir, String(entry)), "utf8").matchAll(/^\s+"([A-Za-z0-9_]+)"\??:/gm)) names.add(m[1]);
  }
  mkdirSync(path.join(root, "dist", "vendor"), { recursive: true });
  writeFileSync(path.join(root, "dist", "vendor", "cilium-vocabulary.json"), `${JSON.stringify([...names].sort())}\n`);
}

export async function bundle() {
  ciliumVocabulary();
  await Promise.all([
    valuesValidator(),
    build({ ...common, entryPoints: ["lib/webhook-check/runner/bin.ts"], outfile: check, minify: true }),
    build({
      ...common,
      entryPoints: ["lib/policies/vendor/cilium-models.ts"],
      outfile: path.join(root, "dist", "vendor", "cilium-models.js"),
      minify: true,
    }),
  ]);
  chmodSync(check, 0o755);
  // re2-wasm (used by the Cilium validators for CRD regex patterns) loads re2.wasm from
  // beside the module, which in the bundle is dist/vendor/.
  const require = createRequire(import.meta.url);
  const re2Package = require.resolve("re2-wasm/package.json", {
    paths: [path.join(root, "node_modules", "@kubernetes-models", "validate")],
  });
  copyFileSync(path.join(path.dirname(re2Package), "build", "wasm", "re2.wasm"), path.join(root, "dist", "vendor", "re2.wasm"));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundle();
