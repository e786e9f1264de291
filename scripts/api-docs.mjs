// The API reference, docs/api/: every export of lib/index.ts (the .d.ts of the build) with its
// TSDoc, by API Extractor (which bundles its own TypeScript, so TypeScript 7 is no obstacle) and
// API Documenter's markdown. Exports marked @internal are left out. The output holds no dates
// and no line numbers, so it changes only when the API or its docs do.
// `--check` writes into a temporary directory and exits 1 when docs/api differs (e2e test).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const check = process.argv.includes("--check");
const run = (bin, args) => {
  const r = spawnSync(process.execPath, [path.join(root, "node_modules", bin), ...args], { cwd: root, encoding: "utf8" });
  if (r.status !== 0) {
    process.stderr.write(r.stdout + r.stderr);
    throw new Error(`${bin} exited with ${r.status}`);
  }
  return r.stdout;
};

const extractor = run("@microsoft/api-extractor/bin/api-extractor", ["run", "--local", "-c", "api-extractor.json"]);
const warnings = extractor.split("\n").filter((l) => /Warning:|Error:/.test(l));
if (warnings.length > 0) {
  process.stderr.write(`${warnings.join("\n")}\n`);
  throw new Error("API Extractor has warnings: fix the TSDoc or the exports");
}
const out = check ? mkdtempSync(path.join(os.tmpdir(), "api-docs-")) : path.join(root, "docs", "api");
try {
  run("@microsoft/api-documenter/bin/api-documenter", ["markdown", "-i", path.join("node_modules", ".cache", "api"), "-o", out]);
  if (check) {
    const listing = (dir) => readdirSync(dir).sort();
    const want = listing(out);
    const have = listing(path.join(root, "docs", "api"));
    const stale = [...new Set([...want, ...have])].filter(
      (f) =>
        !want.includes(f) ||
        !have.includes(f) ||
        readFileSync(path.join(out, f), "utf8") !== readFileSync(path.join(root, "docs", "api", f), "utf8"),
    );
    if (stale.length > 0) {
      console.error(`docs/api is stale (${stale.length} files, e.g. ${stale.slice(0, 3).join(", ")}): run \`npm run docs\``);
      process.exitCode = 1;
    }
  }
} finally {
  if (check) rmSync(out, { recursive: true, force: true });
}
