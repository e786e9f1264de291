import { TerraformStack, Testing } from "cdktf";
import { CiliumRelease, NetworkPolicies, PolicyValidationError } from "../../lib";
import { policyDir, networkPolicyYaml } from "../helpers/policy-dirs";
import { resourcesOf, synthStack, testApp } from "../helpers/synth";

/** Builds NetworkPolicies from one directory and returns the thrown PolicyValidationError. */
function problemsFor(files: Record<string, string>): PolicyValidationError {
  const dir = policyDir(files);
  const stack = new TerraformStack(testApp(), "test");
  try {
    new NetworkPolicies(stack, "policies", { directories: [dir] });
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyValidationError);
    return err as PolicyValidationError;
  }
  throw new Error("expected a PolicyValidationError, but the policies were accepted");
}

/** Asserts exactly one problem, at this file, document and field, matching `message`. */
function expectProblem(files: Record<string, string>, file: string, document: number, field: string, message: RegExp): void {
  const err = problemsFor(files);
  expect(err.problems).toHaveLength(1);
  const [p] = err.problems;
  expect(p.file.endsWith(file)).toBe(true);
  expect({ document: p.document, field: p.field }).toEqual({ document, field });
  expect(p.message).toMatch(message);
  expect(err.message).toContain(`(document ${document}) ${field}:`);
}

