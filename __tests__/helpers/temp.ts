/**
 * Temporary directories for tests, removed after each test file
 * (jest.setup.ts registers the afterAll). Everything a run creates in the temp
 * directory, cdktf's own Testing outdirs included, also lives under one
 * run-scoped directory that scripts/jest-global.js removes at the end.
 */
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const created: string[] = [];

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}
