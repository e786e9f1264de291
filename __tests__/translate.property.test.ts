import * as fc from "fast-check";
import { NetworkPolicies } from "../lib";
import { resourcesOf, synthStack } from "./helpers/synth";

// Round trip: valid NetworkPolicy -> validation -> kubernetes_network_policy_v1 ->
// Terraform JSON -> back to a NetworkPolicy. The result must equal the input as the
// API server would store it (policyTypes and protocol defaulted, empty lists dropped).

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
  fc.record({ protocol: fc.constantFrom("TCP", "UDP"), port: fc.constantFrom("https", "metrics", "dns-tcp") }, { requiredKeys: ["port"] }),
  fc
    .integer({ min: 1, max: 60000 })
    .chain((start) => fc.record({ port: fc.constant(start), endPort: fc.integer({ min: start, max: 65535 }) })),
  fc.record({ protocol: fc.constantFrom("TCP", "UDP") }),
);
const rule = (peersKey: "from" | "to") =>
  fc.record(
    { [peersKey]: fc.array(peer, { maxLength: 3 }), ports: fc.array(port, { maxLength: 3 }) } as Record<string, fc.Arbitrary<unknown>>,
    { requiredKeys: [] },
  );
const spec = fc.record(
  {
    podSelector: selector,
    policyTypes: fc.subarray(["Ingress", "Egress"], { minLength: 1 }),
    ingress: fc.array(rule("from"), { maxLength: 3 }),
    egress: fc.array(rule("to"), { maxLength: 3 }),
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

/** What the API server stores for a document (defaults applied, empty lists as absent). */
function normalize(doc: Obj): Obj {
  const spec = doc.spec as Obj;
  const rules = (list: unknown, peersKey: string) =>
    ((list as Obj[] | undefined) ?? []).map((r) => {
      const peers = (r[peersKey] as Obj[] | undefined) ?? [];
      const ports = ((r.ports as Obj[] | undefined) ?? []).map((p) => ({ protocol: "TCP", ...p }));
      return { ...(peers.length ? { [peersKey]: peers } : {}), ...(ports.length ? { ports } : {}) };
    });
  const ingress = rules(spec.ingress, "from");
  const egress = rules(spec.egress, "to");
  const policyTypes = (spec.policyTypes as string[] | undefined)?.length
    ? spec.policyTypes
    : egress.length
      ? ["Ingress", "Egress"]
      : ["Ingress"];
  return {
    metadata: doc.metadata,
    spec: { podSelector: spec.podSelector, policyTypes, ...(ingress.length ? { ingress } : {}), ...(egress.length ? { egress } : {}) },
  };
}

// Terraform JSON (snake_case) -> Kubernetes field names and types.
const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
function fromTerraform(value: unknown, key = ""): unknown {
  if (Array.isArray(value)) return value.map((v) => fromTerraform(v, key));
  if (value !== null && typeof value === "object") {
    const mapKeys = key === "matchLabels" || key === "labels";
    return Object.fromEntries(
      Object.entries(value as Obj).map(([k, v]) => [mapKeys ? k : camel(k), mapKeys ? v : fromTerraform(v, camel(k))]),
    );
  }
  if (key === "port" && typeof value === "string" && /^\d+$/.test(value)) return Number(value);
  return value;
}

test("every valid NetworkPolicy survives translation and synth unchanged", () => {
  fc.assert(
    fc.property(policies, (generated) => {
      const docs = generated.map(toDocument);
      const json = synthStack((s) => new NetworkPolicies(s, "p", { manifests: docs }));
      const back = Object.values(resourcesOf(json, "kubernetes_network_policy_v1")).map(
        (r) => fromTerraform({ metadata: r.metadata, spec: r.spec }) as Obj,
      );
      const byName = (list: Obj[]) =>
        Object.fromEntries(list.map((d) => [`${(d.metadata as Obj).namespace}/${(d.metadata as Obj).name}`, d]));
      expect(byName(back)).toEqual(byName(docs.map(normalize)));
    }),
    { numRuns: 60, seed: 20261125 },
  );
});
