// The ```sh lines of README and docs/*.md a user can run on this machine, run as written:
// synth (with the environment the line and its block's `export`s set), the check's --help,
// and the explain CLI. They run in a copy of what synth needs, so the repository's own
// cdktf.out is left alone; `npm run synth` and `npm run explain --` stand for the built
// files they run (`npm run test:e2e` builds first), as does `npx cilium-explain` (the bin an
// importer's npx finds in node_modules/.bin).
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { blocks, pages } from "../helpers/markdown";
import { tempDir } from "../helpers/temp";

const repo = path.resolve(__dirname, "..", "..");

interface Command {
  where: string;
  env: Record<string, string>;
  /** The segment as written (after its environment assignments). */
  written: string;
  /** What runs here. */
  run: string;
}

const RUNNABLE: Array<[RegExp, (rest: string) => string]> = [
  [/^npm run synth$/, () => "node dist/main.js"],
  [/^npm run explain -- (.+)$/, (rest) => `node dist/lib/explain/explain-bin.js ${rest}`],
  [/^npx cilium-explain (.+)$/, (rest) => `node dist/lib/explain/explain-bin.js ${rest}`],
  [/^(node \S+webhook-check\.js --help)$/, (rest) => rest],
];

/** Every runnable segment of every sh block, with the environment set before it. */
function commands(): Command[] {
  const out: Command[] = [];
  for (const page of pages())
    for (const block of blocks(page).filter((b) => b.info === "sh")) {
      const exported: Record<string, string> = {};
      block.body.split("\n").forEach((raw, i) => {
        const line = raw.replace(/\s+#\s.*$/, "").trim();
        const exp = /^export ([A-Z_][A-Z0-9_]*)=(?:'([^']*)'|(\S*))$/.exec(line);
        if (exp) exported[exp[1]] = exp[2] ?? exp[3];
        for (const segment of line.split("&&").map((s) => s.trim())) {
          const assigned = /^((?:[A-Z_][A-Z0-9_]*=\S+\s+)*)(.*)$/.exec(segment) as RegExpExecArray;
          const env: Record<string, string> = { ...exported };
          for (const a of assigned[1].trim().split(/\s+/).filter(Boolean)) {
            const at = a.indexOf("=");
            env[a.slice(0, at)] = a.slice(at + 1);
          }
          for (const [pattern, to] of RUNNABLE) {
            const m = pattern.exec(assigned[2]);
            if (m) out.push({ where: `${page}:${block.line + 1 + i}`, env, written: segment, run: to(m[1]) });
          }
        }
      });
    }
  return out;
}

const all = commands();
let cwd: string;

beforeAll(() => {
  // What synth needs, and the policies/shop directory the docs add (its document names its namespace, so explain can read the directory alone too).
  cwd = path.join(tempDir("cdktf-cilium-docs-"), "app");
  mkdirSync(cwd, { recursive: true });
  for (const entry of ["package.json", "dist", "policies", "schemas", "cdktf.json"])
    cpSync(path.join(repo, entry), path.join(cwd, entry), { recursive: true });
  symlinkSync(path.join(repo, "node_modules"), path.join(cwd, "node_modules"));
  mkdirSync(path.join(cwd, "policies", "shop"));
  writeFileSync(
    path.join(cwd, "policies", "shop", "web.yaml"),
    "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web, namespace: shop}\nspec: {podSelector: {matchLabels: {app: web}}, ingress: [{}]}\n",
  );
});

function sh(command: Command) {
  const run = spawnSync("sh", ["-c", command.run], {
    cwd,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", HOME: tempDir("home-"), ...command.env },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

test("the docs hold the commands this file runs", () => {
  const kinds = all.map((c) => c.run.split(" ").slice(0, 2).join(" "));
  expect(kinds).toContain("node dist/main.js");
  expect(kinds).toContain("node dist/lib/explain/explain-bin.js");
  expect(all.some((c) => c.run.endsWith("--help"))).toBe(true);
  expect(all.some((c) => c.env.CILIUM_POLICY_SET_DEV === "least-privilege")).toBe(true);
  expect(all.some((c) => c.env.CILIUM_POLICY_DIRS_DEV === "policies/shop=shop")).toBe(true);
});

// Synth first: the --help line runs the check bundle synth copied into cdktf.out.
const ordered = [...all].sort((a, b) => Number(b.run.startsWith("node dist/main.js")) - Number(a.run.startsWith("node dist/main.js")));

test.each(ordered.map((c) => [c.where, c.written, c] as const))("%s: %s", (_where, _written, command) => {
  const result = sh(command);
  if (command.run.startsWith("node dist/main.js")) {
    // Synth's summary, one line per environment, is on stderr.
    expect({ status: result.status, problems: result.stderr.split("\n").filter((l) => /error|warning/i.test(l)) }).toEqual({
      status: 0,
      problems: [],
    });
    expect(result.stderr).toMatch(/^dev: \d+ polic(y|ies) from .*, \d+ paths proven$/m);
    if (command.env.CILIUM_POLICY_DIRS_DEV) expect(result.stderr).toMatch(/^dev: .*policies\/shop \(namespace shop\)/m);
    if (command.env.CILIUM_POLICY_SET_DEV) expect(result.stderr).toMatch(/^dev: .*from policies\/least-privilege/m);
  } else if (command.run.endsWith("--help")) {
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: webhook-check/);
  } else {
    // 0 allowed, 1 denied, 3 unknown; 2 would be a usage error or invalid policies.
    expect({ written: command.written, stderr: result.stderr, status: [0, 1, 3].includes(result.status ?? -1) }).toEqual({
      written: command.written,
      stderr: "",
      status: true,
    });
    expect(result.stdout.length).toBeGreaterThan(0);
    if (command.written.includes("--from kube-apiserver --to cert-manager/")) expect(result.status).toBe(0);
  }
});
