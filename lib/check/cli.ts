/**
 * webhook-check: exits 0 when kube-apiserver can call the cert-manager webhook,
 * 1 when it cannot by the deadline, 2 on a usage or configuration error
 * (returned at once, never retried).
 */
import { ConfigError, type KubeTarget, loadKubeConfig, resolveTarget } from "./kube";
import { type CheckOptions, parseCheckArgs, USAGE, UsageError } from "./options";
import { formatReport, runCheck } from "./run";

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

function beforeDeadline<T>(work: Promise<T>, deadline: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish before the deadline`)), Math.max(0, deadline - Date.now()));
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const started = Date.now();
  let options: CheckOptions;
  try {
    const parsed = parseCheckArgs(argv, env);
    if (parsed === "help") {
      io.out(USAGE);
      return 0;
    }
    options = parsed;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`webhook-check: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  const deadline = started + options.timeout * 1000;
  let target: KubeTarget;
  try {
    target = await beforeDeadline(
      resolveTarget(loadKubeConfig(options.kubeconfig, options.context)),
      deadline,
      "loading the kubeconfig credentials",
    );
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`webhook-check: configuration error: ${err.message}\n`);
      if (options.json) io.out(`${JSON.stringify({ ok: false, exitCode: 2, error: err.message })}\n`);
      return 2;
    }
    io.err(`webhook-check: ${(err as Error).message}\n`);
    return 1;
  }
  io.err(
    `webhook-check: checking kube-apiserver -> ${options.namespace}/${options.service}:${options.port} via ${target.server.origin} (deadline ${options.timeout}s)\n`,
  );
  const report = await runCheck(target, options, started, (line) => io.err(`webhook-check: ${line}\n`));
  const exitCode = report.ok ? 0 : 1;
  if (options.json) io.out(`${JSON.stringify({ ...report, exitCode }, null, 2)}\n`);
  else io.out(`${formatReport(report)}\n`);
  return exitCode;
}
