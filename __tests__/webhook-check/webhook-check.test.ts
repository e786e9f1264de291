import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { TerraformStack } from "cdktf";
import { CiliumRelease, NetworkPolicies, WebhookCheck, type WebhookCheckProps } from "../../lib";
import { CHECK_BUNDLE } from "../../lib/shared/package-paths";
import { networkPolicyYaml, policyDir } from "../helpers/policy-dirs";
import { onlyResource, resourcesOf, synthStack, testApp } from "../helpers/synth";

function check(props: WebhookCheckProps = {}) {
  return onlyResource(
    synthStack((s) => new WebhookCheck(s, "check", props)),
    "null_resource",
  );
}

test("synthesizes one null_resource running the shipped check (snapshot)", () => {
  expect(check({ kubeconfigPaths: ["~/.kube/config"], context: "admin@dev" })).toMatchSnapshot();
});

test("the check re-runs when its code changes: check_script_hash is the shipped bundle's content hash (masked in snapshots)", () => {
  const r = check();
  const md5 = createHash("md5").update(readFileSync(CHECK_BUNDLE)).digest("hex").toUpperCase();
  expect(r.triggers.check_script_hash).toBe(md5);
  expect(r.provisioner[0]["local-exec"].command).toContain(`/${md5}/webhook-check.js`);
});

test("runs `node <asset>` with no shell: every setting travels in environment", () => {
  const exec = check({ context: "a'; rm -rf / #", namespace: "certs", service: "hook", port: 8443, timeoutSeconds: 60, intervalSeconds: 1 })
    .provisioner[0]["local-exec"];
  expect(exec.interpreter).toEqual(["node"]);
  expect(exec.command).toMatch(/^assets\/check_script_[0-9A-F]{8}\/[0-9A-F]{32}\/webhook-check\.js$/);
  expect(exec.environment).toEqual({
    WEBHOOK_CHECK_CONTEXT: "a'; rm -rf / #",
    WEBHOOK_CHECK_NAMESPACE: "certs",
    WEBHOOK_CHECK_SERVICE: "hook",
    WEBHOOK_CHECK_PORT: "8443",
    WEBHOOK_CHECK_SCOPE: "all",
    WEBHOOK_CHECK_TIMEOUT: "60",
    WEBHOOK_CHECK_INTERVAL: "1",
  });
});

test("depends on the release and every policy; re-runs when the chart, values or any policy change", () => {
  const build = (values: Record<string, unknown>, spec: string) =>
    synthStack((s) => {
      const release = new CiliumRelease(s, "cilium", { values });
      const policies = new NetworkPolicies(s, "policies", {
        release,
        directories: [policyDir({ "a.yaml": `${networkPolicyYaml("a", "ns", spec)}---\n${networkPolicyYaml("b", "ns")}` })],
      });
      new WebhookCheck(s, "check", { release, policies });
    });
  const base = build({}, "  podSelector: {}\n");
  const r = onlyResource(base, "null_resource") as { triggers: Record<string, string>; depends_on: string[] };
  const addresses = [
    ...Object.keys(resourcesOf(base, "helm_release")).map((k) => `helm_release.${k}`),
    ...Object.keys(resourcesOf(base, "kubernetes_network_policy_v1")).map((k) => `kubernetes_network_policy_v1.${k}`),
  ];
  expect(r.depends_on).toEqual(addresses);
  expect(addresses).toHaveLength(3);
  expect(Object.keys(r.triggers).sort()).toEqual([
    "check_script_hash",
    "check_settings",
    "cilium_chart_version",
    "cilium_release_id",
    "cilium_release_last_deployed",
    "cilium_release_revision",
    "cilium_values_sha256",
    "policies_sha256",
    "policy_uid NetworkPolicy/ns/a",
    "policy_uid NetworkPolicy/ns/b",
  ]);

  const triggers = (json: ReturnType<typeof build>) =>
    (onlyResource(json, "null_resource") as { triggers: Record<string, string> }).triggers;
  expect(triggers(build({}, "  podSelector: {}\n"))).toEqual(r.triggers);
  expect(triggers(build({ debug: { enabled: true } }, "  podSelector: {}\n")).cilium_values_sha256).not.toBe(
    r.triggers.cilium_values_sha256,
  );
  expect(triggers(build({}, "  podSelector:\n    matchLabels: {app: x}\n")).policies_sha256).not.toBe(r.triggers.policies_sha256);
});

