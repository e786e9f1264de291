// Builds a Go test tool from its module under test/ at most once per set of versions: the
// binary goes into a cache outside the repository, keyed by a hash of the module's go.mod,
// go.sum and Go files, the Go toolchain and the platform, and is reused while that key
// matches. A build writes into a temporary directory renamed into place, so a killed build
// leaves no half-built entry; a lock directory makes a second caller (another suite, another
// jest worker) wait for the first build instead of starting its own. No binary is ever kept in
// the repository: the npm package ships no Go.
//
// `node scripts/go-tool.mjs test/NAME [PKG]` builds and prints the binary's path; the build's
// own progress (go's package list, -v) goes to stderr.
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Whether `go` runs here; the one line to print where it does not. */
export function goMissing() {
  try {
    execFileSync("go", ["version"], { stdio: "ignore" });
    return undefined;
  } catch {
    return "go is not installed (not on PATH): this test tool is built from its Go module; install Go (the version its go.mod names)";
  }
}

function goVersion() {
  return execFileSync("go", ["env", "GOVERSION"], { encoding: "utf8" }).trim();
}

/** The module's own files that decide its binary: go.mod, go.sum and the Go sources, sorted. */
function moduleFiles(dir, rel = "") {
  const out = [];
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const f = path.join(rel, e.name);
    if (e.isDirectory()) out.push(...moduleFiles(dir, f));
    else if (e.name === "go.mod" || e.name === "go.sum" || e.name.endsWith(".go")) out.push(f);
  }
  return out;
}

/** The cache key of a tool: its name, then a hash of what decides the binary. */
export function toolKey(name, moduleDir, extra = "") {
  const hash = createHash("sha256");
  for (const f of moduleFiles(moduleDir)) {
    hash.update(`${f}\0`);
    hash.update(readFileSync(path.join(moduleDir, f)));
  }
  hash.update(`${goVersion()} ${process.platform}/${process.arch} ${extra}`);
  return `${name}-${hash.digest("hex").slice(0, 12)}`;
}

export function cacheRoot() {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(base, "cdktf-cilium", "go-tools");
}

function run(cmd, args, opts) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "inherit", "inherit"], ...opts });
    child.on("error", reject);
    child.on("exit", (code, signal) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(" ")} exited ${signal ?? code}`))));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Whether process `pid` exists (EPERM: it does, owned by another user, e.g. root under sudo). */
export function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === "EPERM";
  }
}

/** Holds `lock` (a directory) while `fn` runs; a lock whose owner PID is gone is taken over. */
export async function withLock(lock, fn) {
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(path.join(lock, "pid"), String(process.pid));
      break;
    } catch (e) {
      if (e.code !== "EEXIST") throw e;
      let owner = 0;
      try {
        owner = Number(readFileSync(path.join(lock, "pid"), "utf8"));
      } catch {
        // The owner is between mkdir and writing its PID; look again shortly.
      }
      if (owner && !alive(owner)) rmSync(lock, { recursive: true, force: true });
      else await sleep(1000);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * The path of the tool's binary, built first when the cache has no entry for its key.
 * `module` is its folder under the repository (test/NAME), `pkg` the package to build in it.
 * `log` receives one-line progress messages.
 */
export async function ensureGoTool({
  name,
  module,
  pkg = ".",
  ldflags = "-s -w",
  keyExtra = "",
  log = (m) => process.stderr.write(`${m}\n`),
}) {
  const missing = goMissing();
  if (missing) throw new Error(missing);
  const moduleDir = path.join(ROOT, module);
  const dir = path.join(cacheRoot(), toolKey(name, moduleDir, `${pkg} ${ldflags} ${keyExtra}`));
  const bin = path.join(dir, name);
  if (existsSync(bin)) return bin;
  mkdirSync(cacheRoot(), { recursive: true });
  return withLock(`${dir}.lock`, async () => {
    if (existsSync(bin)) return bin;
    const tmp = mkdtempSync(`${dir}.partial-`);
    try {
      const started = Date.now();
      log(`${name}: building ${module} (${pkg}) into ${dir}`);
      // -v lists each package as it is compiled: the first build's progress.
      await run("nice", ["-n", "10", "go", "build", "-v", "-trimpath", "-ldflags", ldflags, "-o", path.join(tmp, name), pkg], {
        cwd: moduleDir,
        env: { ...process.env, CGO_ENABLED: "0", GOFLAGS: "-mod=readonly", GOWORK: "off" },
      });
      const seconds = (Date.now() - started) / 1000;
      const bytes = statSync(path.join(tmp, name)).size;
      // What this entry cost to build, for `npm run bench`.
      writeFileSync(path.join(tmp, "build.json"), `${JSON.stringify({ seconds, bytes, cpus: os.cpus().length })}\n`);
      renameSync(tmp, dir);
      log(`${name}: built in ${seconds.toFixed(0)} s, ${(bytes / 2 ** 20).toFixed(0)} MiB`);
      return bin;
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [module, pkg = "."] = process.argv.slice(2);
  if (!module) {
    process.stderr.write("usage: node scripts/go-tool.mjs test/NAME [PKG]\n");
    process.exit(2);
  }
  ensureGoTool({ name: path.basename(module), module, pkg }).then(
    (bin) => process.stdout.write(`${bin}\n`),
    (e) => {
      process.stderr.write(`${path.basename(module)}: build failed: ${e.message}\n`);
      process.exit(goMissing() ? 2 : 1);
    },
  );
}
