import { readFileSync } from "node:fs";
import * as path from "node:path";
import { App, TerraformStack, Testing } from "cdktf";
import type { Construct, IConstruct } from "constructs";
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

/** `app.synth()` into its outdir, then every stack's cdk.tf.json by stack name. */
export function synthApp(app: App): Record<string, TerraformJson> {
  app.synth();
  const manifest = JSON.parse(readFileSync(path.join(app.outdir, "manifest.json"), "utf8")) as {
    stacks: Record<string, { synthesizedStackPath: string }>;
  };
  return Object.fromEntries(
    Object.entries(manifest.stacks).map(([name, s]) => [
      name,
      JSON.parse(readFileSync(path.join(app.outdir, s.synthesizedStackPath), "utf8")),
    ]),
  );
}

/** A fresh App with its own output directory (for `synthApp`); like Testing.app, stacks need not configure every provider. */
export function freshApp(): App {
  return new App({ outdir: path.join(tempDir("cdktf.app-"), "cdktf.out"), skipValidation: true });
}

/** The warnings recorded on `scope` and below (what lib/shared/warn.ts also writes to stderr). */
export function warningsOf(scope: IConstruct): string[] {
  return scope.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data)));
}

/**
 * The synth warnings `fn` writes to stderr, one entry per warning (`warning: <construct path>:
 * ...`, continuation lines included): what a user of `node app.js` sees, where cdktf-cli's
 * annotation summary is not printed.
 */
export function printedWarnings(fn: () => unknown): string[] {
  const printed: string[] = [];
  const spy = jest.spyOn(process.stderr, "write").mockImplementation(((chunk: unknown) => {
    if (typeof chunk === "string" && chunk.startsWith("warning: ")) printed.push(chunk.replace(/\n$/, ""));
    return true;
  }) as typeof process.stderr.write);
  try {
    fn();
  } finally {
    spy.mockRestore();
  }
  return printed;
}
