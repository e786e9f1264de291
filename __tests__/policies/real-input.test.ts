// Policy files as people really write them (issue: nulls, generated YAML, other
// projects' examples). Each finding from trying the module on real collections is
// reproduced here; they all failed before the fix.
import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { NetworkPolicies } from "../../lib";
import { unescapeTerraform } from "../../lib/shared/terraform-escape";
import { closest } from "../../lib/shared/suggest";
import { boundedLine } from "../../lib/shared/synth-error";
import { cnp, np, problems, synth } from "../helpers/policy-synth";
import { policyDir } from "../helpers/policy-dirs";
import { resourcesOf, synthStack, type TerraformJson, testApp, firstResource, providersOf } from "../helpers/synth";

const onlyPolicySpec = (json: TerraformJson) => firstResource(json, "kubernetes_network_policy_v1").spec;

describe("null means absent, as the API server decodes it", () => {
  test("a rule written `- from:` (null peers) is a rule with no peers: all sources", () => {
    const spec = onlyPolicySpec(synth({ "a.yaml": np("  podSelector: {}\n  ingress:\n    - from:\n      ports:\n") }));
    expect(spec.ingress).toEqual([{}]);
    expect(spec.policy_types).toEqual(["Ingress"]);
  });

  test("`egress:`, `policyTypes:`, `matchExpressions:` and `except:` written null", () => {
    const spec = onlyPolicySpec(
      synth({
        "a.yaml": np(
          "  podSelector:\n    matchExpressions:\n  policyTypes:\n  egress:\n  ingress:\n    - from:\n        - ipBlock:\n            cidr: 10.0.0.0/8\n            except:\n",
        ),
      }),
    );
    expect(spec.policy_types).toEqual(["Ingress"]);
    expect(spec.egress).toBeUndefined();
    expect(spec.ingress[0].from[0].ip_block).toEqual({ cidr: "10.0.0.0/8" });
  });

  test("`spec:` null: every pod of the namespace, ingress denied", () => {
    const spec = onlyPolicySpec(synth({ "a.yaml": np("") }));
    expect(spec).toEqual({ pod_selector: {}, policy_types: ["Ingress"] });
  });

  test("`operator: In` with `values:` null is still refused, as the API server refuses it", () => {
    expect(problems({ "a.yaml": np("  podSelector:\n    matchExpressions:\n      - {key: app, operator: In, values: }\n") })).toEqual([
      "a.yaml#1 spec.podSelector.matchExpressions[0].values: must be non-empty when operator is In",
    ]);
  });

  test('a port with no value means every port of its protocol, never the named port "null"', () => {
    const spec = onlyPolicySpec(
      synth({ "a.yaml": np("  podSelector: {}\n  ingress:\n    - ports:\n        - protocol: UDP\n          port:\n") }),
    );
    expect(spec.ingress[0].ports).toEqual([{ protocol: "UDP" }]);
  });

  test("an unexpected shape is a problem with file, document and field, never a TypeError", () => {
    const found = problems({
      "a.yaml": np("  podSelector: {}\n  ingress: 5\n"),
      "b.yaml": np("  podSelector: {}\n  ingress:\n    - ports: {a: 1}\n"),
    });
    expect(found.join("\n")).not.toMatch(/TypeError|Cannot read/);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^a\.yaml#1 spec\.ingress: must be array/),
        expect.stringMatching(/^b\.yaml#1 spec\.ingress\[0\]\.ports: must be array/),
      ]),
    );
  });
});

test("distinct policies never collide: shop-a/web and shop/a-web", () => {
  const json = synth({
    "a.yaml": np("  podSelector: {}\n", "  name: web\n  namespace: shop-a\n"),
    "b.yaml": np("  podSelector: {}\n", "  name: a-web\n  namespace: shop\n"),
  });
  const names = Object.values(resourcesOf(json, "kubernetes_network_policy_v1")).map(
    (r: any) => `${r.metadata.namespace}/${r.metadata.name}`,
  );
  expect(names.sort()).toEqual(["shop-a/web", "shop/a-web"]);
});

