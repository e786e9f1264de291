// The same platform, with cert-manager installed by your own stack `lab-apps`: its
// pods need the pod network, so `lab-apps` comes after `lab-cilium`; the platform's
// runAfter makes the policies (one lives in the cert-manager namespace the release
// creates) and the check (it proves cert-manager's webhook) wait for it. Across
// stacks that is a stack dependency, and the check re-runs when the release is
// replaced (its trigger `after helm_release.cert-manager`).
// Deploy: npx --yes cdktf-cli@0.21.0 deploy lab-cilium lab-apps lab
import { Release } from "@cdktf/provider-helm/lib/release";
import { App, TerraformStack } from "cdktf";
import { CiliumPlatform, ClusterProviders, kubeAccessFromEnvironment } from "cdktf-cilium";

export function build(app: App, env: NodeJS.ProcessEnv = process.env): { platform: CiliumPlatform; certManager: Release } {
  const access = kubeAccessFromEnvironment(env);
  const releaseStack = new TerraformStack(app, "lab-cilium");
  const appsStack = new TerraformStack(app, "lab-apps");
  const workloadStack = new TerraformStack(app, "lab");
  const platform = new CiliumPlatform(workloadStack, "cilium", {
    releaseStack,
    cluster: access,
    release: { talos: true },
    policySet: "least-privilege",
  });

  appsStack.addDependency(releaseStack); // a depends_on cannot cross stacks: the stacks are ordered instead
  const certManager = new Release(appsStack, "cert-manager", {
    provider: new ClusterProviders(appsStack, "providers", access).helm,
    name: "cert-manager",
    repository: "https://charts.jetstack.io",
    chart: "cert-manager",
    version: "v1.19.1",
    namespace: "cert-manager",
    createNamespace: true,
    set: [{ name: "crds.enabled", value: "true" }],
  });
  platform.runAfter(certManager);
  return { platform, certManager };
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
