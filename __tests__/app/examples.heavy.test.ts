import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as certManager from "../../examples/cert-manager";
import * as oneCluster from "../../examples/one-cluster";
import * as parts from "../../examples/parts";
import * as twoClusters from "../../examples/two-clusters";
import { dependsOnProblems } from "../helpers/depends-on";
import { freshApp, resourcesOf, synthApp, warningsOf, firstResource } from "../helpers/synth";

// examples/: small importer apps. They import `cdktf-cilium` by its own
// name: the package's self-reference through `exports`, which resolves to dist/ (npm test
// builds it first), so they use what the tarball ships. `npm run test:package` compiles and
// runs the same files against the installed tarball; e2e/depends-on-validate runs
// `terraform validate` on stand-ins of their stacks.

const app = () => freshApp();

test("the examples use the built package, not lib/", () => {
  expect(require.resolve("cdktf-cilium")).toBe(require.resolve("../../dist/lib/index.js"));
});

test("one-cluster: CiliumPlatform across both stacks, the release first", () => {
  const a = app();
  const platform = oneCluster.build(a, {});
  const stacks = synthApp(a);
  expect(Object.keys(stacks).sort()).toEqual(["lab", "lab-cilium"]);
  expect(platform.workloadStack.dependencies).toEqual([platform.releaseStack]);
  expect(Object.keys(stacks["lab-cilium"].resource ?? {})).toEqual(["helm_release"]);
  expect(Object.keys(stacks.lab.resource ?? {}).sort()).toEqual(["kubernetes_manifest", "null_resource"]);
  for (const json of Object.values(stacks)) expect(dependsOnProblems(json)).toEqual([]);
  expect(warningsOf(a)).toEqual([]);
});

test("cert-manager: installed by the user's stack, the policies and the check after it through the stacks", () => {
  const a = app();
  const { platform } = certManager.build(a, {});
  const stacks = synthApp(a);
  const ids = (deps: { node: { id: string } }[]) => deps.map((s) => s.node.id);
  expect(ids(platform.workloadStack.dependencies).sort()).toEqual(["lab-apps", "lab-cilium"]);
  for (const json of Object.values(stacks)) expect(dependsOnProblems(json)).toEqual([]);
  const check = Object.values(resourcesOf(stacks.lab, "null_resource"))[0] as { triggers: Record<string, string> };
  expect(check.triggers["after helm_release.cert-manager"]).toMatch(
    /^\$\{data\.terraform_remote_state\.cross-stack-reference-input-lab-apps\./,
  );
  const [policy] = Object.values(resourcesOf(stacks.lab, "kubernetes_manifest")) as Array<{
    manifest: { metadata: { namespace: string } };
  }>;
  expect(policy.manifest.metadata.namespace).toBe("cert-manager");
  expect(warningsOf(a)).toEqual([]);
});

test("two-clusters: a platform per cluster, each stack on its own context", () => {
  const a = app();
  twoClusters.build(a);
  const stacks = synthApp(a);
  expect(Object.keys(stacks).sort()).toEqual(["east", "east-cilium", "west", "west-cilium"]);
  for (const [name, context] of Object.entries(twoClusters.CLUSTERS)) {
    for (const stack of [name, `${name}-cilium`])
      expect(stacks[stack].provider?.kubernetes).toEqual([{ config_path: "~/.kube/config", config_context: context }]);
    const check = firstResource(stacks[name], "null_resource");
    expect(check.provisioner[0]["local-exec"].environment.WEBHOOK_CHECK_CONTEXT).toBe(context);
  }
  for (const json of Object.values(stacks)) expect(dependsOnProblems(json)).toEqual([]);
});

test("parts: release, policies and check on their own, in two stacks", () => {
  const a = app();
  parts.build(a);
  const stacks = synthApp(a);
  expect(Object.keys(stacks).sort()).toEqual(["parts", "parts-cilium"]);
  for (const json of Object.values(stacks)) expect(dependsOnProblems(json)).toEqual([]);
  expect(warningsOf(a)).toEqual([]);
});

test("docs/composition.md shows the first two examples, and help points to examples/", () => {
  const read = (f: string) => readFileSync(path.join(__dirname, "..", "..", f), "utf8");
  const readme = read("docs/composition.md");
  for (const f of ["one-cluster", "cert-manager"]) expect(readme).toContain(`](../examples/${f}.ts)`);
  for (const line of ["platform.runAfter(certManager);", "appsStack.addDependency(releaseStack);", "releaseStack,"]) {
    expect(readme).toContain(line);
    expect(read("examples/cert-manager.ts")).toContain(line.replace(" // deploy: lab-cilium, lab-apps, lab", ""));
  }
  expect(read("help")).toMatch(/examples\/ \(one cluster across\ntwo stacks, cert-manager from your stack with runAfter/);
});
