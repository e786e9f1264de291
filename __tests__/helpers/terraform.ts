/**
 * The real terraform binary, offline: a HOME with a CLI config whose provider
 * mirror is an empty directory, so nothing is ever downloaded. Where terraform is not
 * installed, the tests that need it fail with that message: never skipped, so a machine
 * without it cannot pass the suites.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { tempDir } from "./temp";

let available: boolean | undefined;
/**
 * Whether terraform is on PATH; asked once, when first needed: a process started at import cost
 * every file that imports these helpers (the depends-on helpers do) a `terraform version` run.
 */
export function terraformAvailable(): boolean {
  available ??= spawnSync("terraform", ["version"], { encoding: "utf8" }).status === 0;
  return available;
}

/** The failure of a test that needs terraform where it is not installed. */
export function terraformMissing(what: string): Error {
  return new Error(`terraform is not installed (not on PATH): ${what} needs it; install terraform 1.11`);
}

/** Throws {@link terraformMissing} where terraform is not installed. */
export function requireTerraform(what: string): void {
  if (!terraformAvailable()) throw terraformMissing(what);
}

/**
 * `test`, for tests that need terraform: where it is missing, a hook of the file fails first, so
 * each of them fails naming what it needed.
 */
export function terraformTest(what: string): jest.It {
  beforeAll(() => requireTerraform(what));
  return test;
}

/** An environment for offline terraform runs, with its own HOME, data dir and empty mirror. */
export function offlineTerraformEnv(): NodeJS.ProcessEnv {
  const home = tempDir("tf-home-");
  const mirror = path.join(home, "empty-mirror");
  mkdirSync(mirror);
  const rc = path.join(home, "terraformrc");
  writeFileSync(rc, `provider_installation {\n  filesystem_mirror {\n    path = "${mirror}"\n    include = ["*/*/*"]\n  }\n}\n`);
  return { PATH: process.env.PATH ?? "", HOME: home, TF_CLI_CONFIG_FILE: rc, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" };
}

/** Runs terraform asynchronously (stand-in servers may live in this process); stdout and stderr together. */
export function terraform(
  cwd: string,
  args: string[],
  env: NodeJS.ProcessEnv = offlineTerraformEnv(),
): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("terraform", [...args, "-no-color"], { cwd, env });
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    child.on("close", (status) => resolve({ status, output }));
  });
}

/** `terraform init -backend=false` in a synthesized stack directory: the titles of the errors it reports. */
export async function initErrors(stackDir: string): Promise<string[]> {
  const env = offlineTerraformEnv();
  const { output } = await terraform(stackDir, ["init", "-backend=false", "-input=false"], {
    ...env,
    TF_DATA_DIR: path.join(env.HOME as string, "data"),
  });
  return [...output.matchAll(/^\W*Error: (.+)$/gm)].map((m) => m[1].trim());
}

/** What offline init may say about a valid configuration: only that the providers are not available. */
export const onlyProvidersMissing = (errors: string[]) =>
  errors.length > 0 && errors.every((e) => e === "Failed to query available provider packages");
