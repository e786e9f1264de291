// The CRD suite's corpus tests, for each supported line: a document that uses every top-level
// field of both CRDs, and every pattern of both CRDs on RE2 with long values. Each parses both
// CRDs whole (most of their time), so they run in test:e2e; cilium-crd.test.ts holds the rules.
import { parse } from "yaml";
import { SUPPORTED_CILIUM_LINES } from "../../lib/cilium/lines";
import { policyValidatorBundle } from "../../lib/policies/crd-schema";
import { crdJudge } from "../helpers/crd-judge";

describe.each(SUPPORTED_CILIUM_LINES)("Cilium %s", (line) => {
  const { judge, crdSchema, cnp, accepted, refusedAt, warned } = crdJudge(line);

  describe("every top-level field of both CRDs", () => {
    // One rule with endpointSelector and every other field but nodeSelector (they are mutually exclusive), and
    // one with nodeSelector: together they use every property of the CRD's rule, and of the document.
    const full = (kind: string, namespace: string) => `apiVersion: cilium.io/v2
kind: ${kind}
metadata:
  name: everything
${namespace}  labels: {team: net}
  annotations: {note: written by hand}
spec:
  description: "Storefront: the API may reach the database, and nothing else reaches it"
  endpointSelector: {matchLabels: {app: db}}
  enableDefaultDeny: {ingress: true, egress: false}
  labels: [{key: owner, value: shop, source: custom}]
  log: {value: "storefront db — ingress"}
  ingress:
    - fromEndpoints: [{matchLabels: {app: api}}]
      toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
  ingressDeny:
    - fromCIDR: [192.0.2.0/24]
  egress:
    - toFQDNs: [{matchName: backup.example.net}]
      toPorts: [{ports: [{port: "443", protocol: TCP}], serverNames: [backup.example.net]}]
  egressDeny:
    - toEntities: [world]
specs:
  - description: the nodes' own rule
    nodeSelector: {matchLabels: {role: storage}}
    ingress: [{fromEntities: [cluster]}]
status:
  conditions: [{type: Valid, status: "True", lastTransitionTime: "2026-03-04T05:06:07Z", message: ok, reason: Parsed}]
  `;

    test.each([
      ["CiliumNetworkPolicy", "ciliumnetworkpolicies.yaml", "  namespace: shop\n"],
      ["CiliumClusterwideNetworkPolicy", "ciliumclusterwidenetworkpolicies.yaml", ""],
    ])("%s: accepted, synthesized as written without its status", (kind, file, namespace) => {
      const text = full(kind, namespace);
      const written = parse(text);
      const schema = crdSchema(file);
      // The document really uses every field the CRD declares.
      expect(Object.keys(written).sort()).toEqual(Object.keys(schema.properties).sort());
      const ruleFields = new Set([...Object.keys(written.spec), ...Object.keys(written.specs[0])]);
      expect([...ruleFields].sort()).toEqual(Object.keys(schema.properties.spec.properties).sort());

      const o = accepted(judge({ "a.yaml": text }, {}, true));
      const { status: _status, ...stored } = written;
      expect(o.manifests).toEqual([stored]);
      warned(o, "status-dropped", "status");
      if (kind === "CiliumNetworkPolicy") warned(o, "node-selector-in-namespaced-policy", "specs[0].nodeSelector");
      else expect(o.warnings.join("\n")).not.toContain("node-selector-in-namespaced-policy");
    });
  });

  describe("patterns with RE2 semantics", () => {
    test("every pattern of both CRDs runs on RE2, linear in a 10,000-character value (npm run bench times it)", () => {
      const patterns = new Set<string>();
      const collect = (s: unknown): void => {
        if (Array.isArray(s)) s.forEach(collect);
        else if (s !== null && typeof s === "object") {
          for (const [k, v] of Object.entries(s))
            if (k === "pattern" && typeof v === "string") patterns.add(v);
            else collect(v);
        }
      };
      collect(crdSchema("ciliumnetworkpolicies.yaml"));
      collect(crdSchema("ciliumclusterwidenetworkpolicies.yaml"));
      expect(patterns.size).toBeGreaterThanOrEqual(7);
      const { re2Pattern } = policyValidatorBundle(line);
      const values = [`${"a".repeat(9999)}!`, "a.".repeat(5000), "-".repeat(10000), "9".repeat(10000)];
      let matched = 0;
      for (const p of patterns) {
        // RE2, not JavaScript's backtracking RegExp: how long is the bench's to measure, not a test's.
        expect(String(re2Pattern(p))).toBe(`re2:${p}`);
        for (const v of values) if (re2Pattern(p).test(v)) matched++;
      }
      expect(matched).toBeGreaterThan(0);
      // The exponential case for a backtracking engine, through the whole validator.
      refusedAt(
        judge({ "a.yaml": cnp(`  endpointSelector: {}\n  egress:\n    - toFQDNs: [{matchPattern: "${"a".repeat(200)}!"}]\n`) }),
        "spec.egress[0].toFQDNs[0].matchPattern",
        /"a+!" does not match/,
      );
    });
  });
});
