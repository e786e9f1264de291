// Builds the cluster suite's kube-apiserver and etcd from the Go modules under
// test/control-plane/, at most once per set of versions: the binaries go into a cache outside
// the repository, keyed by a hash of both modules' go.mod and go.sum, the Go version and the
// platform, and are reused while that key matches. A build writes into a temporary directory
// and renames it into place, so a killed build leaves no half-built entry; a lock directory
// makes a second caller (another suite, another jest worker) wait for the first build instead
// of starting its own.
//
// `node scripts/control-plane/build.mjs` prints the directory holding both binaries; the
// build's own progress (go's package list, -v) goes to stderr. Used by `control-plane up` and
// by the cluster suite's globalSetup.
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const MODULES_DIR = path.join(ROOT, "test", "control-plane");

/** One entry per binary: the module it is built in, and the package. */
export const BINARIES = [
  { name: "kube-apiserver", module: "kube-apiserver", pkg: "k8s.io/kubernetes/cmd/kube-apiserver" },
  { name: "etcd", module: "etcd", pkg: "." },
];

/** The version a module requires of `modulePath`, read from its go.mod. */
export function requiredVersion(module, modulePath) {
  const goMod = readFileSync(path.join(MODULES_DIR, module, "go.mod"), "utf8");
  const escaped = modulePath.replace(/[.]/g, "\\.");
  const m = goMod.match(new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, "m"));
  if (!m) throw new Error(`test/control-plane/${module}/go.mod requires no ${modulePath}`);
  return m[1];
}

/**
 * The -ldflags kube-apiserver's own build passes (k8s.io/kubernetes, hack/lib/version.sh,
 * kube::version::ldflags), so /version reports the release instead of v0.0.0-master.
 */
function kubeLdflags(version) {
  const [major, minor] = version.replace(/^v/, "").split(".");
  const vars = { gitVersion: version, gitMajor: major, gitMinor: minor, gitTreeState: "clean" };
  return Object.entries(vars)
    .flatMap(([k, v]) => [`-X k8s.io/client-go/pkg/version.${k}=${v}`, `-X k8s.io/component-base/version.${k}=${v}`])
    .join(" ");
}

function goVersion() {
  return execFileSync("go", ["env", "GOVERSION"], { encoding: "utf8" }).trim();
}

/** The cache key: the modules' go.mod and go.sum, the Go toolchain, the platform. */
export function cacheKey() {
  const hash = createHash("sha256");
  for (const b of BINARIES) {
    for (const f of ["go.mod", "go.sum", ...(b.pkg === "." ? ["main.go"] : [])]) {
      hash.update(`${b.module}/${f}\0`);
      hash.update(readFileSync(path.join(MODULES_DIR, b.module, f)));
    }
  }
  hash.update(`${goVersion()} ${process.platform}/${process.arch}`);
  const kube = requiredVersion("kube-apiserver", "k8s.io/kubernetes");
  const etcd = requiredVersion("etcd", "go.etcd.io/etcd/server/v3");
  return `kubernetes-${kube}_etcd-${etcd}_${hash.digest("hex").slice(0, 12)}`;
}

export function cacheRoot() {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(base, "cdktf-cilium", "control-plane");
}

/** Where the binaries of the current key live (whether or not they are built yet). */
export function binDir() {
  return path.join(cacheRoot(), cacheKey());
}

function isBuilt(dir) {
  return BINARIES.every((b) => existsSync(path.join(dir, b.name)));
}

function run(cmd, args, opts) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "inherit", "inherit"], ...opts });
    child.on("error", reject);
    child.on("exit", (code, signal) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(" ")} exited ${signal ?? code}`))));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Holds `lock` (a directory) while `fn` runs; a lock whose owner PID is gone is taken over. */
async function withLock(lock, fn) {
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

/** Whether process `pid` exists (EPERM: it does, owned by another user, e.g. root under sudo). */
export function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === "EPERM";
  }
}

/**
 * Returns the directory with kube-apiserver and etcd for the current versions, building them
 * first when the cache has no such entry. `log` receives one-line progress messages.
 */
export async function ensureBinaries(log = (m) => process.stderr.write(`${m}\n`)) {
  const dir = binDir();
  if (isBuilt(dir)) return dir;
  mkdirSync(cacheRoot(), { recursive: true });
  return withLock(`${dir}.lock`, async () => {
    if (isBuilt(dir)) return dir;
    const tmp = mkdtempSync(`${dir}.partial-`);
    try {
      const kube = requiredVersion("kube-apiserver", "k8s.io/kubernetes");
      const started = Date.now();
      for (const b of BINARIES) {
        log(`control-plane: building ${b.name} (${b.module === "etcd" ? "etcd" : `kubernetes ${kube}`}) into ${dir}`);
        const ldflags = b.name === "kube-apiserver" ? `-s -w ${kubeLdflags(kube)}` : "-s -w";
        // -v lists each package as it is compiled: the first build's progress.
        const args = ["-n", "10", "go", "build", "-v", "-trimpath", "-ldflags", ldflags, "-o", path.join(tmp, b.name), b.pkg];
        await run("nice", args, {
          cwd: path.join(MODULES_DIR, b.module),
          env: { ...process.env, CGO_ENABLED: "0", GOFLAGS: "-mod=readonly" },
        });
      }
      const seconds = (Date.now() - started) / 1000;
      const bytes = BINARIES.reduce((n, b) => n + statSync(path.join(tmp, b.name)).size, 0);
      // What this entry cost to build, for `npm run bench`.
      writeFileSync(path.join(tmp, "build.json"), `${JSON.stringify({ seconds, bytes, cpus: os.cpus().length })}\n`);
      renameSync(tmp, dir);
      log(`control-plane: built in ${seconds.toFixed(0)} s, ${(bytes / 2 ** 20).toFixed(0)} MiB of binaries`);
      return dir;
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  ensureBinaries().then(
    (dir) => process.stdout.write(`${dir}\n`),
    (e) => {
      process.stderr.write(`control-plane: build failed: ${e.message}\n`);
      process.exit(1);
    },
  );
}
