// One cluster, CiliumPlatform across both stacks: `lab-cilium` holds the Cilium release
// (and with it Cilium's CRDs); `lab` holds the policies and the webhook check, and is
// planned only after `lab-cilium` is applied, so CiliumNetworkPolicies work on a fresh
// cluster. Deploy: npx --yes cdktf-cli@0.21.0 deploy lab-cilium lab
import { App, TerraformStack } from "cdktf";
import { CiliumPlatform, kubeAccessFromEnvironment } from "cdktf-cilium";

export function build(app: App, env: NodeJS.ProcessEnv = process.env): CiliumPlatform {
  const releaseStack = new TerraformStack(app, "lab-cilium");
  const workloadStack = new TerraformStack(app, "lab");
  return new CiliumPlatform(workloadStack, "cilium", {
    releaseStack,
    cluster: kubeAccessFromEnvironment(env), // KUBECONFIG and KUBE_CONTEXT, for providers and check alike
    release: { talos: true, operatorReplicas: 1 },
    policySet: "least-privilege", // a CiliumNetworkPolicy: needs Cilium's CRDs at plan
  });
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
