// The reachability matrix of a NetworkPolicies (over its cluster's policies), and the file
// `reachability: true` writes at synth.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { App, TerraformStack } from "cdktf";
import { NetworkPolicies, type NetworkPoliciesProps, RequiredPaths, SynthError } from "../../lib";
import { parseReachabilityJson, reachabilityJson } from "../../lib/proof/reachability";
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
  expect(() => synthToDisk({ manifests: [db], reachability: "yes" as unknown as boolean })).toThrow(/reachability: "yes" is not a boolean/);
  expect(() => synthToDisk({ manifests: [db], workloads: [{ name: "w", namespace: "shop", labels: {}, label: {} } as never] })).toThrow(
    SynthError,
  );
});

test("the file: workloads by id, then one pair a line, then each policy's content hash", () => {
  const { policies } = synthToDisk({ manifests: [db] });
  const text = policies.reachabilityFile();
  const lines = text.split("\n");
  expect(lines.slice(0, 3)).toEqual(["{", '  "version": 1,', '  "workloads": {']);
  expect(lines).toContain(
    '    {"from":"shop/app=web","to":"shop/app=db","protocol":"TCP","ports":[5432,5432],"verdict":"allowed","policy":"NetworkPolicy/shop/db"},',
  );
  expect(Object.keys(JSON.parse(text))).toEqual(["version", "workloads", "pairs", "policies"]);
  expect(Object.keys(JSON.parse(text).policies)).toEqual(["NetworkPolicy/shop/db"]);
  expect(reachabilityJson(parseReachabilityJson(text, "f"))).toBe(text);
});
