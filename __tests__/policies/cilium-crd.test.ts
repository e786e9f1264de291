// Cilium policies judged by Cilium's own CRDs (schemas/cilium/*.yaml), in kube-apiserver's
// order for a CREATE with fieldValidation=Strict: unknown fields (null-valued keys too),
// then the nulls it removes, then value validation with RE2 patterns; what it stores is
// what is synthesized, and valid documents that do not do what they say get a warning.
// Every document here is written for this file. A document with every field of both CRDs and
// every pattern on long values are cilium-crd-corpus.heavy.test.ts.
import { TerraformStack } from "cdktf";
import { type CiliumPolicyDocument, NetworkPolicies, type PolicyWarning, SynthError } from "../../lib";
import {
  isDateTime,
  isSloppyCidr,
  policyValidatorBundle,
  type StructuralNode,
  unknownFields,
  withoutServerNulls,
} from "../../lib/policies/crd-schema";
import { type CiliumLine, DEFAULT_CILIUM_LINE } from "../../lib/cilium/lines";
import { POLICY_KINDS } from "../../lib/policies/kinds";
import { crdJudge } from "../helpers/crd-judge";
import { testApp } from "../helpers/synth";

/**
 * The Cilium line whose CRDs this suite judges by: the default line, or the line
 * cilium-crd-other-line.heavy.test.ts sets before it loads this file (so every test here runs for both).
 */
const LINE: CiliumLine = (globalThis as { crdSuiteLine?: CiliumLine }).crdSuiteLine ?? DEFAULT_CILIUM_LINE;

const { judge, cnp, ccnp, accepted, refusedAt, warned } = crdJudge(LINE);

test("each Cilium kind's descriptor names the CRD the build compiled for it, with the CRD's scope", () => {
  const { structure } = policyValidatorBundle(LINE);
  for (const kind of ["CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy"] as const) {
    const descriptor = POLICY_KINDS[kind];
    expect(descriptor.schema).toEqual({ by: "crd", file: structure[kind].file });
    expect(descriptor.namespaced).toBe(structure[kind].namespaced);
  }
});

