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

// The two-stack layout: the check's stack reads the release's values from `<env>-cilium`'s
// state (terraform_remote_state, as cdktf's cross-stack references do), so they are known
// at plan time and only a changed value re-runs the check. A release re-created at
// revision 1 (`destroy -target` then apply, or `helm uninstall` and install out of band)
// keeps its id and revision; its metadata.last_deployed (Unix seconds; helm provider 3.x
// sets it on every install, upgrade and rollback) changes.
const RELEASE_STACK = `
variable "last_deployed" { type = number }
# Stand-in for helm_release.metadata: the same name (the id), revision 1 again after a re-install.
resource "terraform_data" "release" {
  input = { id = "kube-system/cilium", revision = 1, last_deployed = var.last_deployed }
}
output "id" { value = terraform_data.release.output.id }
output "revision" { value = terraform_data.release.output.revision }
output "last_deployed" { value = terraform_data.release.output.last_deployed }
`;
const checkStack = (releaseState: string) => `
data "terraform_remote_state" "cilium" {
  backend = "local"
  config = { path = ${JSON.stringify(releaseState)} }
}
# The former triggers: id and revision.
resource "terraform_data" "check_id_revision" {
  triggers_replace = {
    cilium_release_id       = data.terraform_remote_state.cilium.outputs.id
    cilium_release_revision = data.terraform_remote_state.cilium.outputs.revision
  }
}
# Today's: with cilium_release_last_deployed.
resource "terraform_data" "check_with_last_deployed" {
  triggers_replace = {
    cilium_release_id            = data.terraform_remote_state.cilium.outputs.id
    cilium_release_revision      = data.terraform_remote_state.cilium.outputs.revision
    cilium_release_last_deployed = data.terraform_remote_state.cilium.outputs.last_deployed
  }
}
`;

maybe("a release re-installed at revision 1 across stacks: cilium_release_last_deployed re-runs the check, id and revision do not", () => {
  const env = offlineTerraformEnv();
  const dirs = { cilium: tempDir("tf-cilium-"), check: tempDir("tf-check-") };
  writeFileSync(path.join(dirs.cilium, "main.tf"), RELEASE_STACK);
  writeFileSync(path.join(dirs.check, "main.tf"), checkStack(path.join(dirs.cilium, "terraform.tfstate")));
  const tf = (dir: string, ...args: string[]) => {
    const run = spawnSync("terraform", [...args, "-no-color"], { cwd: dir, encoding: "utf8", env });
    if (run.status !== 0) throw new Error(`terraform ${args.join(" ")} failed:\n${run.stderr}${run.stdout}`);
    return run.stdout;
  };
  for (const dir of [dirs.cilium, dirs.check]) tf(dir, "init", "-input=false");
  tf(dirs.cilium, "apply", "-auto-approve", "-input=false", "-var", "last_deployed=1764625000");
  tf(dirs.check, "apply", "-auto-approve", "-input=false");
  expect(tf(dirs.check, "plan", "-input=false")).toContain("No changes.");
  // Re-installed: revision 1 again, a new last_deployed.
  tf(dirs.cilium, "apply", "-auto-approve", "-input=false", "-var", "last_deployed=1764629999");
  const plan = tf(dirs.check, "plan", "-input=false");
  expect(replaced(plan, "terraform_data.check_with_last_deployed")).toBe(true);
  expect(replaced(plan, "terraform_data.check_id_revision")).toBe(false);
});