test("re-runs after every change of the cluster: triggers hold values known only after apply", () => {
  const json = synthStack((s) => {
    const release = new CiliumRelease(s, "cilium");
    const policies = new NetworkPolicies(s, "policies", {
      release,
      manifests: [
        { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "a", namespace: "ns" }, spec: {} },
        {
          apiVersion: "cilium.io/v2",
          kind: "CiliumNetworkPolicy",
          metadata: { name: "c", namespace: "ns" },
          spec: { endpointSelector: {}, ingress: [{}] },
        },
      ],
    });
    new WebhookCheck(s, "check", { release, policies });
  });
  const triggers = (onlyResource(json, "null_resource") as { triggers: Record<string, string> }).triggers;
  const [release] = Object.keys(resourcesOf(json, "helm_release"));
  const [np] = Object.keys(resourcesOf(json, "kubernetes_network_policy_v1"));
  const [manifest] = Object.keys(resourcesOf(json, "kubernetes_manifest"));
  expect(triggers.cilium_release_id).toBe(`\${helm_release.${release}.id}`);
  expect(triggers.cilium_release_revision).toBe(`\${helm_release.${release}.metadata.revision}`);
  expect(triggers.cilium_release_last_deployed).toBe(`\${helm_release.${release}.metadata.last_deployed}`);
  expect(triggers["policy_uid NetworkPolicy/ns/a"]).toBe(`\${kubernetes_network_policy_v1.${np}.metadata[0].uid}`);
  expect(triggers["policy_uid CiliumNetworkPolicy/ns/c"]).toBe(`\${kubernetes_manifest.${manifest}.object.metadata.uid}`);
});

test("runOnEveryApply adds a timestamp() trigger", () => {
  expect(check({ runOnEveryApply: true }).triggers.always).toBe(`$${"{"}timestamp()}`);
  expect(check().triggers).not.toHaveProperty("always");
});

test("kubeconfig paths are passed as KUBECONFIG, never their contents", () => {
  expect(check({ kubeconfigPaths: ["~/.kube/config", "/etc/kube/extra"] }).provisioner[0]["local-exec"].environment.KUBECONFIG).toBe(
    "~/.kube/config:/etc/kube/extra",
  );
});

test.each([
  [{ port: 0 }, /port 0: expected a whole number from 1 to 65535/],
  [{ namespace: "Cert_Manager" }, /namespace "Cert_Manager" is not a valid Kubernetes name/],
  [{ timeoutSeconds: 0 }, /timeoutSeconds 0: expected a number from 1 to 3600/],
  [{ service: "s".repeat(64) }, /service "s{64}" is not a valid Kubernetes name/],
])("refuses bad settings at synth: %p", (props, message) => {
  expect(() => new WebhookCheck(new TerraformStack(testApp(), "t"), "check", props)).toThrow(message);
});

test("probeNamespace travels as WEBHOOK_CHECK_PROBE_NAMESPACE and is validated at synth", () => {
  expect(check({ probeNamespace: "check-probes" }).provisioner[0]["local-exec"].environment.WEBHOOK_CHECK_PROBE_NAMESPACE).toBe(
    "check-probes",
  );
  expect(check().provisioner[0]["local-exec"].environment).not.toHaveProperty("WEBHOOK_CHECK_PROBE_NAMESPACE");
  const stack = new TerraformStack(testApp(), "t");
  expect(() => new WebhookCheck(stack, "c", { probeNamespace: "Not_Valid" })).toThrow(
    /probeNamespace "Not_Valid" is not a valid Kubernetes name/,
  );
});

test("scope (written even at its default) and exclude travel in the environment; bad values are refused at synth", () => {
  expect(check().provisioner[0]["local-exec"].environment.WEBHOOK_CHECK_SCOPE).toBe("all");
  const env = check({ scope: "cert-manager", exclude: ["kyverno-resource-validating-webhook-cfg", "v1beta1.metrics.k8s.io"] })
    .provisioner[0]["local-exec"].environment;
  expect(env).toMatchObject({
    WEBHOOK_CHECK_SCOPE: "cert-manager",
    WEBHOOK_CHECK_EXCLUDE: "kyverno-resource-validating-webhook-cfg,v1beta1.metrics.k8s.io",
  });
  const stack = new TerraformStack(testApp(), "t");
  expect(() => new WebhookCheck(stack, "c", { scope: "everything" as never, exclude: ["a,b"] })).toThrow(
    /scope "everything": use cert-manager or all[\s\S]*exclude "a,b": expected a non-empty name without commas/,
  );
});
