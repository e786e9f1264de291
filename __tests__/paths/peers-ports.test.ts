// The path engine: peers (NetworkPolicy and Cilium selectors, entities, CIDR), the
// Talos kube-apiserver identities, allow-localhost, policyCIDRMatchMode, ports, L7,
// toFQDNs and the host firewall. Each block names its source (cilium/cilium unless named).
import { PolicyValidationError } from "../../lib/policies/problems";
import { analyzePath, apiserver, apiserverLocal, ccnp, check, client, cnp, np, pod, tcp, webhook } from "./builders";

const world = (ip?: string) => ({ entity: "world" as const, ...(ip ? { ip } : {}) });

describe("NetworkPolicy peers (pkg/k8s/network_policy.go ParseNetworkPolicy; kubernetes.io network-policies)", () => {
  test("ingress: [{}] and from: null or [] admit every source, entities included", () => {
    for (const rule of [{}, { from: null }, { from: [] }]) {
      const p = np("cert-manager", "all", { podSelector: {}, ingress: [rule] });
      expect(check([p], apiserver, webhook, 10250)).toMatchObject({ verdict: "allowed", basis: "rule" });
      expect(check([p], world("203.0.113.1"), webhook, 10250)).toMatchObject({ verdict: "allowed", basis: "rule" });
    }
  });

  test("a podSelector peer selects pods of the policy's namespace only", () => {
    const p = np("cert-manager", "same-ns", { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] });
    expect(check([p], pod("cert-manager", { app: "x" }), webhook, 10250)).toMatchObject({ verdict: "allowed" });
    expect(check([p], client, webhook, 10250)).toMatchObject({ verdict: "denied" });
    expect(check([p], apiserver, webhook, 10250)).toMatchObject({ verdict: "denied" });
  });

  test("a podSelector's own io.kubernetes.pod.namespace label is replaced by the policy's namespace (parsePodSelector)", () => {
    const p = np("cert-manager", "own-ns-label", {
      podSelector: { matchLabels: { "io.kubernetes.pod.namespace": "shop" } },
      ingress: [{ from: [{ podSelector: { matchLabels: { "io.kubernetes.pod.namespace": "shop" } } }] }],
    });
    expect(check([p], pod("cert-manager", { app: "x" }), webhook, 10250)).toMatchObject({ verdict: "allowed", basis: "default" });
    expect(check([p], client, webhook, 10250)).toMatchObject({
      verdict: "denied",
      blame: { policy: "NetworkPolicy/cert-manager/own-ns-label" },
    });
  });

  test("namespaceSelector: kubernetes.io/metadata.name is always known; other namespace labels only when given", () => {
    const byName = np("cert-manager", "by-name", {
      podSelector: {},
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "shop" } } }] }],
    });
    expect(check([byName], client, webhook, 10250)).toMatchObject({ verdict: "allowed" });
    const byTeam = np("cert-manager", "by-team", {
      podSelector: {},
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: "a" } } }] }],
    });
    expect(check([byTeam], client, webhook, 10250)).toMatchObject({ verdict: "unknown", unknownReason: "namespace-labels" });
    expect(check([byTeam], pod("shop", { app: "client" }, { team: "a" }), webhook, 10250)).toMatchObject({ verdict: "allowed" });
    expect(check([byTeam], pod("shop", { app: "client" }, { team: "b" }), webhook, 10250)).toMatchObject({ verdict: "denied" });
  });

  test("namespaceSelector {} is every pod of every namespace, and no entity", () => {
    const p = np("cert-manager", "any-ns", { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }] }] });
    expect(check([p], client, webhook, 10250)).toMatchObject({ verdict: "allowed" });
    expect(check([p], apiserver, webhook, 10250)).toMatchObject({ verdict: "denied" });
  });

  test("namespaceSelector with podSelector: both must match", () => {
    const p = np("cert-manager", "ns-and-pod", {
      podSelector: {},
      ingress: [
        {
          from: [
            {
              namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "shop" } },
              podSelector: { matchLabels: { app: "client" } },
            },
          ],
        },
      ],
    });
    expect(check([p], client, webhook, 10250)).toMatchObject({ verdict: "allowed" });
    expect(check([p], pod("shop", { app: "other" }), webhook, 10250)).toMatchObject({ verdict: "denied" });
  });

  // kubernetes/kubernetes test/e2e/network/netpol/network_policy.go (9db638c0): "should enforce policy
  // based on PodSelector and NamespaceSelector" / "... PodSelector or NamespaceSelector": one peer
  // with both selectors is their intersection; two peers are a union. Written here for this engine.
  const notHere = { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["x"] }] };
  const conformance = {
    and: np("x", "and", {
      podSelector: { matchLabels: { pod: "a" } },
      ingress: [{ from: [{ namespaceSelector: notHere, podSelector: { matchLabels: { pod: "b" } } }] }],
    }),
    or: np("x", "or", {
      podSelector: { matchLabels: { pod: "a" } },
      ingress: [{ from: [{ namespaceSelector: notHere }, { podSelector: { matchLabels: { pod: "b" } } }] }],
    }),
  };
  test.each([
    ["and", "y", "b", "allowed"],
    ["and", "y", "c", "denied"],
    ["and", "x", "b", "denied"],
    ["or", "y", "c", "allowed"],
    ["or", "x", "b", "allowed"],
    ["or", "x", "c", "denied"],
  ] as const)(
    "netpol conformance shapes: one peer with both selectors is AND, two peers are OR: %s, from %s/pod=%s is %s",
    (shape, ns, label, verdict) => {
      expect(check([conformance[shape]], pod(ns, { pod: label }), pod("x", { pod: "a" }), 80)).toMatchObject({ verdict });
    },
  );

  test("ipBlock with except decides by the peer's IP; without it the verdict is unknown (peer-ip)", () => {
    const p = np("cert-manager", "ipblock", {
      podSelector: {},
      ingress: [{ from: [{ ipBlock: { cidr: "203.0.113.0/24", except: ["203.0.113.0/28"] } }] }],
    });
    expect(check([p], world("203.0.113.200"), webhook, 10250)).toMatchObject({ verdict: "allowed" });
    expect(check([p], world("203.0.113.5"), webhook, 10250)).toMatchObject({ verdict: "denied" });
    expect(check([p], world("198.51.100.1"), webhook, 10250)).toMatchObject({ verdict: "denied" });
    expect(check([p], world(), webhook, 10250)).toMatchObject({ verdict: "unknown", unknownReason: "peer-ip" });
    // A CIDR never selects a pod (layer3.rst "IP/CIDR based").
    expect(check([p], client, webhook, 10250)).toMatchObject({ verdict: "denied" });
  });
});

