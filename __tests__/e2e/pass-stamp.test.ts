// npm test's checks that only read files (Biome, jscpd) are not run again while nothing they read
// changed since their last pass (scripts/pass-stamp.mjs); a change, or a failed run, means they
// run. Driven here with a stand-in check over files in a temporary directory.
import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { tempDir } from "../helpers/temp";

const script = path.join(__dirname, "..", "..", "scripts", "pass-stamp.mjs");

/**
 * One call of unlessUnchanged over `dir`'s a.ts and b.ts, with a check that exits `exit`:
 * whether the check ran, and the code the caller got.
 */
function checkOnce(dir: string, exit: number): { ran: boolean; code: number } {
  const code = `
    const { digestOf, unlessUnchanged } = await import(${JSON.stringify(script)});
    const dir = ${JSON.stringify(dir)};
    let ran = false;
    const result = await unlessUnchanged(dir + "/stamp/passed", digestOf(dir, ["a.ts", "b.ts"]), "check", async () => {
      ran = true;
      return { code: ${exit}, output: "", what: "check" };
    });
    console.log(JSON.stringify({ ran, code: result.code }));`;
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8" });
  expect(run.stderr).toBe("");
  return JSON.parse(run.stdout);
}

function twoFiles(): string {
  const dir = tempDir("pass-stamp-");
  writeFileSync(path.join(dir, "a.ts"), "export const a = 1;\n");
  writeFileSync(path.join(dir, "b.ts"), "export const b = 2;\n");
  return dir;
}

test("after a pass, with nothing changed, the check is not run again", () => {
  const dir = twoFiles();
  expect(checkOnce(dir, 0)).toEqual({ ran: true, code: 0 });
  expect(checkOnce(dir, 0)).toEqual({ ran: false, code: 0 });
});

test("a changed file runs the check again, and its failure is the result", () => {
  const dir = twoFiles();
  checkOnce(dir, 0);
  writeFileSync(path.join(dir, "b.ts"), "export const b = 3;\n");
  expect(checkOnce(dir, 1)).toEqual({ ran: true, code: 1 });
});

test("a failed run leaves no stamp: the check runs again until it passes", () => {
  const dir = twoFiles();
  checkOnce(dir, 1);
  expect(checkOnce(dir, 1)).toEqual({ ran: true, code: 1 });
});

test("a file that goes missing counts as a change", () => {
  const dir = twoFiles();
  checkOnce(dir, 0);
  rmSync(path.join(dir, "a.ts"));
  expect(checkOnce(dir, 0).ran).toBe(true);
});
