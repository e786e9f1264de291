// The path proof at synth: required paths decided over every policy an app deploys to one
// cluster, refusals with blame, warnings for unknowns, the proof handed to the check, and the
// matchers. cilium-explain is __tests__/explain/.
import { DEFAULT_CILIUM_LINE } from "../../lib/cilium/lines";
import { TerraformStack, Testing } from "cdktf";
import {
  CiliumRelease,
  ClusterProviders,
  NetworkPolicies,
  type NetworkPoliciesOptions,
  type PathPeer,
  policySetDirectory,
  type RequiredPath,
  RequiredPaths,
  SynthError,
} from "../../lib";
import { ciliumPolicySettings } from "../../lib/proof/cilium-settings";
import { toCheckProof } from "../../lib/proof/prove";
import { decideSubject } from "../../lib/testing";
import { parseCheckProof } from "../../lib/proof/check-proof";
import { policyDir } from "../helpers/policy-dirs";
import { printedWarnings, testApp } from "../helpers/synth";

const WEBHOOK_PODS: PathPeer = {
  namespace: "cert-manager",
  labels: {
    app: "webhook",
    "app.kubernetes.io/name": "webhook",
    "app.kubernetes.io/instance": "cert-manager",
    "app.kubernetes.io/component": "webhook",
  },
};
const FROM_APISERVER = { from: { entity: "kube-apiserver" } as PathPeer, to: WEBHOOK_PODS, protocol: "TCP" as const, port: 10250 };

/** A CiliumNetworkPolicy selecting the webhook pods with the given ingress rules. */
const webhookPolicy = (ingress: unknown, name = "webhook-ingress") => ({
  apiVersion: "cilium.io/v2",
  kind: "CiliumNetworkPolicy",
  metadata: { name, namespace: "cert-manager" },
  spec: { endpointSelector: { matchLabels: { "app.kubernetes.io/name": "webhook" } }, ingress },
});

/** Builds the policies in a fresh stack and synthesizes it (the proof runs as an aspect at synth). */
function synthPolicies(props: ConstructorParameters<typeof NetworkPolicies>[2]): { stack: TerraformStack; policies: NetworkPolicies } {
  const stack = new TerraformStack(testApp(), "test");
  const policies = new NetworkPolicies(stack, "policies", props);
  Testing.synth(stack);
  return { stack, policies };
}

/** The SynthError the build throws (at construction or at synth). */
function refusal(build: () => unknown): SynthError {
  try {
    build();
  } catch (err) {
    expect(err).toBeInstanceOf(SynthError);
    return err as SynthError;
  }
  throw new Error("expected a SynthError, but synth succeeded");
}

const warningsOf = (stack: TerraformStack) =>
  stack.node
    .findAll()
    .flatMap((c) => c.node.metadata)
    .filter((m) => m.type === "@cdktf/warn")
    .map((m) => String(m.data));

