// api/*.api.md records the public surface of both entries (cdktf-cilium, cdktf-cilium/testing):
// a change to an exported name or signature without `npm run api` fails here.
import { spawnSync } from "node:child_process";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { tempDir } from "../helpers/temp";

const root = path.resolve(__dirname, "..", "..");
const report = (...args: string[]) =>
  spawnSync(process.execPath, [path.join(root, "scripts", "api-report.mjs"), "--check", ...args], { cwd: root, encoding: "utf8" });

test("the checked-in API reports are what API Extractor reports for the build", () => {
  const run = report();
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
}, 60000);

test("a report that lacks an exported name is refused, naming the report and the script that updates it", () => {
  const dir = tempDir("api-report-");
  cpSync(path.join(root, "api"), dir, { recursive: true });
  const file = path.join(dir, "cdktf-cilium.api.md");
  const text = readFileSync(file, "utf8");
  const without = text.replace(/^\/\/ @public\nexport function synthOrExit\(.*\n/m, "");
  expect(without).not.toBe(text);
  writeFileSync(file, without);
  const run = report("--reports", dir);
  expect(run.stderr).toMatch(/cdktf-cilium\.api\.md: the public API changed without its report; run `npm run api`/);
  expect(run.status).toBe(1);
}, 60000);

test("the main entry exports fewer than 45 names", () => {
  const names = readFileSync(path.join(root, "api", "cdktf-cilium.api.md"), "utf8").match(/^export (?:declare )?\w+ \w+/gm) ?? [];
  expect(names.length).toBeGreaterThan(0);
  expect(names.length).toBeLessThan(45);
});
