/**
 * `cilium-explain` (`npm run explain`): one path decided at the terminal, with its explanation.
 *
 *   cilium-explain --from PEER --to PEER --port N [--protocol TCP|UDP|SCTP] [--policies DIR...] [--json]
 *
 * A peer is an entity (`kube-apiserver`, `kube-apiserver@local`, `host`, `world`, `world@1.2.3.4`)
 * or pods, `NAMESPACE/KEY=VALUE[,KEY=VALUE...]` (the namespace is everything before the first `/`).
 * In this repository it decides over the dev app's default policies (the shipped `allow-all` set
 * and the files directly in `policies/`) unless `--policies` replaces them; installed in an app
 * (its package root under node_modules) `--policies` or `--from-synth DIR` is required: this
 * package's defaults say nothing about the app's cluster. `--from-synth DIR` decides over what
 * synth wrote to `DIR/stacks/*\/cdk.tf.json` (every NetworkPolicy and Cilium policy there, and the
 * Cilium settings its proof assumed). `--cilium-version` names the Cilium line whose CRDs judge the
 * policies and whose semantics decide (a line, or an exact chart version of one; default: the
 * default pin's line, or with `--from-synth` the line its proof names). `DIR=NAMESPACE` gives a
 * directory's documents that name no namespace that one. `--labels partial`: the pods' labels given are some of theirs, so a
 * selector on another label is unknown (as synth decides cert-manager's paths). Exit codes:
 * 0 allowed, 1 denied, 3 unknown, 2 usage or invalid policies.
 */
import * as path from "node:path";
import type { PathProtocol } from "../shared/vocabulary";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { isIP } from "node:net";
import { analyzeValidatedPath, type EnginePolicy, type PathPeer, type PathVerdict } from "../paths";
import { listPolicyFiles, loadPolicyFiles, PolicyListingError, type RawDocument } from "../policies/load";
import { formatProblem } from "../policies/problems";
import { policySetDirectory } from "../policies/sets";
import { fromNetworkPolicyV1Json } from "../policies/translate";
import { DIRECTORY_NAMESPACE_FIX, validateDocuments } from "../policies/validate";
import { unescapeTerraform } from "../shared/terraform-escape";
import { parseCheckProof } from "../proof/check-proof";
import type { PathCiliumSettings } from "../paths/types";
import { ENTITIES } from "../paths/input";
import { PACKAGE_ROOT, SHIPPED_POLICIES_DIR } from "../shared/package-paths";
import { type CiliumLine, DEFAULT_CILIUM_LINE, readCiliumLine, SUPPORTED_CILIUM_LINES } from "../cilium/lines";

/** The exit codes of `cilium-explain`. */
export const EXPLAIN_EXIT = { allowed: 0, denied: 1, usage: 2, unknown: 3 } as const;

export const EXPLAIN_USAGE = `usage: cilium-explain --from PEER --to PEER --port N [--protocol TCP|UDP|SCTP] [--policies DIR[=NAMESPACE]... | --from-synth DIR] [--labels complete|partial] [--cilium-version 1.19|1.20|X.Y.Z] [--json]

Decides whether the policies allow the path, and why.
  PEER   an entity: kube-apiserver, kube-apiserver@local, host, remote-node, world, world@1.2.3.4, ...
         or pods: NAMESPACE/KEY=VALUE[,KEY=VALUE...] (the namespace is everything before the first /)
  --port       the destination pod's port (after Service translation), 1-65535
  --protocol   TCP (default), UDP or SCTP
  --policies   policy directories; DIR=NAMESPACE for documents that name no namespace (required when
               installed in an app; in the cdktf-cilium repository: the dev app's policies/allow-all and policies/)
  --from-synth what synth wrote to DIR/stacks/*/cdk.tf.json (DIR: the app's cdktf.out): its policies,
               and the Cilium settings its proof assumed
  --labels     complete (default): the pods' labels given are all their labels; partial: some of them,
               so a selector on another label makes the verdict unknown
  --cilium-version the Cilium line whose CRDs judge the policies and whose semantics decide: ${SUPPORTED_CILIUM_LINES.join(", ")},
               or an exact chart version of one (default: ${DEFAULT_CILIUM_LINE}, the default pin's line; with
               --from-synth, the line its proof names)
  --json       the verdict as JSON
Exit codes: 0 allowed, 1 denied, 3 unknown, 2 usage or invalid policies.`;

class UsageError extends Error {}

