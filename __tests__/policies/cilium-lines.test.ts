// Policies judged by their Cilium line's CRDs (schemas/cilium/<line>/): the 1.20 CRDs drop the
// kafka, l7 and l7proto rule fields and add a CEL rule (spec or specs required), written by hand
// in lib/policies/crd-schema.ts; a refusal names the line. ClusterNetworkPolicy is refused.
import { TerraformStack } from "cdktf";
import { CiliumRelease, NetworkPolicies } from "../../lib";
import { CILIUM_PINS, type CiliumLine, SUPPORTED_CILIUM_LINES } from "../../lib/cilium/lines";
import { policyValidatorBundle } from "../../lib/policies/crd-schema";
import { PolicyValidationError } from "../../lib/policies/problems";
import { validateDocuments } from "../../lib/policies/validate";
import { policyDir } from "../helpers/policy-dirs";
import { testApp } from "../helpers/synth";

/** Problems of `value` under `line`, as `field: message`. */
function problems(value: unknown, line: CiliumLine): string[] {
  return validateDocuments([{ source: { file: "a.yaml", document: 1 }, value }], { line }).problems.map((p) => `${p.field}: ${p.message}`);
}

const cnp = (rest: Record<string, unknown>) => ({
  apiVersion: "cilium.io/v2",
  kind: "CiliumNetworkPolicy",
  metadata: { name: "p", namespace: "ns" },
  ...rest,
});
const ccnp = (rest: Record<string, unknown>) => ({
  apiVersion: "cilium.io/v2",
  kind: "CiliumClusterwideNetworkPolicy",
  metadata: { name: "p" },
  ...rest,
});
const kafka = {
  endpointSelector: {},
  ingress: [{ toPorts: [{ ports: [{ port: "9092", protocol: "TCP" }], rules: { kafka: [{ role: "produce", topic: "t" }] } }] }],
};

describe("the kafka, l7 and l7proto rule fields (gone from the 1.20 CRDs)", () => {
  test("a kafka rule is valid under 1.19 and refused under 1.20, naming the line", () => {
    expect(problems(cnp({ spec: kafka }), "1.19")).toEqual([]);
    expect(problems(cnp({ spec: kafka }), "1.20")).toEqual([
      expect.stringMatching(/^spec\.ingress\[0\]\.toPorts\[0\]\.rules\.kafka: unknown field "kafka".* \[Cilium 1\.20 CRD\]$/),
    ]);
  });

  test("l7proto with l7 likewise, in a clusterwide policy too", () => {
    const spec = {
      endpointSelector: {},
      egress: [{ toPorts: [{ ports: [{ port: "80", protocol: "TCP" }], rules: { l7proto: "x", l7: [{ k: "v" }] } }] }],
    };
    expect(problems(ccnp({ spec }), "1.19")).toEqual([]);
    const refused = problems(ccnp({ spec }), "1.20");
    expect(refused).toContainEqual(expect.stringMatching(/rules\.l7proto: unknown field "l7proto".*\[Cilium 1\.20 CRD\]/));
    expect(refused).toContainEqual(expect.stringMatching(/rules\.l7: unknown field "l7".*\[Cilium 1\.20 CRD\]/));
  });
});

describe("the 1.20 CEL rule `has(self.spec) || has(self.specs)`", () => {
  test("the build records it on both 1.20 CRDs and on neither 1.19 CRD", () => {
    for (const kind of ["CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy"] as const) {
      expect(policyValidatorBundle("1.20").structure[kind].root.c).toEqual([
        { id: "spec-or-specs", rule: "has(self.spec) || has(self.specs)", message: "spec or specs must be provided" },
      ]);
      expect(policyValidatorBundle("1.19").structure[kind].root.c).toBeUndefined();
    }
  });

  test("a policy with neither spec nor specs is refused under 1.20 at the document, and accepted under 1.19", () => {
    for (const doc of [cnp({}), ccnp({})]) {
      expect(problems(doc, "1.19")).toEqual([]);
      expect(problems(doc, "1.20")).toEqual([
        "(document): spec or specs must be provided (the CRD's CEL rule `has(self.spec) || has(self.specs)`) [Cilium 1.20 CRD]",
      ]);
    }
  });

  test("spec: null is removed as kube-apiserver removes it, so the rule refuses it", () => {
    expect(problems(cnp({ spec: null }), "1.20")).toContainEqual(expect.stringMatching(/spec or specs must be provided/));
  });

  test("spec alone, or specs alone, passes the rule", () => {
    const rule = { endpointSelector: {}, ingress: [{}] };
    expect(problems(cnp({ spec: rule }), "1.20")).toEqual([]);
    expect(problems(cnp({ specs: [rule] }), "1.20")).toEqual([]);
    expect(problems(ccnp({ specs: [rule] }), "1.20")).toEqual([]);
  });

  test("it is not reported over an error of the schema (kube-apiserver skips CEL after a blocking error)", () => {
    expect(problems(cnp({ status: "x" }), "1.20")).toEqual([expect.stringMatching(/^status: .*must be object/)]);
  });
});

