// Terraform-core semantics the check's triggers rely on, proven with the real
// terraform binary, offline: terraform_data is built in and needs no provider.
// A stand-in "policy" is deleted out of band (refresh drops it from state, as the
// kubernetes provider does for a policy that is gone): Terraform plans to create it.
// A check whose triggers hold the policy's after-apply id is replaced with it; one
// with only `replace_triggered_by` is not. The same holds for a forced re-create.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { tempDir } from "../helpers/temp";
import { offlineTerraformEnv, terraformTest } from "../helpers/terraform";

const maybe = terraformTest("the Terraform-core trigger semantics");

const CONFIG = `
resource "terraform_data" "policy" {
  input = "allow-all"
}
# The check as WebhookCheck builds it: an after-apply value of the policy in its triggers.
resource "terraform_data" "check_with_uid_trigger" {
  triggers_replace = { policy_uid = terraform_data.policy.id }
}
# What the issue warns about: replace_triggered_by alone.
resource "terraform_data" "check_with_replace_triggered_by" {
  input = "static"
  lifecycle { replace_triggered_by = [terraform_data.policy] }
}
`;

function workspace() {
  const work = tempDir("tf-triggers-");
  writeFileSync(path.join(work, "main.tf"), CONFIG);
  const env = offlineTerraformEnv();
  const tf = (...args: string[]) => {
    const run = spawnSync("terraform", [...args, "-no-color"], { cwd: work, encoding: "utf8", env });
    if (run.status !== 0 && args[0] !== "plan") throw new Error(`terraform ${args.join(" ")} failed:\n${run.stderr}${run.stdout}`);
    return run.stdout;
  };
  tf("init", "-input=false");
  tf("apply", "-auto-approve", "-input=false");
  return tf;
}

const replaced = (plan: string, address: string) => plan.includes(`# ${address} must be replaced`);

maybe("a policy deleted out of band and re-created: the uid trigger re-runs the check, replace_triggered_by does not", () => {
  const tf = workspace();
  tf("state", "rm", "terraform_data.policy");
  const plan = tf("plan", "-input=false");
  expect(plan).toContain("# terraform_data.policy will be created");
  expect(replaced(plan, "terraform_data.check_with_uid_trigger")).toBe(true);
  expect(replaced(plan, "terraform_data.check_with_replace_triggered_by")).toBe(false);
});

maybe("a policy re-created (replaced) in place of the old one: the uid trigger re-runs the check", () => {
  const tf = workspace();
  const plan = tf("plan", "-input=false", "-replace=terraform_data.policy");
  expect(replaced(plan, "terraform_data.check_with_uid_trigger")).toBe(true);
});

maybe("nothing changed: the check does not run again", () => {
  const tf = workspace();
  expect(tf("plan", "-input=false")).toContain("No changes.");
});