describe("NetworkPolicy egress (the same translation, `to` for `from`)", () => {
  test("egress: [{}] and to: null admit every destination; policyTypes Egress with no rule isolates egress", () => {
    for (const rule of [{}, { to: null }]) {
      const p = np("shop", "all-out", { podSelector: {}, policyTypes: ["Egress"], egress: [rule] });
      expect(check([p], client, world("198.51.100.1"), 443)).toMatchObject({ verdict: "allowed", basis: "rule" });
      expect(check([p], client, apiserver, 6443)).toMatchObject({ verdict: "allowed", basis: "rule" });
    }
    const none = np("shop", "no-out", { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    expect(check([none], client, world("198.51.100.1"), 443)).toMatchObject({
      verdict: "denied",
      blame: { direction: "egress", kind: "no-allow", policy: "NetworkPolicy/shop/no-out", isolatedBy: ["NetworkPolicy/shop/no-out"] },
    });
  });
});

describe("Cilium peers to the API server and CIDRs (layer3.rst 'Entities based', 'IP/CIDR based')", () => {
  test("a pod reaches the API server through toEntities kube-apiserver; toEndpoints [{}] does not select it", () => {
    const entity = cnp("shop", "to-apiserver", { endpointSelector: {}, egress: [{ toEntities: ["kube-apiserver"], toPorts: tcp(6443) }] });
    expect(check([entity], client, apiserver, 6443)).toMatchObject({ verdict: "allowed", basis: "rule" });
    const pods = cnp("shop", "to-pods", { endpointSelector: {}, egress: [{ toEndpoints: [{}] }] });
    expect(check([pods], client, apiserver, 6443)).toMatchObject({ verdict: "denied", blame: { direction: "egress" } });
  });

  test("fromCIDR, fromCIDRSet with except and toCIDRSet decide by the peer's IP", () => {
    const ingress = cnp("cert-manager", "cidr", {
      endpointSelector: {},
      ingress: [{ fromCIDR: ["192.0.2.10/32"] }, { fromCIDRSet: [{ cidr: "198.51.100.0/24", except: ["198.51.100.128/25"] }] }],
    });
    expect(check([ingress], world("192.0.2.10"), webhook, 10250)).toMatchObject({ verdict: "allowed" });
    expect(check([ingress], world("198.51.100.20"), webhook, 10250)).toMatchObject({ verdict: "allowed" });
    expect(check([ingress], world("198.51.100.200"), webhook, 10250)).toMatchObject({ verdict: "denied" });
    const egress = cnp("shop", "cidr-out", {
      endpointSelector: {},
      egress: [{ toCIDRSet: [{ cidr: "2001:db8::/32", except: ["2001:db8:1::/48"] }] }],
    });
    expect(check([egress], client, world("2001:db8:2::1"), 443)).toMatchObject({ verdict: "allowed" });
    expect(check([egress], client, world("2001:db8:1::1"), 443)).toMatchObject({ verdict: "denied" });
    expect(check([egress], client, world("192.0.2.1"), 443)).toMatchObject({ verdict: "denied" });
  });
});

describe("Cilium selectors (pkg/k8s/apis/cilium.io/utils/utils.go getEndpointSelector, commit 0457444e)", () => {
  test("a CNP's fromEndpoints [{}] is the pods of the policy's namespace", () => {
    const p = cnp("cert-manager", "same-ns", { endpointSelector: {}, ingress: [{ fromEndpoints: [{}] }] });
    expect(check([p], pod("cert-manager", { app: "x" }), webhook, 10250)).toMatchObject({ verdict: "allowed" });
    expect(check([p], client, webhook, 10250)).toMatchObject({ verdict: "denied" });
    expect(check([p], apiserver, webhook, 10250)).toMatchObject({ verdict: "denied" });
  });

  test("an explicit k8s:io.kubernetes.pod.namespace leaves the policy's namespace", () => {
    const p = cnp("cert-manager", "from-shop", {
      endpointSelector: {},
      ingress: [{ fromEndpoints: [{ matchLabels: { "k8s:io.kubernetes.pod.namespace": "shop", app: "client" } }] }],
    });
    expect(check([p], client, webhook, 10250)).toMatchObject({ verdict: "allowed" });
  });

  test("a CNP's endpointSelector always applies in the policy's namespace (an illegal namespace match is removed)", () => {
    const p = cnp("cert-manager", "illegal-ns", {
      endpointSelector: { matchLabels: { "k8s:io.kubernetes.pod.namespace": "shop" } },
      ingress: [{ fromEntities: ["world"] }],
    });
    expect(check([p], apiserver, webhook, 10250)).toMatchObject({ verdict: "denied" });
    expect(check([p], apiserver, client, 10250)).toMatchObject({ verdict: "allowed", basis: "default" });
    // Without the k8s: prefix the key is another one (any source): it stays beside the policy's namespace and selects nothing.
    const anySource = cnp("cert-manager", "any-ns", {
      endpointSelector: { matchLabels: { "io.kubernetes.pod.namespace": "shop" } },
      ingress: [{ fromEntities: ["world"] }],
    });
    expect(check([anySource], apiserver, webhook, 10250)).toMatchObject({ verdict: "allowed", basis: "default" });
    expect(check([anySource], apiserver, client, 10250)).toMatchObject({ verdict: "allowed", basis: "default" });
  });

  test("namespace-label keys drop the namespace scoping (the code; kubernetes.rst says they are ignored in a CNP)", () => {
    const p = cnp("cert-manager", "by-team", {
      endpointSelector: {},
      ingress: [{ fromEndpoints: [{ matchLabels: { "io.cilium.k8s.namespace.labels.team": "a" } }] }],
    });
    expect(check([p], pod("shop", { app: "client" }, { team: "a" }), webhook, 10250)).toMatchObject({ verdict: "allowed" });
    expect(check([p], client, webhook, 10250)).toMatchObject({ verdict: "unknown", unknownReason: "namespace-labels" });
  });

  test("a CCNP's fromEndpoints [{}] is every pod of the cluster, and no entity; its endpointSelector spans namespaces", () => {
    const p = ccnp("pods-only", {
      endpointSelector: { matchLabels: { "io.kubernetes.pod.namespace": "cert-manager" } },
      ingress: [{ fromEndpoints: [{}] }],
    });
    // basis "default": the client's egress is open by default (basis is "rule" only when every side was admitted by a rule).
    expect(check([p], client, webhook, 10250)).toMatchObject({ verdict: "allowed", basis: "default" });
    expect(check([p], apiserver, webhook, 10250)).toMatchObject({
      verdict: "denied",
      blame: { isolatedBy: ["CiliumClusterwideNetworkPolicy/pods-only"] },
    });
    expect(check([p], apiserver, client, 10250)).toMatchObject({ verdict: "allowed", basis: "default" });
  });

  test("a selector on reserved labels is not namespace-scoped: fromEndpoints reserved:kube-apiserver", () => {
    const p = cnp("cert-manager", "reserved", {
      endpointSelector: {},
      ingress: [{ fromEndpoints: [{ matchLabels: { "reserved:kube-apiserver": "" } }] }],
    });
    expect(check([p], apiserver, webhook, 10250)).toMatchObject({ verdict: "allowed" });
  });

  test("source prefixes: k8s:app matches a pod label, reserved:app does not", () => {
    const k8s = cnp("cert-manager", "k8s", {
      endpointSelector: { matchLabels: { "k8s:app": "webhook" } },
      ingress: [{ fromEntities: ["world"] }],
    });
    expect(check([k8s], apiserver, webhook, 10250)).toMatchObject({ verdict: "denied" });
    const reserved = cnp("cert-manager", "res", {
      endpointSelector: { matchLabels: { "reserved:app": "webhook" } },
      ingress: [{ fromEntities: ["world"] }],
    });
    expect(check([reserved], apiserver, webhook, 10250)).toMatchObject({ verdict: "allowed", basis: "default" });
  });

  test("fromRequires is refused by the 1.19 CRD (maxItems 0): a PolicyValidationError", () => {
    const p = cnp("cert-manager", "requires", {
      endpointSelector: {},
      ingress: [{ fromRequires: [{ matchLabels: { env: "prod" } }], fromEndpoints: [{}] }],
    });
    expect(() => check([p], apiserver, webhook, 10250)).toThrow(PolicyValidationError);
    expect(() => check([p], apiserver, webhook, 10250)).toThrow(/<analyzePath:policies\[0\]>.*fromRequires/);
  });

  test("a rule the agent refuses (fromEndpoints with fromCIDR) makes the document enforce nothing", () => {
    const p = cnp("cert-manager", "mixed", { endpointSelector: {}, ingress: [{ fromEndpoints: [{}], fromCIDR: ["10.0.0.0/8"] }] });
    const v = check([p], apiserver, webhook, 10250);
    expect(v).toMatchObject({ verdict: "allowed", basis: "default" });
    expect(v.explanation).toContainEqual(expect.stringContaining("not enforced"));
  });
});

describe("entities (layer3.rst 'Entities based'; pkg/policy/api/entity.go)", () => {
  const from = (entities: string[]) => [cnp("cert-manager", "e", { endpointSelector: {}, ingress: [{ fromEntities: entities }] })];
  const options = { cilium: { allowLocalhost: "policy" as const } };
  test("kube-apiserver from another node is kube-apiserver + remote-node", () => {
    for (const e of ["kube-apiserver", "remote-node", "cluster", "all"])
      expect(check(from([e]), apiserver, webhook, 10250, options)).toMatchObject({ verdict: "allowed" });
    for (const e of ["host", "world", "health"])
      expect(check(from([e]), apiserver, webhook, 10250, options)).toMatchObject({ verdict: "denied" });
  });
  test("kube-apiserver on the pod's node is kube-apiserver + host (no single source file found: Cilium's ipcache adds the label to the host identity)", () => {
    for (const e of ["kube-apiserver", "host", "cluster", "all"])
      expect(check(from([e]), apiserverLocal, webhook, 10250, options)).toMatchObject({ verdict: "allowed" });
    expect(check(from(["remote-node"]), apiserverLocal, webhook, 10250, options)).toMatchObject({ verdict: "denied" });
  });
  test("world is not cluster; pods are cluster but not world", () => {
    expect(check(from(["cluster"]), world("198.51.100.1"), webhook, 10250)).toMatchObject({ verdict: "denied" });
    expect(check(from(["world"]), world("198.51.100.1"), webhook, 10250)).toMatchObject({ verdict: "allowed" });
    expect(check(from(["cluster"]), client, webhook, 10250)).toMatchObject({ verdict: "allowed" });
    expect(check(from(["world"]), client, webhook, 10250)).toMatchObject({ verdict: "denied" });
  });
  test("health, ingress, init and unmanaged match their own entity", () => {
    for (const e of ["health", "ingress", "init", "unmanaged"] as const)
      expect(check(from([e]), { entity: e }, webhook, 10250)).toMatchObject({ verdict: "allowed" });
  });
});

// Also the Kubernetes API reference (kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1,
// NetworkPolicySpec.ingress): traffic is allowed "if the traffic source is the pod's local node".
describe("allow-localhost (pkg/option/config.go AllowLocalhost; pkg/policy/mapstate.go determineAllowLocalhostIngress)", () => {
  const isolate = cnp("cert-manager", "world-only", { endpointSelector: {}, ingress: [{ fromEntities: ["world"] }] });
  test("auto (the default) and always: same-node host traffic is allowed whatever the ingress policy", () => {
    expect(check([isolate], apiserverLocal, webhook, 10250)).toMatchObject({ verdict: "allowed", basis: "rule" });
    expect(check([isolate], { entity: "host" }, webhook, 10250, { cilium: { allowLocalhost: "always" } })).toMatchObject({
      verdict: "allowed",
    });
  });
  test("policy: the host needs a rule", () => {
    expect(check([isolate], apiserverLocal, webhook, 10250, { cilium: { allowLocalhost: "policy" } })).toMatchObject({ verdict: "denied" });
  });
  test("a deny rule still beats it", () => {
    const deny = cnp("cert-manager", "deny-host", { endpointSelector: {}, ingressDeny: [{ fromEntities: ["host"] }] });
    expect(check([isolate, deny], apiserverLocal, webhook, 10250)).toMatchObject({
      verdict: "denied",
      blame: { kind: "deny-rule", policy: "CiliumNetworkPolicy/cert-manager/deny-host" },
    });
  });
  test("it does not reach a kube-apiserver on another node", () => {
    expect(check([isolate], apiserver, webhook, 10250)).toMatchObject({ verdict: "denied" });
  });
});

describe("policyCIDRMatchMode (layer3.rst 'Selecting pods or nodes with CIDR / ipBlock')", () => {
  const nodes = np("cert-manager", "node-subnet", { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: "10.5.0.0/24" } }] }] });
  const remote = { entity: "kube-apiserver" as const, ip: "10.5.0.10" };
  test("by default a CIDR never matches the API server's node IP", () => {
    expect(check([nodes], remote, webhook, 10250)).toMatchObject({ verdict: "denied", blame: { kind: "no-allow" } });
  });
  test("under nodes it matches other nodes' IPs, decided by ip (node-ip without it)", () => {
    const o = { cilium: { policyCIDRMatchMode: "nodes" as const } };
    expect(check([nodes], remote, webhook, 10250, o)).toMatchObject({ verdict: "allowed" });
    expect(check([nodes], { entity: "kube-apiserver", ip: "10.6.0.10" }, webhook, 10250, o)).toMatchObject({ verdict: "denied" });
    expect(check([nodes], apiserver, webhook, 10250, o)).toMatchObject({ verdict: "unknown", unknownReason: "node-ip" });
    expect(check([nodes], { entity: "remote-node", ip: "10.5.0.3" }, webhook, 10250, o)).toMatchObject({ verdict: "allowed" });
  });
  test("under nodes a zero-length prefix (0.0.0.0/0) still matches no node: its selector is the world label, which nodes lack", () => {
    // pkg/labels/cidr.go IPStringToLabel: a /0 becomes reserved:world(-ipv4); pkg/ipcache/metadata.go
    // resolveLabels removes the world labels from nodes, and keeps their cidr labels under nodes mode.
    const all = np("cert-manager", "all-v4", { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }] });
    const o = { cilium: { policyCIDRMatchMode: "nodes" as const } };
    expect(check([all], { entity: "remote-node", ip: "10.5.0.3" }, webhook, 10250, o)).toMatchObject({ verdict: "denied" });
    expect(check([all], { entity: "kube-apiserver", ip: "10.5.0.10" }, webhook, 10250, o)).toMatchObject({ verdict: "denied" });
    expect(check([all], { entity: "world", ip: "203.0.113.1" }, webhook, 10250, o)).toMatchObject({ verdict: "allowed" });
  });
  test("under nodes the local host matches too, by its own IPs: its identity carries their CIDR labels", () => {
    // pkg/node/manager/manager.go nodeIdentityLabels (v1.19.7 and v1.20.2): under nodes mode the
    // local node's reserved:host identity gets the cidr labels of the node's IPs;
    // pkg/policy/types/selector_test.go at v1.20.2, "CIDR matching nodes enabled, matches node".
    const o = { cilium: { policyCIDRMatchMode: "nodes" as const, allowLocalhost: "policy" as const } };
    expect(check([nodes], { entity: "kube-apiserver", node: "local", ip: "10.5.0.10" }, webhook, 10250, o)).toMatchObject({
      verdict: "allowed",
    });
    expect(check([nodes], { entity: "host", ip: "10.6.0.10" }, webhook, 10250, o)).toMatchObject({ verdict: "denied" });
    expect(check([nodes], { entity: "host" }, webhook, 10250, o)).toMatchObject({ verdict: "unknown", unknownReason: "node-ip" });
  });
  test("by default the local host matches no CIDR", () => {
    const o = { cilium: { allowLocalhost: "policy" as const } };
    expect(check([nodes], { entity: "host", ip: "10.5.0.10" }, webhook, 10250, o)).toMatchObject({ verdict: "denied" });
  });
});

