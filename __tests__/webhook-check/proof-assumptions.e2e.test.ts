// The check confirms what synth assumed (WEBHOOK_CHECK_PROOF): parseCheckProof, the
// setting, and the `proof-assumptions` probe against the local TLS stand-in: the
// webhook Service's selector and targetPort, a host-networked API server, and
// cilium-config, each assumed vs found; forbidden reads are warnings, never "ok".
import { onlyDocumentedPermissions } from "../helpers/check-permissions";
import { runMainInProcess } from "../helpers/run-cli";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { type CheckProof, parseCheckProof } from "../../lib/proof/check-proof";
import { CILIUM_KEYS } from "../../lib/webhook-check/probes/cilium-assumptions";
import { CHECK_PERMISSIONS } from "../../lib/webhook-check/probes/permissions";
import { checkProofAssumptions, probeProofAssumptions } from "../../lib/webhook-check/probes/proof-assumptions";
import { CHECK_ENV, parseCheckArgs, UsageError } from "../../lib/webhook-check/settings";
import { proof } from "../helpers/check-proofs";
import { fakeTarget, NODE_IP, type Scenario, standIns, writeKubeconfig } from "../helpers/fake-apiserver";
import { tempDir } from "../helpers/temp";

const stand = standIns();

const SETTINGS = { namespace: "cert-manager", service: "cert-manager-webhook", port: 443 };

async function assumptions(scenario: Scenario, p: CheckProof = proof()) {
  const api = await stand.api(scenario);
  return checkProofAssumptions(fakeTarget(stand.pki, api.url), p, SETTINGS, Date.now() + 10_000);
}
const byName = <T extends { assumption: string }>(list: readonly T[], name: string) => list.find((a) => a.assumption === name);

describe("parseCheckProof", () => {
  test("the construct's compact JSON comes back as it was written", () => {
    const p = proof();
    expect(parseCheckProof(JSON.stringify(p))).toEqual(p);
    // No release known at synth: cilium.namespace is absent, and that is valid.
    const { namespace: _ns, ...cilium } = p.cilium;
    expect(parseCheckProof(JSON.stringify({ ...p, cilium })).cilium.namespace).toBeUndefined();
  });

  test("not JSON: says so", () => {
    expect(() => parseCheckProof("{v:1")).toThrow(/^WEBHOOK_CHECK_PROOF is not JSON: /);
  });

  const good = proof();
  const withPath = (change: Record<string, unknown>) => ({ ...good, paths: [{ ...good.paths[0], ...change }] });
  test.each<[string, unknown, RegExp]>([
    ["an array", [], /must be a JSON object/],
    ["another version", { ...good, v: 2 }, /v must be 1 .*not 2/],
    ["no cilium", { ...good, cilium: undefined }, /cilium must be an object/],
    [
      "a cilium namespace that is not a string",
      { ...good, cilium: { ...good.cilium, namespace: 7 } },
      /cilium\.namespace must be a string/,
    ],
    [
      "an unknown enforcement mode",
      { ...good, cilium: { ...good.cilium, policyEnforcementMode: "Always" } },
      /cilium\.policyEnforcementMode must be one of default, always, never/,
    ],
    [
      "a CIDR match mode list",
      { ...good, cilium: { ...good.cilium, policyCIDRMatchMode: ["nodes"] } },
      /cilium\.policyCIDRMatchMode must be one of "", "nodes", "pods", "nodes pods"/,
    ],
    [
      "a string for a boolean",
      { ...good, cilium: { ...good.cilium, enableNonDefaultDenyPolicies: "true" } },
      /cilium\.enableNonDefaultDenyPolicies must be a boolean/,
    ],
    [
      "an unknown allow-localhost",
      { ...good, cilium: { ...good.cilium, allowLocalhost: "never" } },
      /cilium\.allowLocalhost must be one of auto, always, policy/,
    ],
    [
      "hostFirewall as an object",
      { ...good, cilium: { ...good.cilium, hostFirewall: { enabled: true } } },
      /cilium\.hostFirewall must be a boolean/,
    ],
    ["an unknown policy set", { ...good, assume: { policySet: "some", labels: "partial" } }, /assume must be/],
    ["paths as an object", { ...good, paths: {} }, /paths must be a list/],
    ["a path without a name", withPath({ name: "" }), /paths\[0\]\.name must be a non-empty string/],
    ["a peer that is neither", withPath({ from: { pod: "x" } }), /paths\[0\]\.from needs entity, fqdn or namespace/],
    [
      "labels that are not strings",
      withPath({ to: { namespace: "cert-manager", labels: { app: 1 } } }),
      /paths\[0\]\.to\.labels must map strings to strings/,
    ],
    [
      "namespaceLabels that are not strings",
      withPath({ to: { namespace: "a", labels: {}, namespaceLabels: [] } }),
      /paths\[0\]\.to\.namespaceLabels must map/,
    ],
    ["an entity that is not a string", withPath({ from: { entity: 1 } }), /paths\[0\]\.from\.entity must be a string/],
    ["lower-case protocol", withPath({ protocol: "tcp" }), /paths\[0\]\.protocol must be one of TCP, UDP, SCTP/],
    ["port 0", withPath({ port: 0 }), /paths\[0\]\.port must be a whole number from 1 to 65535/],
    ["port 65536", withPath({ port: 65536 }), /paths\[0\]\.port must be a whole number/],
    ["a fractional port", withPath({ port: 443.5 }), /paths\[0\]\.port must be a whole number/],
    ["an unknown verdict", withPath({ verdict: "maybe" }), /paths\[0\]\.verdict must be one of allowed, denied, unknown/],
  ])("%s: names the field", (_what, value, message) => {
    expect(() => parseCheckProof(JSON.stringify(value))).toThrow(message);
  });
});

