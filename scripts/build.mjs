// npm run build: dist/ with the tsc output (JS + .d.ts of lib/ and main.ts) and the
// esbuild bundles (scripts/bundle.mjs), side by side.
//
// Incremental: a hash of every input (sources, configs, the lock file, this script,
// the Node major) is kept in dist/.build-inputs; when it matches, the build is skipped,
// so `npm run synth` right after a build costs only the synth. Any change rebuilds
// dist/ from clean. --force always rebuilds.
//
// With --check (npm test) the strict type-check of everything, tests included
// (tsc --noEmit -p tsconfig.json), and Biome's lint and format check run beside it.
// (Running them beside jest instead was measured slower: jest already uses both cores.)
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { bundle } from "./bundle.mjs";

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
  "scripts/bundle.mjs",
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
  const hash = createHash("sha256").update(`node ${process.versions.node.split(".")[0]}\n`);
  for (const file of [...INPUT_DIRS.flatMap(files), ...INPUT_FILES]) {
    hash.update(`${file.split(path.sep).join("/")}\n`);
    if (existsSync(path.join(root, file))) hash.update(readFileSync(path.join(root, file)));
  }
  return hash.digest("hex");
}

const run = (bin, args) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, bin), ...args], { cwd: root, stdio: "inherit" });
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(bin)} ${args.join(" ")} exited with ${code}`)),
    );
  });
const tsc = (...args) => run("node_modules/typescript/bin/tsc", args);
const biome = (...args) => run("node_modules/@biomejs/biome/bin/biome", args);

async function build() {
  const hash = inputsHash();
  if (!process.argv.includes("--force") && existsSync(stamp) && readFileSync(stamp, "utf8") === hash) return;
  rmSync(path.join(root, "dist"), { recursive: true, force: true });
  await Promise.all([tsc("-p", "tsconfig.build.json"), bundle()]);
  mkdirSync(path.dirname(stamp), { recursive: true });
  writeFileSync(stamp, hash);
}

const checks = process.argv.includes("--check")
  ? [
      // Incremental: what tsc learnt last time is kept under node_modules/.cache (0.6 s -> 0.3 s when little changed).
      tsc("--noEmit", "-p", "tsconfig.json", "--incremental", "--tsBuildInfoFile", "node_modules/.cache/tsc/tsconfig.tsbuildinfo"),
      biome("check", "--no-errors-on-unmatched", "."),
    ]
  : [];
try {
  await Promise.all([build(), ...checks]);
} catch (err) {
  console.error(`build failed: ${err.message}`);
  process.exit(1);
}
