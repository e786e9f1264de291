// Policy YAML is read as kubectl reads it: every plain scalar of the table below goes through the
// real sigs.k8s.io/yaml (v1.4.0, YAMLToJSON, which kubectl decodes with) in a small Go program, and
// through parsePolicyText; the JSON must be the same. Needs `go` (and the module, from the Go module
// proxy or its cache); reported as skipped, with a warning, where `go` is missing.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { parsePolicyText } from "../../lib/policies/load";
import { tempDir } from "../helpers/temp";

const goAvailable = spawnSync("go", ["version"], { encoding: "utf8" }).status === 0;
if (!goAvailable) console.warn("go is not installed: YAML parity with sigs.k8s.io/yaml is NOT tested here (skipped)");
const maybe = goAvailable ? test : test.skip;

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
  const dir = tempDir("yaml-parity-");
  writeFileSync(path.join(dir, "go.mod"), "module yamlparity\n\ngo 1.22\n\nrequire sigs.k8s.io/yaml v1.4.0\n");
  writeFileSync(
    path.join(dir, "main.go"),
    `package main

import (
\t"fmt"
\t"io"
\t"os"
\t"strings"

\t"sigs.k8s.io/yaml"
)

func main() {
\tin, _ := io.ReadAll(os.Stdin)
\tfor _, doc := range strings.Split(string(in), "\\n---\\n") {
\t\tout, err := yaml.YAMLToJSON([]byte(doc))
\t\tif err != nil {
\t\t\tfmt.Println("error")
\t\t\tcontinue
\t\t}
\t\tfmt.Println(string(out))
\t}
}
`,
  );
  const env = { ...process.env, GOFLAGS: "-mod=mod", GOWORK: "off" };
  const build = spawnSync("go", ["build", "-o", "parity", "."], { cwd: dir, encoding: "utf8", env });
  if (build.status !== 0) throw new Error(`go build failed:\n${build.stderr}`);
  const run = spawnSync(path.join(dir, "parity"), [], { input: docs.join("\n---\n"), encoding: "utf8" });
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
  if (goAvailable) kubectl = kubectlJson(SCALARS.map((s) => `v: ${s}`));
}, 120_000);

maybe.each(SCALARS.map((s, i) => [s, i]))("`v: %s` reads as kubectl reads it", (scalar, i) => {
  expect(ourJson(`v: ${scalar}`)).toBe(kubectl[i as number]);
});