describe("the WEBHOOK_CHECK_PROOF setting", () => {
  test("parsed from the environment only; absent or empty means no proof", () => {
    const p = proof();
    const parsed = parseCheckArgs([], { HOME: "/h", [CHECK_ENV.proof]: JSON.stringify(p) });
    expect(parsed !== "help" && parsed.proof).toEqual(p);
    const none = parseCheckArgs([], { HOME: "/h", [CHECK_ENV.proof]: "" });
    expect(none !== "help" && none.proof).toBeUndefined();
    expect(() => parseCheckArgs(["--proof", "{}"], { HOME: "/h" })).toThrow(UsageError);
  });

  test("a malformed value is a usage error: exit 2 at once, naming the field, nothing asked of the cluster", async () => {
    const api = await stand.api();
    const run = await check(["--kubeconfig", writeKubeconfig(stand.pki, api.url)], JSON.stringify({ ...proof(), v: 2 }));
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/^webhook-check: WEBHOOK_CHECK_PROOF: v must be 1/);
    expect(api.requests).toEqual([]);
    expect(run.clock.sleeps).toEqual([]);
  });
});

/** The CLI in-process with a fake clock (waiting for the deadline takes no real time). */
async function check(args: string[], proofJson: string, scenario?: Scenario) {
  const kubeconfig = scenario ? ["--kubeconfig", writeKubeconfig(stand.pki, (await stand.api(scenario)).url)] : [];
  return runMainInProcess(["--interval", "1", "--timeout", "10", "--scope", "cert-manager", ...kubeconfig, ...args], {
    HOME: tempDir("home-"),
    [CHECK_ENV.proof]: proofJson,
  });
}

