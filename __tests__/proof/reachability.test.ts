// The reachability matrix of a NetworkPolicies (over its cluster's policies), and the file
// `reachability: true` writes at synth.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { App, TerraformStack } from "cdktf";
import { NetworkPolicies, type NetworkPoliciesProps, RequiredPaths, SynthError } from "../../lib";
import { reachabilityOfValidated } from "../../lib/paths";
import { validateDocuments } from "../../lib/policies/validate";
import { parseReachabilityJson, reachabilityJson } from "../../lib/proof/reachability";
import { diffMain, documentsOfTerraform, matrixMain } from "../../lib/explain/reachability-cli";
import { type ChangedCell, diffMarkdown } from "../../lib/explain/reachability-diff";
import { policyDir } from "../helpers/policy-dirs";
import { tempDir } from "../helpers/temp";

const db = {
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name: "db", namespace: "shop" },
  spec: {
    podSelector: { matchLabels: { app: "db" } },
    ingress: [{ from: [{ podSelector: { matchLabels: { app: "web" } } }], ports: [{ port: 5432 }] }],
  },
};

/** Synthesizes one stack with one NetworkPolicies to a fresh directory (no provider: validation skipped); returns both. */
function synthToDisk(props: NetworkPoliciesProps): { outdir: string; policies: NetworkPolicies } {
  const outdir = tempDir("reachability-");
  const app = new App({ outdir, skipValidation: true });
  const stack = new TerraformStack(app, "shop");
  const policies = new NetworkPolicies(stack, "policies", props);
  app.synth();
  return { outdir, policies };
}

test("reachability() decides every pair of the cluster's workloads: declared ones and required path ends among them", () => {
  const { policies } = synthToDisk({
    manifests: [db],
    workloads: [{ name: "shop-web", namespace: "shop", labels: { app: "web" } }],
    requiredPaths: [
      RequiredPaths.of(
        "web-to-db",
        { namespace: "shop", labels: { app: "web", tier: "front" } },
        { namespace: "shop", labels: { app: "db" } },
        "TCP",
        5432,
      ),
    ],
  });
  const matrix = policies.reachability();
  expect(matrix.workloads.map((w) => w.id)).toEqual(
    expect.arrayContaining(["shop-web", "shop/app=db", "shop/app=web,tier=front", "world"]),
  );
  expect(matrix.cells.filter((c) => c.from === "shop-web" && c.to === "shop/app=db")).toEqual([
    { from: "shop-web", to: "shop/app=db", protocol: "TCP", ports: [1, 5431], verdict: "denied", policy: "NetworkPolicy/shop/db" },
    { from: "shop-web", to: "shop/app=db", protocol: "TCP", ports: [5432, 5432], verdict: "allowed", policy: "NetworkPolicy/shop/db" },
    { from: "shop-web", to: "shop/app=db", protocol: "TCP", ports: [5433, 65535], verdict: "denied", policy: "NetworkPolicy/shop/db" },
  ]);
});

test("reachability: true writes cdktf.out/stacks/<stack>/reachability.json, the same bytes on every synth", () => {
  const first = synthToDisk({ manifests: [db], reachability: true });
  const second = synthToDisk({ manifests: [db], reachability: true });
  const read = (outdir: string) => readFileSync(path.join(outdir, "stacks", "shop", "reachability.json"), "utf8");
  expect(read(first.outdir)).toBe(first.policies.reachabilityFile());
  expect(read(second.outdir)).toBe(read(first.outdir));
  expect(parseReachabilityJson(read(first.outdir), "reachability.json").matrix).toEqual(first.policies.reachability());
});

test("without reachability, synth writes no reachability.json", () => {
  const { outdir } = synthToDisk({ manifests: [db] });
  expect(() => readFileSync(path.join(outdir, "stacks", "shop", "reachability.json"))).toThrow(/ENOENT/);
});

test("reachability that is not a boolean, or a workload with an unknown field, is refused at synth", () => {
  expect(() => synthToDisk({ manifests: [db], reachability: "yes" as unknown as boolean })).toThrow(
    /reachability: must be a boolean \(true or false\), not the string "yes"/,
  );
  expect(() => synthToDisk({ manifests: [db], workloads: [{ name: "w", namespace: "shop", labels: {}, label: {} } as never] })).toThrow(
    SynthError,
  );
});

