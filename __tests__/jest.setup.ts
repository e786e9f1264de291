import type {} from "cdktf/lib/testing/adapters/jest"; // the matchers' types
import { removeTempDirs } from "./helpers/temp";

// cdktf's matchers: expect(synthesized).toHaveResourceWithProperties(Resource, { ... }). cdktf's
// Testing.setupJest registers them; it runs the first time a test uses one, so a file that never
// synthesizes (the path engine, the check's client) does not load cdktf for them.
type Matcher = (this: unknown, ...args: unknown[]) => unknown;
const CDKTF_MATCHERS = [
  "toHaveResource",
  "toHaveResourceWithProperties",
  "toHaveDataSource",
  "toHaveDataSourceWithProperties",
  "toHaveProvider",
  "toHaveProviderWithProperties",
  "toBeValidTerraform",
  "toPlanSuccessfully",
] as const;
let cdktfMatchers: Record<string, Matcher> | undefined;
const cdktfMatcher = (name: string): Matcher => {
  if (!cdktfMatchers) {
    const extend = expect.extend;
    expect.extend = (matchers) => {
      cdktfMatchers = matchers as Record<string, Matcher>;
    };
    try {
      (require("cdktf") as typeof import("cdktf")).Testing.setupJest();
    } finally {
      expect.extend = extend;
    }
  }
  const matcher = cdktfMatchers?.[name];
  if (!matcher) throw new Error(`cdktf's Testing.setupJest registers no ${name}`);
  return matcher;
};
expect.extend(
  Object.fromEntries(
    CDKTF_MATCHERS.map((name) => [
      name,
      function (this: unknown, ...args: unknown[]) {
        return cdktfMatcher(name).apply(this, args);
      },
    ]),
  ) as Parameters<typeof expect.extend>[0],
);

afterAll(() => removeTempDirs());

// Synth warnings (`warning: <construct path>: ...`, lib/shared/warn.ts) go to stderr, where
// jest would print each with a console frame. Tests that mean a warning assert it (through the
// construct's annotations, or a spy on process.stderr.write, which sees every write); the rest
// are not printed, so a run's output stays readable.
const write = process.stderr.write.bind(process.stderr);
process.stderr.write = ((chunk: unknown, ...rest: unknown[]) =>
  typeof chunk === "string" && chunk.startsWith("warning: ")
    ? true
    : (write as (...a: unknown[]) => boolean)(chunk, ...rest)) as typeof process.stderr.write;

// cdktf records where every token was created: a full stack trace, of unlimited
// depth, captured into a plain object (tokens/private/stack-trace.js). Under jest each
// frame of each would be mapped through source maps, which was the suite's largest
// cost after module loading; a passing test never shows these traces. So captures
// into anything but an Error are formatted plainly, as Node does outside jest, and hold the
// 20 frames nearest the token's creation (which name the test and the construct; the rest are
// jest's own, a hundred or so, and formatting them was most of what was left). Errors keep
// jest's source-mapped stacks.
const capture = Error.captureStackTrace;
const plain = (_target: object, frames: NodeJS.CallSite[]) => frames.map((f) => `\n    at ${f}`).join("");
Error.captureStackTrace = function captureStackTrace(target: object, below?: Parameters<typeof capture>[1]) {
  if (target instanceof Error) return capture(target, below ?? captureStackTrace);
  const previous = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  Error.prepareStackTrace = plain;
  Error.stackTraceLimit = Math.min(limit, 20);
  try {
    capture(target, below ?? captureStackTrace);
    void (target as { stack?: string }).stack; // formatted now, while the plain formatter is in place
  } finally {
    Error.prepareStackTrace = previous;
    Error.stackTraceLimit = limit;
  }
};