describe("ports (layer4.rst 'Limit ingress/egress ports', PortProtocol; pkg/k8s/network_policy.go parsePorts)", () => {
  test("protocol defaults: NetworkPolicy TCP, Cilium any", () => {
    const k8s = np("cert-manager", "p", { podSelector: {}, ingress: [{ ports: [{ port: 53 }] }] });
    expect(check([k8s], client, webhook, 53)).toMatchObject({ verdict: "allowed" });
    expect(check([k8s], client, webhook, 53, { protocol: "UDP" })).toMatchObject({ verdict: "denied" });
    const cil = cnp("cert-manager", "p", { endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: "53" }] }] }] });
    for (const protocol of ["TCP", "UDP", "SCTP"] as const)
      expect(check([cil], client, webhook, 53, { protocol })).toMatchObject({ verdict: "allowed" });
    const any = cnp("cert-manager", "p", { endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: "53", protocol: "ANY" }] }] }] });
    expect(check([any], client, webhook, 53, { protocol: "SCTP" })).toMatchObject({ verdict: "allowed" });
  });

  test("a NetworkPolicy port without a number is every port of its protocol", () => {
    const p = np("cert-manager", "udp", { podSelector: {}, ingress: [{ ports: [{ protocol: "UDP" }] }] });
    expect(check([p], client, webhook, 5353, { protocol: "UDP" })).toMatchObject({ verdict: "allowed" });
    expect(check([p], client, webhook, 5353)).toMatchObject({ verdict: "denied" });
  });

  test("endPort ranges are inclusive, in both kinds", () => {
    const k8s = np("cert-manager", "range", { podSelector: {}, ingress: [{ ports: [{ port: 8000, endPort: 8100 }] }] });
    const cil = cnp("cert-manager", "range", {
      endpointSelector: {},
      ingress: [{ toPorts: [{ ports: [{ port: "8000", endPort: 8100, protocol: "TCP" }] }] }],
    });
    for (const p of [k8s, cil]) {
      expect(check([p], client, webhook, 8100)).toMatchObject({ verdict: "allowed" });
      expect(check([p], client, webhook, 8000)).toMatchObject({ verdict: "allowed" });
      expect(check([p], client, webhook, 8101)).toMatchObject({ verdict: "denied" });
    }
  });

  test("a named port is unknown, unless a broader rule decides", () => {
    const named = np("cert-manager", "named", { podSelector: {}, ingress: [{ ports: [{ port: "https" }] }] });
    expect(check([named], client, webhook, 10250)).toMatchObject({ verdict: "unknown", unknownReason: "named-port" });
    const broad = cnp("cert-manager", "shop", { endpointSelector: {}, ingress: [{ fromEntities: ["cluster"] }] });
    expect(check([named, broad], apiserver, webhook, 10250)).toMatchObject({ verdict: "allowed", basis: "rule" });
    expect(check([named], apiserver, webhook, 10250)).toMatchObject({ verdict: "unknown", unknownReason: "named-port" });
  });

  test("a rule with only icmps admits no TCP, UDP or SCTP path", () => {
    const p = cnp("cert-manager", "ping", {
      endpointSelector: {},
      ingress: [{ fromEntities: ["kube-apiserver"], icmps: [{ fields: [{ type: 8, family: "IPv4" }] }] }],
    });
    for (const protocol of ["TCP", "UDP", "SCTP"] as const)
      expect(check([p], apiserver, webhook, 10250, { protocol })).toMatchObject({ verdict: "denied", blame: { kind: "no-allow" } });
  });

  // Cilium's code (v1.19.7 and v1.20.2, both oracles) redirects a port to the proxy when any
  // admitting rule has L7 rules there: for one selector pkg/policy/rule.go mergePortProto expands
  // the plain rule to an L7 wildcard ("empty L7 rules effectively wildcard L7"), and across
  // selectors the map entry with the redirect takes priority (pkg/policy/l4.go toMapState).
  const http = cnp("cert-manager", "http", {
    endpointSelector: {},
    ingress: [
      {
        fromEntities: ["kube-apiserver"],
        toPorts: [{ ports: [{ port: "10250", protocol: "TCP" }], rules: { http: [{ method: "POST" }] } }],
      },
    ],
  });
  test("L7 rules allow through the proxy (qualifier l7-proxy)", () => {
    expect(check([http], apiserver, webhook, 10250)).toMatchObject({ verdict: "allowed", basis: "rule", qualifier: "l7-proxy" });
  });
  test("an L7 rule on the port redirects beside a plain L4 rule on the same port", () => {
    const l4 = cnp("cert-manager", "l4", { endpointSelector: {}, ingress: [{ fromEntities: ["kube-apiserver"], toPorts: tcp(10250) }] });
    expect(check([http, l4], apiserver, webhook, 10250)).toMatchObject({ verdict: "allowed", qualifier: "l7-proxy" });
  });
  test("an L7 rule on the port redirects beside a port-less allow from every peer", () => {
    const all = cnp("cert-manager", "all", { endpointSelector: {}, ingress: [{ fromEntities: ["all"] }] });
    expect(check([http, all], apiserver, webhook, 10250)).toMatchObject({ verdict: "allowed", qualifier: "l7-proxy" });
  });
});