const ENTITY = /^[a-z][a-z-]*$/;

/** Parses a peer as the CLI writes it. */
export function parsePeer(text: string, flag: string): PathPeer {
  const slash = text.indexOf("/");
  if (slash < 0) {
    const [entity, qualifier, ...rest] = text.split("@");
    if (!ENTITY.test(entity) || rest.length > 0)
      throw new UsageError(`${flag} "${text}": expected an entity (kube-apiserver, world@1.2.3.4) or NAMESPACE/KEY=VALUE`);
    if (!(ENTITIES as readonly string[]).includes(entity))
      throw new UsageError(
        `${flag} "${text}": not an entity (${ENTITIES.join(", ")}); pods are NAMESPACE/KEY=VALUE, e.g. ${entity}/app=webhook (${entity}/ alone: any pod there)`,
      );
    if (qualifier === undefined) return { entity } as PathPeer;
    if (qualifier === "local" || qualifier === "remote") return { entity, node: qualifier } as PathPeer;
    if (isIP(qualifier) !== 0) return { entity, ip: qualifier } as PathPeer;
    throw new UsageError(`${flag} "${text}": after @ comes local, remote or an IP address`);
  }
  const namespace = text.slice(0, slash);
  const labelText = text.slice(slash + 1);
  const labels: Record<string, string> = {};
  for (const pair of labelText === "" ? [] : labelText.split(",")) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`${flag} "${text}": labels are KEY=VALUE, separated by commas ("${pair}")`);
    labels[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  if (namespace === "") throw new UsageError(`${flag} "${text}": the namespace comes before the first /`);
  return { namespace, labels };
}

interface ExplainArgs {
  from: PathPeer;
  to: PathPeer;
  port: number;
  protocol: PathProtocol;
  policies?: { path: string; namespace?: string }[];
  fromSynth?: string;
  labels: "complete" | "partial";
  json: boolean;
  /** `--cilium-version`, reduced to its line. */
  ciliumLine?: CiliumLine;
}

function parseArgs(argv: readonly string[]): ExplainArgs | "help" {
  let from: PathPeer | undefined;
  let to: PathPeer | undefined;
  let port: number | undefined;
  let protocol: ExplainArgs["protocol"] = "TCP";
  let policies: ExplainArgs["policies"];
  let json = false;
  let labels: ExplainArgs["labels"] = "complete";
  let fromSynth: string | undefined;
  let ciliumLine: CiliumLine | undefined;
  const value = (i: number, flag: string) => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("--")) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    switch (arg) {
      case "--help":
      case "-h":
        return "help";
      case "--from":
        from = parsePeer(value(i++, arg), arg);
        break;
      case "--to":
        to = parsePeer(value(i++, arg), arg);
        break;
      case "--port": {
        const v = value(i++, arg);
        if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 65535)
          throw new UsageError(`--port "${v}": expected a whole number from 1 to 65535`);
        port = Number(v);
        break;
      }
      case "--protocol": {
        const given = value(i++, arg);
        const v = given.toUpperCase();
        if (v !== "TCP" && v !== "UDP" && v !== "SCTP") throw new UsageError(`--protocol "${given}": expected TCP, UDP or SCTP`);
        protocol = v;
        break;
      }
      case "--policies":
        value(i, arg);
        policies ??= [];
        while (argv[i + 1] !== undefined && !argv[i + 1].startsWith("--")) {
          const entry = argv[++i];
          const eq = entry.lastIndexOf("=");
          policies.push(eq > 0 ? { path: entry.slice(0, eq), namespace: entry.slice(eq + 1) } : { path: entry });
        }
        break;
      case "--from-synth":
        fromSynth = value(i++, arg);
        break;
      case "--labels": {
        const v = value(i++, arg);
        if (v !== "complete" && v !== "partial") throw new UsageError(`--labels "${v}": expected complete or partial`);
        labels = v;
        break;
      }
      case "--json":
        json = true;
        break;
      case "--cilium-version": {
        const v = value(i++, arg);
        try {
          ciliumLine = readCiliumLine(v, arg);
        } catch {
          throw new UsageError(
            `--cilium-version "${v}": expected a supported Cilium line (${SUPPORTED_CILIUM_LINES.join(", ")}) or an exact chart version of one`,
          );
        }
        break;
      }
      default:
        throw new UsageError(`unknown argument "${arg}"`);
    }
  }
  if (!from) throw new UsageError("--from is required");
  if (!to) throw new UsageError("--to is required");
  if (port === undefined) throw new UsageError("--port is required");
  if (policies && fromSynth !== undefined) throw new UsageError("--policies and --from-synth together: give one");
  return {
    from,
    to,
    port,
    protocol,
    labels,
    json,
    ...(policies ? { policies } : {}),
    ...(fromSynth !== undefined ? { fromSynth } : {}),
    ...(ciliumLine ? { ciliumLine } : {}),
  };
}

