/**
 * The webhook check's command line: flags, their environment fallbacks (what
 * the null_resource passes, so no value ever goes through a shell), and parsing.
 * No cdktf and no HTTP here; the WebhookCheck construct imports the names.
 */
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { isDns1123Label } from "../shared/k8s-names";
import { type CheckProof, parseCheckProof } from "./proof";

/** `cert-manager`: the proof only; `all`: every admission and conversion webhook and aggregated API too. */
export type Scope = "cert-manager" | "all";
export const SCOPES: readonly Scope[] = ["cert-manager", "all"];

export interface CheckOptions {
  /** kubeconfig files, merged in order like kubectl does with KUBECONFIG. */
  readonly kubeconfig: string[];
  readonly context?: string;
  readonly namespace: string;
  readonly service: string;
  readonly port: number;
  /** Namespace of the dry-run CertificateRequests (default: the webhook's namespace). */
  readonly probeNamespace: string;
  /** `cert-manager`: the proof only; `all`: every webhook and aggregated API too. */
  readonly scope: Scope;
  /** Webhook configurations, webhooks, APIServices or CRDs left out. */
  readonly exclude: string[];
  /** Overall deadline, seconds. */
  readonly timeout: number;
  /** Pause between attempts, seconds. */
  readonly interval: number;
  readonly json: boolean;
  /** What the synth-time proof assumed (`WEBHOOK_CHECK_PROOF`); when set, the check confirms it on the cluster. */
  readonly proof?: CheckProof;
}

/** Environment variables read when the matching flag is absent. */
export const CHECK_ENV = {
  context: "WEBHOOK_CHECK_CONTEXT",
  namespace: "WEBHOOK_CHECK_NAMESPACE",
  service: "WEBHOOK_CHECK_SERVICE",
  port: "WEBHOOK_CHECK_PORT",
  probeNamespace: "WEBHOOK_CHECK_PROBE_NAMESPACE",
  scope: "WEBHOOK_CHECK_SCOPE",
  exclude: "WEBHOOK_CHECK_EXCLUDE",
  timeout: "WEBHOOK_CHECK_TIMEOUT",
  interval: "WEBHOOK_CHECK_INTERVAL",
  json: "WEBHOOK_CHECK_JSON",
  proof: "WEBHOOK_CHECK_PROOF",
} as const;

/** The kubeconfig read when none is named; the providers default to the same (a leading ~/ is expanded). */
export const DEFAULT_KUBECONFIG = "~/.kube/config";

export const CHECK_DEFAULTS = {
  namespace: "cert-manager",
  service: "cert-manager-webhook",
  port: 443,
  scope: "all" as Scope,
  timeout: 120,
  interval: 2,
} as const;

/** Accepted ranges, [min, max]; the WebhookCheck construct refuses the same at synth. */
export const CHECK_LIMITS = { port: [1, 65535], timeout: [1, 3600], interval: [0.05, 600] } as const;

export const USAGE = `Usage: webhook-check [flags]

Proves that kube-apiserver can call the cert-manager admission webhook, the way
the API server really does it: server-side dry-run creates that go through the
webhook's Service. Nothing is persisted, no pod is started.

Flags (environment fallback in brackets):
  --kubeconfig PATH   kubeconfig file(s), ':'-separated, merged as kubectl merges KUBECONFIG
                                                         [KUBECONFIG, then ~/.kube/config]
  --context NAME      kubeconfig context                 [${CHECK_ENV.context}; default: current-context]
  --namespace NS      webhook namespace                  [${CHECK_ENV.namespace}; default: ${CHECK_DEFAULTS.namespace}]
  --service NAME      webhook Service                    [${CHECK_ENV.service}; default: ${CHECK_DEFAULTS.service}]
  --port N            Service port                       [${CHECK_ENV.port}; default: ${CHECK_DEFAULTS.port}]
  --probe-namespace NS  namespace of the dry-run creates [${CHECK_ENV.probeNamespace}; default: --namespace]
  --scope SCOPE       cert-manager (the proof only) or all (every admission and
                      conversion webhook and aggregated API too)
                                                         [${CHECK_ENV.scope}; default: ${CHECK_DEFAULTS.scope}]
  --exclude NAME      leave out a webhook configuration, webhook, APIService or CRD;
                      repeatable                         [${CHECK_ENV.exclude}, comma-separated]
  --timeout SECONDS   overall deadline                   [${CHECK_ENV.timeout}; default: ${CHECK_DEFAULTS.timeout}]
  --interval SECONDS  pause between attempts             [${CHECK_ENV.interval}; default: ${CHECK_DEFAULTS.interval}]
  --json              JSON report on stdout              [${CHECK_ENV.json}=1]
  -h, --help          this text

Environment only: ${CHECK_ENV.proof}  the proof's assumptions (compact JSON, written by the
                      WebhookCheck construct); when set, each is confirmed on the cluster,
                      and one that does not hold by the deadline is exit 1 too

Proxies: HTTPS_PROXY / HTTP_PROXY / NO_PROXY as kubectl uses them (loopback is never
proxied), or the cluster's proxy-url.

Exit codes: 0 reachable; 1 not reachable by the deadline; 2 usage or configuration error;
130 interrupted (SIGINT); 143 terminated (SIGTERM). Interrupted, it prints what it knew.
`;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

