// One home per vocabulary: a path's protocols and Cilium's enforcement modes are spelled out only
// in lib/shared/vocabulary.ts, a verdict's words and allow-localhost's only in lib/paths/types.ts; every other file
// imports the type or the list (or derives a subset from them), so a new word is added once.
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

const LIB = path.resolve(__dirname, "..", "..", "lib");

const VOCABULARIES = [
  { name: "protocols", words: ["TCP", "UDP", "SCTP"], home: "shared/vocabulary.ts" },
  { name: "policy enforcement modes", words: ["default", "always", "never"], home: "shared/vocabulary.ts" },
  { name: "verdicts", words: ["allowed", "denied", "unknown"], home: "paths/types.ts" },
  { name: "allow-localhost modes", words: ["auto", "always", "policy"], home: "paths/types.ts" },
];

/** String literals joined by `|` or `,`: a union type or a list written out. */
const LITERAL_RUN = /"(?:[^"\\\n]|\\.)*"(?:\s*[|,]\s*"(?:[^"\\\n]|\\.)*")+/g;

/** Each place in `source` where two or more words of one vocabulary are written out together. */
function spellings(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\/|(^|[^:])\/\/.*$/gm, "$1");
  const found: string[] = [];
  for (const run of code.match(LITERAL_RUN) ?? []) {
    const literals = new Set(run.match(/"((?:[^"\\\n]|\\.)*)"/g)?.map((l) => l.slice(1, -1)));
    for (const v of VOCABULARIES) if (v.words.filter((w) => literals.has(w)).length >= 2) found.push(`${v.name}: ${run}`);
  }
  return found;
}

test("no file of lib/ but the home spells out a vocabulary's words", () => {
  const outside: string[] = [];
  for (const entry of readdirSync(LIB, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".ts")) continue;
    const file = path.relative(LIB, path.join(entry.parentPath, entry.name)).split(path.sep).join("/");
    for (const s of spellings(readFileSync(path.join(LIB, file), "utf8")))
      if (!VOCABULARIES.some((v) => s.startsWith(`${v.name}:`) && v.home === file)) outside.push(`${file}: ${s}`);
  }
  expect(outside).toEqual([]);
});

test("each home spells its vocabulary", () => {
  for (const v of VOCABULARIES)
    expect(spellings(readFileSync(path.join(LIB, v.home), "utf8")).some((s) => s.startsWith(`${v.name}:`))).toBe(true);
});

test("a union, a list or a subset written out elsewhere is found (the negative control)", () => {
  expect(spellings('readonly protocol: "TCP" | "UDP" | "SCTP";')).toEqual(['protocols: "TCP" | "UDP" | "SCTP"']);
  expect(spellings('const MODES = ["default", "always", "never"];')).toEqual(['policy enforcement modes: "default", "always", "never"']);
  expect(spellings('function matcher(wanted: "allowed" | "denied") {}')).toEqual(['verdicts: "allowed" | "denied"']);
  expect(spellings('basis?: "rule" | "default";')).toEqual([]);
});
