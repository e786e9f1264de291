import { Release } from "@cdktf/provider-helm/lib/release";
import { TerraformStack, Testing } from "cdktf";
import { CiliumPlatform, CiliumRelease, ClusterProviders, NetworkPolicies, WebhookCheck } from "../../lib";
import { networkPolicyYaml, policyDir } from "../helpers/policy-dirs";
import { onlyResource, testApp, warningsOf, firstResource, resourcesOf, refusalOf } from "../helpers/synth";

// One cluster handle: every construct takes `cluster`, and the check
// reads the kubeconfig and context of the cluster whose provider it runs with.

const LAB = { kubeconfigPaths: ["~/.kube/lab"], context: "admin@lab" };
const refusal = refusalOf;
const execOf = (json: any) => onlyResource(json, "null_resource").provisioner[0]["local-exec"];

test("WebhookCheck alone follows its provider's cluster: provider: cluster.null gives KUBECONFIG and the context", () => {
  const stack = new TerraformStack(testApp(), "s");
  const cluster = new ClusterProviders(stack, "lab", LAB);
  const check = new WebhookCheck(stack, "check", { provider: cluster.null });
  const env = execOf(JSON.parse(Testing.synth(stack))).environment;
  expect(env.KUBECONFIG).toBe("~/.kube/lab");
  expect(env.WEBHOOK_CHECK_CONTEXT).toBe("admin@lab");
  expect(check.cluster).toBe(cluster);
  expect(warningsOf(stack).filter((w) => w.includes("apply process"))).toEqual([]);
});

test("cluster: on each construct picks its provider (helm, kubernetes, null) and the check's kubeconfig paths joined by the path delimiter", () => {
  const stack = new TerraformStack(testApp(), "s");
  const a = new ClusterProviders(stack, "a", { kubeconfigPaths: ["~/.kube/a", "/etc/kube/b"], context: "admin@a" });
  new ClusterProviders(stack, "b", { context: "admin@b" });
  const release = new CiliumRelease(stack, "cilium", { cluster: a });
  const policies = new NetworkPolicies(stack, "policies", {
    cluster: a,
    release,
    directories: [policyDir({ "p.yaml": networkPolicyYaml("p", "shop") })],
  });
  new WebhookCheck(stack, "check", { cluster: a, release, policies });
  const json = JSON.parse(Testing.synth(stack));
  expect(firstResource(json, "helm_release").provider).toBe("helm.a");
  expect(firstResource(json, "kubernetes_network_policy_v1").provider).toBe("kubernetes.a");
  const check = onlyResource(json, "null_resource");
  expect(check.provider).toBe("null.a");
  expect(check.provisioner[0]["local-exec"].environment).toMatchObject({
    KUBECONFIG: "~/.kube/a:/etc/kube/b",
    WEBHOOK_CHECK_CONTEXT: "admin@a",
  });
});

test("refused, naming the construct path: cluster with provider; on the check, cluster with kubeconfigPaths or context", () => {
  const stack = new TerraformStack(testApp(), "s");
  const cluster = new ClusterProviders(stack, "lab", LAB);
  const other = new ClusterProviders(stack, "other", { context: "admin@other" });
  expect(refusal(() => new CiliumRelease(stack, "r", { cluster, provider: other.helm })).message).toMatch(
    /^s\/r: 1 problem\(s\)[^\n]*\n {2}- `cluster` and `provider` together/,
  );
  expect(refusal(() => new NetworkPolicies(stack, "p", { cluster, provider: cluster.kubernetes })).message).toMatch(
    /^s\/p: .*\n {2}- `cluster` and `provider` together/,
  );
  expect(refusal(() => new WebhookCheck(stack, "c1", { cluster, kubeconfigPaths: ["~/.kube/x"] })).message).toMatch(
    /^s\/c1: .*\n {2}- `kubeconfigPaths` together with a cluster \(s\/lab\)/,
  );
  expect(refusal(() => new WebhookCheck(stack, "c2", { provider: cluster.null, context: "admin@x" })).message).toMatch(
    /^s\/c2: .*\n {2}- `context` together with a cluster \(s\/lab\)/,
  );
});