/** The dev app's default policies: the `allow-all` set and the files directly in `policies/`. */
function defaultDirectories(): { path: string; namespace?: string; recursive?: boolean }[] {
  return [{ path: policySetDirectory("allow-all") }, { path: SHIPPED_POLICIES_DIR, recursive: false }];
}

export function loadDocuments(
  dirs: { path: string; namespace?: string; recursive?: boolean }[],
  line: CiliumLine = DEFAULT_CILIUM_LINE,
): {
  documents: EnginePolicy[];
  problems: string[];
  cilium?: PathCiliumSettings;
} {
  const raw: RawDocument[] = [];
  const problems: string[] = [];
  for (const dir of dirs) {
    let files: string[];
    try {
      files = listPolicyFiles(dir.path, dir.recursive ?? true);
    } catch (err) {
      if (err instanceof PolicyListingError) {
        problems.push(...err.lines);
        continue;
      }
      const code = (err as NodeJS.ErrnoException).code;
      const why =
        code === "ENOENT"
          ? "no such directory"
          : code === "ENOTDIR"
            ? "not a directory"
            : code === "EACCES"
              ? "cannot be read (permission denied)"
              : (err as Error).message;
      problems.push(`--policies ${dir.path}: ${why}`);
      continue;
    }
    const loaded = loadPolicyFiles(files, dir.namespace);
    raw.push(...loaded.documents);
    problems.push(...loaded.problems.map(formatProblem));
  }
  const validated = validateDocuments(raw, { line });
  // The fix for a document without a namespace, in this CLI's terms: its directory's flag.
  const directoryOf = (file: string) => dirs.find((d) => !path.relative(d.path, file).startsWith(".."))?.path ?? "DIR";
  problems.push(
    ...validated.problems.map((p) =>
      formatProblem({ ...p, message: p.message.replace(DIRECTORY_NAMESPACE_FIX, `--policies ${directoryOf(p.file)}=NAMESPACE`) }),
    ),
  );
  return { documents: validated.policies, problems };
}

/** Undoes Terraform's template escapes in every string, as Terraform reads cdk.tf.json. */
function terraformRead(value: unknown): unknown {
  if (typeof value === "string") return unescapeTerraform(value);
  if (Array.isArray(value)) return value.map(terraformRead);
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [unescapeTerraform(k), terraformRead(v)]));
  return value;
}

/**
 * The policies synth wrote to `dir/stacks/*\/cdk.tf.json` (every kubernetes_network_policy_v1,
 * read back into its document, and every Cilium policy's kubernetes_manifest), and the Cilium
 * settings the proof assumed (the check's WEBHOOK_CHECK_PROOF there, when a stack has one).
 */
function loadSynthesized(dir: string, given?: CiliumLine): { documents: EnginePolicy[]; problems: string[]; cilium?: PathCiliumSettings } {
  const stacks = path.join(dir, "stacks");
  if (!existsSync(stacks))
    return { documents: [], problems: [`--from-synth ${dir}: no stacks/ there; give the app's cdktf.out after a synth`] };
  const raw: RawDocument[] = [];
  const problems: string[] = [];
  let cilium: PathCiliumSettings | undefined;
  for (const stack of readdirSync(stacks).sort()) {
    const file = path.join(stacks, stack, "cdk.tf.json");
    if (!existsSync(file)) continue;
    let json: { resource?: Record<string, Record<string, Record<string, unknown>>> };
    try {
      json = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
      problems.push(`--from-synth ${file}: not JSON (${(e as Error).message})`);
      continue;
    }
    const resources = json.resource ?? {};
    const add = (value: unknown) => raw.push({ source: { file, document: raw.filter((r) => r.source.file === file).length + 1 }, value });
    for (const r of Object.values(resources.kubernetes_network_policy_v1 ?? {}))
      add(fromNetworkPolicyV1Json(terraformRead(r) as Record<string, unknown>));
    for (const r of Object.values(resources.kubernetes_manifest ?? {})) add(terraformRead(r.manifest));
    for (const r of Object.values(resources.null_resource ?? {})) {
      const text = (r as { provisioner?: Array<{ "local-exec"?: { environment?: Record<string, string> } }> }).provisioner?.[0]?.[
        "local-exec"
      ]?.environment?.WEBHOOK_CHECK_PROOF;
      if (text === undefined || cilium) continue;
      try {
        const { namespace: _namespace, ...settings } = parseCheckProof(unescapeTerraform(text)).cilium;
        cilium = settings;
      } catch {
        // A proof this version cannot read: the policies are still decided, with Cilium's defaults.
      }
    }
  }
  if (raw.length === 0) problems.push(`--from-synth ${dir}: no policies in ${stacks}/*/cdk.tf.json`);
  // The line: --cilium-version, else the one the proof names, else the default pin's.
  const line = given ?? cilium?.version ?? DEFAULT_CILIUM_LINE;
  if (cilium) cilium = { ...cilium, version: line };
  const validated = validateDocuments(raw, { line });
  problems.push(...validated.problems.map(formatProblem));
  return { documents: validated.policies, problems, ...(cilium ? { cilium } : {}) };
}

