/**
 * webhook-check: exits 0 when kube-apiserver can call the cert-manager webhook,
 * 1 when it cannot by the deadline, 2 on a usage or configuration error
 * (returned at once, never retried); bin.ts turns SIGINT/SIGTERM into 130/143.
 * Everything printed passes through the redactor: no token, password, key or
 * certificate from the kubeconfig or an exec plugin ever reaches stdout or stderr.
 */
import { CredentialSource, killPlugins, redact } from "../kube/credentials";
import { closeConnections, type KubeTarget, targetFor } from "../kube/http";
import { ConfigError, resolveKubeconfig } from "../kube/kubeconfig";
import { type CheckOptions, parseCheckArgs, USAGE, UsageError } from "../settings";
import { type Clock, formatReport, runCheck, SYSTEM_CLOCK } from "./attempts";

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** `clock`: where the retry loop gets the time and how it waits (a fake one in tests). */
export async function main(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: Io,
  signal?: AbortSignal,
  clock: Clock = SYSTEM_CLOCK,
): Promise<number> {
  const started = clock.now();
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
  let secrets: string[] = [];
  const out = (text: string) => io.out(redact(text, secrets));
  const err = (text: string) => io.err(redact(text, secrets));
  const configError = (e: ConfigError) => {
    err(`webhook-check: configuration error: ${e.message}\n`);
    if (options.json) out(`${JSON.stringify({ ok: false, exitCode: 2, error: e.message })}\n`);
    return 2;
  };
  let target: KubeTarget | undefined;
  try {
    const kc = resolveKubeconfig(options.kubeconfig, options.context);
    const credentials = new CredentialSource(kc);
    secrets = credentials.secrets;
    target = targetFor(kc, credentials, env, clock);
    const via = target.proxy ? ` through proxy ${target.proxy.host}` : "";
    err(
      `webhook-check: checking kube-apiserver -> ${options.namespace}/${options.service}:${options.port} via ${target.server.href}${via} (deadline ${options.timeout}s)\n`,
    );
    const report = await runCheck(target, options, started, (line) => err(`webhook-check: ${line}\n`), clock, signal);
    const exitCode = report.ok ? 0 : 1;
    if (options.json) out(`${JSON.stringify({ ...report, exitCode }, null, 2)}\n`);
    else out(`${formatReport(report)}\n`);
    return exitCode;
  } catch (e) {
    if (e instanceof ConfigError) return configError(e);
    throw e;
  } finally {
    killPlugins();
    if (target) closeConnections(target);
  }
}
