/**
 * `cilium-explain diff` and `cilium-explain matrix`: the reachability matrix from the files.
 *
 *   cilium-explain diff BASE HEAD [--json | --markdown]
 *   cilium-explain matrix --html FILE (--policies DIR[=NAMESPACE]... | --from-synth DIR)
 *
 * A directory holding `stacks/NAME/cdk.tf.json` is synth output (cdktf.out): each stack's
 * policies are read back from its Terraform JSON (kubernetes_manifest and
 * kubernetes_network_policy_v1) and decided again, with its reachability.json's workloads and
 * settings where synth wrote one. Any other directory is a policy directory (`DIR=NAMESPACE`
 * gives its documents that name no namespace that one), whose workloads are those its selectors
 * name and the entities. Exit codes: 0 (whether or not anything changed), 2 bad input.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { EnginePolicy, ReachabilityMatrix } from "../paths";
import type { RawDocument } from "../policies/load";
import { formatProblem } from "../policies/problems";
import { validateDocuments } from "../policies/validate";
import { isObject } from "../shared/stable-json";
import { unescapeTerraform } from "../shared/terraform-escape";
import { loadDocuments } from "./explain";
import { parseReachabilityJson, REACHABILITY_FILE } from "../proof/reachability";
import { type DiffSide, decideBoth, diffJson, diffMarkdown, diffReachability, portsText, sortChanges } from "./reachability-diff";
import { reachabilityHtml } from "./reachability-html";

export const DIFF_USAGE = `usage: cilium-explain diff BASE HEAD [--json | --markdown]

What a change does to who can reach whom: every port range of every pair of workloads whose
verdict (allowed, denied, unknown) or deciding policy differs between BASE and HEAD.
  BASE, HEAD   synth output (a directory with stacks/*/cdk.tf.json, e.g. cdktf.out) or a policy
               directory (DIR=NAMESPACE: the namespace of documents that name none)
  --json       {"changed": [{from, to, protocol, ports: [lo, hi], before, after, policies}]}
  --markdown   a table and a Mermaid graph of the changed edges (for a pull request)
Exit codes: 0 (changed or not), 2 usage or invalid input.`;

export const MATRIX_USAGE = `usage: cilium-explain matrix --html FILE (--policies DIR[=NAMESPACE]... | --from-synth DIR)

Writes the whole reachability matrix and a graph of the paths rules admit as one self-contained
HTML page (nothing is fetched from the network).
  --html FILE        where to write the page
  --policies DIR...  policy directories (DIR=NAMESPACE: the namespace of documents that name none)
  --from-synth DIR   synth output (a directory with stacks/*/cdk.tf.json, e.g. cdktf.out)
Exit codes: 0 written, 2 usage or invalid input.`;

class InputError extends Error {}

const snakeToCamel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The provider's block names back to the API's field names; label maps keep their keys. */
function camelize(value: unknown, key = ""): unknown {
  if (Array.isArray(value)) return value.map((v) => camelize(v, key));
  if (!isObject(value)) {
    // lib/policies/translate.ts writes every port as a string; a number is a number port again.
    if (key === "port" && typeof value === "string" && /^\d+$/.test(value)) return Number(value);
    return typeof value === "string" ? unescapeTerraform(value) : value;
  }
  if (key === "matchLabels" || key === "labels" || key === "annotations")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [unescapeTerraform(k), camelize(v)]));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [snakeToCamel(k), camelize(v, snakeToCamel(k))]));
}

function unescapeDeep(value: unknown): unknown {
  if (typeof value === "string") return unescapeTerraform(value);
  if (Array.isArray(value)) return value.map(unescapeDeep);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [unescapeTerraform(k), unescapeDeep(v)]));
  return value;
}

