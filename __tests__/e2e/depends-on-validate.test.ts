// Every depends_on is valid Terraform: the real `terraform validate` on a
// stand-in of each stack of the dev app and of every example, with the same depends_on
// structure written with terraform_data and the built-in terraform_remote_state (no provider
// needed, so it runs offline). `terraform init` alone never reads depends_on: a bad one failed
// only when the second stack was planned, after the first was applied.
import * as path from "node:path";
import { Release } from "@cdktf/provider-helm/lib/release";
import { dependable, TerraformStack } from "cdktf";
import * as certManager from "../../examples/cert-manager";
import * as oneCluster from "../../examples/one-cluster";
import * as parts from "../../examples/parts";
import * as twoClusters from "../../examples/two-clusters";
import { WebhookCheck } from "../../lib";
import { buildApp } from "../../main";
import { dependsOnProblems, standIn, validateErrors } from "../helpers/depends-on";
import { freshApp, synthApp } from "../helpers/synth";
import { tempDir } from "../helpers/temp";
import { terraformTest } from "../helpers/terraform";

const maybe = terraformTest("terraform validate of the depends_on stand-ins");

const apps: Array<[string, () => ReturnType<typeof freshApp>]> = [
  ["the dev app (dev and prod)", () => buildApp({ KUBE_CONTEXT_PROD: "admin@prod" }, path.join(tempDir("tf-dev-"), "cdktf.out")).app],
  ...(
    [
      ["examples/one-cluster", (a) => oneCluster.build(a, {})],
      ["examples/cert-manager", (a) => certManager.build(a, {})],
      ["examples/two-clusters", (a) => twoClusters.build(a)],
      ["examples/parts", (a) => parts.build(a)],
    ] as Array<[string, (a: ReturnType<typeof freshApp>) => unknown]>
  ).map(([name, build]): [string, () => ReturnType<typeof freshApp>] => [
    name,
    () => {
      const a = freshApp();
      build(a);
      return a;
    },
  ]),
];

maybe.each(apps)("%s: every stack's stand-in validates", async (_, make) => {
  const stacks = synthApp(make());
  const results = await Promise.all(
    Object.entries(stacks).map(async ([stack, json]) => ({ stack, json: dependsOnProblems(json), terraform: await validateErrors(json) })),
  );
  for (const r of results) expect(r).toEqual({ stack: r.stack, json: [], terraform: [] });
  // The stand-ins are not empty: the cross-stack stacks carry their remote state and depends_on lists.
  expect(results.some((r) => JSON.stringify(standIn(stacks[r.stack])).includes("depends_on"))).toBe(true);
});

maybe(
  "the checks can fail: the check's depends_on as runAfter wrote it across stacks before (resource.dependsOn += dependable(x)) fails both",
  async () => {
    const app = freshApp();
    const first = new TerraformStack(app, "first");
    const second = new TerraformStack(app, "second");
    const cm = new Release(first, "cert-manager", { name: "cert-manager", chart: "cert-manager" });
    const check = new WebhookCheck(second, "check", { useApplyEnvironment: true });
    // WebhookCheck.runAfter at commit ab621ab, verbatim:
    check.resource.dependsOn = [...(check.resource.dependsOn ?? []), ...[cm].map(dependable)];
    const json = synthApp(app).second;
    expect(dependsOnProblems(json)).toEqual([
      expect.stringContaining(
        '"data.terraform_remote_state.cross-stack-reference-input-first.outputs.cross-stack-output-helm_releasecert-manager" is not a whole object',
      ),
    ]);
    expect(await validateErrors(json)).toEqual(["Invalid depends_on reference"]);
    // The same through today's runAfter: valid.
    const fixed = freshApp();
    const a = new TerraformStack(fixed, "first");
    const b = new TerraformStack(fixed, "second");
    const cm2 = new Release(a, "cert-manager", { name: "cert-manager", chart: "cert-manager" });
    new WebhookCheck(b, "check", { useApplyEnvironment: true }).runAfter(cm2);
    const fixedJson = synthApp(fixed).second;
    expect(dependsOnProblems(fixedJson)).toEqual([]);
    expect(await validateErrors(fixedJson)).toEqual([]);
  },
);