describe("against the stand-in API server", () => {
  test("a cluster as the proof assumed: every assumption confirmed, exit 0, no warning", async () => {
    const run = await check(["--json"], JSON.stringify(proof()), {});
    expect(run.code).toBe(0);
    expect(run.report.warnings).toBeUndefined();
    const probe = run.report.probes.find((p) => p.probe === "proof-assumptions");
    expect(probe).toMatchObject({ ok: true });
    expect(probe?.assumptions?.map((a) => [a.assumption, a.verdict])).toEqual([
      ["webhook-selector", "ok"],
      ["webhook-target-port", "ok"],
      ["api-server-host-network", "ok"],
      ...CILIUM_KEYS.map((k) => [`cilium-config ${k.key}`, "ok"]),
    ]);
    // The webhook paths share their labels and port: one assumption for both, naming both paths.
    expect(probe?.assumptions?.[0].paths).toEqual(["kube-apiserver-to-webhook", "kube-apiserver-local-to-webhook"]);
    expect(probe?.assumptions?.[1].found).toMatch(/targetPort "https"\) resolves to pod port 10250 in its EndpointSlices/);
  });

  test("without WEBHOOK_CHECK_PROOF nothing is assumed and nothing more is read", async () => {
    const api = await stand.api();
    const run = await check(["--json", "--kubeconfig", writeKubeconfig(stand.pki, api.url)], "");
    expect(run.code).toBe(0);
    expect(run.report.probes.map((p) => p.probe)).not.toContain("proof-assumptions");
    expect(api.requests.filter((r) => /nodes|configmaps|namespaces\/default/.test(r))).toEqual([]);
  });

  test("a Service selector the proof's labels do not cover: proof-assumption, exit 1, retried until the deadline", async () => {
    const scenario = { webhookSelector: { "app.kubernetes.io/name": "webhook", "app.kubernetes.io/instance": "cm", tier: "edge" } };
    const run = await check(["--json"], JSON.stringify(proof()), scenario);
    expect(run.code).toBe(1);
    expect(run.report.failure).toMatchObject({ probe: "proof-assumptions", class: "proof-assumption" });
    expect(run.report.attempts).toBeGreaterThan(1);
    expect(run.report.elapsedMs).toBeGreaterThanOrEqual(10_000);
    const selector = byName(run.report.probes.find((p) => p.probe === "proof-assumptions")?.assumptions ?? [], "webhook-selector");
    expect(selector).toMatchObject({
      verdict: "fail",
      class: "proof-assumption",
      assumed:
        "pods labelled {app=webhook, app.kubernetes.io/component=webhook, app.kubernetes.io/instance=cert-manager, app.kubernetes.io/name=webhook}",
      found:
        "Service cert-manager/cert-manager-webhook spec.selector {app.kubernetes.io/instance=cm, app.kubernetes.io/name=webhook, tier=edge}, not a subset: app.kubernetes.io/instance=cm (assumed cert-manager), tier=edge (not assumed)",
    });
    // The admission proof itself passed: reachable, but not as synth assumed.
    expect(run.report.probes.find((p) => p.probe === "admission")?.ok).toBe(true);
  });

  test("the human report shows assumed vs found and says the webhook is reachable, but not as assumed", async () => {
    const run = await check([], JSON.stringify(proof()), { ciliumConfig: { "enable-policy": "always" } });
    expect(run.code).toBe(1);
    expect(run.out).toMatch(
      /^webhook-check: REACHABLE, BUT NOT AS SYNTH ASSUMED: kube-apiserver -> cert-manager\/cert-manager-webhook:443/,
    );
    expect(run.out).toContain(
      '  FAIL assumption         cilium-config enable-policy: assumed "default" (policyEnforcementMode); found ConfigMap kube-system/cilium-config: "always"',
    );
    expect(run.out).toMatch(/FAIL proof-assumptions .*what synth assumed does not hold/);
    expect(run.out).toMatch(/hint \[proof-assumption\]: /);
  });

  test("a pod port the EndpointSlices resolve differently (the proof admitted only the Service port)", async () => {
    const list = await assumptions({}, proof({ webhookPort: 443 }));
    expect(byName(list, "webhook-target-port")).toMatchObject({
      verdict: "fail",
      assumed: "pod port 443/TCP",
      found:
        'Service cert-manager/cert-manager-webhook port 443 (targetPort "https") resolves to pod port 10250 in its EndpointSlices (port "https")',
    });
    const moved = await assumptions({ endpointPort: 10260 });
    expect(byName(moved, "webhook-target-port")).toMatchObject({
      verdict: "fail",
      found: expect.stringMatching(/resolves to pod port 10260/),
    });
  });

  test("a numeric targetPort decides without EndpointSlice ports; a name that no slice resolves is not confirmed", async () => {
    expect(byName(await assumptions({ endpointPort: null, webhookTargetPort: 10250 }), "webhook-target-port")).toMatchObject({
      verdict: "ok",
      found: 'Service cert-manager/cert-manager-webhook port 443 (targetPort "10250"): pod port 10250',
    });
    expect(byName(await assumptions({ endpointPort: null, webhookTargetPort: 8443 }), "webhook-target-port")).toMatchObject({
      verdict: "fail",
    });
    expect(byName(await assumptions({ endpointPort: null }), "webhook-target-port")).toMatchObject({
      verdict: "warn",
      found: expect.stringMatching(/^not confirmed: .*the name is not resolved yet \(no EndpointSlice port "https"\)/),
    });
  });

  test("paths to pods outside the check's cert-manager namespace are not the webhook's", async () => {
    const list = await assumptions({}, proof({ webhookNamespace: "other" }));
    expect(list.map((a) => a.assumption)).not.toContain("webhook-selector");
    expect(byName(list, "api-server-host-network")).toMatchObject({ verdict: "ok" });
  });

  test("an API server that is not on a node's InternalIP, where the proof assumed host networking", async () => {
    const list = await assumptions({ apiServerAddresses: [NODE_IP, "10.96.0.1"] });
    expect(byName(list, "api-server-host-network")).toMatchObject({
      verdict: "fail",
      found: `API server at ${NODE_IP}, 10.96.0.1; not a node InternalIP: 10.96.0.1 (node InternalIPs: ${NODE_IP})`,
      paths: ["kube-apiserver-to-webhook", "kube-apiserver-local-to-webhook"],
    });
    // The same IPv6 address spelled two ways is the same node.
    const v6 = await assumptions({ nodes: [{ name: "cp", internalIP: "fd00::0:a" }], apiServerAddresses: ["fd00::a"] });
    expect(byName(v6, "api-server-host-network")).toMatchObject({ verdict: "ok" });
    // No kube-apiserver path: nothing assumed about it, nothing read.
    const p = proof();
    const noApi = await assumptions({}, { ...p, paths: p.paths.filter((x) => !("entity" in x.from)) });
    expect(byName(noApi, "api-server-host-network")).toBeUndefined();
  });

  describe("cilium-config", () => {
    test.each<[string, Record<string, string>, Partial<CheckProof["cilium"]>, string, "ok" | "fail", RegExp]>([
      ["absent keys are the agent's defaults", {}, {}, "enable-policy", "ok", /absent, so the agent's default "default"/],
      ["enable-policy differs", { "enable-policy": "always" }, {}, "enable-policy", "fail", /: "always"$/],
      [
        "enable-policy is read lower-cased",
        { "enable-policy": "Always" },
        { policyEnforcementMode: "always" },
        "enable-policy",
        "ok",
        /"Always" \(the agent acts on "always"\)/,
      ],
      [
        "CIDR match mode nodes where the proof assumed none",
        { "policy-cidr-match-mode": "nodes" },
        {},
        "policy-cidr-match-mode",
        "fail",
        /"nodes"/,
      ],
      [
        "CIDR match mode, space-separated list",
        { "policy-cidr-match-mode": " nodes " },
        { policyCIDRMatchMode: "nodes" },
        "policy-cidr-match-mode",
        "ok",
        /"nodes"/,
      ],
      [
        "CIDR match modes nodes and pods (1.20), in either order",
        { "policy-cidr-match-mode": "pods nodes" },
        { version: "1.20", policyCIDRMatchMode: "nodes pods" },
        "policy-cidr-match-mode",
        "ok",
        /"pods nodes" \(the agent acts on "nodes pods"\)/,
      ],
      [
        "CIDR match mode pods where the proof assumed nodes",
        { "policy-cidr-match-mode": "pods" },
        { version: "1.20", policyCIDRMatchMode: "nodes" },
        "policy-cidr-match-mode",
        "fail",
        /"pods"/,
      ],
      [
        "allow-localhost absent acts as always in Kubernetes",
        {},
        { allowLocalhost: "always" },
        "allow-localhost",
        "ok",
        /absent, so the agent's default "auto"/,
      ],
      ["allow-localhost policy where the proof assumed auto", { "allow-localhost": "policy" }, {}, "allow-localhost", "fail", /"policy"/],
      ["host firewall on where the proof assumed off", { "enable-host-firewall": "true" }, {}, "enable-host-firewall", "fail", /"true"/],
      [
        "host firewall as Go spells false",
        { "enable-host-firewall": "False" },
        {},
        "enable-host-firewall",
        "ok",
        /"False" \(the agent acts on "false"\)/,
      ],
      [
        "non-default-deny policies absent means on",
        {},
        { enableNonDefaultDenyPolicies: false },
        "enable-non-default-deny-policies",
        "fail",
        /absent, so the agent's default "true"/,
      ],
      [
        "a value the agent would refuse",
        { "enable-non-default-deny-policies": "yes" },
        {},
        "enable-non-default-deny-policies",
        "fail",
        /"yes", not a value the proof stands for/,
      ],
    ])("%s", async (_what, data, cilium, key, expected, found) => {
      const list = await assumptions({ ciliumConfig: data }, proof({ cilium }));
      const a = byName(list, `cilium-config ${key}`);
      expect(a?.verdict).toBe(expected);
      expect(a?.found).toMatch(found);
    });

    test("read in the release's namespace; none there is a failure: Cilium is not where the proof assumed", async () => {
      const elsewhere = await assumptions({ ciliumNamespace: "cilium" }, proof({ cilium: { namespace: "cilium" } }));
      expect(elsewhere.filter((a) => a.assumption.startsWith("cilium-config")).every((a) => a.verdict === "ok")).toBe(true);
      const missing = await assumptions({ ciliumConfig: false });
      expect(byName(missing, "cilium-config")).toMatchObject({
        verdict: "fail",
        class: "proof-assumption",
        found: "no ConfigMap kube-system/cilium-config",
        error: 'configmaps "cilium-config" not found',
      });
    });

    test("no release known at synth: not confirmed, said so, never ok", async () => {
      const p = proof();
      const { namespace: _ns, ...cilium } = p.cilium;
      const list = await assumptions({}, { ...p, cilium });
      expect(byName(list, "cilium-config")).toMatchObject({
        verdict: "warn",
        found: expect.stringMatching(/^not confirmed: the proof names no Cilium release/),
      });
    });
  });

  test("a cluster that converges within the deadline passes: the failure is retried like the others", async () => {
    let reads = 0;
    const run = await check(["--json"], JSON.stringify(proof()), {
      respond: (method, p) =>
        method === "GET" && p.endsWith("/configmaps/cilium-config") && ++reads < 3
          ? { status: 200, json: { metadata: { name: "cilium-config" }, data: { "enable-policy": "never" } } }
          : undefined,
    });
    expect(run.code).toBe(0);
    expect(run.report.attempts).toBe(3);
    expect(run.err).toMatch(/attempt 1 .*proof-assumptions failed \[proof-assumption\]/);
  });
});

