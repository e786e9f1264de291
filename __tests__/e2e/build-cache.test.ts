// The build keeps each Cilium line's generated validators under node_modules/.cache
// (scripts/bundle.mjs), keyed by the hash of their inputs, and copies them into dist/ when the
// key matches; a build skipped because dist/ is up to date (after `npm ci`, which empties
// node_modules/.cache) seeds them from dist/. test:e2e builds first, so the entries exist here.
import { spawnSync } from "node:child_process";
import { cpSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { tempDir } from "../helpers/temp";

const root = path.join(__dirname, "..", "..");
const bundleScript = path.join(root, "scripts", "bundle.mjs");
const lines = readdirSync(path.join(root, "dist", "vendor"));

/** vendorKey(line, base) of scripts/bundle.mjs, run as the ES module it is. */
function vendorKey(line: string, base = root): string {
  const code = `const { vendorKey } = await import(${JSON.stringify(bundleScript)}); console.log(vendorKey(${JSON.stringify(line)}, ${JSON.stringify(base)}));`;
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8", cwd: root });
  expect(run.stderr).toBe("");
  return run.stdout.trim();
}

test.each(lines)("line %s: the cached validators are the ones in dist/", (line) => {
  const entry = path.join(root, "node_modules", ".cache", "cdktf-cilium-vendor", vendorKey(line));
  for (const file of ["cilium-values-validator.js", "cilium-policy-validator.js"])
    expect(readFileSync(path.join(entry, file)).equals(readFileSync(path.join(root, "dist", "vendor", line, file)))).toBe(true);
});

test("a change to a line's schemas changes its cache key, so a stale entry is never used", () => {
  const line = lines[0];
  const base = tempDir("vendor-key-");
  for (const dir of ["scripts", "lib/policies/vendor", `schemas/cilium/${line}`])
    cpSync(path.join(root, dir), path.join(base, dir), { recursive: true });
  cpSync(path.join(root, "package-lock.json"), path.join(base, "package-lock.json"));
  const before = vendorKey(line, base);
  expect(before).toBe(vendorKey(line));
  const schema = path.join(base, "schemas", "cilium", line, "ciliumnetworkpolicies.yaml");
  writeFileSync(schema, `${readFileSync(schema, "utf8")}\n`);
  expect(vendorKey(line, base)).not.toBe(before);
});
