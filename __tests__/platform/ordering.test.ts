import { Release } from "@cdktf/provider-helm/lib/release";
import { TerraformStack } from "cdktf";
import { CiliumPlatform, CiliumRelease, ClusterProviders, NetworkPolicies, SynthError, WebhookCheck } from "../../lib";
import { dependsOnProblems } from "../helpers/depends-on";
import { networkPolicyYaml, policyDir } from "../helpers/policy-dirs";
import { freshApp, resourcesOf, synthApp, firstResource } from "../helpers/synth";

// Ordering that holds on a fresh cluster, and every depends_on valid
// Terraform (point 4, the JSON half; the `terraform validate` half is e2e/depends-on-validate).

const certManager = (stack: TerraformStack, cluster: ClusterProviders, after: CiliumRelease) =>
  new Release(stack, "cert-manager", {
    provider: cluster.helm,
    name: "cert-manager",
    repository: "https://charts.jetstack.io",
    chart: "cert-manager",
    version: "v1.19.1",
    namespace: "cert-manager",
    createNamespace: true,
    dependsOn: [after.helmRelease],
  });
const LAB = { kubeconfigPaths: ["~/.kube/config"], context: "admin@lab" };
const CERT_MANAGER = "helm_release.cert-manager";

test("README's complete stack: the cert-manager policy waits for the cert-manager release that creates its namespace (platform.runAfter)", () => {
  const app = freshApp();
  const stack = new TerraformStack(app, "lab");
  const cluster = new ClusterProviders(stack, "providers", LAB);
  const platform = new CiliumPlatform(stack, "cilium", { cluster, release: { talos: true }, policySet: "allow-all" });
  platform.runAfter(certManager(stack, cluster, platform.release));
  const json = synthApp(app).lab;
  const policies = Object.values(resourcesOf(json, "kubernetes_network_policy_v1"));
  expect(policies.map((p) => (p.metadata as { namespace: string }).namespace)).toEqual(["cert-manager", "kube-system"]);
  for (const p of policies) expect(p.depends_on).toContain(CERT_MANAGER);
  expect(Object.values(resourcesOf(json, "null_resource"))[0].depends_on).toContain(CERT_MANAGER);
  expect(dependsOnProblems(json)).toEqual([]);
});

test("NetworkPolicies.runAfter adds the resources to every policy's depends_on, after the release", () => {
  const app = freshApp();
  const stack = new TerraformStack(app, "s");
  const release = new CiliumRelease(stack, "cilium");
  const other = new Release(stack, "other", { name: "other", chart: "other" });
  const policies = new NetworkPolicies(stack, "policies", {
    release,
    directories: [policyDir({ "a.yaml": `${networkPolicyYaml("a", "ns")}---\n${networkPolicyYaml("b", "ns")}` })],
  });
  policies.runAfter(other);
  const json = synthApp(app).s;
  const releaseAddress = `helm_release.${Object.keys(resourcesOf(json, "helm_release")).find((k) => k !== "other")}`;
  for (const p of Object.values(resourcesOf(json, "kubernetes_network_policy_v1"))) {
    expect(p.depends_on).toEqual([releaseAddress, "helm_release.other"]);
  }
});

