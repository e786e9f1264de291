/**
 * Runs the shipped check bundle (dist/check/webhook-check.js) as terraform does:
 * `node <bundle>`, a clean environment, no stdin. At most MAX_PARALLEL (3) runs at a
 * time, each with its own HOME that is removed afterwards; killAll() ends any
 * process a failed test left behind.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { CHECK_BUNDLE } from "../../lib/shared/package-paths";
import { type JsonReport, main } from "../../lib/webhook-check/runner/cli";
import { FakeClock } from "./fake-clock";
import { tempDir } from "./temp";

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time of the whole process, start-up included. */
  ms: number;
  /** stdout parsed as the --json report; reading it when stdout is not JSON throws with stdout. */
  readonly report: JsonReport;
}

/** stdout as the --json report, read when a test asks for it: a run that printed no JSON fails that test with what it printed. */
function reportOf(stdout: string): () => JsonReport {
  return () => {
    try {
      return JSON.parse(stdout) as JsonReport;
    } catch {
      throw new Error(`the check printed no JSON report on stdout:\n${stdout}`);
    }
  };
}

const MAX_PARALLEL = 3;
let running = 0;
const waiting: Array<() => void> = [];
const children = new Set<ChildProcess>();

async function slot(): Promise<() => void> {
  if (running >= MAX_PARALLEL) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  return () => {
    running--;
    waiting.shift()?.();
  };
}

/** `signal`: send it once stderr shows the check has started (its "checking" line). */
export async function runCli(args: string[], env: Record<string, string> = {}, signal?: NodeJS.Signals): Promise<CliRun> {
  if (!existsSync(CHECK_BUNDLE)) throw new Error(`${CHECK_BUNDLE} is missing: run \`npm run build\` (npm test does)`);
  const release = await slot();
  const home = tempDir("webhook-check-home-");
  try {
    return await new Promise<CliRun>((resolve, reject) => {
      const started = Date.now();
      const child = spawn(process.execPath, [CHECK_BUNDLE, ...args], {
        env: { PATH: process.env.PATH ?? "", HOME: home, ...env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      children.add(child);
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => {
        stdout += d;
      });
      let signalled = false;
      child.stderr.on("data", (d) => {
        stderr += d;
        if (signal && !signalled && stderr.includes("checking kube-apiserver")) {
          signalled = true;
          setTimeout(() => child.kill(signal), 200);
        }
      });
      child.on("error", reject);
      child.on("close", (code, signal) => {
        children.delete(child);
        const report = reportOf(stdout);
        resolve({
          code,
          signal,
          stdout,
          stderr,
          ms: Date.now() - started,
          get report() {
            return report();
          },
        });
      });
    });
  } finally {
    rmSync(home, { recursive: true, force: true });
    release();
  }
}

/**
 * The wall time this machine needs, now, for one run of the shipped check that passes at
 * its first attempt (start-up, one attempt, exit): what the end-to-end bounds on the
 * deadline allow beyond it, measured in the same run instead of guessed, so a busy machine
 * widens them. Run it where nothing else of the file runs at the same time.
 */
export async function measureOneRun(kubeconfig: string): Promise<number> {
  const run = await runCli(["--json", "--kubeconfig", kubeconfig]);
  if (run.code !== 0) throw new Error(`the healthy run to measure failed (${run.code}): ${run.stderr}`);
  return run.ms;
}

/** Kills every check process still running (a test that failed half-way). */
export function killAll(): void {
  for (const child of children) child.kill("SIGKILL");
  children.clear();
}

/**
 * A SIGKILLed process group: starts the shipped bundle as the leader of its own process
 * group (as a CI job or `timeout -s KILL` runs it), waits until `ready()` says the state
 * to kill in has been reached, then SIGKILLs the whole group at once; resolves when
 * the check is gone. Nothing of the check can react: only what the kernel does holds.
 */
export async function killCheckGroup(args: string[], env: Record<string, string>, ready: () => boolean): Promise<void> {
  if (!existsSync(CHECK_BUNDLE)) throw new Error(`${CHECK_BUNDLE} is missing: run \`npm run build\``);
  const home = tempDir("webhook-check-home-");
  const child = spawn(process.execPath, [CHECK_BUNDLE, ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: home, ...env },
    stdio: "ignore",
    detached: true,
  });
  children.add(child);
  const gone = new Promise<void>((resolve) => child.on("close", () => resolve()));
  try {
    for (let waited = 0; !ready(); waited += 50) {
      if (waited > 15_000) throw new Error("the check never reached the state to kill it in");
      await new Promise((r) => setTimeout(r, 50));
    }
    if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    await gone;
  } finally {
    children.delete(child);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * The check's CLI in-process (`main`), its retry loop on a fake clock, so waiting for a deadline
 * takes no real time; stdout, stderr, the parsed JSON report (when stdout is JSON) and the clock.
 */
export async function runMainInProcess(argv: string[], env: Record<string, string | undefined>) {
  let out = "";
  let err = "";
  const clock = new FakeClock(Date.now());
  const code = await main(
    argv,
    env,
    {
      out: (t) => {
        out += t;
      },
      err: (t) => {
        err += t;
      },
    },
    undefined,
    clock,
  );
  const report = reportOf(out);
  return {
    code,
    out,
    err,
    clock,
    /** stdout parsed as the --json report (throws with stdout when it is not JSON). */
    get report() {
      return report();
    },
  };
}
