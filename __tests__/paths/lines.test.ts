// The path engine per Cilium line (lib/cilium/lines.ts): analyzePath's cilium.version, the
// documents judged by that line's CRDs, policyCIDRMatchMode `pods` (1.20), the cluster-mesh
// entity (1.20 CRDs) and, under 1.20, ClusterNetworkPolicy in the verdict's assumptions.
import { SUPPORTED_CILIUM_LINES } from "../../lib/cilium/lines";
import { PolicyValidationError } from "../../lib/policies/problems";
import { analyzePath, check, client, cnp, np, webhook } from "./builders";

const other = { namespace: "shop", labels: { app: "other" } };

describe("cilium.version", () => {
  test("accepts a line, or an exact chart version of one reduced to its line", () => {
    for (const version of ["1.19", "1.20", "1.19.8", "1.20.2", "1.20.0-rc.1"])
      expect(check([], client, webhook, 443, { cilium: { version: version as "1.20" } }).verdict).toBe("allowed");
  });

  test("refuses anything else with a TypeError naming the supported lines", () => {
    for (const version of ["1.18", "1.21.0", "latest", 1.2])
      expect(() => check([], client, webhook, 443, { cilium: { version: version as "1.20" } })).toThrow(
        new TypeError(
          `analyzePath: cilium.version must be a supported Cilium line (1.19, 1.20) or an exact chart version of one, got ${JSON.stringify(version)}`,
        ),
      );
  });

  test("the documents are judged by the line's CRDs: a kafka rule passes 1.19 and is refused by 1.20", () => {
    const kafka = cnp("cert-manager", "k", {
      endpointSelector: {},
      ingress: [{ toPorts: [{ ports: [{ port: "9092", protocol: "TCP" }], rules: { kafka: [{ topic: "t" }] } }] }],
    });
    expect(check([kafka], client, webhook, 9092, { cilium: { version: "1.19" } }).verdict).toBe("allowed");
    expect(() => check([kafka], client, webhook, 9092, { cilium: { version: "1.20" } })).toThrow(PolicyValidationError);
  });
});

