// A path through a NodePort (`path.via`): where the connection is load-balanced decides which
// policies see it (lib/paths/node-port.ts, each rule cited there). Translated at the source, it is
// the plain pod path; not translated (1.19, socket LB kept out of pods, SNAT), two legs: the
// client's egress to the remote node at the nodePort and the backend's ingress from the world.
import type { AnalyzePathInput, PathCiliumSettings, PathPeer } from "../../lib/paths/types";
import { analyzePath, client, cnp, pod } from "./builders";

const web = pod("shop", { app: "web" });
const PORT = 8080;
const NODE_PORT = 30080;

const egressTo = (name: string, to: object, port: number) =>
  cnp("shop", name, {
    endpointSelector: { matchLabels: { app: "client" } },
    egress: [{ ...to, toPorts: [{ ports: [{ port: String(port) }] }] }],
  });
const ingressFrom = (name: string, from: object) =>
  cnp("shop", name, {
    endpointSelector: { matchLabels: { app: "web" } },
    ingress: [{ ...from, toPorts: [{ ports: [{ port: String(PORT) }] }] }],
  });

/** What 1.20 asks: the client's egress to the backends, the backends' ingress from the client. */
const podPolicies = [
  egressTo("to-web", { toEndpoints: [{ matchLabels: { app: "web" } }] }, PORT),
  ingressFrom("from-client", { fromEndpoints: [{ matchLabels: { app: "client" } }] }),
];
/** What a NodePort load-balanced at the node asks: egress to the remote node's nodePort, ingress from the world. */
const nodePolicies = [
  egressTo("to-nodes", { toEntities: ["remote-node"] }, NODE_PORT),
  ingressFrom("from-world", { fromEntities: ["world"] }),
];

const kpr: PathCiliumSettings = { kubeProxyReplacement: true };
const hostNamespaceOnly: PathCiliumSettings = { kubeProxyReplacement: true, socketLB: { hostNamespaceOnly: true } };

function viaNodePort(
  policies: unknown[],
  cilium: PathCiliumSettings,
  extra: { from?: PathPeer; protocol?: "TCP" | "UDP"; node?: "local" | "remote" } = {},
) {
  const input: AnalyzePathInput = {
    policies,
    path: {
      from: extra.from ?? client,
      to: web,
      protocol: extra.protocol ?? "TCP",
      port: PORT,
      via: { nodePort: NODE_PORT, ...(extra.node ? { node: extra.node } : {}) },
    },
    cilium,
  };
  return analyzePath(input);
}

const lines = ["1.19", "1.20"] as const;

describe("without kube-proxy replacement", () => {
  test.each(lines)(
    "kubeProxyReplacement defaults to false (the chart's default): kube-proxy's NodePort is unknown (service), Cilium %s",
    (version) => {
      const v = viaNodePort(podPolicies, { version });
      expect(v).toMatchObject({ verdict: "unknown", unknownReason: "service" });
      expect(v.explanation).toContainEqual(expect.stringMatching(/kubeProxyReplacement off: kube-proxy/));
    },
  );
});

