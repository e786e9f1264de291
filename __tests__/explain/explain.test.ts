// cilium-explain: one path decided at the terminal, over policy directories or synth output,
// with its exit code and explanation, in the CLI's own terms.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { App, TerraformStack } from "cdktf";
import { NetworkPolicies, policySetDirectory } from "../../lib";
import { DEFAULT_CILIUM_LINE } from "../../lib/cilium/lines";
import { EXPLAIN_EXIT, EXPLAIN_USAGE, explainMain, parsePeer } from "../../lib/explain/explain";
import type { CheckProof } from "../../lib/proof/check-proof";
import { proof as checkProof } from "../helpers/check-proofs";
import { policyDir } from "../helpers/policy-dirs";
import { tempDir } from "../helpers/temp";

describe("cilium-explain", () => {
  const run = (...argv: string[]) => runAs(false, ...argv);
  /** `installed`: as from a package under node_modules (a consumer's `npx cilium-explain`). */
  const runAs = (installed: boolean, ...argv: string[]) => {
    let out = "";
    let err = "";
    const code = explainMain(
      argv,
      (t) => (out += t),
      (t) => (err += t),
      { installed },
    );
    return { code, out, err };
  };
  const lp = policySetDirectory("least-privilege");
  const webhook = "cert-manager/app.kubernetes.io/name=webhook,app.kubernetes.io/component=webhook";

  test.each<[string, "--from" | "--to", unknown]>([
    ["kube-apiserver", "--from", { entity: "kube-apiserver" }],
    ["kube-apiserver@local", "--from", { entity: "kube-apiserver", node: "local" }],
    ["world@1.2.3.4", "--from", { entity: "world", ip: "1.2.3.4" }],
    ["ns/a=b,c=d=e", "--to", { namespace: "ns", labels: { a: "b", c: "d=e" } }],
    ["ns/", "--to", { namespace: "ns", labels: {} }],
  ])("the peer %s (%s) as the CLI writes it", (text, flag, peer) => {
    expect(parsePeer(text, flag)).toEqual(peer);
  });

  test.each<[string, "--from" | "--to", RegExp]>([
    ["world@somewhere", "--from", /after @ comes local, remote or an IP address/],
    ["ns/novalue", "--to", /labels are KEY=VALUE/],
  ])("the peer %s (%s) is refused, saying what is expected", (text, flag, refusal) => {
    expect(() => parsePeer(text, flag)).toThrow(refusal);
  });

  test("a policy file name that is not UTF-8 is a usage error naming it, not a crash", () => {
    const dir = policyDir({});
    require("node:fs").writeFileSync(Buffer.concat([Buffer.from(`${dir}/x-`), Buffer.from([0xc3]), Buffer.from(".yaml")]), "{}");
    const result = run("--from", "kube-apiserver", "--to", webhook, "--port", "10250", "--policies", dir);
    expect(result.code).toBe(EXPLAIN_EXIT.usage);
    expect(result.err).toMatch(/x-\\xc3\.yaml: the file name is not valid UTF-8; rename it/);
  });

  test("exit 0 when allowed, the headline saying which side decided", () => {
    const allowed = run("--from", "kube-apiserver", "--to", webhook, "--port", "10250", "--policies", lp);
    expect({ code: allowed.code, headline: allowed.out.split("\n")[0] }).toEqual({
      code: EXPLAIN_EXIT.allowed,
      headline: "allowed (the destination's ingress: by a rule)",
    });
  });

  test("an allowed path's explanation names the admitting policy", () => {
    expect(run("--from", "kube-apiserver", "--to", webhook, "--port", "10250", "--policies", lp).out).toContain(
      "CiliumNetworkPolicy/cert-manager/cert-manager-webhook-from-apiserver",
    );
  });

  test("exit 1 when denied", () => {
    const denied = run("--from", "world@1.2.3.4", "--to", webhook, "--port", "10250", "--policies", lp);
    expect({ code: denied.code, headline: denied.out.split("\n")[0] }).toEqual({ code: EXPLAIN_EXIT.denied, headline: "denied" });
  });

  test("exit 3 when unknown, with the reason in --json", () => {
    const dir = policyDir({
      "named.yaml": JSON.stringify({
        apiVersion: "cilium.io/v2",
        kind: "CiliumNetworkPolicy",
        metadata: { name: "webhook-ingress", namespace: "cert-manager" },
        spec: {
          endpointSelector: { matchLabels: { "app.kubernetes.io/name": "webhook" } },
          ingress: [{ fromEntities: ["kube-apiserver"], toPorts: [{ ports: [{ port: "https" }] }] }],
        },
      }),
    });
    const unknown = run("--from", "kube-apiserver", "--to", webhook, "--port", "10250", "--policies", dir, "--json");
    expect({ code: unknown.code, report: JSON.parse(unknown.out) }).toMatchObject({
      code: EXPLAIN_EXIT.unknown,
      report: { verdict: "unknown", unknownReason: "named-port" },
    });
  });

  test("the dev app's policies by default (the allow-all set): the webhook is reachable", () => {
    expect(run("--from", "kube-apiserver", "--to", webhook, "--port", "10250").code).toBe(EXPLAIN_EXIT.allowed);
  });

  test("from an installed package, --policies is required: it never decides over this package's own allow-all set", () => {
    const run = runAs(true, "--from", "kube-apiserver", "--to", webhook, "--port", "10250");
    expect(run.code).toBe(EXPLAIN_EXIT.usage);
    expect(run.err).toMatch(/^cilium-explain: --policies DIR\[=NAMESPACE\]\.\.\. is required here: .*your app's policy directories/);
    expect(runAs(true, "--from", "kube-apiserver", "--to", webhook, "--port", "10250", "--policies", lp).code).toBe(EXPLAIN_EXIT.allowed);
  });

  test("--from-synth DIR decides over what synth wrote there, as --policies over the same directories", () => {
    const web = policyDir({
      "web.yaml":
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web, namespace: shop, annotations: {note: '${x}'}}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  ingress: [{from: [{podSelector: {matchExpressions: [{key: role, operator: In, values: [client]}]}}], ports: [{port: 8080, endPort: 8090}]}]\n",
    });
    const outdir = path.join(tempDir("synth-"), "cdktf.out");
    const app = new App({ outdir, skipValidation: true });
    new NetworkPolicies(new TerraformStack(app, "lab"), "policies", { directories: [lp, web] });
    app.synth();
    const cases = [
      ["--from", "kube-apiserver", "--to", webhook, "--port", "10250"],
      ["--from", "world@1.2.3.4", "--to", webhook, "--port", "10250"],
      ["--from", "shop/role=client", "--to", "shop/app=web", "--port", "8085"],
      ["--from", "shop/role=other", "--to", "shop/app=web", "--port", "8085"],
    ];
    // Allowed and denied both, and the NetworkPolicy's matchExpressions and endPort read back.
    expect(cases.map((c) => runAs(true, ...c, "--from-synth", outdir).code)).toEqual([0, 1, 0, 1]);
    for (const c of cases) {
      const synthesized = runAs(true, ...c, "--from-synth", outdir);
      const written = run(...c, "--policies", lp, web);
      expect({ c, code: synthesized.code, out: synthesized.out.split("\n")[0] }).toEqual({
        c,
        code: written.code,
        out: written.out.split("\n")[0],
      });
    }
    expect(runAs(true, ...cases[0], "--from-synth", tempDir("empty-")).err).toMatch(/--from-synth .*: no stacks\/ there/);
  });

  describe("--cilium-version: the line whose CRDs and semantics decide", () => {
    const kafkaDir = () =>
      policyDir({
        "kafka.yaml": JSON.stringify({
          apiVersion: "cilium.io/v2",
          kind: "CiliumNetworkPolicy",
          metadata: { name: "kafka", namespace: "shop" },
          spec: {
            endpointSelector: { matchLabels: { app: "broker" } },
            ingress: [{ toPorts: [{ ports: [{ port: "9092", protocol: "TCP" }], rules: { kafka: [{ role: "produce", topic: "t" }] } }] }],
          },
        }),
      });
    const broker = ["--from", "shop/app=client", "--to", "shop/app=broker", "--port", "9092"];
    /** What synth writes for one stack: the policies' manifests and the check's WEBHOOK_CHECK_PROOF with these settings. */
    const synthDir = (manifests: unknown[], cilium: Partial<CheckProof["cilium"]>) => {
      const outdir = tempDir("synth-line-");
      const resource = {
        kubernetes_manifest: Object.fromEntries(manifests.map((m, i) => [`policy-${i}`, { manifest: m }])),
        null_resource: {
          check: { provisioner: [{ "local-exec": { environment: { WEBHOOK_CHECK_PROOF: JSON.stringify(checkProof({ cilium })) } } }] },
        },
      };
      mkdirSync(path.join(outdir, "stacks", "lab"), { recursive: true });
      writeFileSync(path.join(outdir, "stacks", "lab", "cdk.tf.json"), JSON.stringify({ resource }));
      return outdir;
    };
    // Not isolated by any ingress rule; under policyEnforcementMode always the local host reaches it
    // by allow-localhost in 1.19, and only beside an ingress rule from 1.20 (CiliumLineFacts).
    const open = {
      apiVersion: "cilium.io/v2",
      kind: "CiliumNetworkPolicy",
      metadata: { name: "egress-only", namespace: "shop" },
      spec: { endpointSelector: { matchLabels: { app: "web" } }, egress: [{ toEndpoints: [{}] }] },
    };
    const fromHost = ["--from", "host", "--to", "shop/app=web", "--port", "8080"];

    test("--help shows it", () => {
      expect(run("--help").out).toMatch(/\[--cilium-version 1\.19\|1\.20\|X\.Y\.Z\]/);
      expect(EXPLAIN_USAGE).toMatch(/--cilium-version the Cilium line whose CRDs judge[\s\S]*\(default: 1\.20, the default pin.s line/);
    });

    test("a line's CRDs judge the policies: a kafka rule is valid under 1.19 and refused under 1.20, naming the line", () => {
      const dir = kafkaDir();
      expect(run(...broker, "--policies", dir, "--cilium-version", "1.19").code).toBe(EXPLAIN_EXIT.allowed);
      const refused = run(...broker, "--policies", dir, "--cilium-version", "1.20");
      expect([refused.code, refused.err]).toEqual([
        EXPLAIN_EXIT.usage,
        expect.stringMatching(/unknown field "kafka".*\[Cilium 1\.20 CRD\]/),
      ]);
    });

    test("without it, the default pin's line", () => {
      expect(DEFAULT_CILIUM_LINE).toBe("1.20");
      expect(run(...broker, "--policies", kafkaDir()).err).toMatch(/\[Cilium 1\.20 CRD\]/);
    });

    test("an exact chart version of a supported line is reduced to its line", () => {
      expect(run(...broker, "--policies", kafkaDir(), "--cilium-version", "1.19.8").code).toBe(EXPLAIN_EXIT.allowed);
      expect(run(...broker, "--policies", kafkaDir(), "--cilium-version", "v1.20.2").err).toMatch(/\[Cilium 1\.20 CRD\]/);
    });

    test("any other value: a usage error in the CLI's words, exit 2", () => {
      for (const v of ["1.18", "1.21.0", "latest", "1.19.x"]) {
        const r = run(...broker, "--policies", kafkaDir(), "--cilium-version", v);
        expect([r.code, r.err]).toEqual([
          EXPLAIN_EXIT.usage,
          expect.stringMatching(
            new RegExp(
              `^cilium-explain: --cilium-version "${v.replace(/\./g, "\\.")}": expected a supported Cilium line \\(1\\.19, 1\\.20\\) or an exact chart version of one`,
            ),
          ),
        ]);
        expect(r.err).not.toMatch(/analyzePath|TypeError/);
      }
      expect(run(...broker, "--cilium-version").err).toMatch(/--cilium-version needs a value/);
    });

    test("--from-synth takes the line from the proof synth wrote", () => {
      const dir = synthDir([JSON.parse(readFileSync(path.join(kafkaDir(), "kafka.yaml"), "utf8"))], { version: "1.19" });
      expect(runAs(true, ...broker, "--from-synth", dir).code).toBe(EXPLAIN_EXIT.allowed);
    });

    test("--from-synth with --cilium-version: the flag wins over the proof, for the semantics too", () => {
      const dir = synthDir([open], { version: "1.19", policyEnforcementMode: "always" });
      expect(runAs(true, ...fromHost, "--from-synth", dir).code).toBe(EXPLAIN_EXIT.allowed);
      expect(runAs(true, ...fromHost, "--from-synth", dir, "--cilium-version", "1.20").code).toBe(EXPLAIN_EXIT.denied);
    });
  });

  test("--labels partial: a selector on a label --to does not give makes the verdict unknown, as synth decides cert-manager's paths", () => {
    // The least-privilege set isolates the webhook on labels this --to leaves out.
    const partialTo = "cert-manager/app=webhook";
    const complete = run("--from", "kube-apiserver", "--to", partialTo, "--port", "10250", "--policies", lp);
    expect(complete.code).toBe(EXPLAIN_EXIT.allowed);
    const partial = run("--from", "kube-apiserver", "--to", partialTo, "--port", "10250", "--policies", lp, "--labels", "partial");
    expect(partial.code).toBe(EXPLAIN_EXIT.unknown);
    expect(partial.out).toMatch(/^unknown \(pod-labels\)\n/);
    expect(run("--from", "kube-apiserver", "--to", partialTo, "--port", "1", "--labels", "some").err).toMatch(
      /--labels "some": expected complete or partial/,
    );
    expect(EXPLAIN_USAGE).toMatch(/--port +the destination pod's port \(after Service translation\)/);
  });

  test("the headline says what each side decided: an open source and a destination admitted by a rule", () => {
    const dir = policyDir({
      "web.yaml":
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  ingress: [{from: [{podSelector: {}}], ports: [{port: 8080}]}]\n",
    });
    const r = run("--from", "shop/app=client", "--to", "shop/app=web", "--port", "8080", "--policies", dir);
    expect(r.code).toBe(EXPLAIN_EXIT.allowed);
    expect(r.out).toMatch(/^allowed \(the source's egress: nothing isolates it; the destination's ingress: by a rule\)\n/);
  });

  describe("speaks in its own terms, not the library's", () => {
    test("a directory whose documents name no namespace: the fix is --policies DIR=NAMESPACE", () => {
      const dir = policyDir({
        "np.yaml": "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: x}\nspec: {podSelector: {}}\n",
      });
      const r = run("--from", "kube-apiserver", "--to", webhook, "--port", "1", "--policies", dir);
      expect(r.code).toBe(EXPLAIN_EXIT.usage);
      expect(r.err).toContain(`give the directory a namespace: --policies ${dir}=NAMESPACE`);
      expect(r.err).not.toMatch(/directories: \[|CILIUM_POLICY_DIRS/);
    });

    test("a --policies directory that does not exist: says so, no errno", () => {
      const r = run("--from", "kube-apiserver", "--to", webhook, "--port", "1", "--policies", "/nonexistent-policies");
      expect(r.code).toBe(EXPLAIN_EXIT.usage);
      expect(r.err).toMatch(/--policies \/nonexistent-policies: no such directory/);
      expect(r.err).not.toMatch(/ENOENT|scandir/);
    });

    test("a namespace alone is not a peer: the usage error says how pods are written", () => {
      const r = run("--from", "kube-apiserver", "--to", "cert-manager", "--port", "10250", "--policies", lp);
      expect(r.code).toBe(EXPLAIN_EXIT.usage);
      expect(r.err).toMatch(
        /^cilium-explain: --to "cert-manager": not an entity \(kube-apiserver, host, .*\); pods are NAMESPACE\/KEY=VALUE, e\.g\. cert-manager\/app=webhook/,
      );
      expect(r.err).not.toMatch(/analyzePath|path\.to\.entity/);
    });
  });

  test.each<[string, string[], RegExp]>([
    ["a missing --to", ["--from", "kube-apiserver", "--port", "1"], /--to is required/],
    ["a port out of range", ["--from", "kube-apiserver", "--to", webhook, "--port", "70000"], /--port "70000": expected a whole number/],
    ["an unknown protocol", ["--from", "kube-apiserver", "--to", webhook, "--port", "1", "--protocol", "icmp"], /--protocol "icmp"/],
    ["an unknown flag", ["--bogus"], /./],
  ])("%s is a usage error: exit 2", (_case, args, message) => {
    const result = run(...args);
    expect({ code: result.code, err: result.err }).toEqual({ code: EXPLAIN_EXIT.usage, err: expect.stringMatching(message) });
  });

  test("invalid policies exit 2, naming the file, document and field", () => {
    const bad = policyDir({
      "bad.yaml": "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: x, namespace: n}\nspec: {ingres: []}\n",
    });
    const invalid = run("--from", "kube-apiserver", "--to", webhook, "--port", "1", "--policies", bad);
    expect({ code: invalid.code, err: invalid.err }).toEqual({
      code: 2,
      err: expect.stringMatching(/bad\.yaml \(document 1\) spec\.ingres/),
    });
  });

  test("--help exits 0, whatever else is given", () => {
    expect(run("--from", "kube-apiserver", "--to", "ns/a=b", "--port", "1", "--help").code).toBe(0);
  });
});