describe("policyCIDRMatchMode pods (pkg/policy/types/selector.go at v1.20.2, CIDRSelector.Matches)", () => {
  const egressTo = (cidr: string, except?: string[]) =>
    cnp("shop", "egress", {
      endpointSelector: { matchLabels: { app: "client" } },
      egress: [{ toCIDRSet: [{ cidr, ...(except ? { except } : {}) }] }],
    });

  test("is a 1.20 mode: under 1.19 it is a TypeError naming the line's modes", () => {
    expect(() => check([], client, webhook, 443, { cilium: { version: "1.19", policyCIDRMatchMode: "pods" } })).toThrow(
      /cilium\.policyCIDRMatchMode must be one of "", "nodes" under Cilium 1\.19, got "pods"/,
    );
    expect(check([], client, webhook, 443, { cilium: { version: "1.20", policyCIDRMatchMode: "nodes pods" } }).verdict).toBe("allowed");
  });

  test("without it a CIDR rule never selects a pod, on either line", () => {
    for (const version of SUPPORTED_CILIUM_LINES)
      expect(check([egressTo("0.0.0.0/0")], client, other, 443, { cilium: { version } })).toMatchObject({
        verdict: "denied",
        blame: { direction: "egress", kind: "no-allow" },
      });
  });

  test("with it, 0.0.0.0/0 selects every (IPv4) pod: the wildcard CIDR label every pod carries", () => {
    const o = { cilium: { version: "1.20" as const, policyCIDRMatchMode: "pods" as const } };
    expect(check([egressTo("0.0.0.0/0")], client, other, 443, o).explanation).toContainEqual(expect.stringMatching(/^verdict: allowed/));
  });

  test("with it, any other CIDR depends on the pod's IP, which a path does not carry", () => {
    const o = { cilium: { version: "1.20" as const, policyCIDRMatchMode: "pods" as const } };
    expect(check([egressTo("10.0.0.0/8")], client, other, 443, o)).toMatchObject({ verdict: "unknown", unknownReason: "peer-ip" });
    expect(check([egressTo("0.0.0.0/0", ["10.0.0.0/8"])], client, other, 443, o)).toMatchObject({
      verdict: "unknown",
      unknownReason: "peer-ip",
    });
  });

  test("with nodes too, 0.0.0.0/0 selects the nodes: the wildcard is met by the CIDR labels nodes carry", () => {
    // selector.go at v1.20.2: CIDRSelector.Matches admits nodes under nodes mode, and
    // matchesCIDRWildcard lets any IPv4 cidr label meet the world requirement under pods mode.
    const all = np("cert-manager", "all-v4", { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }] });
    const both = { cilium: { version: "1.20" as const, policyCIDRMatchMode: "nodes pods" as const, allowLocalhost: "policy" as const } };
    expect(check([all], { entity: "remote-node", ip: "10.5.0.3" }, webhook, 10250, both).verdict).toBe("allowed");
    expect(check([all], { entity: "host", ip: "10.5.0.10" }, webhook, 10250, both).verdict).toBe("allowed");
    expect(check([all], { entity: "remote-node" }, webhook, 10250, both)).toMatchObject({ verdict: "unknown", unknownReason: "node-ip" });
    const nodesOnly = { cilium: { ...both.cilium, policyCIDRMatchMode: "nodes" as const } };
    expect(check([all], { entity: "remote-node", ip: "10.5.0.3" }, webhook, 10250, nodesOnly).verdict).toBe("denied");
    expect(check([all], { entity: "host", ip: "10.5.0.10" }, webhook, 10250, nodesOnly).verdict).toBe("denied");
  });

  test("the modes are a set, in any order, as the agent reads them", () => {
    // pkg/option/config.go at v1.20.2 (validatePolicyCIDRMatchMode: each word checked alone).
    expect(
      check([], client, webhook, 443, { cilium: { version: "1.20", policyCIDRMatchMode: "pods nodes" as "nodes pods" } }).verdict,
    ).toBe("allowed");
  });

  test("a NetworkPolicy ipBlock is a CIDR rule too", () => {
    const p = np("cert-manager", "from-all", { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }] });
    expect(check([p], client, webhook, 443, { cilium: { version: "1.20" } }).verdict).toBe("denied");
    expect(check([p], client, webhook, 443, { cilium: { version: "1.20", policyCIDRMatchMode: "pods" } }).verdict).toBe("allowed");
  });
});

test("the cluster-mesh entity (1.20 CRDs) selects the pods and entities the cluster entity does (pkg/policy/api/entity.go)", () => {
  const p = cnp("cert-manager", "mesh", { endpointSelector: {}, ingress: [{ fromEntities: ["cluster-mesh"] }] });
  const o = { cilium: { version: "1.20" as const } };
  expect(check([p], client, webhook, 443, o).verdict).toBe("allowed");
  expect(check([p], { entity: "kube-apiserver" }, webhook, 443, o).verdict).toBe("allowed");
  expect(check([p], { entity: "world", ip: "203.0.113.1" }, webhook, 443, o).verdict).toBe("denied");
});

describe("ClusterNetworkPolicy in the assumptions (enforced from 1.20)", () => {
  const run = (version: "1.19" | "1.20", policySet: "closed" | "open") =>
    analyzePath({
      policies: [],
      path: { from: client, to: webhook, protocol: "TCP", port: 443 },
      cilium: { version },
      assume: { policySet },
    });

  test("under 1.20 a closed set assumes none outside it, and says how to cover one", () => {
    expect(run("1.20", "closed").explanation).toContainEqual(
      expect.stringMatching(/^assumed \(Cilium 1\.20\): no ClusterNetworkPolicy .*set assume\.policySet "open" if one may exist$/),
    );
  });

  test("under 1.20 an open set covers them", () => {
    expect(run("1.20", "open").explanation).toContainEqual(
      expect.stringMatching(/^assumed \(Cilium 1\.20\): ClusterNetworkPolicies .* outside the set may exist/),
    );
  });

  test("under 1.19 nothing is said: the agent does not read them", () => {
    expect(run("1.19", "closed").explanation.join("\n")).not.toMatch(/ClusterNetworkPolicy/);
  });
});
