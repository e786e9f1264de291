// Loading: policy files and directories read (symlinks, sizes, file counts bounded) and parsed
// as YAML the way kubectl resolves it, each document with the file and position it came from.
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync } from "node:fs";
import * as path from "node:path";
import { parseAllDocuments, type ScalarTag, type Tags } from "yaml";
import { escapeControlCharacters } from "../shared/control-characters";
import { isDns1123Label } from "../shared/k8s-names";
import { type DocumentSource, type PolicyProblem, problemAt } from "./problems";

/** A parsed but not yet validated document, with where it came from. */
export interface RawDocument {
  readonly source: DocumentSource;
  readonly value: unknown;
  /** The namespace its directory gives documents that name none (`kubectl apply -n`). */
  readonly defaultNamespace?: string;
}

export interface LoadResult {
  readonly documents: RawDocument[];
  readonly problems: PolicyProblem[];
}

const POLICY_FILE = /\.ya?ml$/i;
/** Aliases one document may expand: enough for any real file, far below a "billion laughs". */
const MAX_ALIAS_COUNT = 100;

/**
 * Plain scalars as kubectl resolves them, where YAML 1.1 differs. kubectl decodes YAML with
 * sigs.k8s.io/yaml (v1.6.0 in k8s.io/kubectl v0.35.4's go.mod), which resolves with its fork of
 * go-yaml v2 (go.yaml.in/yaml/v2 v2.4.2, resolve.go, `resolve`): a plain scalar starting with a digit or a sign is, with every
 * `_` removed, an int when strconv.ParseInt(plain, 0, 64) accepts it, so Go's base prefixes
 * `0o`/`0O`, `0X` and `0B` count too; and it knows no base 60, so `1:20` stays the string "1:20"
 * (YAML 1.1 reads 80). Lower-case `0x`, `0b` and `0755` agree with YAML 1.1 already.
 */
const GO_PREFIXED_INT: ScalarTag = {
  identify: (value) => typeof value === "number" && Number.isInteger(value),
  default: true,
  tag: "tag:yaml.org,2002:int",
  format: "GO",
  test: /^[-+]?0(?:[oO][0-7_]*[0-7][0-7_]*|X[0-9a-fA-F_]*[0-9a-fA-F][0-9a-fA-F_]*|B[01_]*[01][01_]*)$/,
  resolve: (text) => {
    const plain = text.replace(/_/g, "");
    const negative = plain.startsWith("-");
    const digits = plain.replace(/^[-+]/, "");
    const radix = /^0[oO]/.test(digits) ? 8 : /^0X/.test(digits) ? 16 : 2;
    const n = Number.parseInt(digits.slice(2), radix);
    return negative ? -n : n;
  },
};
/**
 * YAML 1.1's floats, but with a digit: go-yaml v2 takes a plain scalar for a float when Go's
 * strconv.ParseFloat reads it (yamlStyleFloat in resolve.go), so `.`, `-.` and `e5` stay strings.
 */
const FLOAT_WITH_DIGIT = /^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]*[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)?$/;
const kubectlTags = (tags: Tags): Tags => [
  ...tags
    .filter(
      (tag) =>
        typeof tag === "string" ||
        // go-yaml v2 knows no base 60, and leaves a timestamp as its text when decoding into JSON.
        (tag.format !== "TIME" && tag.tag !== "tag:yaml.org,2002:timestamp"),
    )
    .map((tag) =>
      typeof tag !== "string" && tag.tag === "tag:yaml.org,2002:float" && tag.test !== undefined && !tag.test.test(".nan")
        ? { ...tag, test: new RegExp(`(?=${FLOAT_WITH_DIGIT.source})${tag.test.source}`) }
        : tag,
    ),
  GO_PREFIXED_INT,
];

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** What a directory holds that cannot be read as it stands: each line names the entry and the fix. */
export class PolicyListingError extends Error {
  constructor(public readonly lines: readonly string[]) {
    super(lines.join("\n"));
    this.name = "PolicyListingError";
  }
}