describe("translated at the source: the plain pod path decides", () => {
  test.each(lines)("socket LB in the pod (hostNamespaceOnly defaults to false) translates at connect, Cilium %s", (version) => {
    const v = viaNodePort(podPolicies, { ...kpr, version });
    expect(v).toMatchObject({ verdict: "allowed", basis: "rule" });
    expect(v.explanation).toContainEqual(expect.stringMatching(/load-balanced at the source by socket LB/));
  });

  test.each(lines)("so the policies of a node-side NodePort are not enough: egress to remote-node is denied, Cilium %s", (version) => {
    expect(viaNodePort(nodePolicies, { ...kpr, version })).toMatchObject({
      verdict: "denied",
      blame: { direction: "egress", kind: "no-allow", policy: "CiliumNetworkPolicy/shop/to-nodes" },
    });
  });

  test("1.20 with socket LB kept out of pods: the pod's per-packet LB translates non-DSR NodePorts too", () => {
    const v = viaNodePort(podPolicies, { ...hostNamespaceOnly, version: "1.20" });
    expect(v).toMatchObject({ verdict: "allowed", basis: "rule" });
    expect(v.explanation).toContainEqual(expect.stringMatching(/load-balanced at the source by the pod's per-packet LB/));
  });

  test("1.20's per-packet LB also takes the client's own node's address", () => {
    expect(viaNodePort(podPolicies, { ...hostNamespaceOnly, version: "1.20" }, { node: "local" })).toMatchObject({ verdict: "allowed" });
  });

  test("1.20 with socket LB kept out of pods: egress to remote nodes and ingress from the world no longer suffice", () => {
    expect(viaNodePort(nodePolicies, { ...hostNamespaceOnly, version: "1.20" })).toMatchObject({
      verdict: "denied",
      blame: { direction: "egress" },
    });
  });

  test("1.19 with socket LB kept out of pods translates a DSR NodePort (loadBalancer.mode dsr)", () => {
    const v = viaNodePort(podPolicies, { ...hostNamespaceOnly, version: "1.19", loadBalancer: { mode: "dsr" } });
    expect(v).toMatchObject({ verdict: "allowed", basis: "rule" });
    expect(v.explanation).toContainEqual(expect.stringMatching(/DSR/));
  });

  test("1.19 hybrid is DSR for TCP: translated", () => {
    const v = viaNodePort(podPolicies, { ...hostNamespaceOnly, version: "1.19", loadBalancer: { mode: "hybrid" } });
    expect(v).toMatchObject({ verdict: "allowed" });
  });

  test("the translated verdict is the pod path's, explanation aside", () => {
    const plain = analyzePath({ policies: podPolicies, path: { from: client, to: web, protocol: "TCP", port: PORT }, cilium: kpr });
    const { explanation: _, ...rest } = viaNodePort(podPolicies, kpr);
    const { explanation: __, ...plainRest } = plain;
    expect(rest).toEqual(plainRest);
  });
});

describe("not translated at the source (1.19, socket LB kept out of pods, SNAT): two legs", () => {
  const untranslated: PathCiliumSettings = { ...hostNamespaceOnly, version: "1.19" };

  test("egress to the remote node at the nodePort and ingress from the world at the pod port: allowed", () => {
    const v = viaNodePort(nodePolicies, untranslated);
    expect(v).toMatchObject({ verdict: "allowed", basis: "rule" });
    expect(v.explanation).toContainEqual(expect.stringMatching(/not load-balanced at the source/));
    expect(v.explanation).toContainEqual(expect.stringMatching(/^leg 1: .*remote-node TCP\/30080/));
    expect(v.explanation).toContainEqual(expect.stringMatching(/^leg 2: .*world -> pod shop\/\{app=web\} TCP\/8080/));
  });

  test("loadBalancer.mode defaults to snat (the agent's default): the same as snat given", () => {
    expect(viaNodePort(nodePolicies, untranslated)).toEqual(viaNodePort(nodePolicies, { ...untranslated, loadBalancer: { mode: "snat" } }));
  });

  test("the client's egress to the backend is not enough: denied at leg 1, the client's egress", () => {
    expect(viaNodePort(podPolicies, untranslated)).toMatchObject({
      verdict: "denied",
      blame: { direction: "egress", kind: "no-allow", policy: "CiliumNetworkPolicy/shop/to-web" },
    });
  });

  test("the backend's ingress from the client is not enough: denied at leg 2, the backend's ingress", () => {
    const v = viaNodePort([nodePolicies[0], podPolicies[1]], untranslated);
    expect(v).toMatchObject({
      verdict: "denied",
      blame: { direction: "ingress", kind: "no-allow", policy: "CiliumNetworkPolicy/shop/from-client" },
    });
    expect(v.explanation.at(-1)).toMatch(/^verdict: denied at leg 2/);
  });

  test("hybrid is SNAT for UDP: two legs", () => {
    expect(viaNodePort(podPolicies, { ...untranslated, loadBalancer: { mode: "hybrid" } }, { protocol: "UDP" })).toMatchObject({
      verdict: "denied",
      blame: { direction: "egress" },
    });
  });

  test("with the host firewall, the intermediate node's host policies are not modelled: unknown (service)", () => {
    expect(viaNodePort(nodePolicies, { ...untranslated, hostFirewall: true })).toMatchObject({
      verdict: "unknown",
      unknownReason: "service",
    });
  });

  test("the client's own node's address: unknown (service)", () => {
    expect(viaNodePort(nodePolicies, untranslated, { node: "local" })).toMatchObject({ verdict: "unknown", unknownReason: "service" });
  });

  test("a leg the engine cannot decide makes the path unknown, with that leg's reason", () => {
    const byCidr = ingressFrom("from-cidr", { fromCIDR: ["10.0.0.0/8"] });
    expect(viaNodePort([nodePolicies[0], byCidr], untranslated)).toMatchObject({ verdict: "unknown", unknownReason: "peer-ip" });
  });
});

describe("what the engine does not model", () => {
  test.each(lines)("a source that is not a pod: unknown (service), Cilium %s", (version) => {
    expect(viaNodePort(podPolicies, { ...kpr, version }, { from: { entity: "world" } })).toMatchObject({
      verdict: "unknown",
      unknownReason: "service",
    });
  });

  test("the client's own node's address is translated where socket LB runs in the pod", () => {
    expect(viaNodePort(podPolicies, kpr, { node: "local" })).toMatchObject({ verdict: "allowed" });
  });
});

describe("the NodePort settings change nothing without via", () => {
  test.each(lines)("Cilium %s", (version) => {
    const path = { from: client, to: web, protocol: "TCP" as const, port: PORT };
    const settings: PathCiliumSettings = {
      version,
      kubeProxyReplacement: true,
      socketLB: { hostNamespaceOnly: true },
      loadBalancer: { mode: "dsr" },
    };
    expect(analyzePath({ policies: nodePolicies, path, cilium: settings })).toEqual(
      analyzePath({ policies: nodePolicies, path, cilium: { version } }),
    );
  });
});

describe("path.via and the NodePort settings are checked like the rest of the input", () => {
  const path = { from: client, to: web, protocol: "TCP" as const, port: PORT };
  test.each([
    ["via not an object", { path: { ...path, via: 30080 } }, "analyzePath: path.via must be an object { nodePort, node? }, got 30080"],
    [
      "nodePort 0",
      { path: { ...path, via: { nodePort: 0 } } },
      "analyzePath: path.via.nodePort must be an integer from 1 to 65535 (the port the client dials on a node's address), got 0",
    ],
    [
      "nodePort a string",
      { path: { ...path, via: { nodePort: "30080" } } },
      'analyzePath: path.via.nodePort must be an integer from 1 to 65535 (the port the client dials on a node\'s address), got "30080"',
    ],
    [
      "node elsewhere",
      { path: { ...path, via: { nodePort: 30080, node: "elsewhere" } } },
      'analyzePath: path.via.node must be "remote" or "local", got "elsewhere"',
    ],
    [
      "to an entity",
      { path: { ...path, to: { entity: "world" }, via: { nodePort: 30080 } } },
      "analyzePath: path.to must be a pod (the Service's backend) when path.via is given",
    ],
    [
      "kubeProxyReplacement a string",
      { path, cilium: { kubeProxyReplacement: "true" } },
      'analyzePath: cilium.kubeProxyReplacement must be a boolean, got "true"',
    ],
    [
      "socketLB not an object",
      { path, cilium: { socketLB: true } },
      "analyzePath: cilium.socketLB must be an object { hostNamespaceOnly? }, got true",
    ],
    [
      "socketLB.hostNamespaceOnly a string",
      { path, cilium: { socketLB: { hostNamespaceOnly: "yes" } } },
      'analyzePath: cilium.socketLB.hostNamespaceOnly must be a boolean, got "yes"',
    ],
    [
      "loadBalancer not an object",
      { path, cilium: { loadBalancer: "dsr" } },
      'analyzePath: cilium.loadBalancer must be an object { mode? }, got "dsr"',
    ],
    [
      "loadBalancer.mode unknown",
      { path, cilium: { loadBalancer: { mode: "maglev" } } },
      'analyzePath: cilium.loadBalancer.mode must be one of "snat", "dsr", "hybrid", got "maglev"',
    ],
  ])("%s: a TypeError naming the field", (_name, bad, message) => {
    expect(() => analyzePath({ policies: [], ...(bad as object) } as unknown as AnalyzePathInput)).toThrow(new TypeError(message));
  });
});
