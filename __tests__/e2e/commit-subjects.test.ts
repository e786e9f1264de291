// scripts/commit-subjects.sh, which .ci/run and the workflow run first, refuses a commit
// subject over 72 characters after its floor and accepts one of exactly 72.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const SCRIPT = path.resolve(__dirname, "..", "..", "scripts", "commit-subjects.sh");
let repo: string;

function commit(subject: string): string {
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.invalid", ...args], { cwd: repo, encoding: "utf8" });
  git("commit", "-q", "--allow-empty", "-m", subject);
  return git("rev-parse", "HEAD").trim();
}

/** The script run on a copy of itself inside `repo`, so it checks that repository. */
function check(floor: string) {
  execFileSync("mkdir", ["-p", path.join(repo, "scripts")]);
  execFileSync("cp", [SCRIPT, path.join(repo, "scripts", "commit-subjects.sh")]);
  return spawnSync("bash", [path.join(repo, "scripts", "commit-subjects.sh"), floor], { encoding: "utf8" });
}

beforeEach(() => {
  repo = mkdtempSync(path.join(tmpdir(), "commit-subjects-"));
  execFileSync("git", ["init", "-q"], { cwd: repo });
});
afterEach(() => rmSync(repo, { recursive: true, force: true }));

test("a subject of 73 characters after the floor fails the check, named with its length", () => {
  const floor = commit("floor");
  commit("x".repeat(73));
  const run = check(floor);
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(/x{73} \(73 characters\)/);
});

test("subjects of 72 characters after the floor pass", () => {
  const floor = commit("floor");
  commit("y".repeat(72));
  expect(check(floor).status).toBe(0);
});

test("a long subject at or before the floor is history and is not checked", () => {
  const floor = commit("z".repeat(80));
  commit("short");
  expect(check(floor).status).toBe(0);
});
