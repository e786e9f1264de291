// npm run --silent oracle: Cilium's own policy code as an oracle for the path engine, one Go
// program per supported line (test/cilium-oracle-<line>/main.go says how each decides). JSON
// lines on stdin, one answer line per input line on stdout, in input order; each line goes to
// the oracle of its `cilium.version` (a line "X.Y" or a patch "X.Y.Z" of it; none: the default
// line, DEFAULT_CILIUM_LINE in lib/cilium/version.ts). A version of no supported line goes to the
// default line's oracle, which answers it with an error. Build progress and diagnostics on stderr.
//
// Each Go program is built by scripts/go-tool.mjs, at most once per set of versions, into the
// cache outside the repository (a cold build takes minutes and over a GiB of Go build cache; a
// warm one nothing), and only when a line needs it.
//
// Exit codes: 0 when every line was answered; 2, with one line, when Go is not installed; 1 when
// a build fails or an oracle exits before answering.
//
// `node scripts/oracle.mjs --print-binary [LINE]` builds if needed and prints the path of that
// line's binary (the default line's without LINE); `--print-binaries` builds every line's and
// prints {"<line>": path} as JSON.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { ensureGoTool, goMissing, ROOT } from "./go-tool.mjs";

const versionTs = readFileSync(path.join(ROOT, "lib", "cilium", "version.ts"), "utf8");
/** The supported lines: the keys of CILIUM_PINS (lib/cilium/version.ts), each with test/cilium-oracle-<line>/. */
export const LINES = [...versionTs.match(/CILIUM_PINS\b[^=]*= \{([^}]*)\}/)[1].matchAll(/"(\d+\.\d+)":/g)].map((m) => m[1]);
export const DEFAULT_LINE = versionTs.match(/DEFAULT_CILIUM_LINE: CiliumLine = "([^"]+)"/)[1];

/** The line whose oracle decides `input` (its cilium.version, as analyzePath reads it). */
export function lineOf(input) {
  const v = input?.cilium?.version;
  if (typeof v !== "string") return DEFAULT_LINE;
  const m = /^(\d+\.\d+)(?:\.\d+)?$/.exec(v);
  return m && LINES.includes(m[1]) ? m[1] : DEFAULT_LINE;
}

/** The line's oracle binary, built when the cache lacks it; exits 2 without Go, 1 on a failed build. */
export async function ensureOracle(line = DEFAULT_LINE) {
  const missing = goMissing();
  if (missing) {
    process.stderr.write(`cilium-oracle: ${missing}\n`);
    process.exit(2);
  }
  try {
    return await ensureGoTool({ name: "cilium-oracle", module: `test/cilium-oracle-${line}` });
  } catch (e) {
    process.stderr.write(`cilium-oracle ${line}: build failed: ${e.message}\n`);
    process.exit(1);
  }
}

/** Sends each stdin line to its line's oracle (started when first needed) and writes the answers in input order. */
async function route() {
  const children = new Map();
  const pending = [];
  const flush = () => {
    while (pending.length > 0 && pending[0].answer !== undefined) process.stdout.write(`${pending.shift().answer}\n`);
  };
  const childFor = async (line) => {
    if (!children.has(line)) {
      const bin = await ensureOracle(line);
      const child = spawn(bin, [], { stdio: ["pipe", "pipe", "inherit"] });
      const waiting = [];
      createInterface({ input: child.stdout }).on("line", (answer) => {
        const slot = waiting.shift();
        if (slot) slot.answer = answer;
        flush();
      });
      // "close": after the last answer was read from its stdout.
      child.on("close", (code, signal) => {
        if (waiting.length > 0) {
          process.stderr.write(`cilium-oracle ${line}: exited ${signal ?? code} with ${waiting.length} lines unanswered\n`);
          process.exit(1);
        }
      });
      children.set(line, { child, waiting });
    }
    return children.get(line);
  };
  for await (const text of createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })) {
    if (text.trim() === "") continue;
    let input;
    try {
      input = JSON.parse(text);
    } catch {
      // The default line's oracle answers an undecodable line with its error.
    }
    const { child, waiting } = await childFor(lineOf(input));
    const slot = {};
    pending.push(slot);
    waiting.push(slot);
    child.stdin.write(`${text}\n`);
  }
  await Promise.all(
    [...children.values()].map(
      ({ child }) =>
        new Promise((resolve) => {
          child.on("close", resolve);
          child.stdin.end();
        }),
    ),
  );
  flush();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf("--print-binary");
  if (at >= 0) {
    const line = process.argv[at + 1] ?? DEFAULT_LINE;
    if (!LINES.includes(line)) {
      process.stderr.write(`cilium-oracle: ${line} is no supported line (${LINES.join(", ")})\n`);
      process.exit(2);
    }
    process.stdout.write(`${await ensureOracle(line)}\n`);
  } else if (process.argv.includes("--print-binaries")) {
    const out = {};
    // One after the other: a cold build takes both cores.
    for (const line of LINES) out[line] = await ensureOracle(line);
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } else {
    await route();
  }
}