test("the file: workloads by id, then one pair a line, then each policy's content hash and the settings", () => {
  const { policies } = synthToDisk({ manifests: [db] });
  const text = policies.reachabilityFile();
  const lines = text.split("\n");
  expect(lines.slice(0, 3)).toEqual(["{", '  "version": 1,', '  "workloads": {']);
  expect(lines).toContain(
    '    {"from":"shop/app=web","to":"shop/app=db","protocol":"TCP","ports":[5432,5432],"verdict":"allowed","policy":"NetworkPolicy/shop/db"},',
  );
  expect(Object.keys(JSON.parse(text))).toEqual(["version", "workloads", "pairs", "policies", "settings"]);
  expect(Object.keys(JSON.parse(text).policies)).toEqual(["NetworkPolicy/shop/db"]);
  expect(reachabilityJson(parseReachabilityJson(text, "f"))).toBe(text);
});

describe("cilium-explain diff", () => {
  function run(...argv: string[]): { code: number; stdout: string; stderr: string } {
    let stdout = "";
    let stderr = "";
    const code = diffMain(
      argv,
      (t) => {
        stdout += t;
      },
      (t) => {
        stderr += t;
      },
    );
    return { code, stdout, stderr };
  }
  const dbPolicy = (from: string, port = "5432") =>
    [
      "apiVersion: networking.k8s.io/v1",
      "kind: NetworkPolicy",
      "metadata: {name: db}",
      "spec:",
      "  podSelector: {matchLabels: {app: db}}",
      `  ingress: [{from: [{podSelector: {matchLabels: {app: ${from}}}}], ports: [{port: ${port}}]}]`,
      "",
    ].join("\n");

  test("policies read back from a stack's cdk.tf.json are the ones synth wrote", () => {
    const cnp = {
      apiVersion: "cilium.io/v2",
      kind: "CiliumNetworkPolicy",
      metadata: { name: "cache", namespace: "shop", annotations: { note: "%{if} ${web}" } },
      spec: { endpointSelector: { matchLabels: { app: "cache" } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: "web" } }] }] },
    };
    const np = {
      ...db,
      spec: {
        ...db.spec,
        ingress: [
          {
            ...db.spec.ingress[0],
            ports: [
              { port: 5432, endPort: 5440 },
              { protocol: "UDP", port: "dns" },
            ],
          },
        ],
      },
    };
    const { outdir, policies } = synthToDisk({ manifests: [np, cnp] });
    const file = path.join(outdir, "stacks", "shop", "cdk.tf.json");
    const read = validateDocuments(documentsOfTerraform(JSON.parse(readFileSync(file, "utf8")), file));
    expect(read.problems).toEqual([]);
    // The Cilium policy as written; the NetworkPolicy with the defaults the provider is given
    // (protocol TCP, policyTypes), which decide the same.
    expect(read.policies.find((p) => p.kind !== "NetworkPolicy")?.manifest).toEqual(
      policies.documents.find((p) => p.kind !== "NetworkPolicy")?.manifest,
    );
    expect(reachabilityOfValidated(read.policies)).toEqual(reachabilityOfValidated(policies.documents));
  });

  test("the same policies on both sides: no change, exit 0", () => {
    const dir = policyDir({ "db.yaml": dbPolicy("web") });
    expect(run(`${dir}=shop`, `${dir}=shop`, "--json")).toEqual({ code: 0, stdout: '{\n  "changed": []\n}\n', stderr: "" });
    expect(run(`${dir}=shop`, `${dir}=shop`, "--markdown").stdout).toContain("No change:");
  });

  test("policy directories (DIR=NAMESPACE): the workloads the selectors name, and the entities", () => {
    const before = policyDir({ "db.yaml": dbPolicy("web") });
    const after = policyDir({ "db.yaml": dbPolicy("api") });
    const { code, stdout } = run(`${before}=shop`, `${after}=shop`);
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        "shop/app=api -> shop/app=db TCP 5432: denied (NetworkPolicy/shop/db) -> allowed (NetworkPolicy/shop/db); policies changed: NetworkPolicy/shop/db",
        "shop/app=web -> shop/app=db TCP 5432: allowed (NetworkPolicy/shop/db) -> denied (NetworkPolicy/shop/db); policies changed: NetworkPolicy/shop/db",
        "",
      ].join("\n"),
    );
  });

  test("unknown cells are diffed like the others", () => {
    const before = policyDir({ "db.yaml": dbPolicy("web") });
    const after = policyDir({ "db.yaml": dbPolicy("web", "postgres") });
    const changed = JSON.parse(run(`${before}=shop`, `${after}=shop`, "--json").stdout).changed;
    expect(changed).toContainEqual(
      expect.objectContaining({
        from: "shop/app=web",
        to: "shop/app=db",
        ports: [5432, 5432],
        after: { verdict: "unknown", policy: null },
      }),
    );
  });

  test("a synth output's reachability.json gives its workloads: a declared one appears in the diff by name", () => {
    const { outdir: before } = synthToDisk({ manifests: [db] });
    const moved = { ...db, spec: { ...db.spec, ingress: [{ ...db.spec.ingress[0], ports: [{ port: 5433 }] }] } };
    const { outdir: after } = synthToDisk({
      manifests: [moved],
      reachability: true,
      workloads: [{ name: "storefront", namespace: "shop", labels: { app: "web", tier: "front" } }],
    });
    const changed = JSON.parse(run(before, after, "--json").stdout).changed;
    expect(changed.filter((c: { from: string }) => c.from === "storefront").map((c: { ports: number[] }) => c.ports)).toEqual([
      [5432, 5432],
      [5433, 5433],
    ]);
  });

  test("bad input exits 2 with the reason: a missing directory, one directory, an unknown flag, invalid policies", () => {
    const dir = policyDir({ "db.yaml": dbPolicy("web") });
    expect(run(path.join(dir, "nope"), dir)).toMatchObject({ code: 2, stderr: expect.stringContaining("nope: not a directory") });
    expect(run(dir)).toMatchObject({ code: 2, stderr: expect.stringContaining("expected BASE and HEAD, got 1 directory") });
    expect(run(dir, dir, "--yaml")).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown argument "--yaml"') });
    const bad = policyDir({
      "bad.yaml": "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: x}\nspec: {podSelector: 3}\n",
    });
    expect(run(`${bad}=shop`, dir)).toMatchObject({ code: 2, stderr: expect.stringContaining("the policies are not valid") });
  });
});

