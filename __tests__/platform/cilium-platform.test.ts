import { App, TerraformStack, Testing } from "cdktf";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { Resource } from "@cdktf/provider-null/lib/resource";
import { CiliumPlatform, ClusterProviders, kubeAccessFromEnvironment } from "../../lib";
import { resourcesOf, synthStack, testApp } from "../helpers/synth";

test("wires release -> policies -> check with the shipped allow-all set", () => {
  const stack = new TerraformStack(testApp(), "test");
  const platform = new CiliumPlatform(stack, "cilium", { policySet: "allow-all", release: { talos: true } });
  const synthesized = Testing.synth(stack);
  const release = `helm_release.${platform.release.helmRelease.friendlyUniqueId}`;
  for (const [namespace, name] of [
    ["cert-manager", "allow-all-ingress"],
    ["kube-system", "allow-all-egress"],
  ]) {
    expect(synthesized).toHaveResourceWithProperties(NetworkPolicyV1, {
      metadata: expect.objectContaining({ namespace, name }),
      depends_on: [release],
    });
  }
  const policies = platform.policies.resources.map((r) => `kubernetes_network_policy_v1.${r.friendlyUniqueId}`);
  expect(synthesized).toHaveResourceWithProperties(Resource, { depends_on: [release, ...policies] });
});

test("the least-privilege set admits only kube-apiserver to the webhook port", () => {
  const stack = new TerraformStack(testApp(), "test");
  new CiliumPlatform(stack, "cilium", { policySet: "least-privilege", singleStackOnPurpose: true });
  const synthesized = Testing.synth(stack);
  expect(synthesized).not.toHaveResource(NetworkPolicyV1);
  expect(synthesized).toHaveResourceWithProperties(Manifest, {
    manifest: expect.objectContaining({
      spec: expect.objectContaining({
        ingress: [{ fromEntities: ["kube-apiserver"], toPorts: [{ ports: [{ port: "10250", protocol: "TCP" }] }] }],
      }),
    }),
  });
});

test("check: false leaves the check out", () => {
  const json = synthStack((s) => new CiliumPlatform(s, "cilium", { check: false }));
  expect(resourcesOf(json, "null_resource")).toEqual({});
});

test("two instances in one stack synthesize without clashes", () => {
  const json = synthStack((s) => {
    new CiliumPlatform(s, "a", { policySet: "allow-all" });
    new CiliumPlatform(s, "b", { release: { namespace: "cilium-b", releaseName: "cilium-b" }, check: { namespace: "certs-b" } });
  });
  expect(Object.keys(resourcesOf(json, "helm_release"))).toHaveLength(2);
  expect(Object.keys(resourcesOf(json, "null_resource"))).toHaveLength(2);
  const commands = Object.values(resourcesOf(json, "null_resource")).map(
    (r) => (r.provisioner as Array<Record<string, { command: string }>>)[0]["local-exec"].command,
  );
  expect(new Set(commands).size).toBe(2);
});

test("the same construct in two stacks of one app", () => {
  const app = testApp();
  const stacks = ["dev", "staging"].map((name) => {
    const stack = new TerraformStack(app, name);
    new ClusterProviders(stack, "providers", kubeAccessFromEnvironment({}));
    new CiliumPlatform(stack, "cilium", { policySet: "allow-all" });
    return stack;
  });
  const [dev, staging] = stacks.map((s) => JSON.parse(Testing.synth(s)));
  expect(Object.keys(dev.resource)).toEqual(Object.keys(staging.resource));
  expect(dev.resource.helm_release).toEqual(staging.resource.helm_release);
});

test("ClusterProviders: helm and kubernetes read the same kubeconfig paths and context, never contents", () => {
  const app = new App({ outdir: "/tmp/unused" });
  const stack = new TerraformStack(app, "t");
  new ClusterProviders(stack, "p", kubeAccessFromEnvironment({ KUBECONFIG: "/a/config:/b/config", KUBE_CONTEXT: "admin@dev" }));
  const json = JSON.parse(Testing.synth(stack));
  expect(json.provider.kubernetes).toEqual([{ config_paths: ["/a/config", "/b/config"], config_context: "admin@dev" }]);
  expect(json.provider.helm).toEqual([{ kubernetes: { config_paths: ["/a/config", "/b/config"], config_context: "admin@dev" } }]);
  expect(kubeAccessFromEnvironment({})).toEqual({ kubeconfigPaths: ["~/.kube/config"] });
});

