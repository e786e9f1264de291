// synthOrExit, a consumer app's one-line entry, and what a synth says it wrote: a refusal
// reads as its message alone and exits 1 (instead of an uncaught exception under a line of
// this package's compiled code), the previous output is not left to be applied, and a synth
// that succeeds says which files it wrote and what each stack's proof decided.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { App, TerraformStack } from "cdktf";
import { CiliumRelease, NetworkPolicies, RequiredPaths, SynthError, synthOrExit } from "../../lib";
import { policySetDirectory } from "../../lib/policies/sets";
import { tempDir } from "../helpers/temp";

/** Runs `fn` with process.exit and stderr captured; what was written and the exit code asked for. */
function captured(fn: () => void): { stderr: string; exit?: number } {
  let stderr = "";
  let exit: number | undefined;
  const write = jest.spyOn(process.stderr, "write").mockImplementation(((chunk: unknown) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write);
  const quit = jest.spyOn(process, "exit").mockImplementation(((code?: number) => {
    exit = code;
    throw new Error("exit");
  }) as typeof process.exit);
  try {
    fn();
  } catch (err) {
    if ((err as Error).message !== "exit") throw err;
  } finally {
    write.mockRestore();
    quit.mockRestore();
  }
  return { stderr, exit };
}

/** An output directory holding a previous synth's stack `lab`. */
function previousOutput(): string {
  const outdir = path.join(tempDir("out-"), "cdktf.out");
  mkdirSync(path.join(outdir, "stacks", "lab", ".terraform"), { recursive: true });
  writeFileSync(path.join(outdir, "stacks", "lab", "cdk.tf.json"), "{}");
  return outdir;
}

const app = (outdir = path.join(tempDir("out-"), "cdktf.out")) => new App({ outdir, skipValidation: true });

test("a refusal while the app is built: its message alone on stderr, exit 1; the default output directory's stale files removed", () => {
  // No app was returned: its output directory is the default one, CDKTF_OUTDIR's.
  const outdir = previousOutput();
  const before = process.env.CDKTF_OUTDIR;
  process.env.CDKTF_OUTDIR = outdir;
  let run: ReturnType<typeof captured>;
  try {
    run = captured(() =>
      synthOrExit(() => {
        const a = new App({ skipValidation: true });
        new CiliumRelease(new TerraformStack(a, "s"), "r", { version: "latest" });
        return a;
      }),
    );
  } finally {
    if (before === undefined) delete process.env.CDKTF_OUTDIR;
    else process.env.CDKTF_OUTDIR = before;
  }
  expect(run.exit).toBe(1);
  expect(run.stderr).toMatch(
    /^s\/r: 1 problem\(s\); nothing was synthesized:\n {2}- version "latest" is not an exact chart version; pin one, e\.g\. version: "[^"]+"\nthe previous output in .* was stale: .*\n$/,
  );
  expect(run.stderr).not.toMatch(/\bat |\.js:\d+/);
  expect(existsSync(path.join(outdir, "stacks", "lab", "cdk.tf.json"))).toBe(false);
});

test("a refusal at synth: the message alone, exit 1, and the previous output's cdk.tf.json removed, saying so", () => {
  const outdir = previousOutput();
  const refusing = {
    outdir,
    synth: () => {
      throw new SynthError("lab/cilium/policies", ["required path x is denied"]);
    },
  } as unknown as App;
  const run = captured(() => synthOrExit(refusing));
  expect(run.exit).toBe(1);
  expect(run.stderr.split("\n")).toEqual([
    "lab/cilium/policies: 1 problem(s); nothing was synthesized:",
    "  - required path x is denied",
    `the previous output in ${outdir} was stale: its cdk.tf.json (stacks lab) removed, so that terraform cannot apply it; fix the problem above and synth again`,
    "",
  ]);
  expect(existsSync(path.join(outdir, "stacks", "lab", "cdk.tf.json"))).toBe(false);
  expect(existsSync(path.join(outdir, "stacks", "lab", ".terraform"))).toBe(true); // providers and plans stay
});

test("a synth that succeeds says which files it wrote, and each stack's policies and proof", () => {
  const a = app();
  new TerraformStack(a, "empty");
  new NetworkPolicies(new TerraformStack(a, "lab"), "policies", {
    directories: [policySetDirectory("least-privilege")],
    requiredPaths: RequiredPaths.certManager(),
  });
  const run = captured(() => synthOrExit(a));
  expect(run.exit).toBeUndefined();
  expect(run.stderr.split("\n")).toEqual([
    `wrote ${path.join(a.outdir, "stacks", "empty", "cdk.tf.json")}`,
    expect.stringMatching(
      new RegExp(`^wrote ${a.outdir}/stacks/lab/cdk\\.tf\\.json \\((1 policy|\\d+ policies), 12 of 12 required paths proven\\)$`),
    ),
    "",
  ]);
});

test("any other error is a bug: thrown as it is, with its stack", () => {
  const broken = {
    synth: () => {
      throw new TypeError("boom");
    },
  } as unknown as App;
  expect(() => synthOrExit(broken)).toThrow(TypeError);
});

test("a SynthError's stack is its message: no compiled frames", () => {
  const err = new SynthError("s/r", ["a problem"]);
  expect(err.stack).toBe(err.message);
});
