// Terraform's own configuration loading, offline, with the real terraform binary:
// `terraform init -backend=false` against an empty provider mirror. The providers
// cannot be installed here, so the only acceptable errors are about that; any
// configuration error (e.g. "Duplicate provider configuration") fails the test.
// (`terraform validate` would also resolve references, but needs the providers:
// `npm run validate` runs it where they can be downloaded, e.g. in the PR workflow.)
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { App, TerraformStack } from "cdktf";
import { buildApp } from "../../main";
import { CiliumPlatform, ClusterProviders } from "../../lib";
import { tempDir } from "../helpers/temp";
import { initErrors, onlyProvidersMissing, terraformTest } from "../helpers/terraform";

const maybe = terraformTest("Terraform's configuration loading");

function synthesized(app: App, stack: string): string {
  app.synth();
  return path.join(app.outdir, "stacks", stack);
}

maybe("the dev and prod stacks (both halves each) load", async () => {
  const { app } = buildApp({ KUBE_CONTEXT_PROD: "admin@prod" }, path.join(tempDir("tf-app-"), "cdktf.out"));
  app.synth();
  for (const stack of ["dev-cilium", "dev", "prod-cilium", "prod"]) {
    const errors = await initErrors(path.join(app.outdir, "stacks", stack));
    expect({ stack, ok: onlyProvidersMissing(errors), errors }).toMatchObject({ stack, ok: true });
  }
});

maybe("two clusters in one stack: aliased providers, each platform on its own cluster", async () => {
  const app = new App({ outdir: path.join(tempDir("tf-two-"), "cdktf.out") });
  const stack = new TerraformStack(app, "clusters");
  for (const name of ["a", "b"]) {
    const cluster = new ClusterProviders(stack, `cluster-${name}`, { kubeconfigPaths: ["~/.kube/config"], context: `admin@${name}` });
    new CiliumPlatform(stack, `cilium-${name}`, { cluster, release: { talos: true }, policySet: "allow-all" });
  }
  const dir = synthesized(app, "clusters");
  const json = JSON.parse(readFileSync(path.join(dir, "cdk.tf.json"), "utf8"));
  expect(json.provider.kubernetes.map((p: { alias: string }) => p.alias).sort()).toEqual(["cluster_a", "cluster_b"]);
  const releases = Object.values(json.resource.helm_release) as Array<{ provider: string }>;
  expect(releases.map((r) => r.provider).sort()).toEqual(["helm.cluster_a", "helm.cluster_b"]);
  expect(onlyProvidersMissing(await initErrors(dir))).toBe(true);
});

maybe("one platform in each of two stacks", async () => {
  const app = new App({ outdir: path.join(tempDir("tf-stacks-"), "cdktf.out") });
  for (const name of ["east", "west"]) {
    const stack = new TerraformStack(app, name);
    const cluster = new ClusterProviders(stack, "providers", { context: `admin@${name}` });
    new CiliumPlatform(stack, "cilium", { cluster });
  }
  app.synth();
  for (const name of ["east", "west"]) expect(onlyProvidersMissing(await initErrors(path.join(app.outdir, "stacks", name)))).toBe(true);
});

maybe("the check can fail: two unaliased kubernetes providers are a configuration error Terraform reports", async () => {
  const app = new App({ outdir: path.join(tempDir("tf-bad-"), "cdktf.out") });
  const stack = new TerraformStack(app, "bad");
  new KubernetesProvider(stack, "one", {});
  new KubernetesProvider(stack, "two", {});
  const errors = await initErrors(synthesized(app, "bad"));
  expect(errors).toContain("Duplicate provider configuration");
  expect(onlyProvidersMissing(errors)).toBe(false);
});
