// analyzePath's interface: the five traps, each
// unknownReason and their order, the defaults, the TypeErrors for invalid paths and the
// PolicyValidationError for invalid documents.
// The package root is checked at the type level (tsc runs in npm test), so this file does
// not load cdktf: `Root` exists only for the type-checker.
import type * as Root from "../../lib";
import { PolicyValidationError } from "../../lib/policies/problems";
import type { PathVerdict } from "../../lib/paths/types";
import { analyzePath, apiserver, apiserverLocal, ccnp, check, client, cnp, np, pod, tcp, webhook } from "./builders";

describe("the five traps", () => {
  test("1. an ipBlock of the node subnet (or 0.0.0.0/0) 'for the API server' does not match it; under policyCIDRMatchMode nodes only the subnet does", () => {
    for (const cidr of ["10.5.0.0/24", "0.0.0.0/0"]) {
      const p = np("cert-manager", "apiserver-by-cidr", {
        podSelector: {},
        ingress: [{ from: [{ ipBlock: { cidr } }], ports: [{ port: 10250 }] }],
      });
      expect(check([p], { entity: "kube-apiserver", ip: "10.5.0.10" }, webhook, 10250)).toMatchObject({
        verdict: "denied",
        blame: { direction: "ingress", kind: "no-allow", policy: "NetworkPolicy/cert-manager/apiserver-by-cidr" },
      });
      expect(
        check([p], { entity: "kube-apiserver", ip: "10.5.0.10" }, webhook, 10250, { cilium: { policyCIDRMatchMode: "nodes" } }),
      ).toMatchObject({
        // A zero-length prefix selects by the world label, which nodes lack (peers-ports.test.ts).
        verdict: cidr === "0.0.0.0/0" ? "denied" : "allowed",
      });
    }
  });

  test("2. a rule on the Service port (443) does not admit the pod port (10250)", () => {
    const p = cnp("cert-manager", "service-port", {
      endpointSelector: {},
      ingress: [{ fromEntities: ["kube-apiserver"], toPorts: tcp(443) }],
    });
    expect(check([p], apiserver, webhook, 10250)).toMatchObject({
      verdict: "denied",
      blame: { kind: "no-allow", policy: "CiliumNetworkPolicy/cert-manager/service-port" },
    });
    expect(check([p], apiserver, webhook, 443)).toMatchObject({ verdict: "allowed" });
  });

  test("3. fromEndpoints [{}] is this namespace's pods; a kube-dns selector written in cert-manager misses CoreDNS", () => {
    const everyone = cnp("cert-manager", "everyone", { endpointSelector: {}, ingress: [{ fromEndpoints: [{}] }] });
    expect(check([everyone], client, webhook, 10250)).toMatchObject({ verdict: "denied" });
    expect(check([everyone], apiserver, webhook, 10250)).toMatchObject({ verdict: "denied" });
    const dns = cnp("cert-manager", "dns", {
      endpointSelector: {},
      egress: [{ toEndpoints: [{ matchLabels: { "k8s-app": "kube-dns" } }], toPorts: [{ ports: [{ port: "53", protocol: "UDP" }] }] }],
    });
    const coredns = pod("kube-system", { "k8s-app": "kube-dns" });
    expect(check([dns], webhook, coredns, 53, { protocol: "UDP" })).toMatchObject({ verdict: "denied", blame: { direction: "egress" } });
    const fixed = cnp("cert-manager", "dns", {
      endpointSelector: {},
      egress: [
        {
          toEndpoints: [{ matchLabels: { "k8s:io.kubernetes.pod.namespace": "kube-system", "k8s-app": "kube-dns" } }],
          toPorts: [{ ports: [{ port: "53", protocol: "UDP" }] }],
        },
      ],
    });
    expect(check([fixed], webhook, coredns, 53, { protocol: "UDP" })).toMatchObject({ verdict: "allowed" });
  });

  test("4. `fromEndpoints:` with no value: the API server drops the null, the rule is {}: allows nothing, isolates", () => {
    const p = cnp("cert-manager", "ingress-allow-all", { endpointSelector: {}, ingress: [{ fromEndpoints: null }] });
    for (const from of [apiserver, client, pod("cert-manager", { app: "x" }), { entity: "world" as const, ip: "198.51.100.1" }])
      expect(check([p], from, webhook, 10250)).toMatchObject({
        verdict: "denied",
        blame: {
          kind: "no-allow",
          policy: "CiliumNetworkPolicy/cert-manager/ingress-allow-all",
          isolatedBy: ["CiliumNetworkPolicy/cert-manager/ingress-allow-all"],
        },
      });
    expect(check([p], apiserver, webhook, 10250).explanation).toContainEqual(expect.stringContaining("admits nothing"));
  });

  test("5. empty shapes mean opposite things: NP [{}] admits all, CNP [{}] admits nothing but isolates, toPorts alone admits every source", () => {
    const k8s = np("cert-manager", "empty", { podSelector: {}, ingress: [{}] });
    const cil = cnp("cert-manager", "empty", { endpointSelector: {}, ingress: [{}] });
    const portsOnly = cnp("cert-manager", "ports-only", { endpointSelector: {}, ingress: [{ toPorts: tcp(10250) }] });
    expect(check([k8s], apiserver, webhook, 10250)).toMatchObject({ verdict: "allowed", basis: "rule" });
    expect(check([cil], apiserver, webhook, 10250)).toMatchObject({ verdict: "denied", blame: { kind: "no-allow" } });
    for (const from of [apiserver, { entity: "world" as const, ip: "198.51.100.1" }, client])
      expect(check([portsOnly], from, webhook, 10250)).toMatchObject({ verdict: "allowed" });
    expect(check([portsOnly], apiserver, webhook, 10251)).toMatchObject({ verdict: "denied" });
    // ingress: [] is no section: it isolates nothing (Sanitize counts rules, not keys).
    const emptyList = cnp("cert-manager", "empty-list", { endpointSelector: {}, ingress: [], egress: [{ toEntities: ["world"] }] });
    expect(check([emptyList], apiserver, webhook, 10250)).toMatchObject({ verdict: "allowed", basis: "default" });
  });
});

