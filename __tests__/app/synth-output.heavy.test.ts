import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { inspect } from "node:util";
import { TerraformStack } from "cdktf";
import { CiliumRelease, PolicyValidationError, SynthError } from "../../lib";
import { buildApp, main } from "../../main";
import { testApp, warningsOf } from "../helpers/synth";
import { tempDir } from "../helpers/temp";

// Refusals and warnings printed once. The same as a process, with
// Node's own report of an uncaught error, is e2e/dev-stack-synth.test.ts.

function captureStderr<T>(run: () => T): { result: T; stderr: string } {
  const spy = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
  try {
    const result = run();
    return { result, stderr: spy.mock.calls.map((c) => String(c[0])).join("") };
  } finally {
    spy.mockRestore();
  }
}

describe("a SynthError is its message: no stack frames, and no enumerable data that Node would print a second time", () => {
  const refusal = (): SynthError => {
    try {
      new CiliumRelease(new TerraformStack(testApp(), "s"), "r", { version: "^1" });
    } catch (e) {
      return e as SynthError;
    }
    throw new Error("not refused");
  };
  const policy = () => new PolicyValidationError([{ file: "f.yaml", document: 1, field: "spec", message: "bad" }], "s/p");

  test("a refused prop throws a SynthError naming the construct path", () => {
    const e = refusal();
    expect({ synthError: e instanceof SynthError, constructPath: e.constructPath, lines: e.lines.length }).toEqual({
      synthError: true,
      constructPath: "s/r",
      lines: 1,
    });
  });

  test("its stack is its message", () => {
    const e = refusal();
    expect(e.stack).toBe(e.message);
  });

  test.each([
    ["SynthError", refusal],
    ["PolicyValidationError", policy],
  ])("a %s has no enumerable keys", (_kind, make) => {
    expect(Object.keys(make())).toEqual([]);
  });

  test("printed by Node, its line appears once and no frame follows", () => {
    const e = refusal();
    const printed = inspect(e);
    expect({ times: printed.split(e.lines[0]).length - 1, frames: /^\s+at /m.test(printed) }).toEqual({ times: 1, frames: false });
  });

  test("a PolicyValidationError printed by Node names its one problem once", () => {
    const e = policy();
    expect({ problems: e.problems.length, times: inspect(e).split("f.yaml (document 1) spec: bad").length - 1 }).toEqual({
      problems: 1,
      times: 1,
    });
  });
});

test("main() prints a refusal once, as its message, and returns exit code 1; nothing is synthesized", () => {
  const outdir = path.join(tempDir("main-"), "cdktf.out");
  const { result, stderr } = captureStderr(() => main({ CILIUM_POLICY_SET: "allow-everything" }, outdir));
  expect(result).toBe(1);
  expect(stderr).toBe(
    'dev/cilium: 1 problem(s); nothing was synthesized:\n  - policySet "allow-everything" is not a shipped policy set; use one of allow-all, least-privilege\n',
  );
  // cdktf creates empty output directories up front; not one file may follow.
  const files = existsSync(outdir) ? readdirSync(outdir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()) : [];
  expect(files).toEqual([]);
});

test("main() synthesizes and says which files it wrote, then one line per environment", () => {
  const outdir = path.join(tempDir("main-"), "cdktf.out");
  const { result, stderr } = captureStderr(() => main({}, outdir));
  expect(result).toBe(0);
  expect(stderr.split("\n")).toEqual([
    `wrote ${path.join(outdir, "stacks", "dev-cilium", "cdk.tf.json")}`,
    `wrote ${path.join(outdir, "stacks", "dev", "cdk.tf.json")} (2 policies, 12 of 12 required paths proven)`,
    expect.stringMatching(/^dev: 2 policies from /),
    expect.stringMatching(/^prod: not synthesized: set KUBE_CONTEXT_PROD/),
    "",
  ]);
});

test("a refused synth removes the previous output's cdk.tf.json and says so: terraform cannot apply stale output", () => {
  const outdir = path.join(tempDir("main-"), "cdktf.out");
  expect(captureStderr(() => main({}, outdir)).result).toBe(0);
  const { result, stderr } = captureStderr(() => main({ CILIUM_POLICY_SET: "allow-everything" }, outdir));
  expect(result).toBe(1);
  expect(stderr).toMatch(
    /\nthe previous output in .*cdktf\.out was stale: its cdk\.tf\.json \(stacks dev, dev-cilium\) removed, so that terraform cannot apply it; fix the problem above and synth again\n$/,
  );
  for (const stack of ["dev", "dev-cilium"]) expect(existsSync(path.join(outdir, "stacks", stack, "cdk.tf.json"))).toBe(false);
});

test("a kubeconfig path that does not exist at synth is a warning naming the variable it came from, once for both stacks", () => {
  const missing = path.join(tempDir("kube-"), "no-such-config");
  const { result, stderr } = captureStderr(() => buildApp({ KUBECONFIG: missing }, path.join(tempDir("out-"), "cdktf.out")));
  const warnings = warningsOf(result.app);
  expect(warnings).toEqual([
    `dev-cilium/cilium/providers: kubeconfig ${missing} (from KUBECONFIG) does not exist at synth (looked for ${missing}); fix KUBECONFIG, or ignore this if apply runs where it exists`,
  ]);
  expect(stderr).toBe(`warning: ${warnings[0]}\n`);
  // A path that exists, and the default ~/.kube/config, say nothing.
  const quiet = captureStderr(() => buildApp({ KUBECONFIG: __filename }, path.join(tempDir("out-"), "cdktf.out")));
  expect(warningsOf(quiet.result.app)).toEqual([]);
  expect(quiet.stderr).toBe("");
});

test("main() with --reachability also writes stacks/dev/reachability.json; without it, none", () => {
  const outdir = path.join(tempDir("main-"), "cdktf.out");
  const { result } = captureStderr(() => main({}, outdir, ["--reachability"]));
  expect(result).toBe(0);
  const text = readFileSync(path.join(outdir, "stacks", "dev", "reachability.json"), "utf8");
  expect(JSON.parse(text).pairs).toContainEqual({
    from: "world",
    to: "cert-manager/",
    protocol: "TCP",
    ports: [1, 65535],
    verdict: "allowed",
    policy: "NetworkPolicy/cert-manager/allow-all-ingress",
  });
  const plain = path.join(tempDir("main-"), "cdktf.out");
  captureStderr(() => main({}, plain));
  expect(existsSync(path.join(plain, "stacks", "dev", "reachability.json"))).toBe(false);
});

test("main() refuses an argument it does not know, with exit code 1", () => {
  const outdir = path.join(tempDir("main-"), "cdktf.out");
  const { result, stderr } = captureStderr(() => main({}, outdir, ["--reachabilty"]));
  expect(result).toBe(1);
  expect(stderr).toBe('npm run synth: unknown argument "--reachabilty" (the one flag is --reachability)\n');
});
