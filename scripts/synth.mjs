// npm run synth: the build (skipped when no input changed: scripts/build.mjs), then the
// dev app's synth (dist/main.js), in this one process. A nested `npm run build` and a
// second node cost more than the synth itself when nothing changed (npm run bench).
import { createRequire } from "node:module";
import { build } from "./build.mjs";

try {
  await build();
} catch (err) {
  console.error(`build failed: ${err.message}`);
  process.exit(1);
}
process.exitCode = createRequire(import.meta.url)("../dist/main.js").main();
