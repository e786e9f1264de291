// The app for `cdktf deploy` (and `npm run synth`): configuration from the
// environment -> per environment one CiliumPlatform across two stacks, applied in
// order by one deploy:
//   <env>-cilium  the Cilium release (and with it Cilium's CRDs);
//   <env>         the network policies and the webhook check, planned only after
//                 <env>-cilium is applied, so CiliumNetworkPolicies (kubernetes_manifest
//                 reads the CRD at plan time) work on a cluster that had no Cilium.
// A thin use of the public API: what an importer writes (see examples/).
import * as path from "node:path";
import { App, TerraformStack } from "cdktf";
import { CiliumPlatform, kubeAccessFromEnvironment, type PolicyDirectory, type PolicySet, SynthError } from "./lib";
import { CILIUM_PINS, isCiliumLine, lineOfVersion, SUPPORTED_CILIUM_LINES } from "./lib/cilium/lines";
import { addStateBackend } from "./lib/platform/state-backend";
import { defaultOutdir, discardPreviousOutput, writtenLines } from "./lib/platform/synth-output";
import { SHIPPED_POLICIES_DIR } from "./lib/shared/package-paths";

/**
 * The repository's own policies: the files directly in `policies/` (not its set
 * subdirectories), deployed by every environment on top of its set, as the
 * original `fileset("policies", "*.yaml")` did.
 */
export const REPOSITORY_POLICIES: PolicyDirectory = { path: SHIPPED_POLICIES_DIR, recursive: false };

/**
 * `CILIUM_POLICY_DIRS`: a path list (like PATH); an entry `DIR=NAMESPACE` gives the
 * directory's documents that name no namespace that one, as `kubectl apply -n` does.
 */
export function parsePolicyDirs(value: string | undefined): PolicyDirectory[] {
  return (value ?? "")
    .split(path.delimiter)
    .filter((entry) => entry !== "")
    .map((entry) => {
      const eq = entry.lastIndexOf("=");
      return eq > 0 ? { path: entry.slice(0, eq), namespace: entry.slice(eq + 1) } : { path: entry };
    });
}

export interface EnvironmentConfig {
  /** Apply the Talos preset (KubePrism on localhost:7445, no SYS_MODULE, ...). */
  readonly talos: boolean;
  /** Shipped policy set; `CILIUM_POLICY_SET_<ENV>` overrides it. */
  readonly policySet: PolicySet;
  /** cilium-operator replicas (1 for a single-node dev cluster). */
  readonly operatorReplicas?: number;
  /**
   * Whether the environment may use the kubeconfig's current-context when
   * `KUBE_CONTEXT_<ENV>` is unset. Only `dev`: anything else never deploys to
   * whatever cluster happens to be current.
   */
  readonly currentContextAllowed: boolean;
  /** The environment was deployed with 0.1, so its policies may still have 0.1 addresses in state (moved blocks). */
  readonly legacyAddresses?: "0.1";
}

export const ENVIRONMENTS: Readonly<Record<string, EnvironmentConfig>> = {
  dev: { talos: true, policySet: "allow-all", operatorReplicas: 1, currentContextAllowed: true, legacyAddresses: "0.1" },
  prod: { talos: true, policySet: "least-privilege", currentContextAllowed: false, legacyAddresses: "0.1" },
};

/**
 * A configuration variable of one environment: `NAME_<ENV>` (upper-cased), and
 * for `dev` only also the plain `NAME`. One variable never changes two
 * environments.
 */
export function setting(env: NodeJS.ProcessEnv, name: string, environment: string): string | undefined {
  const own = env[`${name}_${environment.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`];
  if (own !== undefined && own !== "") return own;
  const plain = environment === "dev" ? env[name] : undefined;
  return plain !== undefined && plain !== "" ? plain : undefined;
}

/**
 * One line per environment for `npm run synth`: how many policies, from which directories (only
 * those that gave at least one file), and how many required paths the proof decided.
 */
