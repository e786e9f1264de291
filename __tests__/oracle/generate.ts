// A fast-check generator of policy sets and paths over NetworkPolicy, CiliumNetworkPolicy
// and CiliumClusterwideNetworkPolicy, small enough in labels, namespaces, ports and IPs that
// selectors often match, so verdicts come out both ways.
import fc from "fast-check";
import type { CiliumLine } from "../../lib/cilium/lines";
import type { AnalyzePathInput, PathPeer } from "../../lib/paths/types";

const NAMESPACES = ["a", "b"];
const APPS = ["x", "y"];
const PORTS = [53, 80, 443, 8080];
// 10.1.2.3 is in the except of 10.0.0.0/8; 10.2.3.4 only in the CIDR; 192.0.2.1 in neither.
const IPS = ["10.1.2.3", "10.2.3.4", "192.0.2.1"];
const CIDR_SETS = [
  { cidr: "10.0.0.0/8", except: ["10.1.0.0/16"] },
  { cidr: "10.0.0.0/8" },
  { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] },
  { cidr: "192.0.2.0/24" },
];
const ENTITIES = ["world", "host", "remote-node", "kube-apiserver", "cluster", "all"];

const labelsArb = fc.record({ app: fc.constantFrom(...APPS), tier: fc.constantFrom("web", "db") }, { requiredKeys: [] });

const expressionArb = fc.oneof(
  fc.record({
    key: fc.constantFrom("app", "tier"),
    operator: fc.constantFrom("In", "NotIn"),
    values: fc.subarray(["x", "y", "web"], { minLength: 1 }),
  }),
  fc.record({ key: fc.constantFrom("app", "tier"), operator: fc.constantFrom("Exists", "DoesNotExist") }),
);

/** A label selector: `{}`, matchLabels, matchExpressions or both. */
const selectorArb = fc.oneof(
  { weight: 2, arbitrary: fc.constant({}) },
  { weight: 3, arbitrary: labelsArb.map((matchLabels) => ({ matchLabels })) },
  { weight: 2, arbitrary: fc.array(expressionArb, { minLength: 1, maxLength: 2 }).map((matchExpressions) => ({ matchExpressions })) },
);

/** A Cilium endpoint selector, sometimes scoped to a namespace by its label. */
const endpointSelectorArb = fc
  .tuple(selectorArb, fc.option(fc.constantFrom(...NAMESPACES), { nil: undefined }))
  .map(([s, ns]) =>
    ns === undefined
      ? s
      : { ...s, matchLabels: { ...((s as { matchLabels?: object }).matchLabels ?? {}), "k8s:io.kubernetes.pod.namespace": ns } },
  );

const portArb = fc
  .record(
    {
      port: fc.constantFrom(...PORTS).map(String),
      endPort: fc.constantFrom(444, 8090),
      protocol: fc.constantFrom("TCP", "UDP", "ANY"),
    },
    { requiredKeys: ["port"] },
  )
  .filter((p) => p.endPort === undefined || Number(p.endPort) >= Number(p.port));

const toPortsArb = fc.option(
  fc.array(portArb, { minLength: 1, maxLength: 2 }).map((ports) => [{ ports }]),
  { nil: undefined },
);

function ciliumRuleArb(dir: "from" | "to") {
  const peer = fc.oneof(
    fc.array(endpointSelectorArb, { minLength: 1, maxLength: 2 }).map((s) => ({ [`${dir}Endpoints`]: s })),
    fc.subarray(ENTITIES, { minLength: 1, maxLength: 2 }).map((e) => ({ [`${dir}Entities`]: e })),
    fc.subarray(CIDR_SETS, { minLength: 1, maxLength: 2 }).map((c) => ({ [`${dir}CIDRSet`]: c })),
    fc.constant({}),
  );
  return fc.tuple(peer, toPortsArb).map(([p, toPorts]) => (toPorts ? { ...p, toPorts } : p));
}

const enableDefaultDenyArb = fc.option(fc.record({ ingress: fc.boolean(), egress: fc.boolean() }, { requiredKeys: [] }), {
  nil: undefined,
});