test("Terraform template syntax in any string reaches the cluster literally", () => {
  const json = synth({
    "a.yaml": np("  podSelector: {}\n", '  name: p\n  namespace: ns\n  annotations:\n    note: "${X} %{if y}z%{endif}"\n'),
    "b.yaml": cnp(
      '  endpointSelector: {}\n  ingress:\n    - toPorts:\n        - ports: [{port: "80", protocol: TCP}]\n          rules:\n            http:\n              - {method: GET, path: "/${id}"}\n',
    ),
  });
  const text = JSON.stringify(json);
  expect(text).toContain("$${X} %%{if y}z%%{endif}");
  expect(text).toContain("/$${id}");
  expect(text).not.toMatch(/[^$]\$\{X\}|[^%]%\{if/);
});

describe("Cilium policies are strict like kubectl (unknown fields refused, from the CRD schema)", () => {
  test.each([
    ["toPort", "  endpointSelector: {}\n  egress:\n    - toPort: [{ports: [{port: '53'}]}]\n", "spec.egress[0].toPort", "toPorts"],
    ["matchLabel", "  endpointSelector:\n    matchLabel: {app: x}\n  ingress: [{}]\n", "spec.endpointSelector.matchLabel", "matchLabels"],
    ["ingres", "  endpointSelector: {}\n  ingres: [{}]\n", "spec.ingres", "ingress"],
    ["fromEndpoint", "  endpointSelector: {}\n  ingress:\n    - fromEndpoint: [{}]\n", "spec.ingress[0].fromEndpoint", "fromEndpoints"],
  ])("%s", (_typo, spec, field, suggestion) => {
    const found = problems({ "a.yaml": cnp(spec) });
    expect(found).toEqual(expect.arrayContaining([expect.stringContaining(`a.yaml#1 ${field}: unknown field`)]));
    expect(found.join("\n")).toContain(`did you mean "${suggestion}"?`);
  });

  test("formats kube-apiserver does not check for CRDs are ignored (idn-hostname on an L7 host)", () => {
    const json = synth({
      "a.yaml": cnp(
        "  endpointSelector: {}\n  egress:\n    - toPorts:\n        - ports: [{port: '443', protocol: TCP}]\n          rules:\n            http:\n              - host: '^api\\.example\\.com$'\n",
      ),
    });
    expect(Object.keys(resourcesOf(json, "kubernetes_manifest"))).toHaveLength(1);
  });

  test("formats it does check are enforced (cidr)", () => {
    expect(problems({ "a.yaml": cnp("  endpointSelector: {}\n  egress:\n    - toCIDR: [10.0.0.0/33]\n") })).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^a\.yaml#1 spec\.egress\[0\]\.toCIDR\[0\]: "10\.0\.0\.0\/33" is not a CIDR \(format "cidr"/),
      ]),
    );
  });
});