export function summary(platform: CiliumPlatform): string {
  const policies = platform.policies;
  const contributed = (d: { path: string; recursive?: boolean }) =>
    // Files are listed under the directory as given (relative to the synth directory when it is).
    policies.files.some((f) =>
      d.recursive === false
        ? path.dirname(path.resolve(f)) === path.resolve(d.path)
        : path.resolve(f).startsWith(`${path.resolve(d.path)}${path.sep}`),
    );
  const dirs = policies.directories.filter(contributed).map((d) => {
    const rel = path.relative(process.cwd(), d.path) || ".";
    return `${rel}${d.recursive === false ? " (top level)" : ""}${d.namespace ? ` (namespace ${d.namespace})` : ""}`;
  });
  const n = policies.documents.length;
  const { proven, unknown } = policies.proofSummary();
  const from = dirs.length > 0 ? ` from ${dirs.join(", ")}` : "";
  return `${platform.workloadStack.node.id}: ${n} ${n === 1 ? "policy" : "policies"}${from}, ${proven} ${proven === 1 ? "path" : "paths"} proven${unknown > 0 ? `, ${unknown} unknown` : ""}`;
}

/**
 * `CILIUM_VERSION_<ENV>`: an exact chart version of a supported line (`1.20.2`), or a line
 * (`1.20`) meaning that line's pin; unset, the default pin. Anything else is refused here,
 * naming the variable (a version of another line needs `allowUnsupportedVersion`, which the dev
 * app does not set).
 */