/** The policy documents of one stack's cdk.tf.json, as lib/policies wrote them. */
export function documentsOfTerraform(json: unknown, file: string): RawDocument[] {
  const resources = isObject(json) && isObject(json.resource) ? json.resource : {};
  const out: RawDocument[] = [];
  const manifests = isObject(resources.kubernetes_manifest) ? resources.kubernetes_manifest : {};
  const networkPolicies = isObject(resources.kubernetes_network_policy_v1) ? resources.kubernetes_network_policy_v1 : {};
  for (const name of Object.keys(manifests).sort()) {
    const r = manifests[name];
    if (isObject(r) && isObject(r.manifest)) out.push({ source: { file, document: out.length + 1 }, value: unescapeDeep(r.manifest) });
  }
  for (const name of Object.keys(networkPolicies).sort()) {
    const r = networkPolicies[name];
    if (!isObject(r)) continue;
    out.push({
      source: { file, document: out.length + 1 },
      value: { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: camelize(r.metadata), spec: camelize(r.spec) },
    });
  }
  return out;
}

function validated(raw: RawDocument[]): EnginePolicy[] {
  const result = validateDocuments(raw);
  if (result.problems.length > 0)
    throw new InputError(`the policies are not valid:\n${result.problems.map((p) => `  - ${formatProblem(p)}`).join("\n")}`);
  return result.policies;
}

/** The stacks of a synth output with a cdk.tf.json, sorted; empty for any other directory. */
function synthStacks(dir: string): string[] {
  const stacks = path.join(dir, "stacks");
  if (!existsSync(stacks) || !statSync(stacks).isDirectory()) return [];
  return readdirSync(stacks)
    .filter((name) => existsSync(path.join(stacks, name, "cdk.tf.json")))
    .sort();
}

