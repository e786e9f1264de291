// npm run build: a clean dist/ with the tsc output (JS + .d.ts of lib/ and main.ts)
// and the esbuild bundles (scripts/bundle.mjs). They are independent and run side by
// side. With --check (npm test) the strict type-check of everything, tests included
// (tsc --noEmit -p tsconfig.json), runs beside them too.
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { bundle } from "./bundle.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
rmSync(path.join(root, "dist"), { recursive: true, force: true });

const tsc = (...args) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, "node_modules", "typescript", "bin", "tsc"), ...args], {
      cwd: root,
      stdio: "inherit",
    });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`tsc ${args.join(" ")} exited with ${code}`))));
  });
const typecheck = process.argv.includes("--check") ? [tsc("--noEmit", "-p", "tsconfig.json")] : [];
try {
  await Promise.all([tsc("-p", "tsconfig.build.json"), bundle(), ...typecheck]);
} catch (err) {
  console.error(`build failed: ${err.message}`);
  process.exit(1);
}
