// The probe files import each other downward only: one file per family over shared lower
// files (result.ts, classify.ts, items.ts, assumptions.ts, services.ts), so no import
// cycle among them. Read from the real sources, comments left out.
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

const PROBES = path.resolve(__dirname, "..", "..", "lib", "webhook-check", "probes");

type Graph = ReadonlyMap<string, readonly string[]>;

/** Each probe file with the probe files it imports (type-only imports included: they tie the files too). */
function probeGraph(): Graph {
  const graph = new Map<string, string[]>();
  for (const file of readdirSync(PROBES).filter((f) => f.endsWith(".ts"))) {
    const source = readFileSync(path.join(PROBES, file), "utf8").replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, "");
    const local = [...source.matchAll(/\b(?:from|import)\s*["'](\.\/[^"']+)["']/g)]
      .map((m) => m[1])
      .map((spec) => `${spec.slice(2).replace(/\.(ts|js)$/, "")}.ts`);
    graph.set(file, local);
  }
  return graph;
}

/** The first import cycle found, as the files along it, or undefined. */
function cycleIn(graph: Graph): string[] | undefined {
  const done = new Set<string>();
  const visit = (file: string, trail: string[]): string[] | undefined => {
    const at = trail.indexOf(file);
    if (at !== -1) return [...trail.slice(at), file];
    if (done.has(file)) return undefined;
    for (const next of graph.get(file) ?? []) {
      const cycle = visit(next, [...trail, file]);
      if (cycle) return cycle;
    }
    done.add(file);
    return undefined;
  };
  for (const file of [...graph.keys()].sort()) {
    const cycle = visit(file, []);
    if (cycle) return cycle;
  }
  return undefined;
}

test("the probe files import each other without a cycle", () => {
  expect(cycleIn(probeGraph())).toBeUndefined();
});

test("a cycle between two probe files is found (negative control)", () => {
  const graph = new Map(probeGraph());
  graph.set("result.ts", [...(graph.get("result.ts") ?? []), "cert-manager.ts"]);
  expect(cycleIn(graph)).toEqual(expect.arrayContaining(["result.ts", "cert-manager.ts"]));
});

test("the graph is read from the probe files' real imports", () => {
  expect(probeGraph().get("cluster-paths.ts")).toEqual(expect.arrayContaining(["apiservices.ts", "webhooks.ts", "conversion-webhooks.ts"]));
});
