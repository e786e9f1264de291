// npm run --silent oracle: Cilium's own policy code as an oracle for the path engine
// (test/cilium-oracle-1.20/main.go says how it decides). JSON lines on stdin, one answer
// line per input line on stdout; build progress and diagnostics on stderr.
//
// The Go program is built at most once per set of versions into a cache outside the
// repository, ${XDG_CACHE_HOME:-~/.cache}/cdktf-cilium/, keyed by the Cilium tag, the Go
// version and a hash of the module's files (go.mod, go.sum, main.go): a cold build takes
// minutes and over a GiB of Go build cache, a warm one nothing. The binary is written
// under a temporary name and renamed, so concurrent runs never see half a binary.
//
// Exit codes: the oracle's (0 when every line was answered); 2, with one line, when Go is
// not installed; 1 when the build fails.
//
// `node scripts/oracle.mjs --print-binary` builds if needed and prints the binary's path.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const ORACLE_DIR = join(root, "test", "cilium-oracle-1.20");

/** The Cilium tag go.mod requires (one home: go.mod). */
export function ciliumTag() {
  const m = /github\.com\/cilium\/cilium (v\S+)/.exec(readFileSync(join(ORACLE_DIR, "go.mod"), "utf8"));
  if (!m) throw new Error(`${ORACLE_DIR}/go.mod requires no github.com/cilium/cilium`);
  return m[1];
}

/** `go version`'s version, or undefined when Go is not installed. */
function goVersion() {
  const r = spawnSync("go", ["env", "GOVERSION"], { encoding: "utf8" });
  if (r.error || r.status !== 0) return undefined;
  return r.stdout.trim();
}

/** The cached binary's path for these versions and sources. */
export function binaryPath(go) {
  const hash = createHash("sha256");
  for (const f of ["go.mod", "go.sum", "main.go"])
    hash
      .update(f)
      .update("\0")
      .update(readFileSync(join(ORACLE_DIR, f)));
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(cache, "cdktf-cilium", `cilium-oracle-${ciliumTag()}-${go}-${hash.digest("hex").slice(0, 16)}`, "cilium-oracle");
}

/** Builds the oracle unless the cache holds it; returns its path, or exits (2 without Go, 1 on a failed build). */
export function ensureOracle() {
  const go = goVersion();
  if (!go) {
    process.stderr.write(`cilium-oracle: Go is not installed: the oracle is built from github.com/cilium/cilium ${ciliumTag()} with Go\n`);
    process.exit(2);
  }
  const bin = binaryPath(go);
  if (existsSync(bin)) return bin;
  mkdirSync(dirname(bin), { recursive: true });
  const tmp = `${bin}.${process.pid}.tmp`;
  process.stderr.write(
    `cilium-oracle: building from github.com/cilium/cilium ${ciliumTag()} with ${go} into ${bin} (a cold build takes minutes)\n`,
  );
  const r = spawnSync("go", ["build", "-trimpath", "-o", tmp, "."], {
    cwd: ORACLE_DIR,
    stdio: ["ignore", process.stderr, process.stderr],
    // go.sum is committed: the build verifies against it and never edits it. No VCS stamp:
    // the binary does not depend on the checkout (a clone without git metadata builds too).
    env: { ...process.env, GOFLAGS: "-mod=readonly -buildvcs=false", GOWORK: "off" },
  });
  if (r.status !== 0) {
    rmSync(tmp, { force: true });
    process.stderr.write(`cilium-oracle: go build failed (${r.error ? r.error.message : `exit ${r.status}`})\n`);
    process.exit(1);
  }
  renameSync(tmp, bin);
  return bin;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const bin = ensureOracle();
  if (process.argv.includes("--print-binary")) {
    process.stdout.write(`${bin}\n`);
  } else {
    const child = spawn(bin, [], { stdio: "inherit" });
    child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  }
}
