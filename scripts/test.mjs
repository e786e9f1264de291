// npm test: the build (skipped when no input changed), then jest beside the strict
// type-check (tsc --noEmit) and Biome's lint and format check, so the checks use the
// cores jest leaves idle while it starts and finishes (they run at a lower priority:
// jest's workers come first). The checks' output is held back
// and printed after jest's, never in the middle of it. Exit code: jest's, or 1 when a
// check failed. Arguments go to jest (`npm test -- -t name`).
import { build, lint, runNode, typeCheck } from "./build.mjs";

try {
  await build();
} catch (err) {
  console.error(`build failed: ${err.message}`);
  process.exit(1);
}
const [jest, ...checks] = await Promise.all([
  runNode("node_modules/jest/bin/jest.js", process.argv.slice(2)),
  typeCheck(true, true),
  lint(true, true),
]);
let failed = false;
for (const check of checks) {
  if (check.code === 0) continue;
  failed = true;
  process.stderr.write(`\n${check.output}\n${check.what} exited with ${check.code}\n`);
}
process.exit(jest.code !== 0 ? jest.code || 1 : failed ? 1 : 0);