export function ciliumVersion(env: NodeJS.ProcessEnv, environment: string): string | undefined {
  const value = setting(env, "CILIUM_VERSION", environment);
  if (value === undefined) return undefined;
  if (isCiliumLine(value)) return CILIUM_PINS[value];
  if (lineOfVersion(value)?.supported) return value;
  const variable = `CILIUM_VERSION_${environment.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
  throw new SynthError(environment, [
    `${variable} "${value}" is neither a supported Cilium line (${SUPPORTED_CILIUM_LINES.join(", ")}) nor an exact chart version of one; ` +
      `set it to a line (its pin: ${SUPPORTED_CILIUM_LINES.map((l) => `${l} -> ${CILIUM_PINS[l]}`).join(", ")}) or to an exact X.Y.Z, or unset it for the default`,
  ]);
}

/** What `buildApp` built, and what it left out and why. */
export interface BuiltApp {
  readonly app: App;
  /** One per environment synthesized: `workloadStack` is `<env>`, `releaseStack` is `<env>-cilium`. */
  readonly platforms: CiliumPlatform[];
  /** Every stack, in deploy order. */
  readonly stacks: TerraformStack[];
  /** One line per environment that was not synthesized. */
  readonly skipped: string[];
  /** Things to set outside cdk.tf.json (a Terraform Cloud workspace's execution mode), one line each. */
  readonly warnings: string[];
}

/**
 * Both stacks of an environment get the state backend of `STATE_BACKEND_<ENV>`
 * (`dev` also reads `STATE_BACKEND`): local files by default (see
 * lib/platform/state-backend.ts for the URL forms). Returns the warnings.
 */
function stateBackends(env: NodeJS.ProcessEnv, environment: string, stacks: TerraformStack[]): string[] {
  const own = `STATE_BACKEND_${environment.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
  const variable = !env[own] && environment === "dev" && env.STATE_BACKEND ? "STATE_BACKEND" : own;
  return stacks.flatMap((stack) => addStateBackend(stack, setting(env, "STATE_BACKEND", environment), variable).warning ?? []);
}

/**
 * Builds the app: for each environment its two stacks, or a line saying why it
 * was left out. `outdir` defaults to cdktf.out (or CDKTF_OUTDIR);
 * `repositoryPolicies` is the directory of the repository's own policies.
 */
export function buildApp(
  env: NodeJS.ProcessEnv = process.env,
  outdir?: string,
  repositoryPolicies: PolicyDirectory = REPOSITORY_POLICIES,
  options: SynthOptions = {},
): BuiltApp {
  const app = new App(outdir !== undefined ? { outdir } : {});
  const platforms: CiliumPlatform[] = [];
  const stacks: TerraformStack[] = [];
  const skipped: string[] = [];
  const warnings: string[] = [];
  for (const [name, config] of Object.entries(ENVIRONMENTS)) {
    const context = setting(env, "KUBE_CONTEXT", name);
    if (context === undefined && !config.currentContextAllowed) {
      const variable = `KUBE_CONTEXT_${name.toUpperCase()}`;
      skipped.push(`${name}: not synthesized: set ${variable} to its cluster's kubeconfig context (it never uses the current context)`);
      continue;
    }
    const version = ciliumVersion(env, name);
    const releaseStack = new TerraformStack(app, `${name}-cilium`);
    const workloadStack = new TerraformStack(app, name);
    warnings.push(...stateBackends(env, name, [releaseStack, workloadStack]));
    stacks.push(releaseStack, workloadStack);
    // The platform's id "cilium" keeps the addresses of 0.1's one-stack layout (see docs/upgrading.md, "Upgrade notes").
    platforms.push(
      new CiliumPlatform(workloadStack, "cilium", {
        releaseStack,
        cluster: kubeAccessFromEnvironment({ KUBECONFIG: env.KUBECONFIG, KUBE_CONTEXT: context }),
        release: {
          ...(version !== undefined ? { version } : {}),
          talos: config.talos,
          policyEnforcementMode: "default",
          ...(config.operatorReplicas !== undefined ? { operatorReplicas: config.operatorReplicas } : {}),
        },
        policySet: (setting(env, "CILIUM_POLICY_SET", name) ?? config.policySet) as PolicySet,
        policies: {
          ...(config.legacyAddresses ? { legacyAddresses: config.legacyAddresses } : {}),
          directories: [repositoryPolicies, ...parsePolicyDirs(setting(env, "CILIUM_POLICY_DIRS", name))],
          ...(options.reachability ? { reachability: true } : {}),
        },
      }),
    );
  }
  return { app, platforms, stacks, skipped, warnings };
}

/** What `npm run synth -- FLAGS` turns on. */
export interface SynthOptions {
  /** `--reachability`: each environment also writes cdktf.out/stacks/<env>/reachability.json. */
  readonly reachability?: boolean;
}

/** The flags of `npm run synth -- FLAGS`; anything else is refused (a TypeError naming it). */
export function parseSynthArgs(argv: readonly string[]): SynthOptions {
  const options: { reachability?: boolean } = {};
  for (const arg of argv) {
    if (arg === "--reachability") options.reachability = true;
    else throw new TypeError(`npm run synth: unknown argument "${arg}" (the one flag is --reachability)`);
  }
  return options;
}

/**
 * `npm run synth`: the files written, then one line per environment. A refusal is printed
 * once, as its message (no stack frames: the problem is in the configuration), the previous
 * output's cdk.tf.json files are removed (they are stale), and the exit code is 1.
 */
export function main(env: NodeJS.ProcessEnv = process.env, outdir?: string, argv: readonly string[] = []): number {
  try {
    const { app, platforms, skipped, warnings } = buildApp(env, outdir, REPOSITORY_POLICIES, parseSynthArgs(argv));
    app.synth();
    for (const line of writtenLines(app)) process.stderr.write(`${line}\n`);
    for (const platform of platforms) process.stderr.write(`${summary(platform)}\n`);
    for (const line of skipped) process.stderr.write(`${line}\n`);
    for (const line of warnings) process.stderr.write(`warning: ${line}\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof SynthError) && !(err instanceof TypeError && err.message.startsWith("npm run synth:"))) throw err;
    process.stderr.write(`${err.message}\n`);
    const stale = discardPreviousOutput(outdir ?? defaultOutdir());
    if (stale) process.stderr.write(`${stale}\n`);
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.env, undefined, process.argv.slice(2));