describe("the CRD's fields, as kube-apiserver knows them", () => {
  test("`description` on spec and on each of specs[] is a field (it was refused as unknown)", () => {
    const o = accepted(
      judge({
        "a.yaml": `${cnp('  description: "Allow DNS"\n  endpointSelector: {}\n  egress: [{toEntities: [cluster]}]\n')}specs:\n  - description: more\n    endpointSelector: {}\n    ingress: [{}]\n`,
      }),
    );
    expect(o.manifests[0].spec.description).toBe("Allow DNS");
    expect(o.manifests[0].specs[0].description).toBe("more");
  });

  test("a top-level `description:` is unknown, and the message says to move it to spec.description", () => {
    const o = judge({ "a.yaml": `description: x\n${cnp("  endpointSelector: {}\n  ingress: [{}]\n")}` });
    refusedAt(o, "description", /unknown field "description"; move it to spec\.description; kube-apiserver refuses it/);
  });

  test("unknown fields are refused first, a key written with no value (`toPort:`) included: not dropped as a null", () => {
    const o = judge({ "a.yaml": cnp("  endpointSelector: {}\n  egress:\n    - toPort:\n") });
    expect(o.problems).toEqual([
      expect.stringMatching(/^a\.yaml#1 spec\.egress\[0\]\.toPort: unknown field "toPort" \(did you mean "toPorts"\?\)/),
    ]);
  });

  test("an unknown field in a status is refused too (strict decoding sees the whole object)", () => {
    refusedAt(
      judge({ "a.yaml": `${cnp("  endpointSelector: {}\n  ingress: [{}]\n")}status: {state: ok}\n` }),
      "status.state",
      /unknown field "state"/,
    );
  });
});

describe("nulls: removed where kube-apiserver removes them, with what that means", () => {
  test("a peer list written with no value is dropped, and warned about: the rule no longer names those peers", () => {
    const o = accepted(judge({ "a.yaml": cnp("  endpointSelector: {}\n  ingress:\n    - fromEndpoints:\n      fromEntities: [world]\n") }));
    expect(o.manifests[0].spec.ingress).toEqual([{ fromEntities: ["world"] }]);
    warned(o, "null-peer-list", "spec.ingress[0].fromEndpoints");
    expect(o.warnings.filter((w) => w.includes("null-peer-list"))).toHaveLength(1);
  });

  test("`egress:` with no value leaves no rule: refused, in the author's terms", () => {
    const o = judge({ "a.yaml": cnp("  endpointSelector: {}\n  egress:\n") });
    expect(o.problems).toEqual([
      expect.stringMatching(/^a\.yaml#1 spec: needs at least one of ingress, ingressDeny, egress, egressDeny; `egress` is empty \(null\)/),
    ]);
  });

  test("a null in a list is not removed: kube-apiserver refuses it", () => {
    refusedAt(judge({ "a.yaml": cnp("  endpointSelector: {}\n  ingress:\n    -\n") }), "spec.ingress[0]", /must be object, got null/);
  });

  test("a null with a default (`family:`) is left out: the server stores its default, nothing is added here", () => {
    const o = accepted(judge({ "a.yaml": cnp("  endpointSelector: {}\n  egress:\n    - icmps: [{fields: [{type: 8, family:}]}]\n") }));
    expect(o.manifests[0].spec.egress).toEqual([{ icmps: [{ fields: [{ type: 8 }] }] }]);
  });
});

describe("value validation as kube-apiserver does it for CRDs", () => {
  test("CIDRs with leading zeros are accepted in every CIDR field (ParseCIDRSloppy); invalid ones are refused", () => {
    const o = accepted(
      judge({
        "a.yaml": cnp(
          "  endpointSelector: {}\n  egress:\n    - toCIDR: [010.0.0.0/8]\n    - toCIDRSet: [{cidr: 010.001.0.0/16, except: [010.001.2.0/24]}]\n  ingress:\n    - fromCIDR: ['::ffff:010.0.0.0/104']\n    - fromCIDRSet: [{cidr: 172.016.0.0/12}]\n",
        ),
      }),
    );
    expect(o.manifests[0].spec.egress[0].toCIDR).toEqual(["010.0.0.0/8"]);
    for (const bad of ["10.0.0.0/33", "10.0.0.256/8", "10.0.0.0", "fe80::1%eth0/64"])
      refusedAt(
        judge({ "a.yaml": cnp(`  endpointSelector: {}\n  egress:\n    - toCIDR: ["${bad}"]\n`) }),
        "spec.egress[0].toCIDR[0]",
        /".*" is not a CIDR/,
      );
  });

  test("an ICMP type beyond int32 is accepted (int32 is not enforced for CRDs) and warned about; a bad name is refused", () => {
    const o = accepted(
      judge({ "a.yaml": cnp("  endpointSelector: {}\n  egress:\n    - icmps: [{fields: [{type: 99999999999}, {type: EchoRequest}]}]\n") }),
    );
    warned(o, "icmp-type-out-of-range", "spec.egress[0].icmps[0].fields[0].type");
    refusedAt(
      judge({ "a.yaml": cnp("  endpointSelector: {}\n  egress:\n    - icmps: [{fields: [{type: Echoes}]}]\n") }),
      "spec.egress[0].icmps[0].fields[0].type",
      /"Echoes" does not match the CRD's pattern/,
    );
    refusedAt(
      judge({ "a.yaml": cnp("  endpointSelector: {}\n  egress:\n    - icmps: [{fields: [{type: {}}]}]\n") }),
      "spec.egress[0].icmps[0].fields[0].type",
      /must be an integer or a string/,
    );
  });

  test("duplicate serverNames are refused (x-kubernetes-list-type: set)", () => {
    refusedAt(
      judge({
        "a.yaml": cnp(
          "  endpointSelector: {}\n  egress:\n    - toPorts: [{ports: [{port: '443'}], serverNames: [a.example, b.example, a.example]}]\n",
        ),
      }),
      "spec.egress[0].toPorts[0].serverNames[2]",
      /Duplicate value: "a\.example"/,
    );
  });

  test("two status conditions of one type are refused (x-kubernetes-list-type: map), and say kube-apiserver would drop the status", () => {
    const o = judge({
      "a.yaml": `${cnp("  endpointSelector: {}\n  ingress: [{}]\n")}status:\n  conditions: [{type: Valid, status: "True"}, {type: Valid, status: "False"}]\n`,
    });
    refusedAt(o, "status.conditions[1]", /Duplicate value: .*type.*delete status/);
  });

  test("endpointSelector and nodeSelector: exactly one", () => {
    refusedAt(
      judge({ "a.yaml": ccnp("  endpointSelector: {}\n  nodeSelector: {}\n  ingress: [{}]\n") }),
      "spec",
      /has endpointSelector, nodeSelector: exactly one of/,
    );
    refusedAt(judge({ "a.yaml": ccnp("  ingress: [{}]\n") }), "spec", /needs exactly one of endpointSelector, nodeSelector/);
  });

  test("a port integer where the CRD wants a string is refused, with the YAML hint", () => {
    refusedAt(
      judge({ "a.yaml": cnp("  endpointSelector: {}\n  ingress:\n    - toPorts: [{ports: [{port: 80}]}]\n") }),
      "spec.ingress[0].toPorts[0].ports[0].port",
      /must be string, got number.*quote it/,
    );
  });
});

describe("patterns with RE2 semantics", () => {
  test("`^\\PC*$` (no control characters) is evaluated: JavaScript's RegExp cannot even compile it", () => {
    const pattern = "^\\PC*$";
    expect(() => new RegExp(pattern, "u")).toThrow(SyntaxError);
    accepted(judge({ "a.yaml": cnp('  endpointSelector: {}\n  ingress: [{}]\n  log: {value: "grüße — ok"}\n') }));
    refusedAt(
      judge({ "a.yaml": cnp('  endpointSelector: {}\n  ingress: [{}]\n  log: {value: "bell\\u0007"}\n') }),
      "spec.log.value",
      /"bell\\u0007" does not match the CRD's pattern \^\\PC\*\$/,
    );
  });

  test("patterns match anywhere, like Go's MatchString: the port pattern lets 99999 through (then a warning)", () => {
    const o = accepted(
      judge({ "a.yaml": cnp('  endpointSelector: {}\n  ingress:\n    - toPorts: [{ports: [{port: "99999"}, {port: "http-alt"}]}]\n') }),
    );
    warned(o, "port-out-of-range", "spec.ingress[0].toPorts[0].ports[0].port");
    expect(o.warnings.join("\n")).not.toContain("ports[1]");
  });
});

describe("what the server stores is what is synthesized", () => {
  const residue =
    "  name: c\n  namespace: ns\n  uid: 6f1c2c1e-0000-4000-8000-000000000001\n  creationTimestamp: '2026-01-01T00:00:00Z'\n  generation: 3\n  selfLink: /apis/x\n  managedFields: [{manager: kubectl}]\n";

  test("server-set metadata and a valid status are left out, each with a warning", () => {
    const o = accepted(
      judge({
        "a.yaml": `${cnp("  endpointSelector: {}\n  ingress: [{}]\n", residue)}status: {conditions: [{type: Valid, status: "True"}]}\n`,
      }),
    );
    expect(o.manifests[0].metadata).toEqual({ name: "c", namespace: "ns" });
    expect(o.manifests[0].status).toBeUndefined();
    for (const field of ["uid", "creationTimestamp", "generation", "selfLink", "managedFields"])
      warned(o, "server-metadata-dropped", `metadata.${field}`);
    warned(o, "status-dropped", "status");
  });

  test("resourceVersion is refused, and named first", () => {
    const o = judge({
      "a.yaml": `${cnp("  endpointSelector: {}\n  ingress: [{}]\n", `${residue}  resourceVersion: "812"\n`)}status: {conditions: []}\n`,
    });
    expect(o.problems[0]).toMatch(
      /^a\.yaml#1 metadata\.resourceVersion: set by the API server: kube-apiserver refuses a create that carries it.*kubectl get -o yaml/,
    );
    expect(o.problems.join("\n")).not.toMatch(/metadata\.uid/);
  });

  test("a NetworkPolicy from `kubectl get -o yaml` gets the same treatment: the metadata the server sets is left out", () => {
    const np = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n${residue}spec:\n  podSelector: {}\n`;
    const o = accepted(judge({ "a.yaml": np }, {}, true));
    expect(o.policies[0].metadata).toEqual({ name: "c", namespace: "ns" });
    warned(o, "server-metadata-dropped", "metadata.uid");
  });

  test("a CiliumClusterwideNetworkPolicy's namespace is accepted as kube-apiserver accepts it, and left out with a warning", () => {
    const o = accepted(judge({ "a.yaml": ccnp("  endpointSelector: {}\n  ingress: [{}]\n", "  name: c\n  namespace: shop\n") }, {}, true));
    expect(o.manifests[0].metadata).toEqual({ name: "c" });
    warned(o, "namespace-dropped", "metadata.namespace");
  });

  // Found by the cluster suite: kube-apiserver decodes ObjectMeta.labels and annotations as
  // map[string]string before any schema, so anything else is a 400 ("json: cannot unmarshal array
  // into Go struct field ObjectMeta.labels of type map[string]string").
  test.each([
    ["labels, a list", "  labels: [app]\n"],
    ["labels, a number", "  labels: 42\n"],
    ["a label value, a number", "  labels: {app: 42}\n"],
    ["a label value, a map", "  labels: {app: {}}\n"],
    ["annotations, a list", "  annotations: [a]\n"],
    ["an annotation value, a list", "  annotations: {a: [x]}\n"],
  ])("metadata that is not a map of strings is refused: %s", (_, extra) => {
    const o = judge({ "a.yaml": cnp("  endpointSelector: {}\n  ingress: [{}]\n", `  name: c\n  namespace: ns\n${extra}`) });
    expect(o.problems).toEqual([expect.stringMatching(/^a\.yaml#1 metadata\.(labels|annotations)(\.[a-z]+)?: must be .*string/)]);
  });

  test("no family: IPv4 or other default is added", () => {
    const o = accepted(judge({ "a.yaml": cnp("  endpointSelector: {}\n  egress:\n    - icmps: [{fields: [{type: 8}]}]\n") }));
    expect(JSON.stringify(o.manifests)).not.toContain("family");
  });
});

describe("warnings: once each, silenced by id", () => {
  test("a policy with neither spec nor specs: a warning under 1.19, refused by 1.20's CEL rule", () => {
    const o = judge({ "a.yaml": "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: c, namespace: ns}\n" });
    if (LINE === "1.19") warned(accepted(o), "no-rules", "(document)");
    else refusedAt(o, "(document)", /spec or specs must be provided/);
  });

  test("silenceWarnings silences exactly the ids given", () => {
    const files = {
      "a.yaml": ccnp(
        "  endpointSelector: {}\n  ingress:\n    - fromEndpoints:\n      toPorts: [{ports: [{port: '70000'}]}]\n",
        "  name: c\n  namespace: x\n",
      ),
    };
    const all = accepted(judge(files));
    expect(all.warnings.map((w) => w.match(/\[([a-z-]+):/)?.[1]).sort()).toEqual([
      "namespace-dropped",
      "null-peer-list",
      "port-out-of-range",
    ]);
    const some = accepted(judge(files, { silenceWarnings: ["null-peer-list", "namespace-dropped"] }));
    expect(some.warnings).toHaveLength(1);
    expect(some.warnings[0]).toContain("[port-out-of-range:");
  });

  test("an unknown id in silenceWarnings is refused", () => {
    expect(() =>
      judge({ "a.yaml": ccnp("  endpointSelector: {}\n  ingress: [{}]\n") }, { silenceWarnings: ["nul-peer-list" as PolicyWarning] }),
    ).toThrow(SynthError);
  });
});

describe("the structural rules on schemas the CRDs may grow into (pruning, nullable, defaults)", () => {
  const schema: StructuralNode = {
    t: "object",
    p: {
      kept: { t: "object", x: 1, p: { typed: { t: "object", p: { a: { t: "string" } } } } },
      open: { t: "object", a: { t: "string" } },
      maybe: { t: "string", n: 1 },
      withDefault: { t: "string", d: 1 },
      plain: { t: "string" },
      list: { t: "array", i: { t: "object", p: { a: { t: "string" } } } },
    },
  };

  test("below x-kubernetes-preserve-unknown-fields nothing is unknown, but declared properties are still followed", () => {
    const found = unknownFields({ kept: { anything: 1, typed: { a: "x", b: 2 } }, open: { any: "x" }, extra: 1 }, schema);
    expect(found.map((f) => f.path.join("."))).toEqual(["kept.typed.b", "extra"]);
  });

  test("a null is removed unless nullable; a defaulted null is left out too; nulls in lists stay", () => {
    const removed: Array<ReadonlyArray<string | number>> = [];
    const out = withoutServerNulls(
      { maybe: null, withDefault: null, plain: null, open: { k: null }, list: [null, { a: null }] },
      schema,
      removed,
    );
    expect(out).toEqual({ maybe: null, open: {}, list: [null, {}] });
    expect(removed.map((p) => p.join("."))).toEqual(["withDefault", "plain", "open.k", "list.1.a"]);
  });

  test("formats: cidr as ParseCIDRSloppy reads it, date-time as RFC 3339", () => {
    for (const ok of ["10.0.0.0/8", "010.0.0.0/08", "0.0.0.0/0", "fd00::/8", "::ffff:010.1.2.3/128"])
      expect([ok, isSloppyCidr(ok)]).toEqual([ok, true]);
    for (const bad of ["10.0.0.0", "10.0.0/8", "256.0.0.0/8", "10.0.0.0/33", "fd00::/129", "fe80::1%eth0/64", "10.0.0.0/8 "])
      expect([bad, isSloppyCidr(bad)]).toEqual([bad, false]);
    for (const ok of ["2026-03-04T05:06:07Z", "2026-03-04T05:06:07.123+02:00"]) expect(isDateTime(ok)).toBe(true);
    for (const bad of ["2026-02-30T00:00:00Z", "2026-03-04", "2026-03-04T05:06:07"]) expect(isDateTime(bad)).toBe(false);
  });

  test("a status time that is not RFC 3339 is refused, and the message says kube-apiserver would drop the status", () => {
    const o = judge({
      "a.yaml": `${cnp("  endpointSelector: {}\n  ingress: [{}]\n")}status:\n  conditions: [{type: Valid, status: "True", lastTransitionTime: yesterday}]\n`,
    });
    refusedAt(o, "status.conditions[0].lastTransitionTime", /"yesterday" is not an RFC 3339 time.*delete status/);
  });
});

describe("policies as people write them are accepted", () => {
  test("DNS visibility, L7 HTTP, FQDN egress, services, entities, deny rules and auth in one file", () => {
    const file = [
      cnp(
        '  description: "DNS through kube-dns, with visibility"\n  endpointSelector: {}\n  egress:\n    - toEndpoints:\n        - matchLabels: {"k8s:io.kubernetes.pod.namespace": kube-system, "k8s:k8s-app": kube-dns}\n      toPorts:\n        - ports: [{port: "53", protocol: ANY}]\n          rules:\n            dns: [{matchPattern: "*"}]\n',
        "  name: dns\n  namespace: shop\n",
      ),
      cnp(
        '  endpointSelector: {matchLabels: {app: api}}\n  ingress:\n    - fromEndpoints: [{matchLabels: {app: web}}]\n      toPorts:\n        - ports: [{port: "8080", protocol: TCP}]\n          rules:\n            http:\n              - {method: GET, path: "/v1/.*"}\n              - {method: POST, path: /v1/orders, headers: ["X-Team: shop"]}\n      authentication: {mode: required}\n',
        "  name: api\n  namespace: shop\n",
      ),
      cnp(
        '  endpointSelector: {matchLabels: {app: api}}\n  egress:\n    - toFQDNs: [{matchName: api.payments.example}, {matchPattern: "*.cdn.example"}]\n      toPorts: [{ports: [{port: "443", protocol: TCP}]}]\n    - toServices: [{k8sService: {serviceName: db, namespace: shop}}]\n    - toEntities: [kube-apiserver]\n  egressDeny:\n    - toCIDRSet: [{cidr: 169.254.169.254/32}]\n',
        "  name: api-egress\n  namespace: shop\n",
      ),
      ccnp(
        '  nodeSelector: {matchLabels: {node-role.kubernetes.io/control-plane: ""}}\n  ingress:\n    - fromEntities: [cluster, health]\n    - toPorts: [{ports: [{port: "6443", protocol: TCP}]}]\n      fromCIDR: [203.0.113.0/24]\n',
        "  name: host-fw\n",
      ),
    ].join("---\n");
    const o = accepted(judge({ "a.yaml": file }));
    expect(o.manifests).toHaveLength(4);
    expect(o.warnings).toEqual([]);
  });

  test("typed in code as CiliumPolicyDocument", () => {
    const doc: CiliumPolicyDocument = {
      apiVersion: "cilium.io/v2",
      kind: "CiliumNetworkPolicy",
      metadata: { name: "webhook", namespace: "cert-manager" },
      spec: { description: "only the API server", endpointSelector: {}, ingress: [{ fromEntities: ["kube-apiserver"] }] },
    };
    const stack = new TerraformStack(testApp(), "typed");
    const policies = new NetworkPolicies(stack, "p", { manifests: [doc] });
    expect(policies.policies.map((p) => p.manifest)).toEqual([doc]);
  });
});
