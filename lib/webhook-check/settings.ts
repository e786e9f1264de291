/**
 * The webhook check's settings: ONE table (name, construct prop, flag, environment
 * variable, default, limits, description) from which everything else derives: the
 * CLI's flags and usage text, the environment names, the construct's environment map
 * (what the null_resource passes, so no value ever goes through a shell) and
 * `validateSettings()`, the one validator used by the construct at synth and by the
 * CLI at apply. No cdktf and no HTTP here; the WebhookCheck construct imports it.
 */
import * as path from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_KUBECONFIG, expandHome } from "../shared/home";
import { isDns1123Label } from "../shared/k8s-names";
import { listOf } from "../shared/vocabulary";
import { type CheckProof, parseCheckProof } from "../proof/check-proof";

/** `cert-manager`: the proof only; `all`: every admission and conversion webhook and aggregated API too. */
export type Scope = "cert-manager" | "all";
export const SCOPES = listOf<Scope>()(["cert-manager", "all"]);

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

type Kind = "paths" | "text" | "name" | "scope" | "list" | "int" | "number" | "bool";

interface Setting {
  /** The key in CheckOptions. */
  readonly name: keyof CheckOptions;
  /** The WebhookCheck prop (undefined: not a prop). */
  readonly prop?: string;
  readonly flag: string;
  readonly metavar?: string;
  readonly env: string;
  readonly kind: Kind;
  /** The default value, or how the default is described in the usage text. */
  readonly default?: string | number;
  readonly defaultText?: string;
  readonly limits?: readonly [number, number];
  /** The construct writes the variable even at its default (a future CLI default cannot silently change a deploy). */
  readonly alwaysWritten?: boolean;
  readonly description: string;
}

/** The one table. Order is the usage text's order. */
export const SETTINGS = [
  {
    name: "kubeconfig",
    prop: "kubeconfigPaths",
    flag: "kubeconfig",
    metavar: "PATH",
    env: "KUBECONFIG",
    kind: "paths",
    defaultText: `then ${DEFAULT_KUBECONFIG}`,
    description: "kubeconfig file(s), ':'-separated, merged as kubectl merges KUBECONFIG",
  },
  {
    name: "context",
    prop: "context",
    flag: "context",
    metavar: "NAME",
    env: "WEBHOOK_CHECK_CONTEXT",
    kind: "text",
    defaultText: "current-context",
    description: "kubeconfig context",
  },
  {
    name: "namespace",
    prop: "namespace",
    flag: "namespace",
    metavar: "NS",
    env: "WEBHOOK_CHECK_NAMESPACE",
    kind: "name",
    default: "cert-manager",
    alwaysWritten: true,
    description: "webhook namespace",
  },
  {
    name: "service",
    prop: "service",
    flag: "service",
    metavar: "NAME",
    env: "WEBHOOK_CHECK_SERVICE",
    kind: "name",
    default: "cert-manager-webhook",
    alwaysWritten: true,
    description: "webhook Service",
  },
  {
    name: "port",
    prop: "port",
    flag: "port",
    metavar: "N",
    env: "WEBHOOK_CHECK_PORT",
    kind: "int",
    default: 443,
    limits: [1, 65535],
    alwaysWritten: true,
    description: "Service port",
  },
  {
    name: "probeNamespace",
    prop: "probeNamespace",
    flag: "probe-namespace",
    metavar: "NS",
    env: "WEBHOOK_CHECK_PROBE_NAMESPACE",
    kind: "name",
    defaultText: "--namespace",
    description: "namespace of the dry-run creates",
  },
  {
    name: "scope",
    prop: "scope",
    flag: "scope",
    metavar: "SCOPE",
    env: "WEBHOOK_CHECK_SCOPE",
    kind: "scope",
    default: "all",
    alwaysWritten: true,
    description: "cert-manager (the proof only) or all (every admission and conversion webhook and aggregated API too)",
  },
  {
    name: "exclude",
    prop: "exclude",
    flag: "exclude",
    metavar: "NAME",
    env: "WEBHOOK_CHECK_EXCLUDE",
    kind: "list",
    defaultText: "comma-separated",
    description: "leave out a webhook configuration, webhook, APIService or CRD; repeatable",
  },
  {
    name: "timeout",
    prop: "timeoutSeconds",
    flag: "timeout",
    metavar: "SECONDS",
    env: "WEBHOOK_CHECK_TIMEOUT",
    kind: "number",
    default: 120,
    limits: [1, 3600],
    alwaysWritten: true,
    description: "overall deadline",
  },
  {
    name: "interval",
    prop: "intervalSeconds",
    flag: "interval",
    metavar: "SECONDS",
    env: "WEBHOOK_CHECK_INTERVAL",
    kind: "number",
    default: 2,
    limits: [0.05, 600],
    alwaysWritten: true,
    description: "pause between attempts",
  },
  { name: "json", flag: "json", env: "WEBHOOK_CHECK_JSON", kind: "bool", defaultText: "=1", description: "JSON report on stdout" },
] as const satisfies readonly Setting[];

