// Every file of lib/ opens with a comment saying what it owns (CONTRIBUTING.md, "Layout"): after
// an optional `#!` line, the first line is a comment.
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

const LIB = path.resolve(__dirname, "..", "..", "lib");

/**
 * Files of folders other work is reorganizing, whose headers come with it: each leaves this list
 * when it gets its header (the last test says when).
 */
const PENDING = new Set([
  "platform/cilium-platform.ts",
  "platform/cluster-providers.ts",
  "proof/required-paths.ts",
  "webhook-check/runner/bin.ts",
  "webhook-check/webhook-check.ts",
]);

/** Whether `source` opens with a comment (after an optional `#!` line and blank lines). */
function opensWithComment(source: string): boolean {
  const body = source.replace(/^#!.*\n/, "").trimStart();
  return body.startsWith("//") || body.startsWith("/*");
}

function libFiles(): string[] {
  return readdirSync(LIB, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => path.relative(LIB, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .filter((f) => !f.startsWith("policies/vendor/"))
    .sort();
}

test("every file of lib/ opens with a header comment", () => {
  const without = libFiles().filter((f) => !PENDING.has(f) && !opensWithComment(readFileSync(path.join(LIB, f), "utf8")));
  expect(without).toEqual([]);
});

test("a file that opens with code is found; a shebang line before the comment is allowed (the negative control)", () => {
  expect(opensWithComment('import * as path from "node:path";\n// a comment after the code\n')).toBe(false);
  expect(opensWithComment("#!/usr/bin/env node\n/** The CLI's entry. */\n")).toBe(true);
});

test("every file still listed as pending still lacks its header (remove it from PENDING once it has one)", () => {
  expect([...PENDING].filter((f) => opensWithComment(readFileSync(path.join(LIB, f), "utf8")))).toEqual([]);
});