test("ordering: the check runs after cert-manager's helm_release in the same stack (check.dependsOn)", () => {
  const { Release } = require("@cdktf/provider-helm/lib/release");
  const app = testApp();
  const stack = new TerraformStack(app, "full");
  const cluster = new ClusterProviders(stack, "providers", { context: "admin@dev" });
  const certManager = new Release(stack, "cert-manager", {
    provider: cluster.helm,
    name: "cert-manager",
    repository: "https://charts.jetstack.io",
    chart: "cert-manager",
    version: "v1.19.1",
    namespace: "cert-manager",
    createNamespace: true,
    set: [{ name: "crds.enabled", value: "true" }],
  });
  const platform = new CiliumPlatform(stack, "cilium", { cluster, release: { talos: true }, check: { dependsOn: [certManager] } });
  const json = JSON.parse(Testing.synth(stack));
  const check = Object.values(json.resource.null_resource)[0] as { depends_on: string[] };
  expect(check.depends_on).toContain(`helm_release.${certManager.friendlyUniqueId}`);
  expect(check.depends_on).toContain(`helm_release.${platform.release.helmRelease.friendlyUniqueId}`);
});

test("runAfter: cert-manager waits for Cilium (pod network), the check waits for both", () => {
  const { Release } = require("@cdktf/provider-helm/lib/release");
  const stack = new TerraformStack(testApp(), "full");
  const platform = new CiliumPlatform(stack, "cilium", { release: { talos: true } });
  const certManager = new Release(stack, "cert-manager", {
    name: "cert-manager",
    chart: "cert-manager",
    dependsOn: [platform.release.helmRelease],
  });
  platform.check?.runAfter(certManager);
  const json = JSON.parse(Testing.synth(stack));
  const check = Object.values(json.resource.null_resource)[0] as { depends_on: string[] };
  expect(check.depends_on.at(-1)).toBe(`helm_release.${certManager.friendlyUniqueId}`);
  expect(json.resource.helm_release[certManager.friendlyUniqueId].depends_on).toEqual([
    `helm_release.${platform.release.helmRelease.friendlyUniqueId}`,
  ]);
});

test("one error style: every refusal is a SynthError whose message starts with the construct path", () => {
  const { SynthError, PolicyValidationError } = require("../../lib");
  const refusal = (build: (stack: TerraformStack) => void) => {
    try {
      build(new TerraformStack(testApp(), "s"));
    } catch (err) {
      return err as Error;
    }
    throw new Error("expected a refusal");
  };
  const cases: Array<[string, Error]> = [
    ["s/p", refusal((s) => new CiliumPlatform(s, "p", { policySet: "everything" as never }))],
    ["s/p/release", refusal((s) => new CiliumPlatform(s, "p", { release: { version: "^1" } }))],
    ["s/p/webhook-check", refusal((s) => new CiliumPlatform(s, "p", { check: { port: 0 } }))],
    [
      "s/p/policies",
      refusal(
        (s) =>
          new CiliumPlatform(s, "p", {
            policies: { manifests: [{ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "x" } }] },
          }),
      ),
    ],
  ];
  for (const [path, err] of cases) {
    expect(err).toBeInstanceOf(SynthError);
    expect(err.message).toMatch(new RegExp(`^${path}: \\d+ problem\\(s\\); nothing was synthesized:\\n {2}- `));
  }
  expect(cases[3][1]).toBeInstanceOf(PolicyValidationError);
});

test("better names beside the deprecated ones: ClusterProviders.nullProvider, NetworkPolicies.documents", () => {
  const stack = new TerraformStack(testApp(), "names");
  const cluster = new ClusterProviders(stack, "providers", {});
  expect(cluster.nullProvider).toBe(cluster.null);
  expect(cluster.nullProvider.terraformResourceType).toBe("null");
  const platform = new CiliumPlatform(stack, "cilium", { cluster, policySet: "allow-all" });
  expect(platform.policies.documents).toBe(platform.policies.policies);
  expect(platform.policies.documents.map((p) => p.name)).toEqual(["allow-all-ingress", "allow-all-egress"]);
});