/** One input: each stack of a synth output with policies (or a reachability file), or one policy directory as stack "". */
function loadInput(arg: string, synthOnly = false): Map<string, DiffSide> {
  const eq = arg.lastIndexOf("=");
  const dir = eq > 0 && !existsSync(arg) ? arg.slice(0, eq) : arg;
  const namespace = dir === arg ? undefined : arg.slice(eq + 1);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(`${dir}: not a directory`);
  const stacks = namespace === undefined ? synthStacks(dir) : [];
  const out = new Map<string, DiffSide>();
  if (stacks.length === 0) {
    if (synthOnly) throw new InputError(`${dir}: not synth output (no stacks/*/cdk.tf.json)`);
    const { documents, problems } = loadDocuments([{ path: dir, ...(namespace !== undefined ? { namespace } : {}) }]);
    if (problems.length > 0) throw new InputError(`the policies are not valid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    out.set("", { policies: documents, namespacePods: false });
    return out;
  }
  for (const stack of stacks) {
    const tf = path.join(dir, "stacks", stack, "cdk.tf.json");
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(tf, "utf8"));
    } catch (e) {
      throw new InputError(`${tf}: not JSON (${(e as Error).message})`);
    }
    const policies = validated(documentsOfTerraform(json, tf));
    const reach = path.join(dir, "stacks", stack, REACHABILITY_FILE);
    let file: DiffSide["file"];
    if (existsSync(reach)) {
      try {
        file = parseReachabilityJson(readFileSync(reach, "utf8"), reach);
      } catch (e) {
        throw new InputError((e as Error).message);
      }
    }
    if (policies.length > 0 || file) out.set(stack, { policies, namespacePods: true, ...(file ? { file } : {}) });
  }
  return out;
}

const EMPTY: DiffSide = { policies: [], namespacePods: true };

/** Runs `cilium-explain diff`; returns its exit code. */
export function diffMain(argv: readonly string[], out: (text: string) => void, err: (text: string) => void): number {
  const dirs: string[] = [];
  let format: "text" | "json" | "markdown" = "text";
  for (const arg of argv) {
    if (arg === "--help" || arg === "-h") {
      out(`${DIFF_USAGE}\n`);
      return 0;
    }
    if (arg === "--json" || arg === "--markdown") format = arg === "--json" ? "json" : "markdown";
    else if (arg.startsWith("--")) return usage(err, "diff", `unknown argument "${arg}"`, DIFF_USAGE);
    else dirs.push(arg);
  }
  if (dirs.length !== 2)
    return usage(err, "diff", `expected BASE and HEAD, got ${dirs.length} director${dirs.length === 1 ? "y" : "ies"}`, DIFF_USAGE);
  let changes: ReturnType<typeof diffReachability>;
  try {
    const base = loadInput(dirs[0]);
    const head = loadInput(dirs[1]);
    const stacks = [...new Set([...base.keys(), ...head.keys()])].sort();
    changes = sortChanges(
      stacks.flatMap((stack) => diffReachability(base.get(stack) ?? EMPTY, head.get(stack) ?? EMPTY, stacks.length > 1 ? `${stack}:` : "")),
    );
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    err(`cilium-explain diff: ${e.message}\n`);
    return 2;
  }
  if (format === "json") out(diffJson(changes));
  else if (format === "markdown") out(diffMarkdown(changes));
  else if (changes.length === 0) out("no change in reachability\n");
  else
    for (const c of changes)
      out(
        `${c.from} -> ${c.to} ${c.protocol} ${portsText(c.ports)}: ${c.before.verdict}${c.before.policy ? ` (${c.before.policy})` : ""} -> ${c.after.verdict}${c.after.policy ? ` (${c.after.policy})` : ""}${c.policies.length > 0 ? `; policies changed: ${c.policies.join(", ")}` : ""}\n`,
      );
  return 0;
}

function usage(err: (text: string) => void, command: string, message: string, text: string): number {
  err(`cilium-explain ${command}: ${message}\n${text}\n`);
  return 2;
}

/** One input's matrix: each stack's decided again (over its file's workloads and settings where there is one). */
function matrixOf(sides: Map<string, DiffSide>): ReachabilityMatrix {
  const stacks = [...sides.keys()].sort();
  const prefix = (stack: string) => (stacks.length > 1 ? `${stack}:` : "");
  const workloads: ReachabilityMatrix["workloads"][number][] = [];
  const cells: ReachabilityMatrix["cells"][number][] = [];
  for (const stack of stacks) {
    const side = sides.get(stack) as DiffSide;
    const { after } = decideBoth(EMPTY, side);
    const p = prefix(stack);
    workloads.push(...after.workloads.map((w) => ({ ...w, id: p + w.id })));
    cells.push(...after.cells.map((c) => ({ ...c, from: p + c.from, to: p + c.to })));
  }
  return { workloads, cells };
}

/** Runs `cilium-explain matrix`; returns its exit code. */
export function matrixMain(argv: readonly string[], out: (text: string) => void, err: (text: string) => void): number {
  let html: string | undefined;
  let synth: string | undefined;
  const policies: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = argv[i + 1];
    if (arg === "--help" || arg === "-h") {
      out(`${MATRIX_USAGE}\n`);
      return 0;
    }
    if ((arg === "--html" || arg === "--from-synth") && (next === undefined || next.startsWith("--")))
      return usage(err, "matrix", `${arg} needs a value`, MATRIX_USAGE);
    if (arg === "--html") html = argv[++i];
    else if (arg === "--from-synth") synth = argv[++i];
    else if (arg === "--policies") {
      while (argv[i + 1] !== undefined && !argv[i + 1].startsWith("--")) policies.push(argv[++i]);
      if (policies.length === 0) return usage(err, "matrix", "--policies needs a directory", MATRIX_USAGE);
    } else return usage(err, "matrix", `unknown argument "${arg}"`, MATRIX_USAGE);
  }
  if (html === undefined) return usage(err, "matrix", "--html FILE is required", MATRIX_USAGE);
  if ((synth === undefined) === (policies.length === 0))
    return usage(err, "matrix", "give either --policies DIR... or --from-synth DIR", MATRIX_USAGE);
  let matrix: ReachabilityMatrix;
  let title: string;
  try {
    if (synth !== undefined) {
      matrix = matrixOf(loadInput(synth, true));
      title = synth;
    } else {
      const all = policies.flatMap((dir) => {
        const side = loadInput(dir).get("");
        if (!side) throw new InputError(`${dir}: synth output, not a policy directory; use --from-synth ${dir}`);
        return side.policies;
      });
      matrix = matrixOf(new Map([["", { policies: all, namespacePods: false }]]));
      title = policies.join(" ");
    }
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    err(`cilium-explain matrix: ${e.message}\n`);
    return 2;
  }
  writeFileSync(html, reachabilityHtml(matrix, title));
  out(`wrote ${html}: ${matrix.workloads.length} workloads, ${matrix.cells.length} port ranges\n`);
  return 0;
}