describe("toFQDNs (layer3.rst 'DNS based'): unknown unless a broader rule decides", () => {
  const dns = cnp("shop", "fqdn", {
    endpointSelector: {},
    egress: [{ toFQDNs: [{ matchPattern: "*.example.com" }], toPorts: tcp(443) }],
  });
  test("a matching name is unknown (fqdn); another name is denied", () => {
    expect(check([dns], client, { fqdn: "api.example.com" }, 443)).toMatchObject({ verdict: "unknown", unknownReason: "fqdn" });
    expect(check([dns], client, { fqdn: "api.example.org" }, 443)).toMatchObject({ verdict: "denied", blame: { direction: "egress" } });
  });
  test("toEntities world decides", () => {
    const worldRule = cnp("shop", "world", { endpointSelector: {}, egress: [{ toEntities: ["world"] }] });
    expect(check([dns, worldRule], client, { fqdn: "api.example.com" }, 443)).toMatchObject({ verdict: "allowed", basis: "rule" });
  });
});

describe("host firewall (host.rst 'Host Policies')", () => {
  const hostPolicy = (nodeSelector: unknown) =>
    ccnp("host-egress", { nodeSelector, egress: [{ toEntities: ["world"] }], ingress: [{ fromEntities: ["cluster"] }] });
  test("off: host policies do not constrain the API server", () => {
    expect(check([hostPolicy({})], apiserver, webhook, 10250)).toMatchObject({ verdict: "allowed", basis: "default" });
  });
  test("on: nodeSelector {} selects every node, so the API server's egress is isolated", () => {
    expect(check([hostPolicy({})], apiserver, webhook, 10250, { cilium: { hostFirewall: true } })).toMatchObject({
      verdict: "denied",
      blame: { direction: "egress", kind: "no-allow", policy: "CiliumClusterwideNetworkPolicy/host-egress" },
    });
  });
  test("on: any other nodeSelector depends on node labels (node-labels)", () => {
    const v = check([hostPolicy({ matchLabels: { "node-role.kubernetes.io/control-plane": "" } })], apiserver, webhook, 10250, {
      cilium: { hostFirewall: true },
    });
    expect(v).toMatchObject({ verdict: "unknown", unknownReason: "node-labels" });
  });
  test("on: a pod's path to the host is the host's ingress", () => {
    expect(check([hostPolicy({})], client, { entity: "host" }, 4240, { cilium: { hostFirewall: true } })).toMatchObject({
      verdict: "allowed",
      basis: "default",
    });
  });
});

test("documents are taken as written: the caller's objects are not changed", () => {
  const p = cnp("cert-manager", "nulls", { endpointSelector: {}, ingress: [{ fromEndpoints: null }] });
  const before = JSON.stringify(p);
  analyzePath({ policies: [p], path: { from: apiserver, to: webhook, protocol: "TCP", port: 1 } });
  expect(JSON.stringify(p)).toBe(before);
});