describe("unknown reasons", () => {
  const isolateApiserver = (rule: Record<string, unknown>) => cnp("cert-manager", "u", { endpointSelector: {}, ingress: [rule] });
  const cases: Array<[string, () => PathVerdict]> = [
    [
      "named-port",
      () => check([np("cert-manager", "n", { podSelector: {}, ingress: [{ ports: [{ port: "webhook" }] }] })], apiserver, webhook, 10250),
    ],
    [
      "fqdn",
      () =>
        check(
          [cnp("shop", "f", { endpointSelector: {}, egress: [{ toFQDNs: [{ matchName: "api.example.com" }] }] })],
          client,
          { fqdn: "api.example.com" },
          443,
        ),
    ],
    [
      "node-ip",
      () =>
        check(
          [np("cert-manager", "c", { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/8" } }] }] })],
          apiserver,
          webhook,
          10250,
          { cilium: { policyCIDRMatchMode: "nodes" } },
        ),
    ],
    [
      "node-labels",
      () =>
        check(
          [ccnp("h", { nodeSelector: { matchLabels: { role: "cp" } }, egress: [{ toEntities: ["world"] }] })],
          apiserver,
          webhook,
          10250,
          { cilium: { hostFirewall: true } },
        ),
    ],
    [
      "namespace-labels",
      () =>
        check(
          [np("cert-manager", "ns", { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: "a" } } }] }] })],
          client,
          webhook,
          10250,
        ),
    ],
    [
      "pod-labels",
      () =>
        check(
          [isolateApiserver({ fromEndpoints: [{ matchLabels: { "io.kubernetes.pod.namespace": "shop", app: "client" } }] })],
          pod("shop", {}),
          webhook,
          10250,
          { assume: { labels: "partial" } },
        ),
    ],
    [
      "service",
      () =>
        check(
          [
            cnp("shop", "s", {
              endpointSelector: {},
              egress: [{ toServices: [{ k8sService: { serviceName: "db", namespace: "shop" } }] }],
            }),
          ],
          client,
          { entity: "world", ip: "198.51.100.4" },
          5432,
        ),
    ],
    [
      "groups",
      () =>
        check(
          [cnp("shop", "g", { endpointSelector: {}, egress: [{ toGroups: [{ aws: { securityGroupsIds: ["sg-1"] } }] }] })],
          client,
          { entity: "world", ip: "198.51.100.4" },
          443,
        ),
    ],
    [
      "authentication",
      () =>
        check([isolateApiserver({ fromEntities: ["kube-apiserver"], authentication: { mode: "required" } })], apiserver, webhook, 10250),
    ],
    ["peer-ip", () => check([isolateApiserver({ fromCIDRSet: [{ cidr: "198.51.100.0/24" }] })], { entity: "world" }, webhook, 10250)],
    ["open-policy-set", () => check([], apiserver, webhook, 10250, { assume: { policySet: "open" } })],
  ];
  test.each(cases)("%s", (reason, run) => {
    expect(run()).toMatchObject({ verdict: "unknown", unknownReason: reason });
  });

  test("the labels of a pod are complete by default: a missing label is a miss, not an unknown", () => {
    const p = isolateApiserver({ fromEndpoints: [{ matchLabels: { "io.kubernetes.pod.namespace": "shop", app: "client" } }] });
    expect(check([p], pod("shop", {}), webhook, 10250)).toMatchObject({ verdict: "denied" });
    // Cilium's own labels (service account) are never pod metadata: unknown unless given.
    const sa = isolateApiserver({
      fromEndpoints: [{ matchLabels: { "io.kubernetes.pod.namespace": "shop", "io.cilium.k8s.policy.serviceaccount": "client" } }],
    });
    expect(check([sa], client, webhook, 10250)).toMatchObject({ verdict: "unknown", unknownReason: "pod-labels" });
    expect(check([sa], pod("shop", { "io.cilium.k8s.policy.serviceaccount": "client" }), webhook, 10250)).toMatchObject({
      verdict: "allowed",
    });
  });

  test("when several apply, the first in the list order is given", () => {
    const p = cnp("cert-manager", "two", {
      endpointSelector: {},
      ingress: [{ fromCIDR: ["198.51.100.0/24"] }, { fromEntities: ["world"], toPorts: [{ ports: [{ port: "https" }] }] }],
    });
    expect(check([p], { entity: "world" }, webhook, 10250)).toMatchObject({ verdict: "unknown", unknownReason: "named-port" });
  });

  test("an unknown that cannot change the verdict does not reach it: a definite deny on one side wins", () => {
    const egress = cnp("shop", "e", { endpointSelector: {}, egress: [{ toEntities: ["world"] }] });
    const ingress = np("cert-manager", "n", { podSelector: {}, ingress: [{ ports: [{ port: "webhook" }] }] });
    expect(check([egress, ingress], client, webhook, 10250)).toMatchObject({ verdict: "denied", blame: { direction: "egress" } });
  });

  test("open: a path admitted by rules on every side stays allowed; mode never stays allowed", () => {
    const p = cnp("cert-manager", "a", { endpointSelector: {}, ingress: [{ fromEntities: ["kube-apiserver"] }] });
    expect(check([p], apiserver, webhook, 10250, { assume: { policySet: "open" } })).toMatchObject({ verdict: "allowed", basis: "rule" });
    expect(
      check([], apiserver, webhook, 10250, { assume: { policySet: "open" }, cilium: { policyEnforcementMode: "never" } }),
    ).toMatchObject({
      verdict: "allowed",
      basis: "default",
    });
  });
});

