// The floor plan's import rules (CONTRIBUTING.md, "Layout"), enforced on the real import
// graph of lib/: a rule written down and checked beats a convention.
//
// - lib/webhook-check/{kube,probes,runner}/, settings.ts and proof.ts run inside the
//   check bundle under plain `node`: nothing they reach, directly or transitively, is cdktf,
//   constructs or a provider binding.
// - lib/paths/ is a pure engine: no cdktf, constructs, providers, and no I/O modules.
// - kube/ is a client and knows nothing of webhooks: it never imports probes/ or runner/.
// - The constructs never import runner/ (the CLI), nor probes/ and kube/.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const LIB = path.join(ROOT, "lib");

type Graph = Map<string, { local: string[]; packages: string[] }>;

const IMPORT =
  /(?:^|[^\w.])(?:import|export)\s[^;]*?from\s*["']([^"']+)["']|(?:^|[^\w.])import\s*["']([^"']+)["']|require\(\s*["']([^"']+)["']\s*\)/g;

/** Every .ts file of lib/ with what it imports (relative paths resolved, packages by name). */
function importGraph(dir = LIB): Graph {
  const graph: Graph = new Map();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".ts")) continue;
    const file = path.join(entry.parentPath, entry.name);
    const source = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, "");
    const local: string[] = [];
    const packages: string[] = [];
    for (const m of source.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (spec.startsWith(".")) {
        const target = path.resolve(path.dirname(file), spec).replace(/\.(ts|js)$/, "");
        local.push(
          existsSync(`${target}.ts`) || !existsSync(path.join(target, "index.ts")) ? `${target}.ts` : path.join(target, "index.ts"),
        );
      } else packages.push(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]);
    }
    graph.set(file, { local, packages });
  }
  return graph;
}

/** The violations of the floor plan's rules in `graph` (empty when it holds them). */
function violations(graph: Graph, lib = LIB): string[] {
  const rel = (f: string) => path.relative(lib, f).split(path.sep).join("/");
  const inCheck = (f: string) =>
    /^webhook-check\/(kube|probes|runner)\//.test(rel(f)) || rel(f) === "webhook-check/settings.ts" || rel(f) === "webhook-check/proof.ts";
  const inPaths = (f: string) => rel(f).startsWith("paths/");
  const CONSTRUCT_PACKAGES = /^(cdktf|constructs|@cdktf\/.*)$/;
  const IO_PACKAGES = /^(node:)?(fs|child_process|net|http|https|tls|dgram|worker_threads)$/;
  const found: string[] = [];
  const reach = (start: string) => {
    const seen = new Set<string>();
    const stack = [start];
    while (stack.length > 0) {
      const f = stack.pop() as string;
      if (seen.has(f)) continue;
      seen.add(f);
      for (const next of graph.get(f)?.local ?? []) stack.push(next);
    }
    return seen;
  };
  for (const [file, { local }] of graph) {
    const r = rel(file);
    if (inCheck(file) || inPaths(file)) {
      for (const f of reach(file)) {
        for (const pkg of graph.get(f)?.packages ?? []) {
          if (CONSTRUCT_PACKAGES.test(pkg)) found.push(`${r} reaches ${pkg} (through ${rel(f)})`);
          if (inPaths(file) && IO_PACKAGES.test(pkg)) found.push(`${r} reaches ${pkg} (through ${rel(f)}): the path engine does no I/O`);
        }
      }
    }
    for (const target of local) {
      const t = rel(target);
      if (r.startsWith("webhook-check/kube/") && /^webhook-check\/(probes|runner)\//.test(t))
        found.push(`${r} imports ${t}: kube/ knows nothing of probes or the CLI`);
      if (!inCheck(file) && /^webhook-check\/(runner|probes|kube)\//.test(t))
        found.push(`${r} imports ${t}: constructs do not import the check's code`);
      if (!graph.has(target)) found.push(`${r} imports ${t}, which does not exist`);
    }
  }
  return found.sort();
}

test("lib/ holds the floor plan's import rules", () => {
  expect(violations(importGraph())).toEqual([]);
});

describe("the rules can fail (negative controls on a copy of the real graph)", () => {
  const withEdge = (from: string, local: string[] = [], packages: string[] = []): Graph => {
    const graph = importGraph();
    const file = path.join(LIB, from);
    const entry = graph.get(file) ?? { local: [], packages: [] };
    graph.set(file, { local: [...entry.local, ...local.map((l) => path.join(LIB, l))], packages: [...entry.packages, ...packages] });
    return graph;
  };

  test("a probe that reaches cdktf through a shared helper", () => {
    const graph = withEdge("webhook-check/probes/classify.ts", ["shared/terraform-escape.ts"]);
    expect(violations(graph)).toContainEqual(
      expect.stringMatching(/^webhook-check\/probes\/classify\.ts reaches cdktf \(through shared\/terraform-escape\.ts\)/),
    );
  });

  test("kube/ importing probes/", () => {
    const graph = withEdge("webhook-check/kube/http.ts", ["webhook-check/probes/classify.ts"]);
    expect(violations(graph)).toContainEqual(expect.stringMatching(/kube\/http\.ts imports webhook-check\/probes\/classify\.ts/));
  });

  test("a construct importing the CLI", () => {
    const graph = withEdge("webhook-check/webhook-check.ts", ["webhook-check/runner/cli.ts"]);
    expect(violations(graph)).toContainEqual(expect.stringMatching(/webhook-check\.ts imports webhook-check\/runner\/cli\.ts/));
  });

  test("the path engine doing I/O", () => {
    const graph = withEdge("paths/engine.ts", [], ["node:fs"]);
    expect(violations(graph)).toContainEqual(expect.stringMatching(/^paths\/engine\.ts reaches node:fs/));
  });
});

test("__tests__/ mirrors lib/: a folder per capability, no test file at the top", () => {
  const tests = path.join(ROOT, "__tests__");
  const entries = readdirSync(tests, { withFileTypes: true });
  expect(entries.filter((e) => e.isFile() && e.name.endsWith(".test.ts")).map((e) => e.name)).toEqual([]);
  const capabilities = readdirSync(LIB, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
  // Beside the capabilities: the dev app and repository files (app), these rules, docs, the shared test code, and the other suites.
  const others = ["app", "architecture", "cluster", "docs", "e2e", "fixtures", "helpers", "oracle", "packaging"];
  const unmatched = entries.filter((e) => e.isDirectory() && !capabilities.includes(e.name) && !others.includes(e.name)).map((e) => e.name);
  expect(unmatched).toEqual([]);
  for (const folder of ["cilium", "policies", "platform", "webhook-check", "paths", "proof"])
    expect(entries.map((e) => e.name)).toContain(folder);
});

test("every synth warning goes through lib/shared/warn.ts: annotation and stderr line together", () => {
  // An annotation alone is printed by cdktf-cli only; `node main.js` would say nothing.
  const files = readdirSync(LIB, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
  const elsewhere = files.filter(
    (f) => f !== path.join("shared", "warn.ts") && /\baddWarning\(|stderr\.write\(`warning: /.test(readFileSync(path.join(LIB, f), "utf8")),
  );
  expect(elsewhere).toEqual([]);
});
