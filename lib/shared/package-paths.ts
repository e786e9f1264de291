// Files shipped in the package (policy sets, schemas, the check bundle), found from the package
// root whether run from source, from the build or from an installed copy.
import { existsSync } from "node:fs";
import * as path from "node:path";

/**
 * Walks up from `start` to the nearest directory holding a package.json.
 * From source (`lib/`), from the build (`dist/lib/`) and from an installed copy
 * (`node_modules/cdktf-cilium/dist/lib/`) this finds the same package root, so
 * shipped files resolve from the package and never from the caller's cwd.
 */
function findPackageRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(path.join(dir, "package.json"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cdktf-cilium: no package.json above ${start}`);
    dir = parent;
  }
}

/** Root directory of the cdktf-cilium package. */
export const PACKAGE_ROOT = findPackageRoot(__dirname);

/** The policy sets shipped with the package (`policies/<set>/`). */
export const SHIPPED_POLICIES_DIR = path.join(PACKAGE_ROOT, "policies");

/** The bundled, self-contained webhook check (built by `npm run build`). */
export const CHECK_BUNDLE = path.join(PACKAGE_ROOT, "dist", "check", "webhook-check.js");

/** The Cilium chart values schema this package vendors for a line (schemas/cilium/<line>, see its README). */
export const ciliumValuesSchema = (line: string): string => path.join(PACKAGE_ROOT, "schemas", "cilium", line, "values.schema.json");

/** That schema compiled by ajv at build time (scripts/bundle.mjs). */
export const ciliumValuesValidator = (line: string): string =>
  path.join(PACKAGE_ROOT, "dist", "vendor", line, "cilium-values-validator.js");

/**
 * A line's vendored CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy CRDs (schemas/cilium/<line>)
 * compiled at build time: ajv standalone code, re2js, the structural skeleton (scripts/bundle.mjs).
 */
export const ciliumPolicyValidator = (line: string): string =>
  path.join(PACKAGE_ROOT, "dist", "vendor", line, "cilium-policy-validator.js");
