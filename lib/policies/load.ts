import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { type DocumentSource, type PolicyProblem, problemAt } from "./problems";

/** A parsed but not yet validated document, with where it came from. */
export interface RawDocument {
  readonly source: DocumentSource;
  readonly value: unknown;
}

export interface LoadResult {
  readonly documents: RawDocument[];
  readonly problems: PolicyProblem[];
}

const POLICY_FILE = /\.ya?ml$/i;

/** Every `*.yaml` / `*.yml` below `dir`, recursively, in a stable (sorted) order. */
export function listPolicyFiles(dir: string): string[] {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...listPolicyFiles(full));
    else if (entry.isFile() && POLICY_FILE.test(entry.name)) files.push(full);
  }
  return files;
}

/**
 * Parses one YAML text into documents. Syntax errors, duplicate keys and files
 * with no document at all are problems; empty documents between `---` are skipped,
 * as kubectl does. `label` names the file in problems.
 */
export function parsePolicyText(text: string, label: string): LoadResult {
  const documents: RawDocument[] = [];
  const problems: PolicyProblem[] = [];
  const docs = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: true });
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
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) return;
    documents.push({ source, value });
  });
  if (documents.length === 0 && problems.length === 0) {
    problems.push(problemAt({ file: label, document: 1 }, "(document)", "file holds no policy document (empty file)"));
  }
  return { documents, problems };
}

/**
 * Reads every policy file below `dir`. `displayRoot` is what file names in
 * problems are shown relative to (the current directory by default).
 */
export function loadPolicyDirectory(dir: string, displayRoot: string = process.cwd()): LoadResult {
  const documents: RawDocument[] = [];
  const problems: PolicyProblem[] = [];
  const files = listPolicyFiles(dir);
  for (const file of files) {
    const rel = path.relative(displayRoot, file);
    const label = rel.startsWith("..") || path.isAbsolute(rel) ? file : rel;
    const result = parsePolicyText(readFileSync(file, "utf8"), label.split(path.sep).join("/"));
    documents.push(...result.documents);
    problems.push(...result.problems);
  }
  return { documents, problems };
}
