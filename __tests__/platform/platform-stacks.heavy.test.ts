import { readFileSync } from "node:fs";
import * as path from "node:path";
import { TerraformStack, Testing } from "cdktf";
import { Resource } from "@cdktf/provider-null/lib/resource";
import { CiliumPlatform, type CiliumPlatformProps, ClusterProviders, SynthError } from "../../lib";
import { buildApp } from "../../main";
import { addressesOf, dependsOnProblems } from "../helpers/depends-on";
import { freshApp, synthApp, testApp, warningsOf } from "../helpers/synth";
import { tempDir } from "../helpers/temp";

// One construct across both stacks.

const LAB = { kubeconfigPaths: ["~/.kube/config"], context: "admin@lab" };

describe("with releaseStack: the release there under the same id, policies and check here, a ClusterProviders in each, here depends on there", () => {
  // One app for the file's questions about it: they read it, none changes it.
  const app = freshApp();
  const releaseStack = new TerraformStack(app, "lab-cilium");
  const workloadStack = new TerraformStack(app, "lab");
  const platform = new CiliumPlatform(workloadStack, "cilium", { releaseStack, cluster: LAB, policySet: "least-privilege" });
  const stacks = synthApp(app);

  test("the platform names both stacks", () => {
    expect([platform.releaseStack, platform.workloadStack]).toEqual([releaseStack, workloadStack]);
  });

  test("the release is in the release stack under the same id; policies and check in the workload stack", () => {
    expect([platform.release.node.path, platform.policies.node.path, platform.check?.node.path]).toEqual([
      "lab-cilium/cilium/release",
      "lab/cilium/policies",
      "lab/cilium/webhook-check",
    ]);
  });

  test("each stack has its own ClusterProviders", () => {
    expect([platform.releaseCluster, platform.cluster].map((c) => TerraformStack.of(c as ClusterProviders))).toEqual([
      releaseStack,
      workloadStack,
    ]);
  });

  test("the workload stack depends on the release stack", () => {
    expect(workloadStack.dependencies).toEqual([releaseStack]);
  });

  test("the release stack holds the helm_release alone, the workload stack the policies and the check", () => {
    expect({
      "lab-cilium": Object.keys(stacks["lab-cilium"].resource ?? {}),
      lab: Object.keys(stacks.lab.resource ?? {}).sort(),
    }).toEqual({ "lab-cilium": ["helm_release"], lab: ["kubernetes_manifest", "null_resource"] });
  });

  test.each(["lab-cilium", "lab"])("%s: the kubernetes provider is configured for the cluster's access", (name) => {
    expect(stacks[name].provider?.kubernetes).toEqual([{ config_path: "~/.kube/config", config_context: "admin@lab" }]);
  });

  test.each(["lab-cilium", "lab"])("%s: every depends_on names a resource of its stack", (name) => {
    expect(dependsOnProblems(stacks[name])).toEqual([]);
  });

  test("the check runs with the cluster's kubeconfig and context", () => {
    expect(Testing.synth(workloadStack)).toHaveResourceWithProperties(Resource, {
      provisioner: [
        {
          "local-exec": expect.objectContaining({
            environment: expect.objectContaining({ KUBECONFIG: "~/.kube/config", WEBHOOK_CHECK_CONTEXT: "admin@lab" }),
          }),
        },
      ],
    });
  });

  test("nothing is warned about", () => {
    expect(warningsOf(app)).toEqual([]);
  });
});

