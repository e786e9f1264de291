// The app for `cdktf deploy` (and `npm run synth`): configuration from the
// environment -> per environment two stacks, applied in order by one deploy:
//   <env>-cilium  the Cilium release (and with it Cilium's CRDs);
//   <env>         the network policies and the webhook check, planned only after
//                 <env>-cilium is applied, so CiliumNetworkPolicies (kubernetes_manifest
//                 reads the CRD at plan time) work on a cluster that had no Cilium.
import * as path from "node:path";
import { App, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import {
  CiliumRelease,
  ClusterProviders,
  kubeAccessFromEnvironment,
  NetworkPolicies,
  POLICY_SETS,
  type PolicyDirectory,
  type PolicySet,
  policySetDirectory,
  SynthError,
  WebhookCheck,
} from "./lib";
import { addStateBackend } from "./lib/platform/state-backend";
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

/** `<env>-cilium`: the cluster's providers and the Cilium release. */
export class CiliumReleaseStack extends TerraformStack {
  public readonly cluster: ClusterProviders;
  public readonly release: CiliumRelease;

  constructor(
    scope: Construct,
    name: string,
    config: EnvironmentConfig,
    /** As configured (paths relative to the synth directory): each stack writes them relative to its own directory. */
    public readonly kube: ReturnType<typeof kubeAccessFromEnvironment>,
  ) {
    super(scope, name);
    this.cluster = new ClusterProviders(this, "providers", kube);
    // The construct path stays cilium/release, as in the one-stack layout of 0.1, so the
    // release keeps its Terraform address (see README, "Upgrade notes").
    this.release = new CiliumRelease(new Construct(this, "cilium"), "release", {
      talos: config.talos,
      policyEnforcementMode: "default",
      ...(config.operatorReplicas !== undefined ? { operatorReplicas: config.operatorReplicas } : {}),
    });
  }
}

/** `<env>`: the policies and the webhook check, after `<env>-cilium`. */
export class CiliumStack extends TerraformStack {
  public readonly cluster: ClusterProviders;
  public readonly policies: NetworkPolicies;
  public readonly check: WebhookCheck;

  constructor(
    scope: Construct,
    name: string,
    config: EnvironmentConfig,
    env: NodeJS.ProcessEnv,
    releaseStack: CiliumReleaseStack,
    repositoryPolicies: PolicyDirectory = REPOSITORY_POLICIES,
  ) {
    super(scope, name);
    this.addDependency(releaseStack);
    const policySet = (setting(env, "CILIUM_POLICY_SET", name) ?? config.policySet) as PolicySet;
    if (!POLICY_SETS.includes(policySet)) {
      throw new SynthError(this, [`CILIUM_POLICY_SET="${policySet}" is not a shipped policy set; use one of ${POLICY_SETS.join(", ")}`]);
    }
    // From the access as configured: `cluster.access` of the other stack is relative to that stack's directory.
    this.cluster = new ClusterProviders(this, "providers", releaseStack.kube);
    const scopeOfResources = new Construct(this, "cilium");
    // The stack dependency orders the policies after Cilium (a depends_on cannot cross stacks).
    this.policies = new NetworkPolicies(scopeOfResources, "policies", {
      provider: this.cluster.kubernetes,
      ...(config.legacyAddresses ? { legacyAddresses: config.legacyAddresses } : {}),
      directories: [policySetDirectory(policySet), repositoryPolicies, ...parsePolicyDirs(setting(env, "CILIUM_POLICY_DIRS", name))],
    });
    this.check = new WebhookCheck(scopeOfResources, "webhook-check", {
      provider: this.cluster.null,
      ...(this.cluster.access.kubeconfigPaths ? { kubeconfigPaths: this.cluster.access.kubeconfigPaths } : {}),
      ...(this.cluster.access.context !== undefined ? { context: this.cluster.access.context } : {}),
      release: releaseStack.release,
      policies: this.policies,
    });
  }

  /** One line for `npm run synth`: which policy directories, how many policies. */
  public summary(): string {
    const dirs = this.policies.directories.map((d) => {
      const rel = path.relative(process.cwd(), d.path) || ".";
      return `${rel}${d.recursive === false ? " (top level)" : ""}${d.namespace ? ` (namespace ${d.namespace})` : ""}`;
    });
    const n = this.policies.policies.length;
    return `${this.node.id}: ${n} ${n === 1 ? "policy" : "policies"} from ${dirs.join(", ")}`;
  }
}

/** What `buildApp` built, and what it left out and why. */
export interface BuiltApp {
  readonly app: App;
  readonly stacks: CiliumStack[];
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
): BuiltApp {
  const app = new App(outdir !== undefined ? { outdir } : {});
  const stacks: CiliumStack[] = [];
  const skipped: string[] = [];
  const warnings: string[] = [];
  for (const [name, config] of Object.entries(ENVIRONMENTS)) {
    const context = setting(env, "KUBE_CONTEXT", name);
    if (context === undefined && !config.currentContextAllowed) {
      const variable = `KUBE_CONTEXT_${name.toUpperCase()}`;
      skipped.push(`${name}: not synthesized: set ${variable} to its cluster's kubeconfig context (it never uses the current context)`);
      continue;
    }
    const kube = kubeAccessFromEnvironment({ KUBECONFIG: env.KUBECONFIG, KUBE_CONTEXT: context });
    const releaseStack = new CiliumReleaseStack(app, `${name}-cilium`, config, kube);
    const stack = new CiliumStack(app, name, config, env, releaseStack, repositoryPolicies);
    stacks.push(stack);
    warnings.push(...stateBackends(env, name, [releaseStack, stack]));
  }
  return { app, stacks, skipped, warnings };
}

if (require.main === module) {
  const { app, stacks, skipped, warnings } = buildApp();
  app.synth();
  for (const stack of stacks) process.stderr.write(`${stack.summary()}\n`);
  for (const line of skipped) process.stderr.write(`${line}\n`);
  for (const line of warnings) process.stderr.write(`warning: ${line}\n`);
}
