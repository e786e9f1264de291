// The duplicate-code check of `npm run lint` (jscpd with .jscpd.json: lib/, 6 lines or more):
// clean on lib/, and it fails on a copy (a negative control, so the clean result means something).
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { tempDir } from "../helpers/temp";

const root = path.resolve(__dirname, "..", "..");
const jscpd = (cwd: string) =>
  spawnSync(process.execPath, [path.join(root, "node_modules", "jscpd", "bin", "jscpd"), "--silent"], { cwd, encoding: "utf8" });

test("lib/ has no duplicated run of 6 lines or more", () => {
  const run = jscpd(root);
  expect(run.stdout).toMatch(/Found \S*0\S* exact clones/);
  expect(run.status).toBe(0);
});

test("a copied function in lib/ fails the check", () => {
  const dir = tempDir("jscpd-");
  copyFileSync(path.join(root, ".jscpd.json"), path.join(dir, ".jscpd.json"));
  const body = Array.from({ length: 8 }, (_, i) => `  const v${i} = input.map((x) => x * ${i + 2}).filter((x) => x > ${i});`).join("\n");
  const fn = (name: string) => `export function ${name}(input: number[]): number {\n${body}\n  return v7.length;\n}\n`;
  const lib = path.join(dir, "lib");
  mkdirSync(lib);
  writeFileSync(path.join(lib, "a.ts"), fn("a"));
  writeFileSync(path.join(lib, "b.ts"), fn("b"));
  const run = jscpd(dir);
  expect(run.stdout).toMatch(/Found \S*1\S* exact clones/);
  expect(run.status).toBe(1);
});
