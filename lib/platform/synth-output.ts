/**
 * What a synth says it wrote, and what a refused synth does with the previous output: the
 * dev app (main.ts) and consumer apps (`synthOrExit`) say the same things.
 */
import { existsSync, readdirSync, rmSync } from "node:fs";
import * as path from "node:path";
import { type App, TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";
import { NetworkPolicies } from "../policies/network-policies";
import { SynthError } from "../shared/synth-error";

/** The output directory an app without an explicit `outdir` writes to (cdktf 0.21 lib/app.js). */
export function defaultOutdir(): string {
  return process.env.CDKTF_OUTDIR ?? "cdktf.out";
}

/** A path as the user reads it: relative to the working directory when it is below it. */
function shown(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : file;
}

/**
 * One line per stack written (`wrote cdktf.out/stacks/lab/cdk.tf.json`), each with the policies
 * synthesized into it and what their proof decided.
 */
export function writtenLines(app: App): string[] {
  return app.node.children
    .filter((c): c is TerraformStack => c instanceof TerraformStack)
    .map((stack) => {
      const policies = stack.node.findAll().filter((c: IConstruct): c is NetworkPolicies => c instanceof NetworkPolicies);
      const counts = policies.map((p) => {
        const n = p.documents.length;
        const { proven, unknown, denied } = p.proofSummary();
        const proof = p.proof.paths.length > 0 ? `, ${proven} of ${p.proof.paths.length} required paths proven` : "";
        const open = `${unknown > 0 ? `, ${unknown} unknown` : ""}${denied > 0 ? `, ${denied} denied` : ""}`;
        return `${n} ${n === 1 ? "policy" : "policies"}${proof}${open}`;
      });
      const file = path.join(app.outdir, "stacks", stack.node.id, "cdk.tf.json");
      return `wrote ${shown(file)}${counts.length > 0 ? ` (${counts.join("; ")})` : ""}`;
    });
}

/**
 * After a refusal: the previous synth's cdk.tf.json files in `outdir` are removed, since they
 * are not what the app writes now and the plain-Terraform route (`terraform apply` in
 * cdktf.out/stacks/<stack>) would apply them; everything else there (.terraform, plans) stays.
 * Returns the line saying so, or nothing when there was no previous output.
 */
export function discardPreviousOutput(outdir: string): string | undefined {
  const stacks = path.join(outdir, "stacks");
  if (!existsSync(stacks)) return undefined;
  const removed = readdirSync(stacks, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(stacks, e.name, "cdk.tf.json")))
    .map((e) => e.name)
    .sort();
  for (const stack of removed) rmSync(path.join(stacks, stack, "cdk.tf.json"), { force: true });
  if (removed.length === 0) return undefined;
  return `the previous output in ${shown(outdir)} was stale: its cdk.tf.json (stacks ${removed.join(", ")}) removed, so that terraform cannot apply it; fix the problem above and synth again`;
}

/** What {@link synthOrExit} synthesizes: an app, or a function that builds one (refusals while building are caught too). */
/**
 * The one-line entry of a cdktf app: builds (when given a function) and synthesizes the app,
 * then says on stderr which files it wrote and what each stack's proof decided. A refusal
 * ({@link SynthError}) is printed as its message alone, without a stack trace or a line of
 * this package's compiled code; the previous output's cdk.tf.json files are removed (they
 * are stale), and the process exits 1. Any other error is thrown as it is: that one is a bug,
 * and its stack is wanted.
 *
 * @example
 * synthOrExit(() => {
 *   const app = new App();
 *   new CiliumPlatform(new TerraformStack(app, "lab"), "cilium", { cluster: { context: "admin@lab" } });
 *   return app;
 * });
 */
export function synthOrExit(app: App | (() => App)): void {
  let built: App | undefined = typeof app === "function" ? undefined : app;
  try {
    built ??= (app as () => App)();
    built.synth();
  } catch (err) {
    if (!(err instanceof SynthError)) throw err;
    process.stderr.write(`${err.message}\n`);
    const stale = discardPreviousOutput(built?.outdir ?? defaultOutdir());
    if (stale) process.stderr.write(`${stale}\n`);
    process.exit(1);
  }
  for (const line of writtenLines(built as App)) process.stderr.write(`${line}\n`);
}
