// The API reference, docs/api/: every export of lib/index.ts (the .d.ts of the build) with its
// TSDoc, by API Extractor (which bundles its own TypeScript, so TypeScript 7 is no obstacle) and
// API Documenter's markdown. Exports marked @internal are left out. The output holds no dates
// and no line numbers, so it changes only when the API or its docs do.
// `--check` writes into a temporary directory and exits 1 when docs/api differs (e2e test).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const check = process.argv.includes("--check");
const run = (bin, args) => {
  const r = spawnSync(process.execPath, [path.join(root, "node_modules", bin), ...args], { cwd: root, encoding: "utf8" });
  if (r.status !== 0) {
    process.stderr.write(r.stdout + r.stderr);
    throw new Error(`${bin} exited with ${r.status}`);
  }
  return r.stdout;
};

const extractor = run("@microsoft/api-extractor/bin/api-extractor", ["run", "--local", "-c", "api-extractor.json"]);
const warnings = extractor.split("\n").filter((l) => /Warning:|Error:/.test(l));
if (warnings.length > 0) {
  process.stderr.write(`${warnings.join("\n")}\n`);
  throw new Error("API Extractor has warnings: fix the TSDoc or the exports");
}
/** The text of one block tag of a TSDoc comment (`@default`, `@example`), up to the next tag. */
function blockTag(docComment, tag) {
  const lines = docComment
    .replace(/^\/\*\*|\*\/\s*$/g, "")
    .split("\n")
    .map((l) => l.replace(/^\s*\* ?/, ""));
  const start = lines.findIndex((l) => l.startsWith(`${tag}`));
  if (start < 0) return undefined;
  const rest = [lines[start].slice(tag.length), ...lines.slice(start + 1)];
  const end = rest.findIndex((l, i) => i > 0 && /^@\w/.test(l));
  return (end < 0 ? rest : rest.slice(0, end)).join("\n").trim();
}

/**
 * API Documenter renders no `@default` (not a standard TSDoc tag) and flattens an `@example`
 * written without a code fence (the aws-cdk style used here) into one line: both are put back
 * from the doc model, a default line before the signature and each example as a TypeScript block.
 */
function withDefaultsAndExamples(dir) {
  // API Documenter writes CRLF line ends; the repository's text is LF.
  for (const f of readdirSync(dir)) writeFileSync(path.join(dir, f), readFileSync(path.join(dir, f), "utf8").replace(/\r\n/g, "\n"));
  const model = JSON.parse(readFileSync(path.join(root, "node_modules", ".cache", "api", "cdktf-cilium.api.json"), "utf8"));
  const visit = (item, names) => {
    const here = item.name ? [...names, item.name] : names;
    const file = path.join(dir, `${["cdktf-cilium", ...here].join(".").toLowerCase()}.md`);
    if (item.docComment && item.name && existsSync(file)) {
      let text = readFileSync(file, "utf8");
      const dflt = blockTag(item.docComment, "@default");
      if (dflt !== undefined && text.includes("**Signature:**")) {
        const shown = dflt.startsWith("- ") ? dflt.slice(2) : `\`${dflt.replace(/\s+/g, " ")}\``;
        text = text.replace("**Signature:**", `**Default:** ${shown}\n\n**Signature:**`);
      }
      const example = blockTag(item.docComment, "@example");
      if (example !== undefined && !example.includes("```")) {
        text = text.replace(/## Example\n\n[\s\S]*?(?=\n## |$)/, `## Example\n\n\`\`\`ts fragment\n${example}\n\`\`\`\n`);
      }
      writeFileSync(file, text);
    }
    for (const member of item.members ?? []) visit(member, item.kind === "Package" || item.kind === "EntryPoint" ? [] : here);
  };
  visit(model, []);
}

const out = check ? mkdtempSync(path.join(os.tmpdir(), "api-docs-")) : path.join(root, "docs", "api");
try {
  run("@microsoft/api-documenter/bin/api-documenter", ["markdown", "-i", path.join("node_modules", ".cache", "api"), "-o", out]);
  withDefaultsAndExamples(out);
  if (check) {
    const listing = (dir) => readdirSync(dir).sort();
    const want = listing(out);
    const have = listing(path.join(root, "docs", "api"));
    const stale = [...new Set([...want, ...have])].filter(
      (f) =>
        !want.includes(f) ||
        !have.includes(f) ||
        readFileSync(path.join(out, f), "utf8") !== readFileSync(path.join(root, "docs", "api", f), "utf8"),
    );
    if (stale.length > 0) {
      console.error(`docs/api is stale (${stale.length} files, e.g. ${stale.slice(0, 3).join(", ")}): run \`npm run docs\``);
      process.exitCode = 1;
    }
  }
} finally {
  if (check) rmSync(out, { recursive: true, force: true });
}
