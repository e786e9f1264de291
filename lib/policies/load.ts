import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
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

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Every `*.yaml` / `*.yml` in `dir` (and below it when `recursive`), in a stable (sorted) order. */
export function listPolicyFiles(dir: string, recursive = true): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort(byName)) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && recursive) files.push(...listPolicyFiles(full));
    else if (entry.isFile() && POLICY_FILE.test(entry.name)) files.push(full);
  }
  return files;
}

/**
 * Parses one YAML text into documents as kubectl does: YAML 1.1 (`yes`, `on`,
 * `0755`, `1.10` get 1.1's types) with merge keys (`<<`). Syntax errors, duplicate
 * keys, bad aliases, alias floods and files with no document at all are
 * problems naming `label` and the document; empty documents between `---` are
 * skipped, as kubectl does.
 */
export function parsePolicyText(text: string, label: string, defaultNamespace?: string): LoadResult {
  const documents: RawDocument[] = [];
  const problems: PolicyProblem[] = [];
  const docs = parseAllDocuments(text, { version: "1.1", merge: true, uniqueKeys: true, prettyErrors: true });
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
  return label.split(path.sep).join("/");
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