describe("across stacks: no depends_on into another stack's outputs", () => {
  /** The split main.ts used to wire by hand: the release (and cert-manager, which needs the CNI) first, the check second. */
  function handWired(order: (check: WebhookCheck, cm: Release) => void) {
    const app = freshApp();
    const first = new TerraformStack(app, "lab-cilium");
    const second = new TerraformStack(app, "lab");
    const firstCluster = new ClusterProviders(first, "providers", LAB);
    const release = new CiliumRelease(first, "cilium", { cluster: firstCluster });
    const cm = certManager(first, firstCluster, release);
    second.addDependency(first);
    const check = new WebhookCheck(second, "check", { cluster: new ClusterProviders(second, "providers", LAB), release });
    order(check, cm);
    return { stacks: synthApp(app), second };
  }

  test("check.runAfter(certManager): the stack depends on the other; the check's trigger `after <address>` is the resource's id through a cross-stack reference", () => {
    const { stacks } = handWired((check, cm) => check.runAfter(cm));
    const check = firstResource(stacks.lab, "null_resource");
    expect(check.depends_on ?? []).toEqual([]);
    expect(check.triggers[`after ${CERT_MANAGER}`]).toMatch(
      /^\$\{data\.terraform_remote_state\.cross-stack-reference-input-lab-cilium\.outputs\.cross-stack-output-helm_releasecert-managerid\}$/,
    );
    for (const json of Object.values(stacks)) expect(dependsOnProblems(json)).toEqual([]);
  });

  test("a dependsOn prop across stacks (check, policies, release) orders the stacks and writes no depends_on", () => {
    const app = freshApp();
    const first = new TerraformStack(app, "first");
    const second = new TerraformStack(app, "second");
    const third = new TerraformStack(app, "third");
    const cm = new Release(first, "cert-manager", { name: "cert-manager", chart: "cert-manager" });
    new WebhookCheck(second, "check", { dependsOn: [cm], useApplyEnvironment: true });
    new NetworkPolicies(second, "policies", { dependsOn: [cm], directories: [policyDir({ "a.yaml": networkPolicyYaml("a", "ns") })] });
    new CiliumRelease(third, "cilium", { dependsOn: [cm] });
    const stacks = synthApp(app);
    expect([second.dependencies, third.dependencies]).toEqual([[first], [first]]);
    for (const json of Object.values(stacks)) expect(dependsOnProblems(json)).toEqual([]);
    expect(firstResource(stacks.second, "null_resource").triggers).toHaveProperty([`after ${CERT_MANAGER}`]);
  });

  test("NetworkPolicies with the release of another stack: that stack comes first, and no depends_on names it", () => {
    const app = freshApp();
    const first = new TerraformStack(app, "first");
    const second = new TerraformStack(app, "second");
    const release = new CiliumRelease(first, "cilium");
    new NetworkPolicies(second, "policies", { release, directories: [policyDir({ "a.yaml": networkPolicyYaml("a", "ns") })] });
    expect(second.dependencies).toEqual([first]);
    const json = synthApp(app).second;
    expect(Object.values(resourcesOf(json, "kubernetes_network_policy_v1"))[0].depends_on).toBeUndefined();
  });

  test("a resource whose stack already depends on this one is refused (a cycle), naming both stacks", () => {
    const app = freshApp();
    const first = new TerraformStack(app, "first");
    const second = new TerraformStack(app, "second");
    second.addDependency(first);
    const later = new Release(second, "later", { name: "later", chart: "later" });
    const release = new CiliumRelease(first, "cilium");
    let err: unknown;
    try {
      new CiliumRelease(first, "again", { releaseName: "again", dependsOn: [later] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SynthError);
    expect((err as SynthError).message).toMatch(
      /^first\/again: .*\n {2}- dependsOn: helm_release\.later is in stack "second", which already depends on this construct's stack "first"; waiting for it would be a cycle between "first" and "second"/,
    );
    const policies = new NetworkPolicies(first, "policies", { release });
    expect(() => policies.runAfter(later)).toThrow(/cycle between "first" and "second"/);
  });

  test("the JSON check can fail: a raw cross-stack dependsOn (what runAfter wrote before) names a remote state's output", () => {
    const app = freshApp();
    const first = new TerraformStack(app, "first");
    const second = new TerraformStack(app, "second");
    const cm = new Release(first, "cert-manager", { name: "cert-manager", chart: "cert-manager" });
    new Release(second, "after", { name: "after", chart: "after", dependsOn: [cm] });
    const problems = dependsOnProblems(synthApp(app).second);
    expect(problems).toEqual([
      'helm_release.after: "data.terraform_remote_state.cross-stack-reference-input-first.outputs.cross-stack-output-helm_releasecert-manager" is not a whole object',
    ]);
  });
});

test("CiliumPlatform across both stacks with cert-manager beside Cilium: runAfter orders policies and check through the stacks", () => {
  const app = freshApp();
  const releaseStack = new TerraformStack(app, "lab-cilium");
  const workloadStack = new TerraformStack(app, "lab");
  const platform = new CiliumPlatform(workloadStack, "cilium", { releaseStack, cluster: LAB, policySet: "least-privilege" });
  platform.runAfter(certManager(releaseStack, platform.releaseCluster as ClusterProviders, platform.release));
  const stacks = synthApp(app);
  expect(workloadStack.dependencies).toEqual([releaseStack]);
  for (const json of Object.values(stacks)) expect(dependsOnProblems(json)).toEqual([]);
  expect(Object.keys(resourcesOf(stacks["lab-cilium"], "helm_release")).sort()).toEqual(["cert-manager", "cilium_release_691669B7"]);
  const check = firstResource(stacks.lab, "null_resource");
  expect(check.triggers).toHaveProperty([`after ${CERT_MANAGER}`]);
});
