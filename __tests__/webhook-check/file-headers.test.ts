// Every file of lib/webhook-check/ opens with a comment that says what it owns, and its
// comments cite sources by repository rather than by this project's issue numbers.
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..", "lib", "webhook-check");
const FILES = readdirSync(ROOT, { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".ts"))
  .sort();

/** The file's text after an optional shebang line. */
const body = (file: string) => readFileSync(path.join(ROOT, file), "utf8").replace(/^#!.*\n/, "");

/** A header: a comment before the first statement. */
const hasHeader = (text: string) => /^\s*(\/\*\*|\/\/)/.test(text);

/** `#123` or `issue 123` not preceded by a repository (`owner/repo#123` names an upstream source). */
const issueReference = (text: string) => /(?<![\w.-]+\/[\w.-]+|\w)#\d{2,}\b|\bissues? \d+\b/i.exec(text)?.[0];

test.each(FILES)("%s opens with a header comment", (file) => {
  expect(hasHeader(body(file))).toBe(true);
});

test.each(FILES)("%s names no issue of this project", (file) => {
  expect(issueReference(body(file))).toBeUndefined();
});

test("a file that opens with code has no header; a bare issue number is found (negative controls)", () => {
  expect(hasHeader('import { x } from "./x";\n/** later */\n')).toBe(false);
  expect(issueReference("// fixed for #32")).toBe("#32");
  expect(issueReference("// cilium/cilium#45184 changed the errno")).toBeUndefined();
  expect(issueReference("// a PKCS#10 request")).toBeUndefined();
});
