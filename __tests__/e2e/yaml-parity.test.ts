// Policy YAML is read as kubectl reads it: every plain scalar of the table below goes through the
// real sigs.k8s.io/yaml (YAMLToJSON, which kubectl decodes with; the version k8s.io/kubectl
// v0.35.4 requires) in a small Go program, test/yaml-parity/, and through parsePolicyText; the
// JSON must be the same. The program is built once into a cache outside the repository
// (scripts/go-tool.mjs). Where `go` is missing the tests say so and are skipped, except under
// CI=true, where they fail.
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { parsePolicyText } from "../../lib/policies/load";

const root = path.resolve(__dirname, "../..");
const goMissing = spawnSync("go", ["version"], { encoding: "utf8" }).status !== 0;
const ci = process.env.CI === "true";
if (goMissing && !ci) console.warn("go is not installed: YAML parity with sigs.k8s.io/yaml is NOT tested here (skipped)");
const maybe = goMissing && !ci ? test.skip : test;

const SCALARS = [
  // ints: Go's strconv.ParseInt(s, 0, 64) after removing "_", as go-yaml v2 resolves them
  ...["0", "-0", "+12", "017", "08", "0o17", "0O1_7", "-0o7", "0x1F", "0X1f", "+0x1F", "0x_1F", "0b101", "0B101", "-0b11"],
  ...["0b1_1", "1_000", "1__0", "+1_0", "_1", "1_", "0x", "0o", "0b", "0755"],
  // (Ints beyond 2^53 lose precision in JavaScript; no policy field holds one.)
  // base 60, floats and special floats
  ...["1:20", "1:2:3", "190:20:30.15", "1.10", "1e3", "1E3", "1.5e3", "0.5e+3", "12e", "e5", ".e5", "+.5", "-.5", "09.5"],
  ...["0.", ".", "-.", "+.", "._", ".nan", ".NaN", "-.inf"],
  // booleans, null, timestamps, strings that look like something else
  ...["y", "n", "yes", "No", "ON", "off", "true", "False", "~", "null", "Null", "2001-12-14", "2001-12-14t21:59:43.10-05:00"],
  ...["1.2.3", "0x1G", "https", "-"],
];

function kubectlJson(docs: string[]): string[] {
  const build = spawnSync(process.execPath, [path.join(root, "scripts/go-tool.mjs"), "test/yaml-parity"], { cwd: root, encoding: "utf8" });
  if (build.status !== 0) throw new Error(`building test/yaml-parity failed:\n${build.stderr}`);
  const run = spawnSync(build.stdout.trim(), [], { input: docs.join("\n---\n"), encoding: "utf8" });
  if (run.status !== 0) throw new Error(`yaml-parity failed:\n${run.stderr}`);
  return run.stdout.trimEnd().split("\n");
}

function ourJson(doc: string): string {
  const { documents, problems } = parsePolicyText(doc, "parity.yaml");
  if (problems.length > 0) return "error";
  // JSON cannot hold NaN or Infinity: kubectl refuses them (json: unsupported value), so here too.
  const value = documents[0]?.value as { v: unknown };
  return typeof value.v === "number" && !Number.isFinite(value.v) ? "error" : JSON.stringify(value);
}

let kubectl: string[] = [];
beforeAll(() => {
  if (goMissing && ci) throw new Error("go is not installed: YAML parity with sigs.k8s.io/yaml cannot be tested; CI=true, so this fails");
  if (!goMissing) kubectl = kubectlJson(SCALARS.map((s) => `v: ${s}`));
}, 300_000);

maybe.each(SCALARS.map((s, i) => [s, i]))("`v: %s` reads as kubectl reads it", (scalar, i) => {
  expect(ourJson(`v: ${scalar}`)).toBe(kubectl[i as number]);
});