/** A file name with its non-UTF-8 bytes written `\xNN`, so that a message can name it. */
function bytesText(name: Buffer): string {
  let out = "";
  let i = 0;
  while (i < name.length) {
    const b = name[i];
    const len = b < 0x80 ? 1 : b >> 5 === 0b110 ? 2 : b >> 4 === 0b1110 ? 3 : b >> 3 === 0b11110 ? 4 : 0;
    const piece = len > 0 ? name.subarray(i, i + len) : undefined;
    if (piece && piece.length === len && Buffer.from(piece.toString("utf8")).equals(piece)) {
      out += piece.toString("utf8");
      i += len;
    } else {
      out += `\\x${b.toString(16).padStart(2, "0")}`;
      i += 1;
    }
  }
  return out;
}

/**
 * Every `*.yaml` / `*.yml` in `dir` (and below it when `recursive`), in a stable (sorted) order.
 * A symbolic link to a policy file is read, as `kubectl apply -f DIR` reads it: cli-runtime walks
 * the directory with filepath.Walk and opens every entry that is not a directory and has a
 * policy extension (k8s.io/cli-runtime v0.32.0, the kubectl 1.32 line, pkg/resource/visitor.go,
 * ExpandPathsToFileVisitors). Walk reads entries with Lstat, so a link to a directory is no
 * directory to it: kubectl never enters one, and leaving its policies out would destroy them at the
 * next apply. It is refused, as is a link to nothing and a name that is not UTF-8 (PolicyListingError).
 */
export function listPolicyFiles(dir: string, recursive = true): string[] {
  const problems: string[] = [];
  const files = walk(dir, recursive, problems);
  if (problems.length > 0) throw new PolicyListingError(problems);
  return files;
}

function walk(dir: string, recursive: boolean, problems: string[]): string[] {
  const files: string[] = [];
  const entries = readdirSync(dir, { withFileTypes: true, encoding: "buffer" }).map((entry) => ({
    entry,
    name: entry.name.toString("utf8"),
  }));
  for (const { entry, name } of entries.sort(byName)) {
    if (!Buffer.from(name, "utf8").equals(entry.name)) {
      if ((entry.isDirectory() && recursive) || POLICY_FILE.test(name))
        problems.push(`${displayName(path.join(dir, bytesText(entry.name)))}: the file name is not valid UTF-8; rename it`);
      continue;
    }
    const full = path.join(dir, name);
    if (entry.isDirectory() && recursive) files.push(...walk(full, recursive, problems));
    else if (entry.isFile() && POLICY_FILE.test(name)) files.push(full);
    else if (entry.isSymbolicLink()) {
      let target: ReturnType<typeof statSync> | undefined;
      try {
        target = statSync(full);
      } catch {
        target = undefined;
      }
      if (target === undefined) {
        if (POLICY_FILE.test(name))
          problems.push(
            `${displayName(full)} is a symbolic link to ${escapeControlCharacters(readlinkSync(full))}, which does not exist (or the links loop); fix or remove the link`,
          );
      } else if (target.isDirectory()) {
        if (recursive)
          problems.push(
            `${displayName(full)} is a symbolic link to a directory, which kubectl apply -f does not enter either; ` +
              "its policies would not be deployed: list its target in `directories`, or replace the link with the directory",
          );
      } else if (target.isFile() && POLICY_FILE.test(name)) files.push(full);
    }
  }
  return files;
}

/**
 * Parses one YAML text into documents as kubectl does: YAML 1.1 (`yes`, `on`,
 * `0755`, `1.10` get 1.1's types) with merge keys (`<<`), ints as go-yaml v2 resolves
 * them (GO_PREFIXED_INT). Syntax errors, duplicate
 * keys, bad aliases, alias floods and files with no document at all are
 * problems naming `label` and the document; empty documents between `---` are
 * skipped, as kubectl does.
 */
