/**
 * Two checks that every `depends_on` of a synthesized stack is one Terraform
 * accepts: a reference to a whole object (a resource, a data source, a module)
 * of the same configuration. Terraform refuses anything else at validate
 * ("Invalid depends_on reference: References in depends_on must be to a whole
 * object (resource, etc), not to an attribute of an object", hashicorp/terraform
 * internal/terraform/node_resource_validate.go, validateDependsOn), which offline
 * `terraform init` never reaches: the deploy fails when the stack is planned.
 *
 * - `dependsOnProblems`: the JSON check, in-process.
 * - `standIn` + `validateErrors`: the real `terraform validate` on a stand-in of
 *   the stack with the same depends_on structure, written with `terraform_data`
 *   and the built-in `terraform_remote_state`, which need no provider download.
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { tempDir } from "./temp";
import { offlineTerraformEnv, terraform } from "./terraform";

type Blocks = Record<string, Record<string, Record<string, unknown>>>;
export interface StackJson {
  resource?: Blocks;
  data?: Blocks;
  module?: Record<string, Record<string, unknown>>;
  output?: Record<string, unknown>;
  moved?: Array<{ from: string; to: string }>;
  [key: string]: unknown;
}

/** A whole object: `type.name`, `data.type.name`, or `module.name` (Terraform's identifier syntax). */
export const WHOLE_OBJECT = /^(data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+$|^module\.[A-Za-z0-9_-]+$/;

/** Every object a depends_on may name, and every depends_on list, of one stack. */
function objects(json: StackJson): { addresses: Set<string>; lists: Array<{ owner: string; dependsOn: unknown[] }> } {
  const addresses = new Set<string>();
  const lists: Array<{ owner: string; dependsOn: unknown[] }> = [];
  for (const [prefix, blocks] of [
    ["", json.resource],
    ["data.", json.data],
  ] as const) {
    for (const [type, byName] of Object.entries(blocks ?? {})) {
      for (const [name, body] of Object.entries(byName)) {
        addresses.add(`${prefix}${type}.${name}`);
        if (body.depends_on !== undefined) lists.push({ owner: `${prefix}${type}.${name}`, dependsOn: body.depends_on as unknown[] });
      }
    }
  }
  for (const [name, body] of Object.entries(json.module ?? {})) {
    addresses.add(`module.${name}`);
    if (body.depends_on !== undefined) lists.push({ owner: `module.${name}`, dependsOn: body.depends_on as unknown[] });
  }
  return { addresses, lists };
}

/** The JSON check: each depends_on entry names a whole object of the same cdk.tf.json (empty when all do). */
export function dependsOnProblems(json: StackJson): string[] {
  const { addresses, lists } = objects(json);
  const problems: string[] = [];
  for (const { owner, dependsOn } of lists) {
    for (const entry of dependsOn) {
      if (typeof entry !== "string" || !WHOLE_OBJECT.test(entry)) problems.push(`${owner}: ${JSON.stringify(entry)} is not a whole object`);
      else if (!addresses.has(entry)) problems.push(`${owner}: ${entry} is not in this configuration`);
    }
  }
  return problems;
}

/** The stand-in's name for an object of the stack: `terraform_data.<type>__<name>` (remote states stay themselves). */
function standInAddress(address: string): string {
  if (address.startsWith("data.terraform_remote_state.")) return address;
  return `terraform_data.${address.replace(/^data\./, "data__").replace(".", "__")}`;
}

/**
 * A configuration Terraform validates without any provider: every resource and
 * data source of `json` as a `terraform_data`, each remote state as itself, with
 * the same depends_on lists (entries naming an object of the stack renamed
 * alike, anything else as written, for Terraform to judge).
 */
export function standIn(json: StackJson): object {
  const { addresses, lists } = objects(json);
  const dependsOn = new Map(lists.map((l) => [l.owner, l.dependsOn]));
  const terraformData: Record<string, object> = {};
  const remoteStates: Record<string, object> = {};
  for (const address of addresses) {
    const list = (dependsOn.get(address) ?? []).map((e) => (typeof e === "string" && addresses.has(e) ? standInAddress(e) : e));
    const body = list.length > 0 ? { depends_on: list } : {};
    if (address.startsWith("data.terraform_remote_state.")) {
      remoteStates[address.split(".")[2]] = { backend: "local", config: { path: "stand-in.tfstate" }, ...body };
    } else if (!address.startsWith("module.")) {
      terraformData[standInAddress(address).split(".")[1]] = body;
    }
  }
  return {
    ...(Object.keys(terraformData).length > 0 ? { resource: { terraform_data: terraformData } } : {}),
    ...(Object.keys(remoteStates).length > 0 ? { data: { terraform_remote_state: remoteStates } } : {}),
  };
}

/** `terraform init -backend=false` + `terraform validate` of the stand-in of `json`: the titles of the errors. */
export async function validateErrors(json: StackJson): Promise<string[]> {
  const dir = tempDir("tf-stand-in-");
  writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify(standIn(json), null, 2));
  const env = { ...offlineTerraformEnv(), TF_DATA_DIR: path.join(dir, ".terraform") };
  const init = await terraform(dir, ["init", "-backend=false", "-input=false"], env);
  if (init.status !== 0) return [`init failed: ${init.output}`];
  const { output } = await terraform(dir, ["validate"], env);
  return [...output.matchAll(/^\W*Error: (.+)$/gm)].map((m) => m[1].trim());
}

/** Every Terraform address of a stack: resources, data sources, outputs and moved blocks, sorted. */
export function addressesOf(json: StackJson): string[] {
  const { addresses } = objects(json);
  return [
    ...addresses,
    ...Object.keys(json.output ?? {}).map((name) => `output.${name}`),
    ...(json.moved ?? []).map((m) => `moved ${m.from} -> ${m.to}`),
  ].sort();
}