/** Installed in an app: this package's root is under a node_modules directory. */
const INSTALLED = PACKAGE_ROOT.split(path.sep).includes("node_modules");

/**
 * The verdict's first line, saying what each side decided: an allowed path can be admitted by a
 * rule on one side and open (nothing isolates it) on the other, and one word for both misleads.
 */
function headline(verdict: PathVerdict): string {
  if (verdict.verdict === "unknown") return `unknown (${verdict.unknownReason ?? "unknown"})`;
  if (verdict.verdict === "denied") return "denied";
  const sides = verdict.explanation.flatMap((step) => {
    const m = /^(egress|ingress) of .*: allowed( \(nothing isolates it\))?$/.exec(step);
    if (!m) return [];
    return [`${m[1] === "egress" ? "the source's egress" : "the destination's ingress"}: ${m[2] ? "nothing isolates it" : "by a rule"}`];
  });
  const l7 = verdict.qualifier === "l7-proxy" ? ", through the L7 proxy" : "";
  return `allowed (${sides.length > 0 ? sides.join("; ") : "nothing is enforced"}${l7})`;
}

/** Runs the CLI; returns its exit code. `installed`: whether it runs from a package installed in an app. */
export function explainMain(
  argv: readonly string[],
  out: (text: string) => void,
  err: (text: string) => void,
  { installed = INSTALLED }: { installed?: boolean } = {},
): number {
  let args: ExplainArgs | "help";
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`cilium-explain: ${e.message}\n${EXPLAIN_USAGE}\n`);
    return EXPLAIN_EXIT.usage;
  }
  if (args === "help") {
    out(`${EXPLAIN_USAGE}\n`);
    return 0;
  }
  if (installed && !args.policies && args.fromSynth === undefined) {
    err(
      "cilium-explain: --policies DIR[=NAMESPACE]... is required here: give your app's policy directories (as its NetworkPolicies " +
        "`directories` name them), or --from-synth DIR for what its synth wrote (DIR: its cdktf.out); " +
        "this package's own allow-all set says nothing about your cluster\n",
    );
    return EXPLAIN_EXIT.usage;
  }
  const { documents, problems, cilium } =
    args.fromSynth !== undefined
      ? loadSynthesized(args.fromSynth, args.ciliumLine)
      : loadDocuments(args.policies ?? defaultDirectories(), args.ciliumLine);
  if (problems.length > 0) {
    err(`cilium-explain: the policies are not valid:\n${problems.map((p) => `  - ${p}`).join("\n")}\n`);
    return EXPLAIN_EXIT.usage;
  }
  let verdict: PathVerdict;
  try {
    verdict = analyzeValidatedPath(documents, {
      path: { from: args.from, to: args.to, protocol: args.protocol, port: args.port },
      assume: { labels: args.labels },
      cilium: { ...cilium, version: cilium?.version ?? args.ciliumLine ?? DEFAULT_CILIUM_LINE },
    });
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    err(`cilium-explain: ${e.message}\n`);
    return EXPLAIN_EXIT.usage;
  }
  if (args.json) out(`${JSON.stringify(verdict, null, 2)}\n`);
  else out(`${headline(verdict)}\n${verdict.explanation.map((step) => `  ${step}`).join("\n")}\n`);
  return EXPLAIN_EXIT[verdict.verdict];
}
