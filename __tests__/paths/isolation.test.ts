// The path engine: isolation, unions, deny precedence, sides and modes.
// Sources: cilium/cilium v1.20.2 Documentation/security/policy/intro.rst ("Policy Enforcement
// Modes", "Endpoint default policy", "Rule Basics"), deny.rst ("Deny Policies"), layer3.rst
// ("Ingress Allow All Endpoints": both sides), pkg/policy/api/rule_validation.go (Sanitize:
// enableDefaultDeny and enableNonDefaultDenyPolicies).
import { apiserver, ccnp, check, client, cnp, np, pod, tcp, webhook } from "./builders";

const allowFromWorld = cnp("cert-manager", "from-world", {
  endpointSelector: { matchLabels: { app: "webhook" } },
  ingress: [{ fromEntities: ["world"] }],
});
const KEY_WORLD = "CiliumNetworkPolicy/cert-manager/from-world";

describe("isolation per endpoint and direction", () => {
  test("no policy: allowed by default", () => {
    expect(check([], apiserver, webhook, 10250)).toMatchObject({ verdict: "allowed", basis: "default" });
  });

  test("a policy with only an egress section leaves ingress open", () => {
    const egressOnly = cnp("cert-manager", "egress-only", {
      endpointSelector: { matchLabels: { app: "webhook" } },
      egress: [{ toEntities: ["world"] }],
    });
    expect(check([egressOnly], apiserver, webhook, 10250)).toMatchObject({ verdict: "allowed", basis: "default" });
  });

  test("a policy with an ingress section isolates ingress: what it does not allow is denied, blamed on it", () => {
    expect(check([allowFromWorld], apiserver, webhook, 10250)).toMatchObject({
      verdict: "denied",
      blame: { direction: "ingress", kind: "no-allow", policy: KEY_WORLD, isolatedBy: [KEY_WORLD] },
    });
  });

  test("a policy selecting other pods does not isolate this one", () => {
    expect(check([allowFromWorld], apiserver, pod("cert-manager", { app: "cainjector" }), 10250)).toMatchObject({
      verdict: "allowed",
      basis: "default",
    });
  });

  test("a deny-only policy isolates too (Sanitize: ingressDeny is an ingress section)", () => {
    const denyOnly = cnp("cert-manager", "deny-world", {
      endpointSelector: {},
      ingressDeny: [{ fromEntities: ["world"] }],
    });
    expect(check([denyOnly], apiserver, webhook, 10250)).toMatchObject({
      verdict: "denied",
      blame: { direction: "ingress", kind: "no-allow", isolatedBy: ["CiliumNetworkPolicy/cert-manager/deny-world"] },
    });
  });

  test("NetworkPolicy policyTypes: [Egress] with no ingress rules leaves ingress open; defaulted policyTypes isolate ingress", () => {
    const egressType = np("cert-manager", "egress-type", { podSelector: {}, policyTypes: ["Egress"] });
    expect(check([egressType], apiserver, webhook, 10250)).toMatchObject({ verdict: "allowed", basis: "default" });
    const defaulted = np("cert-manager", "default-deny", { podSelector: {} });
    expect(check([defaulted], apiserver, webhook, 10250)).toMatchObject({
      verdict: "denied",
      blame: { direction: "ingress", kind: "no-allow", policy: "NetworkPolicy/cert-manager/default-deny" },
    });
    // Cilium (pkg/k8s/network_policy.go) adds egress rules whatever policyTypes says, so they isolate egress.
    const ingressTypeWithEgress = np("shop", "types-ingress", {
      podSelector: {},
      policyTypes: ["Ingress"],
      egress: [{ to: [{ podSelector: {} }] }],
    });
    expect(check([ingressTypeWithEgress], client, { entity: "world", ip: "198.51.100.7" }, 443)).toMatchObject({
      verdict: "denied",
      blame: { direction: "egress", kind: "no-allow" },
    });
  });

  describe("enableDefaultDeny", () => {
    const nonIsolating = cnp("cert-manager", "audit", {
      endpointSelector: {},
      enableDefaultDeny: { ingress: false, egress: false },
      ingress: [{ fromEntities: ["world"] }],
      ingressDeny: [{ fromEntities: ["kube-apiserver"], toPorts: tcp(9443) }],
    });
    test("false does not isolate (enableNonDefaultDenyPolicies on, the default)", () => {
      expect(check([nonIsolating], apiserver, webhook, 10250)).toMatchObject({ verdict: "allowed", basis: "default" });
    });
    test("its deny rules still apply", () => {
      expect(check([nonIsolating], apiserver, webhook, 9443)).toMatchObject({
        verdict: "denied",
        blame: { direction: "ingress", kind: "deny-rule", policy: "CiliumNetworkPolicy/cert-manager/audit", isolatedBy: [] },
      });
    });
    test("with enableNonDefaultDenyPolicies off it is forced true and isolates", () => {
      expect(check([nonIsolating], apiserver, webhook, 10250, { cilium: { enableNonDefaultDenyPolicies: false } })).toMatchObject({
        verdict: "denied",
        blame: { kind: "no-allow", isolatedBy: ["CiliumNetworkPolicy/cert-manager/audit"] },
      });
    });
  });

  describe("enforcement modes", () => {
    test("always: every endpoint is isolated, isolatedBy is empty", () => {
      expect(check([], apiserver, webhook, 10250, { cilium: { policyEnforcementMode: "always" } })).toMatchObject({
        verdict: "denied",
        blame: { direction: "ingress", kind: "no-allow", isolatedBy: [] },
      });
      const allow = cnp("cert-manager", "allow", {
        endpointSelector: {},
        egress: [{ toEntities: ["world"] }],
        ingress: [{ fromEntities: ["kube-apiserver"] }],
      });
      expect(check([allow], apiserver, webhook, 10250, { cilium: { policyEnforcementMode: "always" } })).toMatchObject({
        verdict: "allowed",
        basis: "rule",
      });
    });
    test("never: nothing is enforced, deny rules included", () => {
      const deny = ccnp("deny-all", { endpointSelector: {}, ingressDeny: [{ fromEntities: ["all"] }] });
      expect(check([deny], apiserver, webhook, 10250, { cilium: { policyEnforcementMode: "never" } })).toMatchObject({
        verdict: "allowed",
        basis: "default",
      });
    });
    test("default is the default", () => {
      expect(check([allowFromWorld], apiserver, webhook, 1, { cilium: { policyEnforcementMode: "default" } })).toEqual(
        check([allowFromWorld], apiserver, webhook, 1),
      );
    });
  });
});

