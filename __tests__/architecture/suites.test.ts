// `npm test` stays fast and independent of the machine's speed: none of the files it runs
// starts a server, runs a process or waits on real time. Those are `npm run test:e2e`
// (__tests__/e2e/ and `*.e2e.test.ts` beside the capability they test), as is heavy
// in-process work (`*.heavy.test.ts`).
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const unit = require(path.join(ROOT, "jest.config.js"));
const e2e = require(path.join(ROOT, "jest.e2e.config.js"));

const testFiles = readdirSync(path.join(ROOT, "__tests__"), { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".test.ts"))
  .map((f) => `/${path.join("__tests__", f).split(path.sep).join("/")}`);
const ignoredBy = (config: { testPathIgnorePatterns: string[] }, file: string) =>
  config.testPathIgnorePatterns.some((p) => new RegExp(p).test(file));
const inUnitSuite = testFiles.filter((f) => !ignoredBy(unit, f));

/** What starts a server, runs the shipped check or another process, or waits on the system's clock. */
const SLOW = [
  /\b(standIns|kubeconfigBench|closedPortUrl)\(/,
  /\bstart\w*(Server|Proxy)\(/,
  /\bcreateServer\(/,
  /\brunCli\(/,
  /\bkillCheckGroup\(/,
  /\bsetTimeout\(/,
  /\b(spawn|spawnSync|execSync|execFile|execFileSync)\(/,
];

test.each(inUnitSuite)("%s starts no server or process and waits on no real time", (file) => {
  const text = readFileSync(path.join(ROOT, file), "utf8");
  expect(SLOW.filter((p) => p.test(text)).map(String)).toEqual([]);
});

test.each([".e2e.test.ts", ".heavy.test.ts"])("every *%s is left to test:e2e, and test:e2e runs it", (suffix) => {
  const moved = testFiles.filter((f) => f.endsWith(suffix));
  expect(moved.length).toBeGreaterThan(0);
  for (const file of moved) {
    expect(inUnitSuite).not.toContain(file);
    expect(ignoredBy(e2e, file)).toBe(false);
    expect(e2e.testMatch.some((glob: string) => path.matchesGlob(file.slice(1), glob))).toBe(true);
  }
});

test("npm test's global setup starts no process: the stand-in servers' PKI is made for test:e2e only", async () => {
  const childProcess = require("node:child_process");
  // Every asynchronous child (spawn, exec, execFile and their promisified forms) starts through
  // ChildProcess.prototype.spawn; the synchronous ones through spawnSync.
  const spies = [jest.spyOn(childProcess.ChildProcess.prototype, "spawn"), jest.spyOn(childProcess, "spawnSync")];
  const saved = { TMPDIR: process.env.TMPDIR, CDKTF_CILIUM_TEST_TMPDIR: process.env.CDKTF_CILIUM_TEST_TMPDIR };
  const setup = require(unit.globalSetup.replace("<rootDir>", ROOT)) as () => Promise<void>;
  const teardown = require(unit.globalTeardown.replace("<rootDir>", ROOT)) as () => void;
  let started: number[];
  try {
    await setup();
  } finally {
    started = spies.map((spy) => spy.mock.calls.length);
    teardown();
    for (const [key, value] of Object.entries(saved)) process.env[key] = value;
    for (const spy of spies) spy.mockRestore();
  }
  expect(started).toEqual([0, 0]);
});