describe("bad input is refused at synth with file, document and field", () => {
  test("YAML syntax error", () => {
    expectProblem(
      { "a.yaml": "apiVersion: networking.k8s.io/v1\nkind: [NetworkPolicy\n" },
      "a.yaml",
      1,
      "(document)",
      /YAML syntax error \(line \d+, column \d+\)/,
    );
  });

  test("duplicate key in a mapping", () => {
    expectProblem(
      { "a.yaml": `${networkPolicyYaml("x", "ns")}kind: NetworkPolicy\n` },
      "a.yaml",
      1,
      "(document)",
      /YAML syntax error.*unique/i,
    );
  });

  test("unsupported kind", () => {
    expectProblem(
      { "a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n" },
      "a.yaml",
      1,
      "kind",
      /"ConfigMap" \(v1\) is not a network policy; supported kinds: NetworkPolicy.*split/,
    );
  });

  test("unknown apiVersion for a known kind", () => {
    expectProblem(
      { "a.yaml": networkPolicyYaml("x", "ns").replace("networking.k8s.io/v1", "networking.k8s.io/v1beta1") },
      "a.yaml",
      1,
      "apiVersion",
      /unknown apiVersion "networking.k8s.io\/v1beta1" for kind NetworkPolicy; expected networking.k8s.io\/v1/,
    );
  });

  test("missing metadata.namespace is never defaulted", () => {
    expectProblem({ "a.yaml": networkPolicyYaml("x", undefined) }, "a.yaml", 1, "metadata.namespace", /must name its namespace/);
  });

  test("invalid DNS-1123 names", () => {
    expectProblem(
      { "a.yaml": networkPolicyYaml("Allow_All", "ns") },
      "a.yaml",
      1,
      "metadata.name",
      /not a valid name: a lowercase RFC 1123 subdomain/,
    );
    expectProblem({ "a.yaml": networkPolicyYaml("x", "Cert.Manager") }, "a.yaml", 1, "metadata.namespace", /not a valid namespace/);
  });

  test("unknown fields, with a suggestion for typos (kubectl --validate=strict)", () => {
    expectProblem(
      { "a.yaml": networkPolicyYaml("x", "ns", "  podSelector: {}\n  ingres:\n    - {}\n") },
      "a.yaml",
      1,
      "spec.ingres",
      /unknown field "ingres" \(did you mean "ingress"\?\)/,
    );
    expectProblem(
      { "a.yaml": networkPolicyYaml("x", "ns", "  podSelector: {}\n  ingress:\n    - from:\n        - podSelektor: {}\n") },
      "a.yaml",
      1,
      "spec.ingress[0].from[0].podSelektor",
      /unknown field "podSelektor" \(did you mean "podSelector"\?\)/,
    );
  });

  test.each([
    ["policyTypes", "  podSelector: {}\n  policyTypes: [Egres]\n", "spec.policyTypes[0]", /allowed values \(Egress, Ingress\)/],
    [
      "protocol",
      "  podSelector: {}\n  ingress:\n    - ports:\n        - protocol: HTTP\n          port: 80\n",
      "spec.ingress[0].ports[0].protocol",
      /allowed values \(SCTP, TCP, UDP\)/,
    ],
    [
      "selector operator",
      "  podSelector:\n    matchExpressions:\n      - key: app\n        operator: Inside\n        values: [a]\n",
      "spec.podSelector.matchExpressions[0].operator",
      /not a valid selector operator; use one of In, NotIn, Exists, DoesNotExist/,
    ],
  ])("invalid enum value: %s", (_name, spec, field, message) => {
    expectProblem({ "a.yaml": networkPolicyYaml("x", "ns", spec) }, "a.yaml", 1, field, message);
  });

  test.each([
    ["0", "port", /0 is out of range/],
    ["65536", "port", /65536 is out of range/],
    ['"443"', "port", /neither a port number nor a valid port name/],
  ])("port out of range or malformed: %s", (port, field, message) => {
    expectProblem(
      { "a.yaml": networkPolicyYaml("x", "ns", `  podSelector: {}\n  egress:\n    - ports:\n        - port: ${port}\n`) },
      "a.yaml",
      1,
      `spec.egress[0].ports[0].${field}`,
      message,
    );
  });

  test("endPort below port, or with a named port", () => {
    expectProblem(
      {
        "a.yaml": networkPolicyYaml(
          "x",
          "ns",
          "  podSelector: {}\n  egress:\n    - ports:\n        - port: 8000\n          endPort: 7000\n",
        ),
      },
      "a.yaml",
      1,
      "spec.egress[0].ports[0].endPort",
      /must be an integer from port \(8000\) to 65535/,
    );
    expectProblem(
      {
        "a.yaml": networkPolicyYaml(
          "x",
          "ns",
          "  podSelector: {}\n  egress:\n    - ports:\n        - port: https\n          endPort: 9000\n",
        ),
      },
      "a.yaml",
      1,
      "spec.egress[0].ports[0].endPort",
      /may not be specified when port is a named port/,
    );
  });

  test.each([["10.0.0.0/33"], ["10.0.0/8"], ["10.0.0.0"], ["fd00::/129"], ["banana/8"]])("invalid CIDR %s", (cidr) => {
    expectProblem(
      {
        "a.yaml": networkPolicyYaml("x", "ns", `  podSelector: {}\n  egress:\n    - to:\n        - ipBlock:\n            cidr: ${cidr}\n`),
      },
      "a.yaml",
      1,
      "spec.egress[0].to[0].ipBlock.cidr",
      /is not a valid CIDR/,
    );
  });

  test("except outside its cidr", () => {
    expectProblem(
      {
        "a.yaml": networkPolicyYaml(
          "x",
          "ns",
          "  podSelector: {}\n  egress:\n    - to:\n        - ipBlock:\n            cidr: 10.0.0.0/8\n            except: [192.168.0.0/16]\n",
        ),
      },
      "a.yaml",
      1,
      "spec.egress[0].to[0].ipBlock.except[0]",
      /must be a strict subset of cidr 10.0.0.0\/8/,
    );
  });

  test("ipBlock together with a selector in one peer", () => {
    expectProblem(
      {
        "a.yaml": networkPolicyYaml(
          "x",
          "ns",
          "  podSelector: {}\n  egress:\n    - to:\n        - ipBlock:\n            cidr: 10.0.0.0/8\n          podSelector: {}\n",
        ),
      },
      "a.yaml",
      1,
      "spec.egress[0].to[0]",
      /may not specify both ipBlock and another peer/,
    );
  });

  test("empty file", () => {
    expectProblem({ "empty.yaml": "# nothing here\n" }, "empty.yaml", 1, "(document)", /empty file/);
  });

  test("the same kind/namespace/name twice across files", () => {
    expectProblem(
      { "a.yaml": networkPolicyYaml("same", "ns"), "b.yml": networkPolicyYaml("same", "ns") },
      "b.yml",
      1,
      "metadata.name",
      /NetworkPolicy\/ns\/same is defined twice: also in .*a\.yaml \(document 1\)/,
    );
  });

  test("Cilium policies are validated against Cilium's CRD schema", () => {
    const cnp = (entity: string) =>
      `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: x\n  namespace: ns\nspec:\n  endpointSelector: {}\n  ingress:\n    - fromEntities: [${entity}]\n`;
    expectProblem({ "a.yaml": cnp("kube-apiservr") }, "a.yaml", 1, "spec.ingress[0].fromEntities[0]", /allowed values/);
    expectProblem(
      {
        "a.yaml": cnp("kube-apiserver").replace("metadata:\n  name: x\n  namespace: ns", "metadata:\n  name: x"),
      },
      "a.yaml",
      1,
      "metadata.namespace",
      /must name its namespace/,
    );
  });

  test("every bad file is reported at once, with document numbers in multi-document files", () => {
    const err = problemsFor({
      "a.yaml": `${networkPolicyYaml("good", "ns")}---\n${networkPolicyYaml("bad", undefined)}`,
      "b.yaml": "kind: [",
      "c/d.yml": networkPolicyYaml("Bad_Name", "ns"),
    });
    const where = err.problems.map((p) => `${p.file.split("/").slice(-2).join("/")}#${p.document}:${p.field}`);
    expect(where).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/a\.yaml#2:metadata\.namespace$/),
        expect.stringMatching(/b\.yaml#1:\(document\)$/),
        "c/d.yml#1:metadata.name",
      ]),
    );
    expect(err.problems).toHaveLength(3);
  });

  test("objects passed in code are validated and named <code:N>", () => {
    const stack = new TerraformStack(testApp(), "test");
    expect(
      () =>
        new NetworkPolicies(stack, "p", {
          manifests: [{ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "x" }, spec: { podSelector: {} } }],
        }),
    ).toThrow(/<code:0> \(document 1\) metadata\.namespace: missing/);
  });

  test("a missing directory is an error, not an empty set", () => {
    const stack = new TerraformStack(testApp(), "test");
    expect(() => new NetworkPolicies(stack, "p", { directories: ["/nonexistent/policies"] })).toThrow(
      /policy directory \/nonexistent\/policies does not exist/,
    );
  });
});