describe("RequiredPaths", () => {
  test("certManager: the incident's paths and each component's DNS, API server and ACME paths, in order", () => {
    const paths = RequiredPaths.certManager();
    expect(paths.map((p) => p.name)).toEqual([
      "cert-manager/apiserver-remote-to-webhook",
      "cert-manager/apiserver-local-to-webhook",
      "cert-manager/controller-to-dns-udp",
      "cert-manager/controller-to-dns-tcp",
      "cert-manager/controller-to-apiserver",
      "cert-manager/webhook-to-dns-udp",
      "cert-manager/webhook-to-dns-tcp",
      "cert-manager/webhook-to-apiserver",
      "cert-manager/cainjector-to-dns-udp",
      "cert-manager/cainjector-to-dns-tcp",
      "cert-manager/cainjector-to-apiserver",
      "cert-manager/controller-to-acme",
    ]);
  });

  test("certManager: the incident's path ends at the webhook pods by the chart's labels, decided on partial labels", () => {
    const paths = RequiredPaths.certManager();
    expect(paths[0]).toEqual({
      name: "cert-manager/apiserver-remote-to-webhook",
      from: { entity: "kube-apiserver", node: "remote" },
      to: WEBHOOK_PODS,
      protocol: "TCP",
      port: 10250,
      labels: "partial",
    });
    expect(paths.every((p) => p.labels === "partial")).toBe(true);
  });

  test.each([
    [1, { from: { entity: "kube-apiserver", node: "local" } }],
    [
      2,
      {
        from: { namespace: "cert-manager", labels: { app: "cert-manager", "app.kubernetes.io/component": "controller" } },
        to: { namespace: "kube-system", labels: { "k8s-app": "kube-dns" } },
        protocol: "UDP",
        port: 53,
      },
    ],
    [10, { from: { labels: { app: "cainjector" } }, to: { entity: "kube-apiserver" }, port: 6443 }],
    [11, { to: { entity: "world" }, protocol: "TCP", port: 443 }],
  ])("certManager: path %i's ends, protocol and port", (index, shape) => {
    expect(RequiredPaths.certManager()[index]).toMatchObject(shape);
  });

  test("certManager options: namespace, release, ports, no ACME", () => {
    const paths = RequiredPaths.certManager({ namespace: "certs", release: "cm", webhookPort: 9443, apiServerPort: 443, acme: false });
    expect(paths).toHaveLength(11);
    expect(paths[0]).toMatchObject({
      name: "cm/apiserver-remote-to-webhook",
      to: { namespace: "certs", labels: { "app.kubernetes.io/instance": "cm" } },
      port: 9443,
    });
    expect(paths.find((p) => p.name === "cm/webhook-to-apiserver")?.port).toBe(443);
  });

  test("of refuses an empty name, another protocol and a port outside 1-65535, naming the argument", () => {
    expect(() => RequiredPaths.of("", { entity: "world" }, WEBHOOK_PODS, "TCP", 1)).toThrow(/name must be a non-empty string/);
    expect(() => RequiredPaths.of("x", { entity: "world" }, WEBHOOK_PODS, "ICMP" as "TCP", 1)).toThrow(/protocol must be TCP, UDP or SCTP/);
    expect(() => RequiredPaths.of("x", { entity: "world" }, WEBHOOK_PODS, "TCP", 0)).toThrow(/port must be a whole number from 1 to 65535/);
    expect(() => RequiredPaths.of("x", { entity: "world" }, WEBHOOK_PODS, "TCP", 65536)).toThrow(TypeError);
  });
});

describe("the shipped sets prove the cert-manager preset", () => {
  test.each(["allow-all", "least-privilege"] as const)("%s", (set) => {
    const { policies } = synthPolicies({ directories: [policySetDirectory(set)], requiredPaths: RequiredPaths.certManager() });
    const verdicts = policies.proof.paths.map(({ path, verdict }) => [path.name, verdict.verdict]);
    expect(verdicts.filter(([, v]) => v !== "allowed")).toEqual([]);
    expect(policies.proofSummary()).toEqual({ proven: 12, unknown: 0, denied: 0 });
    // The incident's path is admitted by a rule (not merely by nothing isolating the webhook).
    expect(policies.proof.paths[0].verdict.basis).toBe("rule");
  });
});