describe("unions and deny precedence", () => {
  test("allows are a union across policies of all kinds", () => {
    const fromApiserver443 = np("cert-manager", "np-any-10250", { podSelector: {}, ingress: [{ ports: [{ port: 10250 }] }] });
    const cnpWorld = allowFromWorld;
    const ccnpPods = ccnp("pods-9000", { endpointSelector: {}, ingress: [{ fromEndpoints: [{}], toPorts: tcp(9000) }] });
    const set = [fromApiserver443, cnpWorld, ccnpPods];
    expect(check(set, apiserver, webhook, 10250)).toMatchObject({ verdict: "allowed", basis: "rule" });
    expect(check(set, { entity: "world", ip: "198.51.100.1" }, webhook, 22)).toMatchObject({ verdict: "allowed", basis: "rule" });
    // The client's egress is open by default, so the path as a whole rests on that default.
    expect(check(set, client, webhook, 9000)).toMatchObject({ verdict: "allowed", basis: "default" });
    expect(check(set, client, webhook, 22)).toMatchObject({
      verdict: "denied",
      blame: {
        kind: "no-allow",
        isolatedBy: ["CiliumClusterwideNetworkPolicy/pods-9000", KEY_WORLD, "NetworkPolicy/cert-manager/np-any-10250"],
      },
    });
  });

  test("a Cilium policy's spec and specs are rules of one policy: their allows add up, it is listed once", () => {
    const multi = {
      apiVersion: "cilium.io/v2",
      kind: "CiliumNetworkPolicy",
      metadata: { name: "multi", namespace: "cert-manager" },
      specs: [
        { endpointSelector: {}, ingress: [{ fromEntities: ["kube-apiserver"], toPorts: tcp(10250) }] },
        { endpointSelector: {}, ingress: [{ fromEntities: ["world"] }] },
      ],
    };
    expect(check([multi], apiserver, webhook, 10250)).toMatchObject({ verdict: "allowed", basis: "rule" });
    expect(check([multi], apiserver, webhook, 9443)).toMatchObject({
      verdict: "denied",
      blame: { policy: "CiliumNetworkPolicy/cert-manager/multi", isolatedBy: ["CiliumNetworkPolicy/cert-manager/multi"] },
    });
  });

  test("the order of the documents never shows in the verdict (lists sorted, ties broken by key)", () => {
    const a = cnp("cert-manager", "a", { endpointSelector: {}, ingress: [{ fromEntities: ["world"], toPorts: tcp(1) }] });
    const b = np("cert-manager", "b", {
      podSelector: {},
      ingress: [{ from: [{ ipBlock: { cidr: "192.0.2.0/24" } }], ports: [{ port: 1 }] }],
    });
    const c = ccnp("c", { endpointSelector: {}, ingress: [{ fromEntities: ["health"], toPorts: tcp(1) }] });
    const { explanation: _e1, ...forward } = check([a, b, c], apiserver, webhook, 1);
    const { explanation: _e2, ...backward } = check([c, b, a], apiserver, webhook, 1);
    expect(backward).toEqual(forward);
    expect(forward.blame?.isolatedBy).toEqual([
      "CiliumClusterwideNetworkPolicy/c",
      "CiliumNetworkPolicy/cert-manager/a",
      "NetworkPolicy/cert-manager/b",
    ]);
  });

  test("blame names the isolating policy with the nearest allow rule", () => {
    const far = cnp("cert-manager", "a-far", { endpointSelector: {}, ingress: [{ fromEntities: ["world"], toPorts: tcp(443) }] });
    const near = cnp("cert-manager", "z-near", {
      endpointSelector: {},
      ingress: [{ fromEntities: ["kube-apiserver"], toPorts: tcp(443) }],
    });
    expect(check([far, near], apiserver, webhook, 10250).blame).toEqual({
      direction: "ingress",
      kind: "no-allow",
      policy: "CiliumNetworkPolicy/cert-manager/z-near",
      isolatedBy: ["CiliumNetworkPolicy/cert-manager/a-far", "CiliumNetworkPolicy/cert-manager/z-near"],
    });
  });

  test("a matching deny rule beats every allow, of any kind", () => {
    const allow = cnp("cert-manager", "allow-apiserver", { endpointSelector: {}, ingress: [{ fromEntities: ["kube-apiserver"] }] });
    const allowNp = np("cert-manager", "allow-all", { podSelector: {}, ingress: [{}] });
    const deny = ccnp("no-apiserver-10250", {
      endpointSelector: {},
      ingressDeny: [{ fromEntities: ["kube-apiserver"], toPorts: tcp(10250) }],
    });
    expect(check([allow, allowNp], apiserver, webhook, 10250)).toMatchObject({ verdict: "allowed" });
    expect(check([allow, allowNp, deny], apiserver, webhook, 10250)).toMatchObject({
      verdict: "denied",
      blame: { direction: "ingress", kind: "deny-rule", policy: "CiliumClusterwideNetworkPolicy/no-apiserver-10250" },
    });
    // On another port the deny does not match and the allows decide.
    expect(check([allow, allowNp, deny], apiserver, webhook, 9443)).toMatchObject({ verdict: "allowed", basis: "rule" });
  });
});