describe("RBAC: the new reads", () => {
  const forbidden = (message: string) => ({
    status: 403,
    json: { kind: "Status", apiVersion: "v1", status: "Failure", reason: "Forbidden", code: 403, message },
  });

  test("forbidden: warnings naming the permission, the verdict stays the admission proof's, the probe is never ok", async () => {
    const run = await check(["--json"], JSON.stringify(proof()), {
      respond: (method, p) =>
        method === "GET" && (p === "/api/v1/nodes" || p.includes("/configmaps/") || p.includes("/namespaces/default/"))
          ? forbidden(`${p} is forbidden: User "ci" cannot get resource`)
          : undefined,
    });
    expect(run.code).toBe(0);
    const probe = run.report.probes.find((p) => p.probe === "proof-assumptions");
    expect(probe).toMatchObject({ ok: false, warning: true, class: "rbac" });
    expect(probe?.assumptions?.filter((a) => a.verdict !== "ok").map((a) => [a.assumption, a.verdict, a.found])).toEqual([
      [
        "api-server-host-network",
        "warn",
        expect.stringMatching(/^not confirmed: .*HTTP 403, forbidden: the check needs "list (endpointslices in default|nodes)"/),
      ],
      [
        "cilium-config",
        "warn",
        expect.stringMatching(/^not confirmed: .*HTTP 403, forbidden: the check needs "get configmaps cilium-config in kube-system"/),
      ],
    ]);
    expect(run.report.warnings).toEqual([
      expect.stringMatching(/^proof-assumptions: not every assumption of the proof could be confirmed/),
    ]);
  });

  test("a server that grants exactly the documented permissions confirms every assumption without a warning", async () => {
    const run = await check(["--json"], JSON.stringify(proof()), { respond: onlyDocumentedPermissions });
    expect(run.code).toBe(0);
    expect(run.report.warnings).toBeUndefined();
    expect(CHECK_PERMISSIONS.map((p) => `${p.verbs} ${p.resource.split(" ")[0]} @ ${p.where}`)).toEqual(
      expect.arrayContaining([
        "get configmaps @ the Cilium release's namespace (with WEBHOOK_CHECK_PROOF)",
        "list nodes @ cluster (with WEBHOOK_CHECK_PROOF)",
        "list endpointslices.discovery.k8s.io @ default (with WEBHOOK_CHECK_PROOF)",
      ]),
    );
  });

  test("docs/webhook-check.md says what the check confirms and what it cannot see", () => {
    const readme = readFileSync(path.join(__dirname, "..", "..", "docs", "webhook-check.md"), "utf8");
    expect(readme).toContain("| `proof-assumption` |");
    expect(readme).toMatch(/WEBHOOK_CHECK_PROOF/);
    expect(readme).toMatch(/cannot see:\s+labels added to pods later/);
  });
});

test("the probe alone: its verdict, detail and counts", async () => {
  const api = await stand.api({ apiServerAddresses: ["10.96.0.1"] });
  const probe = await probeProofAssumptions(fakeTarget(stand.pki, api.url), proof(), SETTINGS, Date.now() + 10_000);
  expect(probe).toMatchObject({ probe: "proof-assumptions", ok: false, class: "proof-assumption" });
  expect(probe.detail).toMatch(
    /^what synth assumed does not hold \(8 checked, 1 do not hold, 0 not confirmed\): api-server-host-network: assumed /,
  );
});
