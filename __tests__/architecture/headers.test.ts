// Every file of lib/ opens with a comment saying what it owns (CONTRIBUTING.md, "Layout"): after
// an optional `#!` line, the first line is a comment. Comments say why, never which issue asked:
// no file of lib/ or __tests__/ names an issue number.
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

const LIB = path.resolve(__dirname, "..", "..", "lib");

/** Whether `source` opens with a comment (after an optional `#!` line and blank lines). */
function opensWithComment(source: string): boolean {
  const body = source.replace(/^#!.*\n/, "").trimStart();
  return body.startsWith("//") || body.startsWith("/*");
}

function libFiles(dir = LIB): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .filter((f) => !f.startsWith("policies/vendor/"))
    .sort();
}

/**
 * An issue named by number: `issue 22`, `issues 18 and 19`, `issue #7`, or a bare `#32`; an
 * upstream reference (`cilium/cilium#45184`) names its repository and is a citation.
 */
const ISSUE_NUMBER = /\bissues? #?\d+|(?<![\w.-]+\/[\w.-]+|[\w&])#\d{2,}\b(?!;)/i;

test("every file of lib/ opens with a header comment", () => {
  const without = libFiles().filter((f) => !opensWithComment(readFileSync(path.join(LIB, f), "utf8")));
  expect(without).toEqual([]);
});

test("a file that opens with code is found; a shebang line before the comment is allowed (the negative control)", () => {
  expect(opensWithComment('import * as path from "node:path";\n// a comment after the code\n')).toBe(false);
  expect(opensWithComment("#!/usr/bin/env node\n/** The CLI's entry. */\n")).toBe(true);
});

test("no file of lib/ or __tests__/ names an issue by number", () => {
  const tests = path.resolve(LIB, "..", "__tests__");
  const named = [...libFiles().map((f) => path.join(LIB, f)), ...libFiles(tests).map((f) => path.join(tests, f))].filter(
    (f) => f !== __filename && ISSUE_NUMBER.test(readFileSync(f, "utf8")),
  );
  expect(named.map((f) => path.relative(path.resolve(LIB, ".."), f))).toEqual([]);
});

test("an issue number in a comment is found, a CVE or a standard's number is not (the negative control)", () => {
  expect(ISSUE_NUMBER.test("// One construct across both stacks (issue 21, point 3).")).toBe(true);
  expect(ISSUE_NUMBER.test("// Trojan Source, CVE-2021-42574; Unicode UAX #9; PKCS#10")).toBe(false);
  expect(ISSUE_NUMBER.test("// fixed for #32")).toBe(true);
  expect(ISSUE_NUMBER.test("// cilium/cilium#45184 changed the errno")).toBe(false);
  expect(ISSUE_NUMBER.test("// &#38; is an entity")).toBe(false);
});