describe("sides", () => {
  const sourceEgressToWorld = cnp("shop", "egress-world", { endpointSelector: {}, egress: [{ toEntities: ["world"] }] });
  const destOnlyFromClient = cnp("cert-manager", "from-shop", {
    endpointSelector: {},
    ingress: [{ fromEndpoints: [{ matchLabels: { "k8s:io.kubernetes.pod.namespace": "shop" } }] }],
  });
  test("pod to pod needs the source's egress and the destination's ingress", () => {
    expect(check([destOnlyFromClient], client, webhook, 10250)).toMatchObject({ verdict: "allowed", basis: "default" });
    expect(check([sourceEgressToWorld, destOnlyFromClient], client, webhook, 10250)).toMatchObject({
      verdict: "denied",
      blame: { direction: "egress", kind: "no-allow", policy: "CiliumNetworkPolicy/shop/egress-world" },
    });
    const egressToWebhook = cnp("shop", "egress-webhook", {
      endpointSelector: {},
      egress: [{ toEndpoints: [{ matchLabels: { "io.kubernetes.pod.namespace": "cert-manager", app: "webhook" } }] }],
    });
    expect(check([sourceEgressToWorld, egressToWebhook, destOnlyFromClient], client, webhook, 10250)).toMatchObject({
      verdict: "allowed",
      basis: "rule",
    });
  });

  test("when both sides deny, the blame is the source's egress", () => {
    const destDenies = cnp("cert-manager", "from-world-only", { endpointSelector: {}, ingress: [{ fromEntities: ["world"] }] });
    expect(check([sourceEgressToWorld, destDenies], client, webhook, 10250).blame).toMatchObject({ direction: "egress" });
  });

  test("from an entity only the destination's ingress applies", () => {
    const egressDenyAll = ccnp("egress-deny-all", { endpointSelector: {}, egressDeny: [{ toEntities: ["all"] }] });
    expect(check([egressDenyAll], apiserver, webhook, 10250)).toMatchObject({ verdict: "allowed", basis: "default" });
    // ...and to an entity only the source's egress.
    expect(check([egressDenyAll], client, { entity: "world", ip: "198.51.100.9" }, 443)).toMatchObject({
      verdict: "denied",
      blame: { direction: "egress", kind: "deny-rule", policy: "CiliumClusterwideNetworkPolicy/egress-deny-all" },
    });
  });

  test("the explanation names each policy and rule", () => {
    const v = check([allowFromWorld], apiserver, webhook, 10250);
    expect(v.explanation).toContainEqual(expect.stringContaining(`${KEY_WORLD} spec.ingress[0]`));
    expect(v.explanation).toContainEqual(expect.stringContaining("isolates its ingress"));
  });
});