describe("least-privilege variants that would repeat the incident are refused at synth, with blame", () => {
  const variantDir = (ingress: unknown) => policyDir({ "webhook.yaml": JSON.stringify(webhookPolicy(ingress)) }); // JSON is YAML

  test("a rule on the Service port (443) instead of the pod port (10250)", () => {
    const dir = variantDir([{ fromEntities: ["kube-apiserver"], toPorts: [{ ports: [{ port: "443", protocol: "TCP" }] }] }]);
    const err = refusal(() => synthPolicies({ directories: [dir], requiredPaths: RequiredPaths.certManager() }));
    expect(err.constructPath).toBe("test/policies");
    // From the webhook pod's own node the API server is the host, which Cilium's allow-localhost
    // (auto = always on Kubernetes) admits whatever the ingress policy: only the remote path fails.
    expect(err.lines).toHaveLength(1);
    const [line] = err.lines;
    expect(line).toMatch(
      /^required path cert-manager\/apiserver-remote-to-webhook \(kube-apiserver@remote -> cert-manager\/.* TCP\/10250\) is denied at the destination's ingress/,
    );
    expect(line).toMatch(/ingress isolated by CiliumNetworkPolicy\/cert-manager\/webhook-ingress \(.*webhook\.yaml, document 1\)/);
    expect(line).toMatch(/why: .*spec\.ingress\[0\]: peer yes, port 10250\/TCP no/);
    expect(line).toMatch(/fix: allow kube-apiserver .* on TCP\/10250 \(the pod port, after Service translation\)/);
  });

  test("a rule admitting the node CIDR for the API server", () => {
    const dir = variantDir([{ fromCIDR: ["10.0.0.0/8"], toPorts: [{ ports: [{ port: "10250", protocol: "TCP" }] }] }]);
    const [line] = refusal(() => synthPolicies({ directories: [dir], requiredPaths: RequiredPaths.certManager() })).lines;
    expect(line).toMatch(/why: .*spec\.ingress\[0\]: peer no, port 10250\/TCP yes/);
    expect(line).toMatch(
      /the entity kube-apiserver, `fromEntities: \[kube-apiserver\]`, never by its node's CIDR unless policyCIDRMatchMode is nodes/,
    );
  });

  test("a Cilium policy whose peer list is null (fromEndpoints: with no value)", () => {
    const dir = policyDir({
      "webhook.yaml": [
        "apiVersion: cilium.io/v2",
        "kind: CiliumNetworkPolicy",
        "metadata: {name: webhook-ingress, namespace: cert-manager}",
        "spec:",
        "  endpointSelector: {matchLabels: {app.kubernetes.io/name: webhook}}",
        "  ingress:",
        "    - fromEndpoints:",
        "",
      ].join("\n"),
    });
    const [line] = refusal(() => synthPolicies({ directories: [dir], requiredPaths: RequiredPaths.certManager() })).lines;
    expect(line).toMatch(/is denied at the destination's ingress/);
    expect(line).toMatch(/why: .*spec\.ingress\[0\]: no peer and no port: admits nothing/);
  });

  test("one default-deny that cuts a namespace off is one problem listing its paths, each pod's selector once per side", () => {
    const dir = policyDir({
      "deny.yaml":
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: default-deny, namespace: cert-manager}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n",
    });
    const err = refusal(() => synthPolicies({ directories: [dir], requiredPaths: RequiredPaths.certManager() }));
    expect(err.lines).toHaveLength(1);
    const [line] = err.lines;
    const denied = (line.match(/^ {8}cert-manager\/[a-z-]+: /gm) ?? []).length;
    expect(line).toMatch(
      new RegExp(`^NetworkPolicy/cert-manager/default-deny \\(.*deny\\.yaml, document 1\\) denies ${denied} required paths:`),
    );
    expect(denied).toBeGreaterThan(5);
    // The webhook pod's selector is written once per side it is cut on (its ingress, its egress), above the paths.
    expect(line.match(/app\.kubernetes\.io\/component=webhook/g)?.length).toBe(2);
    expect(line).toMatch(
      /^ {6}ingress of cert-manager\/app=webhook,.*:\n {8}cert-manager\/apiserver-remote-to-webhook: from kube-apiserver@remote, TCP\/10250$/m,
    );
    expect(line).toMatch(/\n {6}fix: allow each path .*; or set onDenied: "warn" to deploy anyway$/);
    expect(err.message.split("\n").length).toBeLessThan(40);
  });

  test("nothing is refused without required paths (the proof is opt-in per construct)", () => {
    const dir = variantDir([{ fromEntities: ["kube-apiserver"], toPorts: [{ ports: [{ port: "443", protocol: "TCP" }] }] }]);
    expect(() => synthPolicies({ directories: [dir] })).not.toThrow();
  });
});

