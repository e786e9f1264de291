// A machine without terraform cannot pass the suites: the tests that need it fail with that
// message instead of being skipped. Jest runs a fixture test with PATH less every directory that
// holds terraform.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";

const root = path.resolve(__dirname, "../..");
const pathWithoutTerraform = (process.env.PATH ?? "")
  .split(path.delimiter)
  .filter((dir) => dir !== "" && !existsSync(path.join(dir, "terraform")))
  .join(path.delimiter);

test("a test that needs terraform fails, naming it, where terraform is not on PATH", () => {
  const run = spawnSync(
    process.execPath,
    [
      path.join(root, "node_modules/jest/bin/jest.js"),
      "-c",
      "jest.e2e.config.js",
      "--testMatch",
      "**/__tests__/fixtures/needs-terraform/*.fixture.ts",
      "--reporters",
      "default",
    ],
    { cwd: root, encoding: "utf8", env: { ...process.env, PATH: pathWithoutTerraform } },
  );
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(/terraform is not installed \(not on PATH\): the fixture's terraform run needs it/);
  expect(run.stderr).toMatch(/Tests: {7}1 failed, 1 total/);
});
