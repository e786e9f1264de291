// No silent change, proven: every NetworkPolicy in the fixture corpus goes through
// load -> validate -> translate -> synth, then back through the kubernetes
// provider's expanders, and must equal what kube-apiserver would store for the
// document as written (helpers/network-policy-roundtrip.ts).
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { TerraformStack, Testing } from "cdktf";
import * as fc from "fast-check";
import { parseAllDocuments } from "yaml";
import { NetworkPolicies } from "../../lib";
import { listPolicyFiles } from "../../lib/policies/load";
import { storedAfterTerraform, storedByApiServer } from "../helpers/network-policy-roundtrip";
import { resourcesOf, synthStack, testApp } from "../helpers/synth";

const corpus = path.join(__dirname, "..", "fixtures", "corpus");
const shop = path.join(corpus, "shop");

/** The documents as kubectl parses them (YAML 1.1, merge keys), with the directory's namespace where they name none. */
function documentsAsWritten(dir: string, recursive: boolean, namespace?: string): Record<string, any>[] {
  return listPolicyFiles(dir, recursive).flatMap((file) =>
    parseAllDocuments(readFileSync(file, "utf8"), { version: "1.1", merge: true })
      .map((d) => d.toJS())
      .filter((d) => d !== null)
      .map((d) => (namespace && d.metadata?.namespace === undefined ? { ...d, metadata: { ...d.metadata, namespace } } : d)),
  );
}

const key = (d: Record<string, any>) => `${d.metadata.namespace}/${d.metadata.name}`;

test("the corpus holds at least 40 documents", () => {
  expect(documentsAsWritten(corpus, false).length + documentsAsWritten(shop, true, "shop").length).toBeGreaterThanOrEqual(40);
});

test("every corpus document reaches the API server as it would store the document as written", () => {
  const json = synthStack(
    (s) =>
      new NetworkPolicies(s, "p", {
        directories: [
          { path: corpus, recursive: false },
          { path: shop, namespace: "shop" },
        ],
      }),
  );
  const sent = Object.values(resourcesOf(json, "kubernetes_network_policy_v1")).map((r) => storedAfterTerraform(r));
  const expected = [...documentsAsWritten(corpus, false), ...documentsAsWritten(shop, true, "shop")].map(storedByApiServer);
  expect(Object.fromEntries(sent.map((d) => [key(d), d]))).toEqual(Object.fromEntries(expected.map((d) => [key(d), d])));
});

test("the round trip can fail: a translation that dropped endPort would be caught", () => {
  const json = synthStack((s) => new NetworkPolicies(s, "p", { directories: [{ path: corpus, recursive: false }] }));
  const resources = resourcesOf(json, "kubernetes_network_policy_v1");
  const [address] = Object.keys(resources).filter((a) => a.includes("port-range"));
  const broken = JSON.parse(JSON.stringify(resources[address]).replace(/"end_port":\d+,?/g, ""));
  const original = documentsAsWritten(corpus, false).find((d) => d.metadata.name === "port-range") as Record<string, any>;
  expect(storedAfterTerraform(broken)).not.toEqual(storedByApiServer(original));
  expect(storedAfterTerraform(resources[address])).toEqual(storedByApiServer(original));
});