export function parsePolicyText(text: string, label: string, defaultNamespace?: string): LoadResult {
  const documents: RawDocument[] = [];
  const problems: PolicyProblem[] = [];
  const docs = parseAllDocuments(text, { version: "1.1", merge: true, uniqueKeys: true, prettyErrors: true, customTags: kubectlTags });
  const list = Array.isArray(docs) ? docs : [];
  list.forEach((doc, i) => {
    const source = { file: label, document: i + 1 };
    if (doc.errors.length > 0) {
      for (const err of doc.errors) {
        const where = err.linePos ? ` (line ${err.linePos[0].line}, column ${err.linePos[0].col})` : "";
        problems.push(
          problemAt(
            source,
            "(document)",
            `YAML syntax error${where}: ${err.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")}`,
          ),
        );
      }
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      // Unresolved aliases and alias floods surface here, not as parse errors.
      problems.push(
        problemAt(source, "(document)", `YAML: ${(err as Error).message} (aliases are limited to ${MAX_ALIAS_COUNT} per document)`),
      );
      return;
    }
    if (value === null || value === undefined) return;
    documents.push({ source, value, ...(defaultNamespace !== undefined ? { defaultNamespace } : {}) });
  });
  if (documents.length === 0 && problems.length === 0) {
    problems.push(problemAt({ file: label, document: 1 }, "(document)", "file holds no policy document (empty file)"));
  }
  return { documents, problems };
}

/** How a policy file is named in problems: relative to the current directory when below it. */
export function displayName(file: string): string {
  const rel = path.relative(process.cwd(), file);
  const label = rel.startsWith("..") || path.isAbsolute(rel) ? file : rel;
  // Control characters (a newline in a file name) as JSON writes them, so a problem stays one line.
  return escapeControlCharacters(label.split(path.sep).join("/"));
}

/** Reads and parses policy files. */
export function loadPolicyFiles(files: readonly string[], defaultNamespace?: string): LoadResult {
  const documents: RawDocument[] = [];
  const problems: PolicyProblem[] = [];
  for (const file of files) {
    const result = parsePolicyText(readFileSync(file, "utf8"), displayName(file), defaultNamespace);
    documents.push(...result.documents);
    problems.push(...result.problems);
  }
  return { documents, problems };
}

/** A policy directory as the constructs take it: a path, the namespace for documents naming none, and whether to descend. */
export interface DirectoryEntry {
  readonly path: string;
  readonly namespace?: string;
  readonly recursive?: boolean;
}

/** What the directories held: their documents, the files read, and every problem, located or not. */
export interface DirectoriesResult extends LoadResult {
  /** The files read, each once, however many directories reach it. */
  readonly files: string[];
  /** Problems of a directory itself (missing, bad namespace, unlistable), one line each. */
  readonly refusals: string[];
}

/**
 * Every directory's policy files read and parsed, a file reached twice (a symlink, nested
 * directories) read once. Nothing stops at the first bad directory: every problem is returned.
 */
export function loadDirectories(directories: readonly DirectoryEntry[]): DirectoriesResult {
  const documents: RawDocument[] = [];
  const problems: PolicyProblem[] = [];
  const files: string[] = [];
  const refusals: string[] = [];
  const seen = new Set<string>();
  for (const dir of directories) {
    if (!existsSync(dir.path) || !statSync(dir.path).isDirectory()) {
      refusals.push(`policy directory ${dir.path} does not exist or is not a directory`);
      continue;
    }
    if (dir.namespace !== undefined && !isDns1123Label(dir.namespace)) {
      refusals.push(`policy directory ${dir.path}: namespace "${dir.namespace}" is not a valid namespace name (RFC 1123 label)`);
      continue;
    }
    let listed: string[];
    try {
      listed = listPolicyFiles(dir.path, dir.recursive ?? true);
    } catch (err) {
      if (!(err instanceof PolicyListingError)) throw err;
      refusals.push(...err.lines);
      continue;
    }
    const fresh = listed.filter((file) => {
      const real = realpathSync(file);
      if (seen.has(real)) return false;
      seen.add(real);
      return true;
    });
    files.push(...fresh);
    const loaded = loadPolicyFiles(fresh, dir.namespace);
    documents.push(...loaded.documents);
    problems.push(...loaded.problems);
  }
  return { documents, problems, files, refusals };
}