type Row = (typeof SETTINGS)[number];
type WithEnv<N> = Extract<Row, { name: N }>["env"];

/** Environment variables read when the matching flag is absent (derived from SETTINGS). */
export const CHECK_ENV = {
  ...Object.fromEntries(SETTINGS.filter((s) => s.name !== "kubeconfig").map((s) => [s.name, s.env])),
  /** Environment only (no flag): the proof's assumptions, written by the construct (lib/proof/check-proof.ts). */
  proof: "WEBHOOK_CHECK_PROOF",
} as { readonly [N in Exclude<Row["name"], "kubeconfig">]: WithEnv<N> } & { readonly proof: "WEBHOOK_CHECK_PROOF" };

/** Defaults (derived from SETTINGS). */
export const CHECK_DEFAULTS = Object.fromEntries(SETTINGS.filter((s) => "default" in s).map((s) => [s.name, (s as Setting).default])) as {
  readonly namespace: string;
  readonly service: string;
  readonly port: number;
  readonly scope: Scope;
  readonly timeout: number;
  readonly interval: number;
};

/** Accepted ranges, [min, max] (derived from SETTINGS); validateSettings refuses the rest, at synth and at apply. */
export const CHECK_LIMITS = Object.fromEntries(SETTINGS.filter((s) => "limits" in s).map((s) => [s.name, (s as Setting).limits])) as {
  readonly port: readonly [number, number];
  readonly timeout: readonly [number, number];
  readonly interval: readonly [number, number];
};

function usageLine(s: Setting): string {
  const left = `  --${s.flag}${s.metavar ? ` ${s.metavar}` : ""}`;
  const fallback =
    s.kind === "bool"
      ? `${s.env}${s.defaultText}`
      : s.kind === "paths"
        ? `${s.env}, ${s.defaultText}`
        : s.kind === "list"
          ? `${s.env}, ${s.defaultText}`
          : `${s.env}; default: ${s.defaultText ?? s.default}`;
  return `${left.padEnd(24)}${s.description}\n${" ".repeat(24)}[${fallback}]`;
}

