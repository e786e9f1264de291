// The parts used alone, for what CiliumPlatform does not cover: your own split of the
// stacks, your own policy directories. Each construct takes `cluster`, a ClusterProviders
// of its own stack; the check reads that cluster's kubeconfig and context.
// Deploy: npx --yes cdktf-cli@0.21.0 deploy parts-cilium parts
import { App, TerraformStack } from "cdktf";
import { CiliumRelease, ClusterProviders, NetworkPolicies, policySetDirectory, WebhookCheck } from "cdktf-cilium";

const ACCESS = { kubeconfigPaths: ["~/.kube/config"], context: "admin@lab" };

export function build(app: App): { release: CiliumRelease; policies: NetworkPolicies; check: WebhookCheck } {
  const first = new TerraformStack(app, "parts-cilium");
  const release = new CiliumRelease(first, "cilium", {
    cluster: new ClusterProviders(first, "providers", ACCESS),
    talos: true,
    values: { hubble: { relay: { enabled: true } } },
  });

  const second = new TerraformStack(app, "parts");
  second.addDependency(first);
  const cluster = new ClusterProviders(second, "providers", ACCESS);
  const policies = new NetworkPolicies(second, "policies", {
    cluster,
    release, // in another stack: ordered by the stack dependency, never by a depends_on
    directories: [policySetDirectory("allow-all")],
  });
  const check = new WebhookCheck(second, "webhook-check", { cluster, release, policies, scope: "cert-manager" });
  return { release, policies, check };
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
