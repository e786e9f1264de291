// docs/api is generated from the TSDoc of every export (npm run docs): it must match the code.
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const root = path.resolve(__dirname, "..", "..");

test("docs/api is what npm run docs writes from the current TSDoc (no warning from API Extractor)", () => {
  const run = spawnSync(process.execPath, [path.join(root, "scripts", "api-docs.mjs"), "--check"], { cwd: root, encoding: "utf8" });
  expect(run.stderr).not.toMatch(/stale|Warning/);
  expect(run.status).toBe(0);
}, 60000);
