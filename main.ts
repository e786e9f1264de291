// The dev stack for `cdktf deploy dev` (and `npm run synth`): configuration from
// the environment -> one CiliumPlatform. Other environments are the same stack
// class with another config.
import * as path from "node:path";
import { App, LocalBackend, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { CiliumPlatform, ClusterProviders, kubeAccessFromEnvironment, POLICY_SETS, type PolicyDirectory, type PolicySet } from "./lib";
import { SHIPPED_POLICIES_DIR } from "./lib/package-paths";

/**
 * The repository's own policies: the files directly in `policies/` (not its set
 * subdirectories), deployed by every stack on top of its set, as the original
 * `fileset("policies", "*.yaml")` did.
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
  /** Shipped policy set; `CILIUM_POLICY_SET` overrides it. */
  readonly policySet: PolicySet;
  /** cilium-operator replicas (1 for a single-node dev cluster). */
  readonly operatorReplicas?: number;
  /** Environment variable naming the kubeconfig context; unset means current-context. */
  readonly contextVariable: string;
}

export const ENVIRONMENTS: Readonly<Record<string, EnvironmentConfig>> = {
  dev: { talos: true, policySet: "allow-all", operatorReplicas: 1, contextVariable: "KUBE_CONTEXT" },
  prod: { talos: true, policySet: "least-privilege", contextVariable: "KUBE_CONTEXT_PROD" },
};

export class CiliumStack extends TerraformStack {
  public readonly platform: CiliumPlatform;

  /** One line for `npm run synth`: which policy directories, how many policies. */
  public summary(): string {
    const dirs = this.platform.policies.directories.map((d) => {
      const rel = path.relative(process.cwd(), d.path) || ".";
      return `${rel}${d.recursive === false ? " (top level)" : ""}${d.namespace ? ` (namespace ${d.namespace})` : ""}`;
    });
    const n = this.platform.policies.policies.length;
    return `${this.node.id}: ${n} ${n === 1 ? "policy" : "policies"} from ${dirs.join(", ")}`;
  }

  constructor(
    scope: Construct,
    name: string,
    config: EnvironmentConfig,
    env: NodeJS.ProcessEnv = process.env,
    repositoryPolicies: PolicyDirectory = REPOSITORY_POLICIES,
  ) {
    super(scope, name);
    // Relative to cdktf.out/stacks/<name>: state lives at the repo root, outside the
    // synth output, and no absolute path ends up in cdk.tf.json.
    new LocalBackend(this, { path: `../../../terraform.${name}.tfstate` });

    const policySet = (env.CILIUM_POLICY_SET || config.policySet) as PolicySet;
    if (!POLICY_SETS.includes(policySet)) {
      throw new Error(`CILIUM_POLICY_SET="${policySet}" is not a shipped policy set; use one of ${POLICY_SETS.join(", ")}`);
    }
    const providers = new ClusterProviders(
      this,
      "providers",
      kubeAccessFromEnvironment({ KUBECONFIG: env.KUBECONFIG, KUBE_CONTEXT: env[config.contextVariable] }),
    );
    this.platform = new CiliumPlatform(this, "cilium", {
      release: {
        talos: config.talos,
        policyEnforcementMode: "default",
        ...(config.operatorReplicas !== undefined ? { operatorReplicas: config.operatorReplicas } : {}),
      },
      policySet,
      // The repository's top-level policies and your own directories, on top of the set.
      policies: { directories: [repositoryPolicies, ...parsePolicyDirs(env.CILIUM_POLICY_DIRS)] },
      kube: providers.access,
    });
  }
}

/**
 * Builds the app with every environment; `outdir` defaults to cdktf.out (or
 * CDKTF_OUTDIR). `repositoryPolicies` is the directory of the repository's own
 * policies (the top level of `policies/`; tests point it elsewhere).
 */
export function buildApp(
  env: NodeJS.ProcessEnv = process.env,
  outdir?: string,
  repositoryPolicies: PolicyDirectory = REPOSITORY_POLICIES,
): App {
  const app = new App(outdir !== undefined ? { outdir } : {});
  for (const [name, config] of Object.entries(ENVIRONMENTS)) new CiliumStack(app, name, config, env, repositoryPolicies);
  return app;
}

if (require.main === module) {
  const app = buildApp();
  app.synth();
  for (const stack of app.node.children) if (stack instanceof CiliumStack) process.stderr.write(`${stack.summary()}\n`);
}
