// A check that only reads files remembers its last pass by the hash of what decides its verdict:
// the files it reads (names and contents), its configuration and its version. With nothing
// changed since that pass it is not run again; a failed run leaves no stamp, so a problem is
// reported on every run until it is fixed. jscpd keeps no cache of its own, and Biome none
// between runs (scripts/build.mjs uses this for both).
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";

/**
 * The hash of `files` (paths relative to `root`) with their contents; a missing file counts as
 * missing. `salt`: what else decides the result (the build's Node major).
 */
export function digestOf(root, files, salt = "") {
  const hash = createHash("sha256").update(salt);
  for (const file of files) {
    const full = path.join(root, file);
    hash.update(`${file.split(path.sep).join("/")}\n`);
    hash.update(existsSync(full) ? readFileSync(full) : "\0missing\0");
    hash.update("\n");
  }
  return hash.digest("hex");
}

/**
 * `run()` unless `stampFile` holds `digest` (what the last pass read); a run that exits 0
 * writes it. Without a digest (what the check reads is unknown) it always runs.
 * Resolves with the run's result, or `{ code: 0, output: "", what }` when it was not run.
 */
export async function unlessUnchanged(stampFile, digest, what, run) {
  if (digest && existsSync(stampFile) && readFileSync(stampFile, "utf8") === digest)
    return { code: 0, output: "", what: `${what} (unchanged since its last pass)` };
  const result = await run();
  if (result.code === 0 && digest) {
    mkdirSync(path.dirname(stampFile), { recursive: true });
    writeFileSync(stampFile, digest);
  }
  return result;
}
