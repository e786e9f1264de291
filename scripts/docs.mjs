// npm run docs: writes the pinned Cilium chart version (the pin of DEFAULT_CILIUM_LINE in
// CILIUM_PINS, lib/cilium/version.ts, the one home of that fact) into README.md, docs/*.md,
// help, the vendored schemas' README and the TSDoc `@default` of CiliumReleaseOptions.version
// (which the .d.ts and the API reference carry); and the values keys that differ between the
// lines (scripts/cilium-values-diff.mjs).
// `--check` changes nothing and exits 1 when either is out of step (the tests run it).
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const versionTs = readFileSync(path.join(root, "lib", "cilium", "version.ts"), "utf8");
const line = versionTs.match(/DEFAULT_CILIUM_LINE: CiliumLine = "([^"]+)"/)?.[1];
const version = line && versionTs.match(new RegExp(`"${line.replace(".", "\\.")}": "([^"]+)"`))?.[1];
if (!version) throw new Error("lib/cilium/version.ts: DEFAULT_CILIUM_LINE or its pin in CILIUM_PINS not found");

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
const diff = spawnSync(process.execPath, [path.join(root, "scripts", "cilium-values-diff.mjs"), ...process.argv.slice(2)], {
  encoding: "utf8",
});
if (process.argv.includes("--check") && stale.length > 0)
  console.error(`${stale.join(", ")}: the Cilium pin is not ${version}; run \`npm run docs\``);
if (diff.status !== 0) console.error(diff.stderr.trim());
if (process.argv.includes("--check") && (stale.length > 0 || diff.status !== 0)) process.exit(1);