describe("onDenied and onUnknown", () => {
  const servicePortOnly = webhookPolicy([{ fromEntities: ["kube-apiserver"], toPorts: [{ ports: [{ port: "443", protocol: "TCP" }] }] }]);
  const required = [RequiredPaths.of("incident", FROM_APISERVER.from, WEBHOOK_PODS, "TCP", 10250)];

  test('onDenied "warn" synthesizes and warns once per path, naming it, on stderr', () => {
    const printed = printedWarnings(() => synthPolicies({ manifests: [servicePortOnly], requiredPaths: required, onDenied: "warn" }));
    const warnings = printed.filter((w) => w.includes("required path incident"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/is denied at the destination's ingress/);
  });

  test('onDenied "ignore" neither refuses nor warns', () => {
    const { stack } = synthPolicies({ manifests: [servicePortOnly], requiredPaths: required, onDenied: "ignore" });
    expect(warningsOf(stack).filter((w) => w.includes("required path"))).toEqual([]);
  });

  test("an unknown verdict (a named port) is a warning with its reason, by default, printed once on stderr", () => {
    const named = webhookPolicy([{ fromEntities: ["kube-apiserver"], toPorts: [{ ports: [{ port: "https", protocol: "TCP" }] }] }]);
    let built: ReturnType<typeof synthPolicies> | undefined;
    const printed = printedWarnings(() => {
      built = synthPolicies({ manifests: [named], requiredPaths: required });
    });
    const policies = built?.policies as NetworkPolicies;
    expect(policies.proof.paths[0].verdict).toMatchObject({ verdict: "unknown", unknownReason: "named-port" });
    // What plain `node main.js` shows: the annotation alone is printed only by cdktf-cli.
    const warnings = printed.filter((w) => w.includes("required path incident"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^warning: test\/policies: required path incident .*cannot be decided from the policies \(named-port\)/);
    expect(policies.proofSummary()).toEqual({ proven: 0, unknown: 1, denied: 0 });
  });

  test('onUnknown "error" refuses an unknown path', () => {
    const named = webhookPolicy([{ fromEntities: ["kube-apiserver"], toPorts: [{ ports: [{ port: "https", protocol: "TCP" }] }] }]);
    const err = refusal(() => synthPolicies({ manifests: [named], requiredPaths: required, onUnknown: "error" }));
    expect(err.lines[0]).toMatch(/required path incident .* cannot be decided/);
  });

  test("a required path named twice is refused", () => {
    const err = refusal(() => synthPolicies({ requiredPaths: [...required, ...required] }));
    expect(err.lines).toEqual(['requiredPaths: "incident" is named twice; give each required path its own name']);
  });
});

describe("one proof per cluster, over every NetworkPolicies of the app that deploys there", () => {
  const allowFromApiserver = webhookPolicy(
    [{ fromEntities: ["kube-apiserver"], toPorts: [{ ports: [{ port: "10250", protocol: "TCP" }] }] }],
    "allow",
  );
  const isolateOnly = webhookPolicy([{ fromEndpoints: [{ matchLabels: { app: "other" } }] }], "isolate");

  test("a policy in another stack for the same cluster admits the path another policy isolates", () => {
    const app = testApp();
    const a = new TerraformStack(app, "a");
    const b = new TerraformStack(app, "b");
    const access = { kubeconfigPaths: ["/tmp/kubeconfig-lab"], context: "lab" };
    const pa = new NetworkPolicies(a, "policies", {
      provider: new ClusterProviders(a, "cluster", access).kubernetes,
      manifests: [isolateOnly],
      requiredPaths: [RequiredPaths.of("incident", FROM_APISERVER.from, WEBHOOK_PODS, "TCP", 10250)],
    });
    new NetworkPolicies(b, "policies", {
      provider: new ClusterProviders(b, "cluster", access).kubernetes,
      manifests: [allowFromApiserver],
    });
    expect(pa.proof.paths[0].verdict).toMatchObject({ verdict: "allowed", basis: "rule" });
    expect(pa.proof.members).toEqual(["a/policies", "b/policies"]);
    expect(pa.proof.policies).toEqual(["CiliumNetworkPolicy/cert-manager/allow", "CiliumNetworkPolicy/cert-manager/isolate"]);
    expect(() => Testing.synth(a)).not.toThrow();
  });

  test("policies for another cluster are not counted", () => {
    const app = testApp();
    const a = new TerraformStack(app, "a");
    const b = new TerraformStack(app, "b");
    const pa = new NetworkPolicies(a, "policies", {
      provider: new ClusterProviders(a, "cluster", { kubeconfigPaths: ["/tmp/kubeconfig-lab"], context: "lab" }).kubernetes,
      manifests: [isolateOnly],
      requiredPaths: [RequiredPaths.of("incident", FROM_APISERVER.from, WEBHOOK_PODS, "TCP", 10250)],
    });
    new NetworkPolicies(b, "policies", {
      provider: new ClusterProviders(b, "cluster", { kubeconfigPaths: ["/tmp/kubeconfig-lab"], context: "prod" }).kubernetes,
      manifests: [allowFromApiserver],
    });
    expect(pa.proof.paths[0].verdict.verdict).toBe("denied");
    expect(() => Testing.synth(a)).toThrow(/required path incident .* is denied/);
  });

  test("the same policy deployed to one cluster by two constructs is refused, naming both", () => {
    const stack = new TerraformStack(testApp(), "s");
    const p1 = new NetworkPolicies(stack, "one", {
      manifests: [allowFromApiserver],
      requiredPaths: [RequiredPaths.of("incident", FROM_APISERVER.from, WEBHOOK_PODS, "TCP", 10250)],
    });
    new NetworkPolicies(stack, "two", { manifests: [allowFromApiserver] });
    expect(() => p1.proof).toThrow(/CiliumNetworkPolicy\/cert-manager\/allow is deployed to the same cluster by s\/one and s\/two/);
  });
});

describe("Cilium's settings come from the release, or from `cilium` without one", () => {
  test("a release with policyEnforcementMode always isolates every endpoint: the allow-all set no longer admits cert-manager's DNS", () => {
    const stack = new TerraformStack(testApp(), "test");
    const release = new CiliumRelease(stack, "cilium", { talos: true, policyEnforcementMode: "always" });
    const policies = new NetworkPolicies(stack, "policies", {
      release,
      directories: [policySetDirectory("allow-all")],
      requiredPaths: RequiredPaths.certManager(),
      onDenied: "warn",
    });
    expect(policies.proof.cilium.policyEnforcementMode).toBe("always");
    expect(policies.proof.ciliumNamespace).toBe("kube-system");
    const denied = policies.proof.paths.filter((p) => p.verdict.verdict === "denied").map((p) => p.path.name);
    expect(denied).toContain("cert-manager/controller-to-dns-udp");
    expect(denied).not.toContain("cert-manager/apiserver-remote-to-webhook");
  });

  test("`cilium` beside a release is refused (the release's values decide)", () => {
    const stack = new TerraformStack(testApp(), "test");
    const release = new CiliumRelease(stack, "cilium", { talos: true });
    const err = refusal(() => new NetworkPolicies(stack, "policies", { release, cilium: { policyEnforcementMode: "always" } }));
    expect(err.lines[0]).toMatch(/^cilium: the proof reads Cilium's settings from the release's values/);
  });

  test("`cilium` without a release", () => {
    const { policies } = synthPolicies({
      cilium: { policyEnforcementMode: "never" },
      requiredPaths: [RequiredPaths.of("x", { entity: "world" }, WEBHOOK_PODS, "TCP", 1)],
    });
    expect(policies.proof.cilium).toEqual({
      version: DEFAULT_CILIUM_LINE,
      policyEnforcementMode: "never",
      policyCIDRMatchMode: "",
      enableNonDefaultDenyPolicies: true,
      allowLocalhost: "auto",
      hostFirewall: false,
    });
  });

  test("`cilium` refuses the NodePort settings at synth: the proof's paths are pod paths", () => {
    const stack = new TerraformStack(testApp(), "test");
    // @ts-expect-error: the prop's type leaves them out as well
    const cilium: NetworkPoliciesOptions["cilium"] = { kubeProxyReplacement: true };
    const err = refusal(() => new NetworkPolicies(stack, "policies", { cilium }));
    expect(err.lines[0]).toMatch(/^cilium\.kubeProxyReplacement: unknown prop "kubeProxyReplacement"/);
  });

  test("ciliumPolicySettings reads the merged values as the chart writes cilium-config", () => {
    expect(ciliumPolicySettings({}, "1.19")).toEqual({
      version: "1.19",
      policyEnforcementMode: "default",
      policyCIDRMatchMode: "",
      enableNonDefaultDenyPolicies: true,
      allowLocalhost: "auto",
      hostFirewall: false,
    });
    expect(
      ciliumPolicySettings(
        {
          policyEnforcementMode: "always",
          policyCIDRMatchMode: ["nodes"],
          enableNonDefaultDenyPolicies: false,
          hostFirewall: { enabled: true },
          extraConfig: { "allow-localhost": "policy" },
        },
        "1.19",
      ),
    ).toEqual({
      version: "1.19",
      policyEnforcementMode: "always",
      policyCIDRMatchMode: "nodes",
      enableNonDefaultDenyPolicies: false,
      allowLocalhost: "policy",
      hostFirewall: true,
    });
    expect(ciliumPolicySettings({ policyCIDRMatchMode: "nodes" }, "1.19").policyCIDRMatchMode).toBe("nodes");
    expect(ciliumPolicySettings({ policyCIDRMatchMode: null }, "1.19").policyCIDRMatchMode).toBe("");
  });
});

describe("the proof as the check reads it", () => {
  test("toCheckProof writes what parseCheckProof reads: verdicts and assumptions", () => {
    const stack = new TerraformStack(testApp(), "test");
    const release = new CiliumRelease(stack, "cilium", { talos: true });
    const policies = new NetworkPolicies(stack, "policies", {
      release,
      directories: [policySetDirectory("least-privilege")],
      requiredPaths: RequiredPaths.certManager(),
      assume: { policySet: "open" },
    });
    const proof = parseCheckProof(JSON.stringify(toCheckProof(policies.proof)));
    expect(proof.cilium).toMatchObject({ namespace: "kube-system", policyEnforcementMode: "default", allowLocalhost: "auto" });
    expect(proof.assume).toEqual({ policySet: "open", labels: "complete" });
    expect(proof.paths[0]).toEqual({
      name: "cert-manager/apiserver-remote-to-webhook",
      from: { entity: "kube-apiserver", node: "remote" },
      to: WEBHOOK_PODS,
      protocol: "TCP",
      port: 10250,
      verdict: "allowed",
    });
  });

  test("parseCheckProof names the field that is wrong", () => {
    const good = { v: 1, cilium: ciliumPolicySettings({}, "1.19"), assume: { policySet: "closed", labels: "complete" }, paths: [] };
    expect(parseCheckProof(JSON.stringify(good)).paths).toEqual([]);
    expect(() => parseCheckProof("{")).toThrow(/WEBHOOK_CHECK_PROOF is not JSON/);
    expect(() => parseCheckProof(JSON.stringify({ ...good, v: 2 }))).toThrow(/v must be 1/);
    expect(() => parseCheckProof(JSON.stringify({ ...good, cilium: { ...good.cilium, allowLocalhost: "yes" } }))).toThrow(
      /cilium\.allowLocalhost must be one of/,
    );
    const path = { name: "p", from: { entity: "world" }, to: { namespace: "n", labels: {} }, protocol: "TCP", port: 1, verdict: "allowed" };
    expect(() => parseCheckProof(JSON.stringify({ ...good, paths: [{ ...path, port: 0 }] }))).toThrow(
      /paths\[0\]\.port must be a whole number/,
    );
    expect(() => parseCheckProof(JSON.stringify({ ...good, paths: [{ ...path, to: { namespace: "n" } }] }))).toThrow(
      /paths\[0\]\.to\.labels must map strings/,
    );
  });
});

describe("cdktf-cilium/testing matchers", () => {
  const allow = webhookPolicy([{ fromEntities: ["kube-apiserver"], toPorts: [{ ports: [{ port: "10250", protocol: "TCP" }] }] }]);

  test("registered with jest's expect on import: toAllowPath and toDenyPath over documents", () => {
    expect([allow]).toAllowPath(FROM_APISERVER);
    expect([allow]).toDenyPath({ ...FROM_APISERVER, port: 443 });
    expect([allow]).not.toDenyPath(FROM_APISERVER);
  });

  test("a NetworkPolicies construct, and a stack holding exactly one", () => {
    const stack = new TerraformStack(testApp(), "test");
    const policies = new NetworkPolicies(stack, "policies", { manifests: [allow] });
    expect(policies).toAllowPath(FROM_APISERVER);
    expect(stack).toDenyPath({ ...FROM_APISERVER, from: { entity: "world" } });
    new NetworkPolicies(stack, "more", {});
    expect(() => decideSubject(stack, FROM_APISERVER)).toThrow(
      /stack test holds 2 NetworkPolicies \(test\/policies, test\/more\); pass the one to decide over/,
    );
    expect(() => decideSubject(new TerraformStack(testApp(), "empty"), FROM_APISERVER)).toThrow(/holds 0 NetworkPolicies/);
    expect(() => decideSubject("policies", FROM_APISERVER)).toThrow(TypeError);
  });

  test("a failing matcher explains the verdict", () => {
    let message = "";
    try {
      expect([allow]).toAllowPath({ ...FROM_APISERVER, port: 443 });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/to be allowed, but it is denied/);
    expect(message).toMatch(/blame: ingress no-allow in CiliumNetworkPolicy\/cert-manager\/webhook-ingress/);
    expect(message).toMatch(/spec\.ingress\[0\]: peer yes, port 443\/TCP no/);
  });
});

// The matchers' types: a RequiredPath is accepted as it is.
const _typed = (p: RequiredPath) => expect([]).toAllowPath(p);
void _typed;

test("stacks on their default providers are each a cluster of their own (their apply environments may differ)", () => {
  const app = testApp();
  const allow = webhookPolicy([{ fromEntities: ["kube-apiserver"], toPorts: [{ ports: [{ port: "10250", protocol: "TCP" }] }] }]);
  const [a] = ["a", "b"].map((name) => {
    const stack = new TerraformStack(app, name);
    return new NetworkPolicies(stack, "policies", {
      manifests: [allow],
      requiredPaths: [RequiredPaths.of("incident", FROM_APISERVER.from, WEBHOOK_PODS, "TCP", 10250)],
    });
  });
  expect(a.proof.members).toEqual(["a/policies"]);
  expect(a.proof.paths[0].verdict.verdict).toBe("allowed");
});
