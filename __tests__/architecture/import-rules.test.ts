// The floor plan's import rules (CONTRIBUTING.md, "Layout"), enforced on the real import
// graph of lib/: a rule written down and checked beats a convention.
//
// - The layers: every folder of lib/ has one place in LAYERS, lowest first, and a file
//   imports only from its own folder's layer or a lower one. There is no exception list, so
//   the folder graph of lib/ has no cycle (tested on its own below).
// - lib/webhook-check/{kube,probes,runner}/, settings.ts and proof/check-proof.ts run inside
//   the check bundle under plain `node`: nothing they reach, directly or transitively, is
//   cdktf, constructs or a provider binding.
// - lib/paths/ is a pure engine: no cdktf, constructs, providers, and no I/O modules.
// - kube/ is a client and knows nothing of webhooks: it never imports probes/ or runner/.
// - The constructs never import runner/ (the CLI), nor probes/ and kube/.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const LIB = path.join(ROOT, "lib");

type Graph = Map<string, { local: string[]; packages: string[] }>;

/**
 * The layers of lib/, lowest first: a folder may import its own layer and the ones before it.
 * `lib` is the files directly in lib/ (the entries, index.ts and testing.ts, and analyzePath).
 */
const LAYERS: readonly (readonly string[])[] = [
  ["shared"], // helpers with one home each; imports nothing of lib/
  ["cluster-handle"], // ClusterProviders, the handle every construct takes as `cluster`
  ["cilium"], // the release and the facts of each Cilium line
  ["paths"], // the pure path engine
  ["proof"], // the proof at synth and its contract with the check
  ["policies"], // the NetworkPolicies construct
  ["webhook-check"], // the WebhookCheck construct and settings.ts, the construct/CLI contract
  ["platform"], // CiliumPlatform: the three constructs wired
  // The check's code sits above every construct, so no construct imports it; runner/ needs
  // webhook-check/settings.ts. What the bundle may reach beside is the rule on cdktf below.
  ["webhook-check/kube"], // the check's Kubernetes client
  ["webhook-check/probes"], // what the check proves
  ["webhook-check/runner"], // the check's CLI
  ["explain"], // cilium-explain: the CLIs over policies and proof
  ["lib"], // the public entries
];

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

/** The folder of a lib/ file, relative to lib/ (`lib` for the files directly in it). */
function folderOf(file: string, lib = LIB): string {
  const dir = path.relative(lib, path.dirname(file)).split(path.sep).join("/");
  return dir === "" ? "lib" : dir;
}

/** A folder's layer (its index in LAYERS), -1 when it has none. */
function layerOf(folder: string, layers = LAYERS): number {
  return layers.findIndex((layer) => layer.includes(folder));
}

/** The folder graph of `graph`: folder -> the other folders its files import. */
function folderGraph(graph: Graph, lib = LIB): Map<string, Set<string>> {
  const folders = new Map<string, Set<string>>();
  for (const [file, { local }] of graph) {
    const from = folderOf(file, lib);
    const targets = folders.get(from) ?? new Set<string>();
    folders.set(from, targets);
    for (const target of local) if (folderOf(target, lib) !== from) targets.add(folderOf(target, lib));
  }
  return folders;
}

/** One cycle of the folder graph as `a -> b -> a`, or undefined when it has none (depth-first search). */
function folderCycle(folders: Map<string, Set<string>>): string | undefined {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (folder: string): string | undefined => {
    if (state.get(folder) === "done") return undefined;
    if (state.get(folder) === "open") return [...stack.slice(stack.indexOf(folder)), folder].join(" -> ");
    state.set(folder, "open");
    stack.push(folder);
    for (const next of [...(folders.get(folder) ?? [])].sort()) {
      const cycle = visit(next);
      if (cycle !== undefined) return cycle;
    }
    stack.pop();
    state.set(folder, "done");
    return undefined;
  };
  for (const folder of [...folders.keys()].sort()) {
    const cycle = visit(folder);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}

/** The violations of the floor plan's rules in `graph` (empty when it holds them). */
function violations(graph: Graph, lib = LIB): string[] {
  const rel = (f: string) => path.relative(lib, f).split(path.sep).join("/");
  const inCheck = (f: string) =>
    /^webhook-check\/(kube|probes|runner)\//.test(rel(f)) || rel(f) === "webhook-check/settings.ts" || rel(f) === "proof/check-proof.ts";
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
    const from = folderOf(file, lib);
    if (layerOf(from) < 0) found.push(`${r}: its folder ${from} has no layer; add it to LAYERS`);
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
      const to = folderOf(target, lib);
      if (layerOf(from) >= 0 && layerOf(to) > layerOf(from))
        found.push(
          `${r} imports ${t}: ${from} (layer ${layerOf(from)}) imports only its own layer or lower, not ${to} (layer ${layerOf(to)})`,
        );
    }
  }
  return found.sort();
}