describe("translation", () => {
  test("absent ingress (deny) and [{}] (allow all) stay distinct", () => {
    const dir = policyDir({
      "deny.yaml": networkPolicyYaml("deny", "ns", "  podSelector: {}\n  policyTypes: [Ingress]\n"),
      "allow.yaml": networkPolicyYaml("allow", "ns", "  podSelector: {}\n  ingress:\n    - {}\n"),
    });
    const json = synthStack((s) => new NetworkPolicies(s, "p", { directories: [dir] }));
    const specs = Object.values(resourcesOf(json, "kubernetes_network_policy_v1")).map((r) => [
      (r.metadata as { name: string }).name,
      r.spec,
    ]);
    expect(Object.fromEntries(specs)).toEqual({
      allow: { pod_selector: {}, policy_types: ["Ingress"], ingress: [{}] },
      deny: { pod_selector: {}, policy_types: ["Ingress"] },
    });
  });

  test("policyTypes defaults as Kubernetes does: Egress only when egress has a rule", () => {
    const dir = policyDir({
      "a.yaml": networkPolicyYaml("with-egress", "ns", "  podSelector: {}\n  egress:\n    - {}\n"),
      "b.yaml": networkPolicyYaml("empty-egress", "ns", "  podSelector: {}\n  egress: []\n"),
    });
    const json = synthStack((s) => new NetworkPolicies(s, "p", { directories: [dir] }));
    const types = Object.values(resourcesOf(json, "kubernetes_network_policy_v1")).map((r) => [
      (r.metadata as { name: string }).name,
      (r.spec as { policy_types: string[] }).policy_types,
    ]);
    expect(Object.fromEntries(types)).toEqual({ "with-egress": ["Ingress", "Egress"], "empty-egress": ["Ingress"] });
  });

  test("every policy depends on the Cilium release", () => {
    const dir = policyDir({ "a.yaml": `${networkPolicyYaml("a", "ns")}---\n${networkPolicyYaml("b", "ns")}` });
    const json = synthStack((s) => {
      const release = new CiliumRelease(s, "cilium");
      new NetworkPolicies(s, "p", { directories: [dir], release });
    });
    const releaseAddress = `helm_release.${Object.keys(resourcesOf(json, "helm_release"))[0]}`;
    const policies = Object.values(resourcesOf(json, "kubernetes_network_policy_v1"));
    expect(policies).toHaveLength(2);
    for (const p of policies) expect(p.depends_on).toEqual([releaseAddress]);
  });

  test("addresses come from kind/namespace/name: renaming or splitting files changes nothing", () => {
    const one = policyDir({ "all.yaml": `${networkPolicyYaml("a", "ns")}---\n${networkPolicyYaml("b", "ns")}` });
    const split = policyDir({ "zz-b.yaml": networkPolicyYaml("b", "ns"), "sub/aa-a.yml": networkPolicyYaml("a", "ns") });
    const render = (dir: string) => {
      const app = testApp();
      const stack = new TerraformStack(app, "test");
      new NetworkPolicies(stack, "p", { directories: [dir] });
      return Testing.synth(stack);
    };
    const a = render(one);
    expect(render(split)).toBe(a);
    expect(Object.keys(JSON.parse(a).resource.kubernetes_network_policy_v1)).toEqual([
      expect.stringMatching(/^p_NetworkPolicy_ns_a_[0-9A-F]{8}$/),
      expect.stringMatching(/^p_NetworkPolicy_ns_b_[0-9A-F]{8}$/),
    ]);
  });

  test("contentHash changes exactly when a policy changes", () => {
    const hash = (files: Record<string, string>) =>
      new NetworkPolicies(new TerraformStack(testApp(), "t"), "p", { directories: [policyDir(files)] }).contentHash;
    const base = hash({ "a.yaml": networkPolicyYaml("a", "ns") });
    expect(hash({ "renamed.yml": networkPolicyYaml("a", "ns") })).toBe(base);
    expect(hash({ "a.yaml": networkPolicyYaml("a", "ns", "  podSelector:\n    matchLabels: {app: x}\n") })).not.toBe(base);
  });

  test("Cilium policies become kubernetes_manifest with the document unchanged", () => {
    const manifest = {
      apiVersion: "cilium.io/v2",
      kind: "CiliumNetworkPolicy",
      metadata: { name: "api-to-webhook", namespace: "cert-manager" },
      spec: {
        endpointSelector: { matchLabels: { "app.kubernetes.io/name": "webhook" } },
        ingress: [{ fromEntities: ["kube-apiserver"], toPorts: [{ ports: [{ port: "10250", protocol: "TCP" }] }] }],
      },
    };
    const json = synthStack((s) => new NetworkPolicies(s, "p", { manifests: [manifest] }));
    expect(Object.values(resourcesOf(json, "kubernetes_manifest")).map((r) => r.manifest)).toEqual([manifest]);
  });
});