test("--markdown stays within a job summary's and Mermaid's size: rows and edges beyond the limits are counted, not shown", () => {
  const changes: ChangedCell[] = Array.from({ length: 5 }, (_, i) => ({
    from: `shop/app=w${i}`,
    to: "shop/app=db",
    protocol: "TCP",
    ports: [5432, 5432],
    before: { verdict: "denied", policy: "NetworkPolicy/shop/db" },
    after: { verdict: "allowed", policy: "NetworkPolicy/shop/db" },
    policies: ["NetworkPolicy/shop/db"],
  }));
  const text = diffMarkdown(changes, { rows: 2, edges: 1 });
  expect(text.split("\n").filter((l) => l.startsWith("| `"))).toHaveLength(2);
  expect(text).toContain("3 more port ranges changed; `cilium-explain diff --json` lists every one.");
  expect(text.split("\n").filter((l) => l.includes("-->"))).toEqual(['  w1 -->|"TCP 5432: denied → allowed"| w0']);
  expect(text).toContain("The graph shows the first 1 of 5 changed edges.");
});

describe("cilium-explain matrix", () => {
  const quiet = () => undefined;
  test("--html writes one self-contained page from --from-synth", () => {
    const { outdir } = synthToDisk({ manifests: [db] });
    const page = path.join(tempDir("html-"), "reachability.html");
    expect(matrixMain(["--html", page, "--from-synth", outdir], quiet, quiet)).toBe(0);
    const html = readFileSync(page, "utf8");
    expect([/^<!doctype html>/.test(html), /\b(src|href)="(https?:)?\/\//.test(html)]).toEqual([true, false]);
    expect(html).toContain('<th scope="row" title="shop/app=web">shop/app=web</th>');
  });

  test.each([
    ["neither input", [] as string[]],
    ["both inputs", ["--from-synth", "OUT", "--policies", "OUT"]],
    ["synth output given as --policies", ["--policies", "OUT"]],
  ])("--html with %s is a usage error (exit 2)", (_what, inputs) => {
    const { outdir } = synthToDisk({ manifests: [db] });
    const page = path.join(tempDir("html-"), "reachability.html");
    const args = inputs.map((a) => (a === "OUT" ? outdir : a));
    expect(matrixMain(["--html", page, ...args], quiet, quiet)).toBe(2);
  });
});