export const USAGE = `Usage: webhook-check [flags]

Proves that kube-apiserver can call the cert-manager admission webhook, the way
the API server really does it: server-side dry-run creates that go through the
webhook's Service. Nothing is persisted, no pod is started.

Flags (environment fallback in brackets):
${SETTINGS.map((s) => usageLine(s)).join("\n")}
  -h, --help              this text

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

/** Raw values, as the construct's props (numbers) or the CLI's flags and environment (text) give them. */
export type RawSettings = { readonly [N in keyof CheckOptions]?: unknown };

/** How a problem names the setting: the construct's prop or the CLI's flag. */
export type Naming = "prop" | "flag";

const label = (s: Setting, naming: Naming) => (naming === "prop" ? (s.prop ?? s.name) : `--${s.flag}`);
const shown = (v: unknown) => (typeof v === "string" ? JSON.stringify(v) : String(v));

/** A number setting's value, or undefined when the raw value is not one. */
function numeric(raw: unknown): number | undefined {
  if (typeof raw === "number") return raw;
  if (typeof raw === "string" && /^\d+(\.\d+)?$/.test(raw.trim())) return Number(raw);
  return undefined;
}

/**
 * The one validator: every problem of `raw`, each naming the prop or the flag.
 * The construct refuses them at synth (SynthError), the CLI at apply (exit 2).
 */
export function validateSettings(raw: RawSettings, naming: Naming): string[] {
  const problems: string[] = [];
  for (const s of SETTINGS as readonly Setting[]) {
    const v = raw[s.name];
    if (v === undefined) continue;
    const name = label(s, naming);
    if (s.kind === "name" && !(typeof v === "string" && isDns1123Label(v)))
      problems.push(`${name} ${shown(v)} is not a valid Kubernetes name`);
    if (s.kind === "scope" && !SCOPES.includes(v as Scope)) problems.push(`${name} ${shown(v)}: use ${SCOPES.join(" or ")}`);
    if (s.kind === "list")
      for (const x of v as string[])
        if (x.includes(",") || x.trim() === "") problems.push(`${name} ${shown(x)}: expected a non-empty name without commas`);
    if ((s.kind === "int" || s.kind === "number") && s.limits) {
      const [min, max] = s.limits;
      const n = numeric(v);
      const integer = s.kind === "int";
      if (n === undefined || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n)))
        problems.push(`${name} ${shown(v)}: expected ${integer ? "a whole number" : "a number"} from ${min} to ${max}`);
    }
  }
  return problems;
}

/**
 * The environment the construct passes to the check (derived from SETTINGS): every
 * set value, and the `alwaysWritten` ones at their defaults. `kubeconfigPaths` are
 * passed as written (a leading ~ is expanded by the check, at apply).
 */
export function settingsEnvironment(values: RawSettings): Record<string, string> {
  const env: Record<string, string> = {};
  for (const s of SETTINGS as readonly Setting[]) {
    if (s.kind === "bool") continue;
    const v = values[s.name] ?? (s.alwaysWritten ? s.default : undefined);
    if (v === undefined) continue;
    if (Array.isArray(v)) {
      if (v.length > 0) env[s.env] = v.join(s.kind === "paths" ? path.delimiter : ",");
    } else env[s.env] = String(v);
  }
  return env;
}

const CLI_OPTIONS = {
  ...Object.fromEntries(
    (SETTINGS as readonly Setting[]).map((s) => [
      s.flag,
      s.kind === "bool" ? { type: "boolean" } : s.kind === "list" ? { type: "string", multiple: true } : { type: "string" },
    ]),
  ),
  help: { type: "boolean", short: "h" },
} as Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }>;

/** Parses argv (without node and the script) plus the environment; throws UsageError. */
export function parseCheckArgs(argv: readonly string[], env: NodeJS.ProcessEnv): CheckOptions | "help" {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    values = parseArgs({ args: [...argv], strict: true, allowPositionals: false, options: CLI_OPTIONS }).values as typeof values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return "help";
  const raw: Record<string, unknown> = {};
  for (const s of SETTINGS as readonly Setting[]) {
    const flag = values[s.flag];
    const fromEnv = env[s.env];
    if (s.kind === "bool") raw[s.name] = flag === true || fromEnv === "1" || fromEnv === "true";
    else if (s.kind === "list")
      raw[s.name] = [...((flag as string[] | undefined) ?? []), ...(fromEnv ?? "").split(",")].map((x) => x.trim()).filter((x) => x !== "");
    else {
      const text = (flag as string | undefined) ?? fromEnv;
      if (text !== undefined && text !== "") raw[s.name] = text;
    }
  }
  const problems = validateSettings(raw, "flag");
  if (problems.length > 0) throw new UsageError(problems[0]);
  const home = env.HOME;
  const kubeconfig = (
    typeof raw.kubeconfig === "string" ? raw.kubeconfig.split(path.delimiter).filter((p) => p !== "") : [DEFAULT_KUBECONFIG]
  ).map((p) => expandHome(p, home));
  const namespace = (raw.namespace as string | undefined) ?? CHECK_DEFAULTS.namespace;
  const num = (name: "port" | "timeout" | "interval") => (raw[name] === undefined ? CHECK_DEFAULTS[name] : Number(raw[name]));
  const proofEnv = env[CHECK_ENV.proof];
  let proof: CheckProof | undefined;
  try {
    proof = proofEnv === undefined || proofEnv === "" ? undefined : parseCheckProof(proofEnv);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return {
    kubeconfig,
    context: raw.context as string | undefined,
    namespace,
    service: (raw.service as string | undefined) ?? CHECK_DEFAULTS.service,
    probeNamespace: (raw.probeNamespace as string | undefined) ?? namespace,
    scope: (raw.scope as Scope | undefined) ?? CHECK_DEFAULTS.scope,
    exclude: raw.exclude as string[],
    port: num("port"),
    timeout: num("timeout"),
    interval: num("interval"),
    json: raw.json as boolean,
    ...(proof ? { proof } : {}),
  };
}