function ciliumSpecArb(clusterwide: boolean) {
  return fc
    .record(
      {
        subject: clusterwide ? endpointSelectorArb : selectorArb,
        ingress: fc.array(ciliumRuleArb("from"), { minLength: 1, maxLength: 2 }),
        egress: fc.array(ciliumRuleArb("to"), { minLength: 1, maxLength: 2 }),
        ingressDeny: fc.array(ciliumRuleArb("from"), { minLength: 1, maxLength: 1 }),
        egressDeny: fc.array(ciliumRuleArb("to"), { minLength: 1, maxLength: 1 }),
        enableDefaultDeny: enableDefaultDenyArb,
      },
      { requiredKeys: ["subject"] },
    )
    .filter((s) => s.ingress !== undefined || s.egress !== undefined || s.ingressDeny !== undefined || s.egressDeny !== undefined)
    .map(({ subject, enableDefaultDeny, ...rules }) => ({
      endpointSelector: subject,
      ...rules,
      ...(enableDefaultDeny ? { enableDefaultDeny } : {}),
    }));
}

const npPeerArb = fc.oneof(
  fc.record(
    { podSelector: selectorArb, namespaceSelector: fc.constantFrom({}, { matchLabels: { "kubernetes.io/metadata.name": "b" } }) },
    { requiredKeys: [] },
  ),
  fc.constantFrom(...CIDR_SETS).map((c) => ({ ipBlock: c })),
);
const npPortArb = fc
  .record(
    { port: fc.constantFrom(...PORTS), endPort: fc.constantFrom(444, 8090), protocol: fc.constantFrom("TCP", "UDP") },
    { requiredKeys: [] },
  )
  .filter((p) => p.endPort === undefined || (p.port !== undefined && p.endPort >= p.port));
function npRuleArb(dir: "from" | "to") {
  return fc.record(
    {
      [dir]: fc.oneof(fc.array(npPeerArb, { minLength: 1, maxLength: 2 }), fc.constant(null)),
      ports: fc.oneof(fc.array(npPortArb, { minLength: 1, maxLength: 2 }), fc.constant(null)),
    },
    { requiredKeys: [] },
  );
}
const npSpecArb = fc.record(
  {
    podSelector: selectorArb,
    policyTypes: fc.subarray(["Ingress", "Egress"], { minLength: 1 }),
    ingress: fc.array(npRuleArb("from"), { maxLength: 2 }),
    egress: fc.array(npRuleArb("to"), { maxLength: 2 }),
  },
  { requiredKeys: ["podSelector"] },
);

const documentArb = fc.oneof(
  fc
    .tuple(fc.constantFrom(...NAMESPACES), npSpecArb)
    .map(([namespace, spec]) => ({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { namespace }, spec })),
  fc
    .tuple(fc.constantFrom(...NAMESPACES), ciliumSpecArb(false))
    .map(([namespace, spec]) => ({ apiVersion: "cilium.io/v2", kind: "CiliumNetworkPolicy", metadata: { namespace }, spec })),
  ciliumSpecArb(true).map((spec) => ({ apiVersion: "cilium.io/v2", kind: "CiliumClusterwideNetworkPolicy", metadata: {}, spec })),
);

const podArb: fc.Arbitrary<PathPeer> = fc
  .tuple(fc.constantFrom(...NAMESPACES), labelsArb)
  .map(([namespace, labels]) => ({ namespace, labels: labels as Record<string, string> }));
const entityArb = (source: boolean): fc.Arbitrary<PathPeer> =>
  fc.oneof(
    fc.constantFrom(...IPS).map((ip) => ({ entity: "world" as const, ip })),
    fc.constantFrom<PathPeer>(
      { entity: "host" },
      { entity: "remote-node" },
      { entity: "kube-apiserver" },
      ...(source ? [{ entity: "kube-apiserver" as const, node: "local" as const }] : []),
    ),
    // A node's IP: CIDR rules select it under policyCIDRMatchMode nodes.
    fc
      .tuple(fc.constantFrom("remote-node" as const, "kube-apiserver" as const, "host" as const), fc.constantFrom(...IPS))
      .map(([entity, ip]) => ({ entity, ip })),
  );

const settingsArb = fc.option(
  fc.record(
    {
      policyEnforcementMode: fc.constantFrom("default", "always", "never"),
      enableNonDefaultDenyPolicies: fc.boolean(),
      allowLocalhost: fc.constantFrom("auto", "always", "policy"),
      hostFirewall: fc.boolean(),
      policyCIDRMatchMode: fc.constantFrom("", "nodes"),
    },
    { requiredKeys: [] },
  ),
  { nil: undefined },
);