test("lib/ holds the floor plan's import rules", () => {
  expect(violations(importGraph())).toEqual([]);
});

test("every folder of lib/ has a layer, and LAYERS names no folder twice nor one that does not exist", () => {
  const folders = [...folderGraph(importGraph()).keys()].sort();
  expect(LAYERS.flat().sort()).toEqual(folders);
});

test("the folder graph of lib/ has no cycle", () => {
  expect(folderCycle(folderGraph(importGraph()))).toBeUndefined();
});

/** What a folder's README says the test enforces: its layer and the folders below it. */
function layerLine(folder: string): string {
  const n = layerOf(folder);
  const below = LAYERS.slice(0, n)
    .flat()
    .map((f) => `\`${f}/\``);
  return `Layer ${n} (\`${folder}/\`): ${below.length === 0 ? "imports nothing of lib/" : `may import ${below.join(", ")}`}.`;
}

test("each lib/*/README.md says the layer of its folders and what they may import", () => {
  for (const folder of LAYERS.flat().filter((f) => f !== "lib")) {
    const readme = readFileSync(path.join(LIB, folder.split("/")[0], "README.md"), "utf8").replace(/\s+/g, " ");
    expect({ folder, says: readme.includes(layerLine(folder)) }).toEqual({ folder, says: true });
  }
});

test("CONTRIBUTING.md lists the layers in order", () => {
  const contributing = readFileSync(path.join(ROOT, "CONTRIBUTING.md"), "utf8").replace(/\s+/g, " ");
  expect(contributing).toContain(
    `Layers, lowest first: ${LAYERS.flat()
      .map((f) => `\`${f}/\``)
      .join(" < ")}.`,
  );
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

  test("an import from a higher layer: policies/ importing platform/", () => {
    const graph = withEdge("policies/network-policies.ts", ["platform/cilium-platform.ts"]);
    expect(violations(graph)).toContainEqual(
      "policies/network-policies.ts imports platform/cilium-platform.ts: policies (layer 5) imports only its own layer or lower, not platform (layer 7)",
    );
  });

  test("an import from a higher layer into the lowest: shared/ importing cluster-handle/", () => {
    const graph = withEdge("shared/warn.ts", ["cluster-handle/cluster-providers.ts"]);
    expect(violations(graph)).toContainEqual(
      expect.stringMatching(/^shared\/warn\.ts imports cluster-handle\/cluster-providers\.ts: shared \(layer 0\)/),
    );
  });

  test("a folder that has no layer", () => {
    const graph = withEdge("newfolder/thing.ts", ["shared/warn.ts"]);
    expect(violations(graph)).toContainEqual("newfolder/thing.ts: its folder newfolder has no layer; add it to LAYERS");
  });

  test("a cycle between two folders is found", () => {
    const folders = folderGraph(withEdge("paths/engine.ts", ["proof/prove.ts"]));
    expect(folderCycle(folders)).toBe("paths -> proof -> paths");
  });

  test("a cycle through three folders is found", () => {
    const folders = new Map([
      ["a", new Set(["b"])],
      ["b", new Set(["c"])],
      ["c", new Set(["a"])],
    ]);
    expect(folderCycle(folders)).toBe("a -> b -> c -> a");
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
  for (const folder of ["cilium", "policies", "platform", "webhook-check", "paths", "proof", "explain", "cluster-handle"])
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