test("a ClusterProviders of another stack is refused: create one in this stack for the same access", () => {
  const app = testApp();
  const first = new TerraformStack(app, "first");
  const second = new TerraformStack(app, "second");
  const cluster = new ClusterProviders(first, "providers", LAB);
  for (const build of [
    () => new CiliumRelease(second, "x1", { cluster }),
    () => new NetworkPolicies(second, "x2", { provider: cluster.kubernetes }),
    () => new WebhookCheck(second, "x3", { cluster }),
  ]) {
    const err = refusal(build);
    expect(err.constructPath).toMatch(/^second\/x\d$/);
    expect(err.message).toContain(
      'belongs to the ClusterProviders first/providers of stack "first", but this construct is in stack "second"',
    );
    expect(err.message).toContain("create a ClusterProviders in this stack for the same access");
  }
});

describe("a check whose access comes from nowhere", () => {
  test("keeps working, with a synth warning; useApplyEnvironment: true silences it", () => {
    const stack = new TerraformStack(testApp(), "s");
    new WebhookCheck(stack, "check", {});
    const env = execOf(JSON.parse(Testing.synth(stack))).environment;
    expect(env.KUBECONFIG).toBeUndefined();
    expect(env.WEBHOOK_CHECK_CONTEXT).toBeUndefined();
    expect(warningsOf(stack)).toEqual([
      "s/check: reads the apply process's KUBECONFIG and current context; pass `cluster` (or set useApplyEnvironment: true if that is meant)",
    ]);
    Testing.synth(stack); // a second synth says it no second time
    expect(warningsOf(stack)).toHaveLength(1);
    const quiet = new TerraformStack(testApp(), "q");
    new WebhookCheck(quiet, "check", { useApplyEnvironment: true });
    Testing.synth(quiet);
    expect(warningsOf(quiet)).toEqual([]);
  });

  test("is refused where provably wrong: its stack deploys through a ClusterProviders with explicit access (also one made later)", () => {
    const stack = new TerraformStack(testApp(), "s");
    new WebhookCheck(stack, "check", { useApplyEnvironment: true });
    new ClusterProviders(stack, "lab", LAB);
    const err = refusal(() => Testing.synth(stack));
    expect(err.constructPath).toBe("s/check");
    expect(err.message).toContain("while this stack deploys through s/lab (kubeconfig ~/.kube/lab, context admin@lab); pass `cluster`");
  });

  test("a ClusterProviders on the defaults (~/.kube/config, current context) is not explicit access: a warning only", () => {
    const stack = new TerraformStack(testApp(), "s");
    new ClusterProviders(stack, "providers", {});
    new WebhookCheck(stack, "check");
    expect(() => Testing.synth(stack)).not.toThrow();
    expect(warningsOf(stack)).toHaveLength(1);
  });

  test("useApplyEnvironment together with a cluster or own access is refused", () => {
    const stack = new TerraformStack(testApp(), "s");
    const cluster = new ClusterProviders(stack, "lab", LAB);
    expect(refusal(() => new WebhookCheck(stack, "c", { cluster, useApplyEnvironment: true })).message).toContain(
      "`useApplyEnvironment: true` together with `cluster`",
    );
  });
});

test("the README's several-clusters stack: each platform's check reads its own cluster", () => {
  const stack = new TerraformStack(testApp(), "clusters");
  for (const name of ["east", "west"]) {
    const cluster = new ClusterProviders(stack, `cluster-${name}`, { context: `admin@${name}` });
    new CiliumPlatform(stack, `cilium-${name}`, { cluster, policySet: "allow-all" });
  }
  const json = JSON.parse(Testing.synth(stack));
  const checks = Object.values(resourcesOf(json, "null_resource"));
  expect(checks.map((c) => [c.provider, c.provisioner[0]["local-exec"].environment.WEBHOOK_CHECK_CONTEXT]).sort()).toEqual([
    ["null.cluster_east", "admin@east"],
    ["null.cluster_west", "admin@west"],
  ]);
  expect(warningsOf(stack)).toEqual([]);
});

test("a cert-manager release on a cluster's helm provider stays the user's: nothing else changes its provider", () => {
  const stack = new TerraformStack(testApp(), "s");
  const cluster = new ClusterProviders(stack, "lab", LAB);
  new Release(stack, "cm", { provider: cluster.helm, name: "cert-manager", chart: "cert-manager" });
  const json = JSON.parse(Testing.synth(stack));
  expect(json.resource.helm_release.cm.provider).toBe("helm");
});
