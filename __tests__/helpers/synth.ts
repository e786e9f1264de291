import { type App, TerraformStack, Testing } from "cdktf";
import type { Construct } from "constructs";
import { tempDir } from "./temp";

let outdir: string | undefined;
/**
 * `Testing.app()` with one output directory per test file: `Testing.synth` writes
 * nothing there, and a temporary directory per app was a fifth of the suite's time.
 */
export function testApp(): App {
  outdir ??= tempDir("cdktf.outdir-");
  return Testing.app({ outdir });
}

/** Synthesizes one fresh stack built by `build` and returns its Terraform JSON. */
export function synthStack(build: (stack: Construct) => void): TerraformJson {
  const stack = new TerraformStack(testApp(), "test");
  build(stack);
  return JSON.parse(Testing.synth(stack)) as TerraformJson;
}

export interface TerraformJson {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  provider?: Record<string, unknown[]>;
  [key: string]: unknown;
}

/** All resources of one type, by address name. */
export function resourcesOf(json: TerraformJson, type: string): Record<string, Record<string, unknown>> {
  return json.resource?.[type] ?? {};
}

/** The only resource of a type. */
export function onlyResource(json: TerraformJson, type: string): Record<string, unknown> {
  const all = Object.values(resourcesOf(json, type));
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0];
}
