import { readFileSync } from "node:fs";
import * as path from "node:path";
import { type BuiltApp, buildApp } from "../../main";
import { tempDir } from "./temp";

/** What `npm run synth` writes, synthesized in-process: the dev environment's two stacks as text. */
export interface DevSynth {
  readonly built: BuiltApp;
  /** The output directory (cdktf.out). */
  readonly outdir: string;
  /** stacks/dev/cdk.tf.json: the policies and the check. */
  readonly json: string;
  /** stacks/dev-cilium/cdk.tf.json: the Cilium release. */
  readonly releaseJson: string;
}

/** `buildApp(env)` synthesized into a fresh temporary cdktf.out, as `npm run synth` writes it. */
export function synthDev(env: NodeJS.ProcessEnv = {}): DevSynth {
  const outdir = path.join(tempDir("synth-"), "cdktf.out");
  const built = buildApp(env, outdir);
  built.app.synth();
  const read = (stack: string) => readFileSync(path.join(outdir, "stacks", stack, "cdk.tf.json"), "utf8");
  return { built, outdir, json: read("dev"), releaseJson: read("dev-cilium") };
}