test.each(SUPPORTED_CILIUM_LINES)("the entity cluster-mesh and protocol GRE: CRD enums of %s", (line) => {
  const spec = { endpointSelector: {}, egress: [{ toEntities: ["cluster-mesh"], toPorts: [{ ports: [{ port: "0", protocol: "GRE" }] }] }] };
  const found = problems(cnp({ spec }), line);
  if (line === "1.19") {
    expect(found).toContainEqual(
      expect.stringMatching(/toEntities\[0\]: "cluster-mesh" is not one of the allowed values.*\[Cilium 1\.19 CRD\]/),
    );
    expect(found).toContainEqual(expect.stringMatching(/protocol: "GRE" is not one of the allowed values/));
  } else expect(found).toEqual([]);
});

describe("NetworkPolicies follow the release's line", () => {
  const kafkaFile = {
    "kafka.yaml":
      "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: k\n  namespace: ns\nspec:\n  endpointSelector: {}\n" +
      "  ingress:\n    - toPorts:\n        - ports: [{ port: '9092', protocol: TCP }]\n          rules:\n            kafka: [{ topic: t }]\n",
  };

  function build(line: CiliumLine | undefined, cilium?: { version?: CiliumLine }) {
    const stack = new TerraformStack(testApp(), "test");
    const release = line ? new CiliumRelease(stack, "cilium", { version: CILIUM_PINS[line] }) : undefined;
    return new NetworkPolicies(stack, "policies", {
      directories: [policyDir(kafkaFile)],
      ...(release ? { release } : {}),
      ...(cilium ? { cilium } : {}),
    });
  }

  test("a kafka policy passes with a 1.19 release and is refused with a 1.20 one", () => {
    expect(build("1.19").policies).toHaveLength(1);
    expect(() => build("1.20")).toThrow(PolicyValidationError);
    expect(() => build("1.20")).toThrow(/unknown field "kafka".*\[Cilium 1\.20 CRD\]/);
  });

  test("without a release, cilium.version picks the line, and the proof carries it", () => {
    expect(() => build(undefined, { version: "1.20" })).toThrow(/\[Cilium 1\.20 CRD\]/);
    expect(build(undefined, { version: "1.19.8" as CiliumLine }).proof.cilium.version).toBe("1.19");
    expect(() => build(undefined, { version: "1.18" as CiliumLine })).toThrow(
      /cilium\.version must be a supported Cilium line \(1\.19, 1\.20\)/,
    );
  });
});

describe("ClusterNetworkPolicy (policy.networking.k8s.io)", () => {
  const doc = {
    apiVersion: "policy.networking.k8s.io/v1alpha2",
    kind: "ClusterNetworkPolicy",
    metadata: { name: "admin" },
    spec: { tier: "Admin", priority: 10, subject: { namespaces: {} }, ingress: [] },
  };

  test.each(SUPPORTED_CILIUM_LINES)("is refused, not ignored, under %s, with what to do instead", (line) => {
    expect(problems(doc, line)).toEqual([
      expect.stringMatching(
        /^kind: ClusterNetworkPolicy \(policy\.networking\.k8s\.io\/v1alpha2\) is not supported yet: .*Apply it outside the policy directories .*assume: \{ policySet: "open" \}/,
      ),
    ]);
  });
});
