// synthOrExit: a consumer app's one-line entry. A refusal reads as its message alone and
// exits 1, instead of an uncaught exception under a line of this package's compiled code.
import { TerraformStack } from "cdktf";
import { CiliumRelease, SynthError, synthOrExit } from "../../lib";
import { testApp } from "../helpers/synth";

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

test("a refusal while the app is built: its message alone on stderr, exit 1", () => {
  const run = captured(() =>
    synthOrExit(() => {
      const app = testApp();
      new CiliumRelease(new TerraformStack(app, "s"), "r", { version: "latest" });
      return app;
    }),
  );
  expect(run.exit).toBe(1);
  expect(run.stderr).toMatch(
    /^s\/r: 1 problem\(s\); nothing was synthesized:\n {2}- version "latest" is not an exact chart version; pin one, e\.g\. version: "[^"]+"\n$/,
  );
  expect(run.stderr).not.toMatch(/\bat |\.js:\d+/);
});

test("a refusal at synth: the same", () => {
  const app = {
    synth: () => {
      throw new SynthError("lab/cilium/policies", ["required path x is denied"]);
    },
  };
  const run = captured(() => synthOrExit(app));
  expect(run).toEqual({ exit: 1, stderr: "lab/cilium/policies: 1 problem(s); nothing was synthesized:\n  - required path x is denied\n" });
});

test("an app that synthesizes: nothing printed, no exit", () => {
  const app = testApp();
  new TerraformStack(app, "empty");
  expect(captured(() => synthOrExit(app))).toEqual({ stderr: "", exit: undefined });
});

test("any other error is a bug: thrown as it is, with its stack", () => {
  const app = {
    synth: () => {
      throw new TypeError("boom");
    },
  };
  expect(() => synthOrExit(app)).toThrow(TypeError);
});

test("a SynthError's stack is its message: no compiled frames", () => {
  const err = new SynthError("s/r", ["a problem"]);
  expect(err.stack).toBe(err.message);
});
