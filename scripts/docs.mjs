// npm run docs: writes the pinned Cilium chart version (DEFAULT_CILIUM_VERSION in
// lib/cilium/version.ts, the one home of that fact) into README.md, docs/*.md, help, the
// vendored schemas' README and the TSDoc `@default` of CiliumReleaseOptions.version
// (which the .d.ts and the API reference carry).
// `--check` changes nothing and exits 1 when either is out of step (the tests run it).
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const constant = readFileSync(path.join(root, "lib", "cilium", "version.ts"), "utf8").match(/DEFAULT_CILIUM_VERSION = "([^"]+)"/);
if (!constant) throw new Error("lib/cilium/version.ts: DEFAULT_CILIUM_VERSION not found");
const version = constant[1];

/** Each place a doc states the pin: the pattern around it. */
const PLACES = {
  "README.md": /(<!-- cilium-version -->`?)[^<`]*(`?<!-- \/cilium-version -->)/g,
  "docs/cilium.md": /(<!-- cilium-version -->`?)[^<`]*(`?<!-- \/cilium-version -->)/g,
  "docs/policies.md": /(<!-- cilium-version -->`?)[^<`]*(`?<!-- \/cilium-version -->)/g,
  "docs/upgrading.md": /(<!-- cilium-version -->`?)[^<`]*(`?<!-- \/cilium-version -->)/g,
  help: /(chart cilium )\d+\.\d+\.\d+[^ ]*( from)/g,
  "schemas/cilium/README.md": /(pins chart `)\d+\.\d+\.\d+[^`]*(`)/g,
  "lib/cilium/release.ts": /(@default DEFAULT_CILIUM_VERSION \(")[^"]*("\))/g,
};

const stale = [];
for (const [file, pattern] of Object.entries(PLACES)) {
  const full = path.join(root, file);
  const text = readFileSync(full, "utf8");
  if (!pattern.test(text)) throw new Error(`${file}: no place states the Cilium pin (${pattern})`);
  const next = text.replace(pattern, `$1${version}$2`);
  if (next !== text) {
    stale.push(file);
    if (!process.argv.includes("--check")) writeFileSync(full, next);
  }
}
if (process.argv.includes("--check") && stale.length > 0) {
  console.error(`${stale.join(", ")}: the Cilium pin is not ${version}; run \`npm run docs\``);
  process.exit(1);
}
