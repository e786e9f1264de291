import { TerraformStack, Testing } from "cdktf";
import { CiliumPlatform, ClusterProviders } from "../../lib";
import { freshApp, printedWarnings, synthApp, testApp, warningsOf } from "../helpers/synth";

// `cluster` is CiliumPlatform's one way in: a ClusterProviders (one stack) or the cluster's
// access (the platform makes a ClusterProviders in each of its stacks). `access` and `kube`
// still work until the next breaking release, each with a deprecation warning.

const LAB = { kubeconfigPaths: ["~/.kube/config"], context: "admin@lab" };

afterEach(() => jest.restoreAllMocks());

test("cluster as access across two stacks synthesizes what access did", () => {
  const synthWith = (key: "cluster" | "access") => {
    const app = freshApp();
    const releaseStack = new TerraformStack(app, "lab-cilium");
    new CiliumPlatform(new TerraformStack(app, "lab"), "cilium", { releaseStack, [key]: LAB, policySet: "least-privilege" });
    return synthApp(app);
  };
  jest.spyOn(process.stderr, "write").mockImplementation(() => true);
  expect(synthWith("cluster")).toEqual(synthWith("access"));
});

test("cluster as access gives each stack its own ClusterProviders and no warning", () => {
  const app = testApp();
  const releaseStack = new TerraformStack(app, "r");
  const platform = new CiliumPlatform(new TerraformStack(app, "w"), "cilium", { releaseStack, cluster: LAB });
  expect([platform.releaseCluster, platform.cluster].map((c) => (c ? TerraformStack.of(c).node.id : undefined))).toEqual(["r", "w"]);
  expect(warningsOf(app)).toEqual([]);
});

test("access is deprecated: a warning on stderr naming cluster", () => {
  const app = testApp();
  const releaseStack = new TerraformStack(app, "r");
  const printed = printedWarnings(() => new CiliumPlatform(new TerraformStack(app, "w"), "cilium", { releaseStack, access: LAB }));
  expect(printed).toEqual(["warning: w/cilium: `access` is deprecated: pass the same object as `cluster`"]);
});

test("kube is deprecated: a warning on stderr naming cluster", () => {
  const stack = new TerraformStack(testApp(), "w");
  const printed = printedWarnings(() => new CiliumPlatform(stack, "cilium", { kube: LAB }));
  expect(printed).toContainEqual(expect.stringMatching(/^warning: w\/cilium: `kube` is deprecated: pass `cluster`/));
});

test("a ClusterProviders as cluster with releaseStack is refused with the fix: its access as cluster", () => {
  const app = testApp();
  const releaseStack = new TerraformStack(app, "r");
  const stack = new TerraformStack(app, "w");
  const cluster = new ClusterProviders(stack, "providers", LAB);
  expect(() => new CiliumPlatform(stack, "cilium", { releaseStack, cluster })).toThrow(
    /pass the cluster's access \(\{ kubeconfigPaths, context \}\) as `cluster`/,
  );
});

test("cluster as access with an unknown prop is refused naming it", () => {
  const stack = new TerraformStack(testApp(), "w");
  expect(() => new CiliumPlatform(stack, "cilium", { cluster: { contxt: "admin@lab" } as never })).toThrow(
    /cluster\.contxt: unknown prop "contxt" \(did you mean "context"\?\)/,
  );
});

test("one stack with a ClusterProviders as cluster keeps it", () => {
  const stack = new TerraformStack(testApp(), "w");
  const cluster = new ClusterProviders(stack, "providers", LAB);
  const platform = new CiliumPlatform(stack, "cilium", { cluster });
  expect(platform.cluster).toBe(cluster);
  expect(Testing.synth(stack)).toContain("admin@lab");
});