describe("cluster and releaseStack are exclusive; so are cluster and access", () => {
  const app = testApp();
  const releaseStack = new TerraformStack(app, "r");
  const stack = new TerraformStack(app, "w");
  const cluster = new ClusterProviders(stack, "providers", LAB);
  const other = new ClusterProviders(stack, "other", { context: "admin@other" });
  const before = new TerraformStack(app, "before");
  before.addDependency(stack);

  test.each<[string, CiliumPlatformProps, RegExp | typeof SynthError]>([
    ["cluster with releaseStack", { releaseStack, cluster }, /`cluster` \(a ClusterProviders\) and `releaseStack` together/],
    ["cluster with access", { cluster, access: LAB }, /`cluster` and `access` together/],
    ["releaseStack the platform's own stack", { releaseStack: stack }, SynthError],
    ["kube with releaseStack", { releaseStack, kube: LAB }, /`kube` together with `cluster`, `access` or `releaseStack`/],
    [
      "release.cluster another cluster",
      { cluster, release: { cluster: other } },
      /release\.cluster: the platform puts all three parts on its own cluster/,
    ],
    ["a releaseStack that depends on this stack", { releaseStack: before }, /a cycle between "w" and "before"/],
  ])("%s is refused", (name, props, refusal) => {
    // A refused platform may leave its first children behind: an id of its own per case.
    expect(() => new CiliumPlatform(stack, name, props)).toThrow(refusal);
  });
});

describe("one stack, as today", () => {
  test("a CiliumNetworkPolicy beside the CiliumRelease gets a synth warning; singleStackOnPurpose: true silences it", () => {
    const stack = new TerraformStack(testApp(), "one");
    const cluster = new ClusterProviders(stack, "providers", LAB);
    new CiliumPlatform(stack, "cilium", { cluster, policySet: "least-privilege" });
    expect(warningsOf(stack)).toEqual([
      expect.stringMatching(
        /^one\/cilium: 1 Cilium policy \(CiliumNetworkPolicy cert-manager\/cert-manager-webhook-from-apiserver\) in the stack of the CiliumRelease: .*fails at plan on a cluster without Cilium's CRDs; use `releaseStack`/,
      ),
    ]);
    const quiet = new TerraformStack(testApp(), "quiet");
    new CiliumPlatform(quiet, "cilium", {
      cluster: new ClusterProviders(quiet, "providers", LAB),
      policySet: "least-privilege",
      singleStackOnPurpose: true,
    });
    expect(warningsOf(quiet)).toEqual([]);
  });

  test("plain NetworkPolicies in one stack: no warning, and the same output as before (release and policies in one stack)", () => {
    const stack = new TerraformStack(testApp(), "one");
    const cluster = new ClusterProviders(stack, "providers", LAB);
    new CiliumPlatform(stack, "cilium", { cluster, policySet: "allow-all" });
    const json = JSON.parse(Testing.synth(stack));
    expect(Object.keys(json.resource).sort()).toEqual(["helm_release", "kubernetes_network_policy_v1", "null_resource"]);
    expect(warningsOf(stack)).toEqual([]);
  });
});

test("the dev app keeps every Terraform address of dev-cilium, dev, prod-cilium and prod (recorded before main.ts used CiliumPlatform)", () => {
  // __tests__/fixtures/dev-app-addresses.json: addressesOf() of `KUBE_CONTEXT_PROD=admin@prod npm run synth`
  // at commit ab621ab, where main.ts wired CiliumRelease, NetworkPolicies and WebhookCheck by hand. A changed
  // address is a destroy and create at the next deploy; for helm_release.cilium_release_691669B7, of the CNI.
  const recorded = JSON.parse(readFileSync(path.join(__dirname, "..", "fixtures", "dev-app-addresses.json"), "utf8"));
  const { app } = buildApp({ KUBE_CONTEXT_PROD: "admin@prod" }, path.join(tempDir("addresses-"), "cdktf.out"));
  const stacks = synthApp(app);
  expect(Object.keys(stacks).sort()).toEqual(["dev", "dev-cilium", "prod", "prod-cilium"]);
  expect(Object.fromEntries(Object.keys(recorded).map((name) => [name, addressesOf(stacks[name])]))).toEqual(recorded);
  expect(recorded["dev-cilium"]).toContain("helm_release.cilium_release_691669B7");
  for (const json of Object.values(stacks)) expect(dependsOnProblems(json)).toEqual([]);
});
