#!/usr/bin/env node
/**
 * The check's process entry, what the bundle runs under plain `node`: it owns only what a
 * process owns (arguments, environment, stdout/stderr, signals, the exit code) and hands
 * everything else to main() in cli.ts, so the CLI stays testable in-process.
 */
import { killPlugins } from "../kube/credentials";
import { main } from "./cli";

// SIGINT/SIGTERM stop the check: plugins are killed with their process groups, the
// report of what was known is printed (JSON with --json), and the exit code is
// 130/143, as a shell reports a process ended by those signals.
const EXIT_ON: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };
const controller = new AbortController();
let interrupted: string | undefined;
for (const sig of Object.keys(EXIT_ON)) {
  process.on(sig, () => {
    if (interrupted) return;
    interrupted = sig;
    killPlugins();
    controller.abort(sig);
  });
}

main(
  process.argv.slice(2),
  process.env,
  { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) },
  controller.signal,
).then(
  (code) => {
    const final = interrupted ? (EXIT_ON[interrupted] ?? code) : code;
    process.exitCode = final;
    // Nothing may keep the process past the report (keep-alive sockets, plugins).
    setImmediate(() => process.exit(final)).unref();
  },
  (err: unknown) => {
    killPlugins();
    process.stderr.write(`webhook-check: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
