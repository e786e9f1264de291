// npm run build: dist/ with the tsc output (JS + .d.ts of lib/ and main.ts) and the
// esbuild bundles (scripts/bundle.mjs), side by side.
//
// Incremental: a hash of every input (sources, configs, the lock file, this script,
// the Node major) is kept in dist/.build-inputs; when it matches, the build is skipped,
// so `npm run synth` right after a build costs only the synth. Any change rebuilds
// dist/ from clean. --force always rebuilds.
//
// `npm test` (scripts/test.mjs) calls `build` and runs its checks beside jest.
import { spawn, spawnSync } from "node:child_process";
import * as os from "node:os";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { digestOf, unlessUnchanged } from "./pass-stamp.mjs";
import { seedVendorCache } from "./vendor-cache.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const stamp = path.join(root, "dist", ".build-inputs");
const INPUT_DIRS = ["lib", "schemas"];
const INPUT_FILES = [
  "main.ts",
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "tsconfig.build.json",
  "scripts/build.mjs",
  "scripts/pass-stamp.mjs",
  "scripts/bundle.mjs",
  "scripts/vendor-cache.mjs",
];

function files(dir) {
  const full = path.join(root, dir);
  if (!existsSync(full)) return [];
  return readdirSync(full, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
    .sort();
}

function inputsHash() {
  return digestOf(root, [...INPUT_DIRS.flatMap(files), ...INPUT_FILES], `node ${process.versions.node.split(".")[0]}\n`);
}

/**
 * Runs a node script of the repo; resolves with its exit code and (with `capture`) its
 * output. `background`: at a lower scheduling priority, so what runs beside it comes first.
 */
export const runNode = (bin, args, capture = false, background = false) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, bin), ...args], { cwd: root, stdio: capture ? "pipe" : "inherit" });
    if (background && child.pid !== undefined) {
      try {
        os.setPriority(child.pid, 10);
      } catch {
        // Not permitted here: it runs at normal priority.
      }
    }
    let output = "";
    if (capture) for (const stream of [child.stdout, child.stderr]) stream.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output, what: `${path.basename(bin)} ${args.join(" ")}` }));
  });
const mustPass = async (pending) => {
  const { code, what } = await pending;
  if (code !== 0) throw new Error(`${what} exited with ${code}`);
};

/** The strict type-check of everything, tests included; incremental, what tsc learnt kept under node_modules/.cache. */
export const typeCheck = (capture, background) =>
  runNode(
    "node_modules/typescript/bin/tsc",
    ["--noEmit", "-p", "tsconfig.json", "--incremental", "--tsBuildInfoFile", "node_modules/.cache/tsc/tsconfig.tsbuildinfo"],
    capture,
    background,
  );
/**
 * `npm run lint`: Biome's lint and format check, and the duplicate-code check of lib/ (jscpd,
 * 6 lines or more, .jscpd.json), side by side; the first that fails is the result. Each is not
 * run again while nothing it reads changed since its last pass (scripts/pass-stamp.mjs).
 */
export const lint = async (capture, background) => {
  const results = await Promise.all([biomeCheck(capture, background), duplicateCheck(capture, background)]);
  return results.find((r) => r.code !== 0) ?? results[0];
};

const passStamp = (check) => path.join(root, "node_modules", ".cache", check, "passed");

// Biome reads what git does not ignore (biome.json: vcs.useIgnoreFile), then narrows it by its
// own includes: the stamp covers all of it. Outside a git work tree it always runs.
const biomeCheck = (capture, background) => {
  const listed = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" });
  const inputs = listed.status === 0 ? listed.stdout.split("\0").filter(Boolean).sort() : undefined;
  const digest = inputs && digestOf(root, [...inputs, "biome.json", "node_modules/@biomejs/biome/package.json"]);
  return unlessUnchanged(passStamp("biome"), digest, "biome check", () =>
    runNode("node_modules/@biomejs/biome/bin/biome", ["check", "--no-errors-on-unmatched", "."], capture, background),
  );
};

// jscpd reads and tokenizes all of lib/ on every run (about 2.5 s of CPU).
const duplicateCheck = (capture, background) =>
  unlessUnchanged(passStamp("jscpd"), digestOf(root, [...files("lib"), ".jscpd.json", "node_modules/jscpd/package.json"]), "jscpd", () =>
    runNode("node_modules/jscpd/bin/jscpd", [], capture, background),
  );

/** dist/, unless every input is as it was at the last build (`force`: always). */
export async function build(force = false) {
  const hash = inputsHash();
  if (!force && existsSync(stamp) && readFileSync(stamp, "utf8") === hash) {
    seedVendorCache();
    return;
  }
  rmSync(path.join(root, "dist"), { recursive: true, force: true });
  // Loaded only to rebuild: esbuild's API is most of what the check for "nothing changed" would load.
  const { bundle } = await import("./bundle.mjs");
  await Promise.all([mustPass(runNode("node_modules/typescript/bin/tsc", ["-p", "tsconfig.build.json"])), bundle()]);
  mkdirSync(path.dirname(stamp), { recursive: true });
  writeFileSync(stamp, hash);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    await build(process.argv.includes("--force"));
  } catch (err) {
    console.error(`build failed: ${err.message}`);
    process.exit(1);
  }
}