describe("YAML as kubectl reads it (1.1, merge keys) and every parse problem with its file", () => {
  test("an alias to a missing anchor", () => {
    expect(problems({ "a.yaml": np("  podSelector: *nothing\n") })).toEqual([expect.stringMatching(/^a\.yaml#1 \(document\): YAML/)]);
  });

  test("an alias flood (billion laughs) is refused, not thrown", () => {
    const flood = [
      "a: &a [x, x, x, x, x, x, x, x, x, x]",
      ...Array.from({ length: 8 }, (_, i) => `${"bcdefghi"[i]}: &${"bcdefghi"[i]} [${Array(10).fill(`*${"abcdefgh"[i]}`).join(", ")}]`),
    ].join("\n");
    expect(problems({ "a.yaml": flood })).toEqual([expect.stringMatching(/^a\.yaml#1 \(document\): YAML.*alias/i)]);
  });

  test("merge keys are merged", () => {
    const json = synth({
      "a.yaml": np("  podSelector:\n    matchLabels:\n      <<: {app: web}\n      tier: db\n", "  <<: {name: p, namespace: ns}\n"),
    });
    const r = firstResource(json, "kubernetes_network_policy_v1");
    expect(r.metadata).toEqual({ name: "p", namespace: "ns" });
    expect(r.spec.pod_selector.match_labels).toEqual({ app: "web", tier: "db" });
  });

  test("`yes` is a boolean, as kubectl reads it: refused where a string is wanted, with a hint to quote it", () => {
    const found = problems({ "a.yaml": np("  podSelector:\n    matchLabels: {enabled: yes}\n") });
    expect(found).toEqual([expect.stringMatching(/^a\.yaml#1 spec\.podSelector\.matchLabels\.enabled: must be string.*quote it/)]);
  });

  // sigs.k8s.io/yaml v1.4.0 goyaml.v2/resolve.go: strconv.ParseInt(plain, 0, 64) after removing "_".
  const port = (value: string) =>
    onlyPolicySpec(synth({ "a.yaml": np(`  podSelector: {}\n  ingress:\n    - ports:\n        - port: ${value}\n`) })).ingress[0].ports[0]
      .port;

  test.each([
    ["0o17", "15"],
    ["0O1_7", "15"],
    ["0X1f", "31"],
    ["0B101", "5"],
    ["0x1F", "31"],
    ["017", "15"],
  ])("`port: %s` is the number kubectl reads (Go's base prefixes)", (value, expected) => {
    expect(port(value)).toBe(expected);
  });

  test("`port: 1:20` is the string kubectl reads (no base 60), refused as a named port", () => {
    expect(problems({ "a.yaml": np("  podSelector: {}\n  ingress:\n    - ports:\n        - port: 1:20\n") })).toEqual([
      expect.stringMatching(/^a\.yaml#1 spec\.ingress\[0\]\.ports\[0\]\.port: .*"1:20"/),
    ]);
  });
});

describe("generated YAML (kubectl create --dry-run=client -o yaml, kubectl get -o yaml)", () => {
  test("creationTimestamp: null and generateName beside name are accepted and dropped", () => {
    const json = synth({
      "a.yaml": np("  podSelector: {}\n", "  creationTimestamp: null\n  generateName: p-\n  name: p\n  namespace: ns\n"),
    });
    const meta = firstResource(json, "kubernetes_network_policy_v1").metadata;
    expect(meta).toEqual({ name: "p", namespace: "ns" });
  });

  test("generateName without name is refused: Terraform needs a stable name", () => {
    expect(problems({ "a.yaml": np("  podSelector: {}\n", "  generateName: p-\n  namespace: ns\n") })).toEqual([
      expect.stringMatching(/^a\.yaml#1 metadata\.name: .*generateName/),
    ]);
  });

  test("`kubectl get -o yaml` residue: resourceVersion is refused first, with the hint; a NetworkPolicy's status too", () => {
    const found = problems({
      "a.yaml": `${np("  podSelector: {}\n", "  name: p\n  namespace: ns\n  uid: 1234\n  resourceVersion: '42'\n")}status: {}\n`,
    });
    expect(found[0]).toMatch(/^a\.yaml#1 metadata\.resourceVersion: .*refuses a create.*kubectl get -o yaml/);
    expect(found.join("\n")).toMatch(/a\.yaml#1 status: /);
    expect(found.join("\n")).not.toMatch(/metadata\.uid/);
  });

  // Found by the cluster suite: NetworkPolicy has no status field, and with fieldValidation=Strict
  // kube-apiserver refuses the key even with no value ('strict decoding error: unknown field "status"').
  test("a NetworkPolicy's `status:` with no value is refused too", () => {
    expect(problems({ "a.yaml": `${np("  podSelector: {}\n")}status:\n` })).toEqual([expect.stringMatching(/^a\.yaml#1 status: /)]);
  });

  test("annotation key prefixes are lower-cased before checking, as the API server does; the total size is limited", () => {
    expect(
      Object.keys(
        resourcesOf(
          synth({ "a.yaml": np("  podSelector: {}\n", "  name: p\n  namespace: ns\n  annotations: {Example.COM/owner: me}\n") }),
          "kubernetes_network_policy_v1",
        ),
      ),
    ).toHaveLength(1);
    const big = "x".repeat(256 * 1024);
    expect(problems({ "a.yaml": np("  podSelector: {}\n", `  name: p\n  namespace: ns\n  annotations: {a: ${big}}\n`) })).toEqual([
      expect.stringMatching(/metadata\.annotations: .*256 KiB/),
    ]);
  });
});

describe("namespaces from the directory, as `kubectl apply -n`", () => {
  const noNs = np("  podSelector: {}\n", "  name: p\n");

  test("a missing namespace is refused by default, and the message says how to fix it", () => {
    expect(problems({ "a.yaml": noNs })).toEqual([expect.stringMatching(/metadata\.namespace: missing.*namespace: /)]);
  });

  test("a directory's namespace is used for documents without one", () => {
    const dir = policyDir({ "a.yaml": noNs });
    const json = synthStack((s) => new NetworkPolicies(s, "p", { directories: [{ path: dir, namespace: "shop" }] }));
    expect(firstResource(json, "kubernetes_network_policy_v1").metadata.namespace).toBe("shop");
  });

  test("a document naming another namespace is refused, as kubectl apply -n refuses it", () => {
    const dir = policyDir({ "a.yaml": np("  podSelector: {}\n") });
    expect(() => new NetworkPolicies(new TerraformStack(testApp(), "t"), "p", { directories: [{ path: dir, namespace: "shop" }] })).toThrow(
      /metadata\.namespace: .*"ns".*directory.*"shop"/,
    );
  });

  test("cluster-scoped kinds ignore the directory's namespace", () => {
    const dir = policyDir({
      "a.yaml":
        "apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: c}\nspec:\n  endpointSelector: {}\n  ingress: [{}]\n",
    });
    const json = synthStack((s) => new NetworkPolicies(s, "p", { directories: [{ path: dir, namespace: "shop" }] }));
    expect(firstResource(json, "kubernetes_manifest").manifest.metadata).toEqual({ name: "c" });
  });
});

test("a non-policy document (a Namespace in a mixed upstream file) is refused with a hint to split the file", () => {
  expect(problems({ "a.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n" })).toEqual([
    expect.stringMatching(/^a\.yaml#1 kind: .*split/),
  ]);
});

test("a file is loaded once even when directories overlap or repeat", () => {
  const dir = policyDir({ "sub/a.yaml": np("  podSelector: {}\n") });
  const json = synthStack((s) => new NetworkPolicies(s, "p", { directories: [dir, `${dir}/sub`, dir] }));
  expect(Object.keys(resourcesOf(json, "kubernetes_network_policy_v1"))).toHaveLength(1);
});

describe('addresses of version 0.1 move to the new ones with legacyAddresses: "0.1", so no policy is destroyed and re-created', () => {
  const legacy01 = { legacyAddresses: "0.1" } as const;

  test("without it no moved block is written: a new stack has no 0.1 state", () => {
    const files = { "a.yaml": np("  podSelector: {}\n", "  name: allow-all-ingress\n  namespace: cert-manager\n") };
    expect(synth(files).moved).toBeUndefined();
    expect(JSON.stringify(synth(files))).not.toContain("moved");
  });

  test("with it each policy carries a moved block from its 0.1 address", () => {
    const json = synth({ "a.yaml": np("  podSelector: {}\n", "  name: allow-all-ingress\n  namespace: cert-manager\n") }, legacy01);
    const [address] = Object.keys(resourcesOf(json, "kubernetes_network_policy_v1"));
    expect(address).toMatch(/^policies_NetworkPolicy_cert-manager_allow-all-ingress_[0-9A-F]{8}$/);
    expect(json.moved).toEqual([
      {
        from: expect.stringMatching(/^kubernetes_network_policy_v1\.policies_NetworkPolicy-cert-manager-allow-all-ingress_[0-9A-F]{8}$/),
        to: `kubernetes_network_policy_v1.${address}`,
      },
    ]);
  });

  test("the 0.1 address is the one 0.1 synthesized (the dev stack's, from its snapshot)", () => {
    // cdktf-cilium 0.1.0 wrote this address for cert-manager/allow-all-ingress in the dev stack.
    const legacy = "kubernetes_network_policy_v1.cilium_policies_NetworkPolicy-cert-manager-allow-all-ingress_664DD695";
    const dir = policyDir({ "a.yaml": np("  podSelector: {}\n", "  name: allow-all-ingress\n  namespace: cert-manager\n") });
    const json = synthStack((s) => new NetworkPolicies(new Construct(s, "cilium"), "policies", { directories: [dir], ...legacy01 }));
    expect((json.moved as Array<{ from: string }>).map((m) => m.from)).toEqual([legacy]);
  });

  test("policies that collided in 0.1 (and so never existed) get no moved block", () => {
    const json = synth(
      {
        "a.yaml": np("  podSelector: {}\n", "  name: web\n  namespace: shop-a\n"),
        "b.yaml": np("  podSelector: {}\n", "  name: a-web\n  namespace: shop\n"),
      },
      legacy01,
    );
    expect(json.moved).toBeUndefined();
  });

  test("another version is refused (plain JavaScript callers)", () => {
    expect(() => synth({ "a.yaml": np("  podSelector: {}\n") }, { legacyAddresses: "0.0" as "0.1" })).toThrow(
      /legacyAddresses: "0\.0" is not a version with other addresses; use "0\.1" or leave it out/,
    );
  });

  test("CiliumPlatform passes it through; a one-cluster platform without it has no moved block", () => {
    const { CiliumPlatform } = require("../../lib");
    // A deny-all policy (no ingress rule) under the 0.1 name: the webhook path is refused by the
    // platform's default proof, which is not what this test is about.
    const dir = policyDir({ "a.yaml": np("  podSelector: {}\n", "  name: allow-all-ingress\n  namespace: cert-manager\n") });
    const noProof = { requiredPaths: [] };
    const plain = synthStack(
      (s) => new CiliumPlatform(s, "cilium", { policySet: "least-privilege", policies: { directories: [dir], ...noProof } }),
    );
    expect(plain.moved).toBeUndefined();
    const old = synthStack((s) => new CiliumPlatform(s, "cilium", { policies: { directories: [dir], ...noProof, ...legacy01 } }));
    expect((old.moved as Array<{ from: string }>).map((m) => m.from)).toEqual([
      "kubernetes_network_policy_v1.cilium_policies_NetworkPolicy-cert-manager-allow-all-ingress_664DD695",
    ]);
  });
});

describe("every user string is literal for Terraform: one helper, everywhere", () => {
  const nasty = "${X} %{if y}z%{endif}";

  test("escapeTerraform round-trips and leaves cdktf tokens alone", () => {
    const { escapeTerraform, unescapeTerraform } = require("../../lib/shared/terraform-escape");
    const { Fn } = require("cdktf");
    expect(escapeTerraform(nasty)).toBe("$${X} %%{if y}z%%{endif}");
    expect(unescapeTerraform(escapeTerraform(nasty))).toBe(nasty);
    expect(unescapeTerraform(escapeTerraform("$${already}"))).toBe("$${already}");
    const token = Fn.timestamp();
    expect(escapeTerraform({ a: [token] })).toEqual({ a: [token] });
  });

  test("cdktf token markers in policy text are data: synth neither crashes nor writes a marker", () => {
    const annotations = ["${TfToken[TOKEN.1]}", "${TfToken[TOKEN.99999]}", "#{TfToken[TOKEN.1]}", "&{TfToken[TOKEN.1]}"];
    const meta = `  name: p\n  namespace: ns\n  annotations:\n${annotations.map((v, i) => `    a/k${i}: ${JSON.stringify(v)}\n`).join("")}`;
    const text = JSON.stringify(synth({ "a.yaml": np("  podSelector: {}\n", meta) }));
    expect(text).not.toMatch(/[$#&]\{TfToken\[/);
  });

  test("a number cdktf reads as a token is refused, naming file, document and field", () => {
    const { Fn, Token } = require("cdktf");
    const tokenNumber = String(Token.asNumber(Fn.abs(-7)));
    const spec = `  endpointSelector: {}\n  egress:\n    - icmps:\n        - fields:\n            - type: ${tokenNumber}\n`;
    expect(problems({ "a.yaml": cnp(spec) })).toEqual([
      expect.stringMatching(/^a\.yaml#1 spec\.egress\[0\]\.icmps\[0\]\.fields\[0\]\.type: this number is one cdktf reads as a reference/),
    ]);
  });

  test.each([["String Map Token Value"], ["Any Map Token Value"]])(
    "an annotation that is cdktf's map-token sentinel %p is refused, naming file, document and field",
    (value) => {
      const meta = `  name: p\n  namespace: ns\n  annotations:\n    x.io/a: ${value}\n`;
      expect(problems({ "a.yaml": np("  podSelector: {}\n", meta) })).toEqual([
        expect.stringMatching(
          /^a\.yaml#1 metadata\.annotations\.x\.io\/a: ".*" is the value cdktf uses to stand for a map token .*; use another value$/,
        ),
      ]);
    },
  );

  test("a label key that is cdktf's map-token sentinel is refused, naming file, document and field", () => {
    const spec = "  endpointSelector:\n    matchLabels:\n      String Map Token Value: x\n  ingress: [{}]\n";
    expect(problems({ "a.yaml": cnp(spec) })).toEqual([
      expect.stringMatching(/^a\.yaml#1 spec\.endpointSelector\.matchLabels\.String Map Token Value: the key "String Map Token Value" is/),
    ]);
  });

  test("a number that is cdktf's map-token sentinel (-123456789) is refused, naming file, document and field", () => {
    const spec = "  endpointSelector: {}\n  egress:\n    - icmps:\n        - fields:\n            - type: -123456789\n";
    expect(problems({ "a.yaml": cnp(spec) })).toEqual([
      expect.stringMatching(/^a\.yaml#1 spec\.egress\[0\]\.icmps\[0\]\.fields\[0\]\.type: -123456789 is the value cdktf uses/),
    ]);
  });

  test("the providers' context and kubeconfig paths are escaped as the check's are", () => {
    const { ClusterProviders, WebhookCheck } = require("../../lib");
    const json = synthStack((s) => {
      const cluster = new ClusterProviders(s, "cluster", { context: `ctx-${nasty}`, kubeconfigPaths: [`/kube/${nasty}`] });
      new WebhookCheck(s, "c", { cluster, nodeBinary: `/opt/${nasty}/node` });
    });
    const kubernetes = providersOf(json, "kubernetes")[0];
    const exec = firstResource(json, "null_resource").provisioner[0]["local-exec"];
    expect(kubernetes.config_context).toBe(exec.environment.WEBHOOK_CHECK_CONTEXT);
    expect(kubernetes.config_context).toBe("ctx-$${X} %%{if y}z%%{endif}");
    expect(kubernetes.config_path).toBe("/kube/$${X} %%{if y}z%%{endif}");
    expect(providersOf(json, "helm")[0].kubernetes?.config_context).toBe(kubernetes.config_context);
    expect(exec.interpreter).toEqual(["/opt/$${X} %%{if y}z%%{endif}/node"]);
  });

  // Markers naming tokens the app made (made first here, so they exist) and one naming none: either
  // way the operator's text, as main.ts reads it from KUBE_CONTEXT_<ENV> and KUBECONFIG, is text.
  test.each([
    ["a marker naming a token of the app", "${TfToken[TOKEN.1]}"],
    ["another marker naming a token of the app", "${TfToken[TOKEN.3]}"],
    ["a marker naming no token", "${TfToken[TOKEN.99999]}"],
  ])("the providers and the check get the same literal context and paths: %s", (_what, marker) => {
    const { ClusterProviders, WebhookCheck } = require("../../lib");
    const { Fn, Token } = require("cdktf");
    for (let i = 0; i < 4; i++) Token.asString(Fn.lower(`TOKEN${i}`));
    const json = synthStack((s) => {
      const cluster = new ClusterProviders(s, "cluster", { context: `ctx${marker}`, kubeconfigPaths: [`/kube/${marker}`] });
      new WebhookCheck(s, "c", { cluster, nodeBinary: `/opt/${marker}/node` });
    });
    const kubernetes = providersOf(json, "kubernetes")[0];
    const exec = firstResource(json, "null_resource").provisioner[0]["local-exec"];
    expect(unescapeTerraform(String(kubernetes.config_context))).toBe(`ctx${marker}`);
    expect(unescapeTerraform(exec.environment.WEBHOOK_CHECK_CONTEXT)).toBe(`ctx${marker}`);
    expect(unescapeTerraform(String(kubernetes.config_path))).toBe(`/kube/${marker}`);
    expect(unescapeTerraform(exec.environment.KUBECONFIG)).toBe(`/kube/${marker}`);
    expect((exec.interpreter ?? []).map(unescapeTerraform)).toEqual([`/opt/${marker}/node`]);
  });

  test("Helm values and check settings are escaped too", () => {
    const { CiliumRelease, WebhookCheck } = require("../../lib");
    const json = synthStack((s) => {
      new CiliumRelease(s, "r", { values: { podAnnotations: { note: nasty } } });
      new WebhookCheck(s, "c", { context: `ctx-${nasty}`, kubeconfigPaths: [`/kube/${nasty}`] });
    });
    const text = JSON.stringify(json);
    expect(text).not.toMatch(/[^$]\$\{X\}|[^%]%\{if/);
    const exec = firstResource(json, "null_resource").provisioner[0]["local-exec"];
    expect(exec.environment.WEBHOOK_CHECK_CONTEXT).toBe("ctx-$${X} %%{if y}z%%{endif}");
    expect(firstResource(json, "helm_release").values[0]).toContain("$${X} %%{if y}z%%{endif}");
  });
});

describe("did you mean: the closest known name (lib/shared/suggest.ts)", () => {
  test("closest: typical typos", () => {
    expect(closest("ingres", ["egress", "ingress", "podSelector"])).toBe("ingress");
    expect(closest("matchlabels", ["matchLabels", "matchExpressions"])).toBe("matchLabels");
    expect(closest("tolerations", ["ingress", "egress"])).toBeUndefined();
  });
});

describe("what is in a policy directory is read or refused, never dropped silently", () => {
  const { mkdirSync, symlinkSync, writeFileSync } = require("node:fs") as typeof import("node:fs");
  const path = require("node:path") as typeof import("node:path");
  const refusal = (dir: string): string => {
    try {
      new NetworkPolicies(new TerraformStack(testApp(), "t"), "p", { directories: [dir] });
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error("expected a refusal");
  };

  test("a symlinked policy file is read, as kubectl apply -f reads it", () => {
    const target = policyDir({ "shared.yaml": np("  podSelector: {}\n", "  name: shared\n  namespace: ns\n") });
    const dir = policyDir({ "a.yaml": np("  podSelector: {}\n") });
    symlinkSync(path.join(target, "shared.yaml"), path.join(dir, "linked.yaml"));
    const json = synthStack((s) => new NetworkPolicies(s, "policies", { directories: [dir] }));
    const names = Object.values(resourcesOf(json, "kubernetes_network_policy_v1")).map((r: any) => r.metadata.name);
    expect(names.sort()).toEqual(["p", "shared"]);
  });

  test("a symlinked directory is refused with a message naming it and the fix", () => {
    const target = policyDir({ "shared.yaml": np("  podSelector: {}\n", "  name: shared\n  namespace: ns\n") });
    const dir = policyDir({ "a.yaml": np("  podSelector: {}\n") });
    symlinkSync(target, path.join(dir, "team"));
    expect(refusal(dir)).toMatch(
      /team is a symbolic link to a directory, which kubectl apply -f does not enter either; .*list its target in `directories`/,
    );
  });

  test("a symlinked policy file whose target is missing is refused", () => {
    const dir = policyDir({ "a.yaml": np("  podSelector: {}\n") });
    symlinkSync(path.join(dir, "gone.yaml"), path.join(dir, "dangling.yaml"));
    expect(refusal(dir)).toMatch(/dangling\.yaml is a symbolic link to .*gone\.yaml, which does not exist/);
  });

  test("a symbolic link loop ends with a message", () => {
    const dir = policyDir({ "a.yaml": np("  podSelector: {}\n") });
    symlinkSync(path.join(dir, "loop.yaml"), path.join(dir, "loop.yaml"));
    expect(refusal(dir)).toMatch(/loop\.yaml is a symbolic link to .*loop\.yaml, which does not exist \(or the links loop\)/);
  });

  test("a file name that is not UTF-8 is refused with a message, not a crash", () => {
    const dir = policyDir({ "a.yaml": np("  podSelector: {}\n") });
    writeFileSync(Buffer.concat([Buffer.from(`${dir}/bad-`), Buffer.from([0xff, 0xfe]), Buffer.from(".yaml")]), np("  podSelector: {}\n"));
    expect(refusal(dir)).toMatch(/bad-\\xff\\xfe\.yaml: the file name is not valid UTF-8; rename it/);
  });

  test("a newline in a file name is quoted, so each problem stays on one line", () => {
    const dir = policyDir({});
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "two\nlines.yaml"), "kind: [\n");
    const message = refusal(dir);
    expect(message).toMatch(/two\\nlines\.yaml \(document 1\)/);
    expect(message.split("\n").filter((l) => l.startsWith("  - "))).toHaveLength(1);
    expect(message).not.toMatch(/^lines\.yaml/m);
  });
});

describe("a refusal's bounding leaves ordinary text whole", () => {
  test("the text between two short quoted words is not taken for a huge value", () => {
    const line = `set assume.policySet "open" if one may exist\nwhy: ${"x".repeat(300)}\nfix: or set onDenied "warn" to deploy anyway`;
    expect(boundedLine(line)).toBe(line);
  });

  test("each printed line of a multi-line refusal is bounded alone, so the fix line stays whole", () => {
    const fix = "fix: allow kube-apiserver on TCP/10250";
    const bounded = boundedLine(`why: ${"y".repeat(1500)}\nwhy: ${"z".repeat(1500)}\n${fix}`);
    expect(bounded.endsWith(`\n${fix}`)).toBe(true);
  });
});
