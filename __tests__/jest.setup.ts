import { removeTempDirs } from "./helpers/temp";

afterAll(() => removeTempDirs());

// cdktf records where every token was created: a full stack trace, of unlimited
// depth, captured into a plain object (tokens/private/stack-trace.js). Under jest each
// frame of each would be mapped through source maps, which was the suite's largest
// cost after module loading; a passing test never shows these traces. So captures
// into anything but an Error are formatted plainly, as Node does outside jest. Errors
// keep jest's source-mapped stacks.
const capture = Error.captureStackTrace;
const plain = (_target: object, frames: NodeJS.CallSite[]) => frames.map((f) => `\n    at ${f}`).join("");
Error.captureStackTrace = function captureStackTrace(target: object, below?: Parameters<typeof capture>[1]) {
  if (target instanceof Error) return capture(target, below ?? captureStackTrace);
  const previous = Error.prepareStackTrace;
  Error.prepareStackTrace = plain;
  try {
    capture(target, below ?? captureStackTrace);
    void (target as { stack?: string }).stack; // formatted now, while the plain formatter is in place
  } finally {
    Error.prepareStackTrace = previous;
  }
};
