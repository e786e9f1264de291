// The cache of each Cilium line's generated validators (scripts/bundle.mjs writes it), apart from
// the bundle so that build.mjs can keep it filled without loading esbuild: a build skipped
// because dist/ is up to date (after `npm ci`, which empties node_modules/.cache) seeds an absent
// entry from dist/vendor/, whose files are exactly what the same inputs generate.
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const vendorCache = path.join(root, "node_modules", ".cache", "cdktf-cilium-vendor");
export const VENDOR_OUTPUTS = ["cilium-values-validator.js", "cilium-policy-validator.js"];
const filesUnder = (base, dir) =>
  readdirSync(path.join(base, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(base, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .sort();
/** The cache key of a line's validators: the line and the hash of every input (`base`: the repository). */
export function vendorKey(line, base = root) {
  const hash = createHash("sha256");
  const inputs = [
    "scripts/bundle.mjs",
    "package-lock.json",
    ...filesUnder(base, "lib/policies/vendor"),
    ...filesUnder(base, `schemas/cilium/${line}`),
  ];
  for (const file of inputs) hash.update(`${file}\n`).update(readFileSync(path.join(base, file)));
  return `${line}-${hash.digest("hex").slice(0, 32)}`;
}

/** Each line of dist/vendor/ whose cache entry is absent gets one, copied from dist (written aside, then renamed). */
export function seedVendorCache() {
  const vendor = path.join(root, "dist", "vendor");
  if (!existsSync(vendor)) return;
  for (const line of readdirSync(vendor)) {
    const entry = path.join(vendorCache, vendorKey(line));
    if (existsSync(entry) || !VENDOR_OUTPUTS.every((f) => existsSync(path.join(vendor, line, f)))) continue;
    const partial = `${entry}.partial-${process.pid}`;
    mkdirSync(partial, { recursive: true });
    for (const f of VENDOR_OUTPUTS) copyFileSync(path.join(vendor, line, f), path.join(partial, f));
    try {
      renameSync(partial, entry);
    } catch (err) {
      // Another build seeded it first: its entry is the same files.
      rmSync(partial, { recursive: true, force: true });
      if (!existsSync(entry)) throw err;
    }
  }
}