/** One input for analyzePath and the oracle: 1-3 documents, a path with at least one pod end. */
export const inputArb: fc.Arbitrary<AnalyzePathInput> = fc
  .record({
    documents: fc.array(documentArb, { minLength: 1, maxLength: 3 }),
    ends: fc.oneof(
      { weight: 3, arbitrary: fc.tuple(podArb, podArb) },
      fc.tuple(podArb, entityArb(false)),
      fc.tuple(entityArb(true), podArb),
    ),
    protocol: fc.constantFrom("TCP" as const, "UDP" as const),
    port: fc.constantFrom(...PORTS, 81, 444),
    cilium: settingsArb,
  })
  .map(({ documents, ends: [from, to], protocol, port, cilium }) => ({
    // Names are given in order: two documents with one name would be one object.
    policies: documents.map((d, i) => ({ ...d, metadata: { ...d.metadata, name: `p${i}` } })),
    path: { from, to, protocol, port },
    ...(cilium ? { cilium } : {}),
  }));

/** inputArb for one line: the same inputs with `cilium.version` set, which selects the line's semantics and oracle. */
export const inputArbOf = (line: CiliumLine): fc.Arbitrary<AnalyzePathInput> =>
  inputArb.map((input) => ({ ...input, cilium: { ...input.cilium, version: line } }));

/**
 * Paths through a NodePort for one line (analyzePath's `path.via`): the inputs of inputArbOf with
 * a pod client (sometimes an entity), a backend pod, a nodePort (the policies' ports, so their
 * rules can match the client's egress to the node, or a port in the NodePort range) and the
 * settings that decide where the NodePort is load-balanced.
 */
export const nodePortArbOf = (line: CiliumLine): fc.Arbitrary<AnalyzePathInput> =>
  fc
    .record({
      input: inputArbOf(line),
      from: fc.oneof({ weight: 9, arbitrary: podArb }, { weight: 1, arbitrary: entityArb(true) }),
      to: podArb,
      nodePort: fc.constantFrom(...PORTS, 30080),
      node: fc.constantFrom("remote" as const, "remote" as const, "remote" as const, "local" as const),
      kubeProxyReplacement: fc.constantFrom(true, true, true, false),
      hostNamespaceOnly: fc.boolean(),
      mode: fc.option(fc.constantFrom("snat" as const, "dsr" as const, "hybrid" as const), { nil: undefined }),
    })
    .map(({ input, from, to, nodePort, node, kubeProxyReplacement, hostNamespaceOnly, mode }) => ({
      ...input,
      path: { ...input.path, from, to, via: { nodePort, node } },
      cilium: {
        ...input.cilium,
        kubeProxyReplacement,
        socketLB: { hostNamespaceOnly },
        ...(mode === undefined ? {} : { loadBalancer: { mode } }),
      },
    }));

/** The features the issue asks to count, found in one input. */
export function featuresOf(input: AnalyzePathInput): string[] {
  const text = JSON.stringify(input.policies);
  const kinds = new Set((input.policies as { kind: string }[]).map((p) => p.kind));
  const out: string[] = [...kinds];
  const has = (name: string, re: RegExp) => re.test(text) && out.push(name);
  has("matchLabels", /"matchLabels":\{"/);
  for (const op of ["In", "NotIn", "Exists", "DoesNotExist"]) has(`operator ${op}`, new RegExp(`"operator":"${op}"`));
  has("namespace scoping", /io\.kubernetes\.pod\.namespace|"namespaceSelector":\{"matchLabels/);
  has("{} selector", /(Selector|Endpoints":\[)\{\}/);
  has("null shape", /null/);
  has("port", /"port":/);
  has("port range", /"endPort"/);
  has("protocol ANY", /"ANY"/);
  has("entities", /Entities"/);
  has("CIDR except", /"except"/);
  has("deny rule", /Deny":\[/);
  has("enableDefaultDeny false", /"enableDefaultDeny":\{[^}]*false/);
  has("enableDefaultDeny true", /"enableDefaultDeny":\{[^}]*true/);
  if (input.policies.length > 1) out.push("several policies");
  if (input.cilium)
    out.push(...Object.entries(input.cilium).map(([k, v]) => `cilium ${k}=${typeof v === "object" ? JSON.stringify(v) : v}`));
  if (input.path.via) out.push(`via a NodePort on ${input.path.via.node ?? "remote"} node`);
  const ends = [input.path.from, input.path.to];
  if (ends.some((e) => "entity" in e)) out.push(`path with ${ends.map((e) => ("entity" in e ? e.entity : "pod")).join(" -> ")}`);
  if (ends.some((e) => "entity" in e && e.entity !== "world" && e.ip !== undefined)) out.push("path with a node IP");
  return out;
}