describe("property-based: generated NetworkPolicies, nulls included", () => {
  // Round trip: valid NetworkPolicy (nulls included) -> validation ->
  // kubernetes_network_policy_v1 -> Terraform JSON -> the provider's expanders. The
  // result must equal what the API server would store for the input
  // (helpers/network-policy-roundtrip.ts).

  type Obj = Record<string, unknown>;

  const label = fc.stringMatching(/^[a-z]([a-z0-9-]{0,8}[a-z0-9])?$/);
  const labelKey = fc.oneof(
    label,
    label.map((l) => `example.com/${l}`),
  );
  const labels = fc.dictionary(labelKey, label, { minKeys: 1, maxKeys: 3 });
  const expression = fc.oneof(
    fc.record({ key: labelKey, operator: fc.constantFrom("In", "NotIn"), values: fc.array(label, { minLength: 1, maxLength: 3 }) }),
    fc.record({ key: labelKey, operator: fc.constantFrom("Exists", "DoesNotExist") }),
  );
  const selector = fc.record(
    { matchLabels: labels, matchExpressions: fc.array(expression, { minLength: 1, maxLength: 2 }) },
    { requiredKeys: [] },
  );
  const ipBlock = fc.oneof(
    fc.constant({ cidr: "10.0.0.0/8" }),
    fc.constant({ cidr: "10.0.0.0/8", except: ["10.1.0.0/16", "10.2.3.0/24"] }),
    fc.constant({ cidr: "fd00::/8", except: ["fd00:1::/32"] }),
    fc.constant({ cidr: "0.0.0.0/0" }),
  );
  const peer = fc.oneof(
    fc.record({ ipBlock }),
    fc.record({ podSelector: selector, namespaceSelector: selector }, { requiredKeys: [] }).filter((p) => Object.keys(p).length > 0),
  );
  const port = fc.oneof(
    fc.record({ protocol: fc.constantFrom("TCP", "UDP", "SCTP"), port: fc.integer({ min: 1, max: 65535 }) }, { requiredKeys: ["port"] }),
    fc.record(
      { protocol: fc.constantFrom("TCP", "UDP"), port: fc.constantFrom("https", "metrics", "dns-tcp") },
      { requiredKeys: ["port"] },
    ),
    fc
      .integer({ min: 1, max: 60000 })
      .chain((start) => fc.record({ port: fc.constant(start), endPort: fc.integer({ min: start, max: 65535 }) })),
    fc.record({ protocol: fc.constantFrom("TCP", "UDP") }),
    fc.record({ protocol: fc.constantFrom("TCP", "UDP"), port: fc.constant(null) }),
  );
  /** A list, or null (a key written with no value), which means absent. */
  const orNull = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ arbitrary: arb, weight: 4 }, { arbitrary: fc.constant(null), weight: 1 });
  const rule = (peersKey: "from" | "to") =>
    fc.record(
      { [peersKey]: orNull(fc.array(peer, { maxLength: 3 })), ports: orNull(fc.array(port, { maxLength: 3 })) } as Record<
        string,
        fc.Arbitrary<unknown>
      >,
      { requiredKeys: [] },
    );
  const spec = fc.record(
    {
      podSelector: selector,
      policyTypes: orNull(fc.subarray(["Ingress", "Egress"], { minLength: 1 })),
      ingress: orNull(fc.array(rule("from"), { maxLength: 3 })),
      egress: orNull(fc.array(rule("to"), { maxLength: 3 })),
    },
    { requiredKeys: ["podSelector"] },
  );
  const policies = fc.uniqueArray(fc.record({ name: label, namespace: label, labels: fc.option(labels, { nil: undefined }), spec }), {
    minLength: 1,
    maxLength: 4,
    selector: (p) => `${p.namespace}/${p.name}`,
  });

  function toDocument(p: { name: string; namespace: string; labels?: Record<string, string>; spec: Obj }): Obj {
    return {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: p.name, namespace: p.namespace, ...(p.labels ? { labels: p.labels } : {}) },
      spec: p.spec,
    };
  }

  // One app for every run: a fresh stack each (an app per run would make a temp outdir per run).
  const app = testApp();
  let run = 0;

  test("every valid NetworkPolicy survives translation and synth unchanged", () => {
    fc.assert(
      fc.property(policies, (generated) => {
        const docs = generated.map(toDocument);
        const stack = new TerraformStack(app, `run-${++run}`);
        new NetworkPolicies(stack, "p", { manifests: docs });
        const json = JSON.parse(Testing.synth(stack));
        const back = Object.values(resourcesOf(json, "kubernetes_network_policy_v1")).map((r) => storedAfterTerraform(r));
        const byName = (list: Obj[]) =>
          Object.fromEntries(list.map((d) => [`${(d.metadata as Obj).namespace}/${(d.metadata as Obj).name}`, d]));
        expect(byName(back)).toEqual(byName(docs.map(storedByApiServer)));
      }),
      { numRuns: 30, seed: 20261125 },
    );
  });
});
