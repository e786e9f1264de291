// Two clusters in one app: per cluster a CiliumPlatform across its two stacks, each
// pair on its own kubeconfig context.
// Deploy: npx --yes cdktf-cli@0.21.0 deploy east-cilium east west-cilium west
import { App, TerraformStack } from "cdktf";
import { CiliumPlatform } from "cdktf-cilium";

export const CLUSTERS = { east: "admin@east", west: "admin@west" } as const;

export function build(app: App): CiliumPlatform[] {
  return Object.entries(CLUSTERS).map(
    ([name, context]) =>
      new CiliumPlatform(new TerraformStack(app, name), "cilium", {
        releaseStack: new TerraformStack(app, `${name}-cilium`),
        cluster: { kubeconfigPaths: ["~/.kube/config"], context },
        release: { talos: true },
        policySet: "allow-all",
        check: { timeoutSeconds: 180 },
      }),
  );
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
