// npm run --silent oracle: Cilium's own policy code as an oracle for the path engine
// (test/cilium-oracle-1.20/main.go says how it decides). JSON lines on stdin, one answer
// line per input line on stdout; build progress and diagnostics on stderr.
//
// The Go program is built by scripts/go-tool.mjs, at most once per set of versions, into
// the cache outside the repository (a cold build takes minutes and over a GiB of Go build
// cache; a warm one nothing).
//
// Exit codes: the oracle's (0 when every line was answered); 2, with one line, when Go is
// not installed; 1 when the build fails.
//
// `node scripts/oracle.mjs --print-binary` builds if needed and prints the binary's path.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ensureGoTool, goMissing } from "./go-tool.mjs";

const MODULE = "test/cilium-oracle-1.20";

/** The oracle's binary, built when the cache lacks it; exits 2 without Go, 1 on a failed build. */
export async function ensureOracle() {
  const missing = goMissing();
  if (missing) {
    process.stderr.write(`cilium-oracle: ${missing}\n`);
    process.exit(2);
  }
  try {
    return await ensureGoTool({ name: "cilium-oracle", module: MODULE });
  } catch (e) {
    process.stderr.write(`cilium-oracle: build failed: ${e.message}\n`);
    process.exit(1);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const bin = await ensureOracle();
  if (process.argv.includes("--print-binary")) {
    process.stdout.write(`${bin}\n`);
  } else {
    const child = spawn(bin, [], { stdio: "inherit" });
    child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  }
}