function number(name: string, raw: string | undefined, fallback: number, min: number, max: number, integer: boolean): number {
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new UsageError(`--${name} ${JSON.stringify(raw)}: expected ${integer ? "a whole number" : "a number"} from ${min} to ${max}`);
  }
  return value;
}

const CLI_OPTIONS = {
  kubeconfig: { type: "string" },
  context: { type: "string" },
  namespace: { type: "string" },
  service: { type: "string" },
  port: { type: "string" },
  "probe-namespace": { type: "string" },
  scope: { type: "string" },
  exclude: { type: "string", multiple: true },
  timeout: { type: "string" },
  interval: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

function parseFlags(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], strict: true, allowPositionals: false, options: CLI_OPTIONS });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Parses argv (without node and the script) plus the environment; throws UsageError. */
export function parseCheckArgs(argv: readonly string[], env: NodeJS.ProcessEnv): CheckOptions | "help" {
  const parsed = parseFlags(argv);
  const v = parsed.values;
  if (v.help) return "help";
  const home = env.HOME ?? os.homedir();
  const kubeconfigRaw = v.kubeconfig ?? env.KUBECONFIG;
  // A leading ~/ is expanded as the Terraform providers do, so both read the same file.
  const kubeconfig = (
    kubeconfigRaw !== undefined && kubeconfigRaw !== "" ? kubeconfigRaw.split(path.delimiter).filter((p) => p !== "") : [DEFAULT_KUBECONFIG]
  ).map((p) => (p === "~" || p.startsWith("~/") ? path.join(home, p.slice(1)) : p));
  const text = (flag: string | undefined, envName: string, fallback?: string) => {
    const value = flag ?? env[envName];
    return value === undefined || value === "" ? fallback : value;
  };
  const namespace = text(v.namespace, CHECK_ENV.namespace, CHECK_DEFAULTS.namespace) as string;
  const service = text(v.service, CHECK_ENV.service, CHECK_DEFAULTS.service) as string;
  const probeNamespace = text(v["probe-namespace"], CHECK_ENV.probeNamespace, namespace) as string;
  const scope = text(v.scope, CHECK_ENV.scope, CHECK_DEFAULTS.scope) as Scope;
  if (!SCOPES.includes(scope)) throw new UsageError(`--scope "${scope}": use ${SCOPES.join(" or ")}`);
  for (const [name, value] of [
    ["namespace", namespace],
    ["service", service],
    ["probe-namespace", probeNamespace],
  ] as const) {
    if (!isDns1123Label(value)) throw new UsageError(`--${name} "${value}" is not a valid Kubernetes name`);
  }
  const timeout = number("timeout", text(v.timeout, CHECK_ENV.timeout), CHECK_DEFAULTS.timeout, ...CHECK_LIMITS.timeout, false);
  const interval = number("interval", text(v.interval, CHECK_ENV.interval), CHECK_DEFAULTS.interval, ...CHECK_LIMITS.interval, false);
  const jsonEnv = env[CHECK_ENV.json];
  const proofEnv = env[CHECK_ENV.proof];
  let proof: CheckProof | undefined;
  try {
    proof = proofEnv === undefined || proofEnv === "" ? undefined : parseCheckProof(proofEnv);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return {
    kubeconfig,
    context: text(v.context, CHECK_ENV.context),
    namespace,
    service,
    probeNamespace,
    scope,
    exclude: [...(v.exclude ?? []), ...(env[CHECK_ENV.exclude] ?? "").split(",")].map((x) => x.trim()).filter((x) => x !== ""),
    port: number("port", text(v.port, CHECK_ENV.port), CHECK_DEFAULTS.port, ...CHECK_LIMITS.port, true),
    timeout,
    interval,
    json: v.json === true || jsonEnv === "1" || jsonEnv === "true",
    ...(proof ? { proof } : {}),
  };
}
