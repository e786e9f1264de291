/**
 * webhook-check: exits 0 when kube-apiserver can call the cert-manager webhook,
 * 1 when it cannot by the deadline, 2 on a usage or configuration error
 * (returned at once, never retried); bin.ts turns SIGINT/SIGTERM into 130/143.
 * Everything printed passes through the redactor: no token, password, key or
 * certificate from the kubeconfig or an exec plugin ever reaches stdout or stderr.
 */
import { CredentialSource, killPlugins, redact } from "../kube/credentials";
import { closeConnections, type KubeTarget, redactedUrl, targetFor } from "../kube/http";
import { ConfigError, type ResolvedKubeconfig, resolveKubeconfig } from "../kube/kubeconfig";
import { type CheckOptions, parseCheckArgs, USAGE, UsageError } from "../settings";
import { type CheckReport, type Clock, formatReport, runCheck, SYSTEM_CLOCK } from "./attempts";
import { printable, printableText } from "./printable";

/** The report `--json` prints: the check's report and the exit code the check ends with. */
export interface JsonReport extends CheckReport {
  readonly exitCode: 0 | 1;
}

/**
 * Settings that hand the credentials to whoever is on the path: kubectl accepts them silently.
 * The check runs them too (the kubeconfig is the user's choice) but says so.
 */
function exposureWarnings(kc: ResolvedKubeconfig, target: KubeTarget): string[] {
  const warnings: string[] = [];
  if (target.insecure)
    warnings.push(
      `context "${kc.context}" sets insecure-skip-tls-verify: the server's certificate is not checked, so anything on the path can answer as the API server and receive the credentials`,
    );
  const { token, tokenFile, password, exec } = kc.user;
  if (target.server.protocol === "http:" && (token ?? tokenFile ?? password ?? exec) !== undefined)
    warnings.push(
      `context "${kc.context}" sends its credentials to ${redactedUrl(target.server)} unencrypted (plain http://): anything on the path can read them`,
    );
  return warnings;
}

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
    err(`webhook-check: configuration error: ${printableText(e.message)}\n`);
    if (options.json) out(`${JSON.stringify({ ok: false, exitCode: 2, error: printableText(e.message) })}\n`);
    return 2;
  };
  let target: KubeTarget | undefined;
  try {
    const kc = resolveKubeconfig(options.kubeconfig, options.context);
    const credentials = new CredentialSource(kc);
    secrets = credentials.secrets;
    target = targetFor(kc, credentials, env, clock);
    for (const line of exposureWarnings(kc, target)) err(`webhook-check: warning: ${line}\n`);
    const via = target.proxy ? ` through proxy ${target.proxy.host}` : "";
    err(
      `webhook-check: checking kube-apiserver -> ${options.namespace}/${options.service}:${options.port} via ${redactedUrl(target.server)}${via} (deadline ${options.timeout}s)\n`,
    );
    // What the cluster said is bounded and inert before it is printed (runner/printable.ts).
    const report = printable(
      await runCheck(target, options, started, (line) => err(`webhook-check: ${printableText(line)}\n`), clock, signal),
    );
    const exitCode = report.ok ? 0 : 1;
    const json: JsonReport = { ...report, exitCode };
    if (options.json) out(`${JSON.stringify(json, null, 2)}\n`);
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