describe("defaults and errors", () => {
  const p = cnp("cert-manager", "a", { endpointSelector: {}, ingress: [{ fromEntities: ["world"] }] });
  test("the documented defaults are the defaults", () => {
    const defaults = {
      cilium: {
        policyEnforcementMode: "default",
        policyCIDRMatchMode: "",
        enableNonDefaultDenyPolicies: true,
        allowLocalhost: "auto",
        hostFirewall: false,
      },
      assume: { policySet: "closed", labels: "complete" },
    } as const;
    for (const from of [apiserver, apiserverLocal, client])
      expect(check([p], from, webhook, 10250, defaults)).toEqual(check([p], from, webhook, 10250));
  });

  test("kube-apiserver's node defaults to remote; host is always local, remote-node always remote", () => {
    expect(check([p], apiserver, webhook, 1)).toEqual(check([p], { entity: "kube-apiserver", node: "remote" }, webhook, 1));
    expect(check([p], { entity: "host", node: "local" }, webhook, 1)).toMatchObject({ verdict: "allowed" });
  });

  const path = { from: apiserver, to: webhook, protocol: "TCP" as const, port: 10250 };
  test.each([
    ["an unknown entity", { ...path, from: { entity: "apiserver" } }, /path\.from\.entity/],
    ["node on host", { ...path, from: { entity: "host", node: "remote" } }, /path\.from\.node/],
    ["node on world", { ...path, from: { entity: "world", node: "local" } }, /path\.from\.node/],
    ["an illegal node", { ...path, from: { entity: "kube-apiserver", node: "elsewhere" } }, /path\.from\.node/],
    ["port 0", { ...path, port: 0 }, /path\.port/],
    ["port 65536", { ...path, port: 65536 }, /path\.port/],
    ["port 1.5", { ...path, port: 1.5 }, /path\.port/],
    ["protocol ICMP", { ...path, protocol: "ICMP" }, /path\.protocol/],
    ["fqdn as the source", { ...path, from: { fqdn: "example.com" } }, /path\.from\.fqdn/],
    ["a bad ip", { ...path, from: { entity: "world", ip: "10.0.0.300" } }, /path\.from\.ip/],
  ])("an invalid path throws a TypeError naming the field: %s", (_name, bad, field) => {
    expect(() => analyzePath({ policies: [], path: bad as never })).toThrow(TypeError);
    expect(() => analyzePath({ policies: [], path: bad as never })).toThrow(field);
  });

  test("invalid documents throw the NetworkPolicies construct's PolicyValidationError, naming <analyzePath:policies[INDEX]>", () => {
    const bad = np("cert-manager", "typo", { podSelector: {}, ingres: [{}] });
    let error: unknown;
    try {
      analyzePath({ policies: [p, bad], path });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PolicyValidationError);
    expect((error as PolicyValidationError).problems).toEqual([
      expect.objectContaining({ file: "<analyzePath:policies[1]>", document: 1, field: "spec.ingres" }),
    ]);
  });

  test("the package root exports analyzePath and its types, as the issue writes them", () => {
    const fromRoot: typeof Root.analyzePath = analyzePath;
    const input: Root.AnalyzePathInput = {
      policies: [],
      path: { from: { entity: "kube-apiserver" }, to: { fqdn: "example.com" }, protocol: "UDP", port: 53 },
    };
    const peer: Root.PathPeer = { namespace: "a", labels: {}, namespaceLabels: {} };
    const verdict: Root.PathVerdict = fromRoot(input);
    expect(verdict.verdict).toBe("allowed");
    expect(peer.namespace).toBe("a");
  });
});
