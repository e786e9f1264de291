// STATE_BACKEND_<ENV> with the real terraform binary.
//
// PostgreSQL for real: the test starts its own server (helpers/postgres.ts), then
//   - `terraform init` of both synthesized dev stacks configures the pg backend (the
//     providers cannot be installed offline; the backend step comes first and must pass);
//   - a two-stack stand-in with the dev app's cross-stack reference pattern, built with
//     cdktf and terraform_data (built in, no provider), applies the first stack and plans
//     the second, which reads the first's output through the database;
//   - two concurrent applies of one stack: the lock lets one through and the other fails
//     with Terraform's lock error; no state is lost.
// Where PostgreSQL is not installed this says so loudly and is skipped; under CI=true it
// fails instead (.ci/run installs it).
//
// s3, gcs, cloud: `terraform init` with dummy credentials, endpoints on a closed local
// port, must get as far as the network or credentials step: never a configuration
// diagnostic. A deliberately wrong attribute shows that the check can fail.
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { App, TerraformOutput, TerraformResource, TerraformStack } from "cdktf";
import { addStateBackend } from "../../lib/platform/state-backend";
import { type DevSynth, synthDev } from "../helpers/dev-synth";
import { type Postgres, postgresBinDir, startPostgres } from "../helpers/postgres";
import { tempDir } from "../helpers/temp";
import { offlineTerraformEnv, requireTerraform, terraform, terraformAvailable } from "../helpers/terraform";

const pgBin = postgresBinDir();
const ci = process.env.CI === "true";
beforeAll(() => requireTerraform("the state backends"));
if (terraformAvailable() && !pgBin) {
  const message =
    "PostgreSQL (initdb, pg_ctl) is not installed: the pg state backend, its cross-stack reads and its lock are NOT tested here. " +
    "Install it (Debian: apt-get install -y postgresql; .ci/run does)";
  if (ci) throw new Error(`${message}; CI=true, so this fails`);
  console.warn(`!!! ${message} (skipped) !!!`);
}
const pgTest = pgBin || !terraformAvailable() ? test : test.skip;

describe("PostgreSQL", () => {
  let pg: Postgres | undefined;
  beforeAll(async () => {
    if (terraformAvailable() && pgBin) pg = await startPostgres(pgBin);
  }, 30000);
  afterAll(() => pg?.stop());

  pgTest("terraform init of both synthesized dev stacks configures the pg backend, one schema per stack", async () => {
    const db = pg as Postgres;
    const dev: DevSynth = synthDev({ STATE_BACKEND: db.url });
    for (const stack of ["dev-cilium", "dev"]) {
      const env = offlineTerraformEnv();
      const { output } = await terraform(path.join(dev.outdir, "stacks", stack), ["init", "-input=false"], {
        ...env,
        TF_DATA_DIR: path.join(env.HOME as string, "data"),
      });
      expect(output).toContain('Successfully configured the backend "pg"!');
      // What remains is the offline provider installation, nothing about the backend.
      const errors = [...output.matchAll(/^\W*Error: (.+)$/gm)].map((m) => m[1].trim());
      expect(errors.filter((e) => e !== "Failed to query available provider packages")).toEqual([]);
    }
    expect(db.sql("select schema_name from information_schema.schemata where schema_name like 'terraform_%' order by 1")).toBe(
      "terraform_dev\nterraform_dev_cilium",
    );
  });

  pgTest("the stand-in: the first stack applied, the second plans with the first's output, read through the database", async () => {
    const db = pg as Postgres;
    const { first, second } = standIn(db.url, "seen-through-postgres");
    const env = offlineTerraformEnv();
    await tf(first, env, "init", "-input=false");
    await tf(first, env, "apply", "-auto-approve", "-input=false");
    const secondJson = JSON.parse(readFileSync(path.join(second, "cdk.tf.json"), "utf8"));
    expect(secondJson.data.terraform_remote_state["cross-stack-reference-input-first"]).toMatchObject({
      backend: "pg",
      config: { conn_str: db.url, schema_name: "terraform_first" },
    });
    await tf(second, env, "init", "-input=false");
    const plan = await tf(second, env, "plan", "-input=false");
    expect(plan).toMatch(/\+ input\s+= "seen-through-postgres"/);
    expect(db.sql("select name from terraform_first.states")).toBe("default");
  });

  pgTest(
    "two concurrent applies of one stack: the lock lets one through, the other fails with the lock error; no state is lost",
    async () => {
      const db = pg as Postgres;
      const { first } = standIn(db.url, "concurrent", "race");
      const env = offlineTerraformEnv();
      await tf(first, env, "init", "-input=false");
      await tf(first, env, "apply", "-auto-approve", "-input=false", "-var", "run=base");
      const serial = () => JSON.parse(db.sql("select data from terraform_race.states where name = 'default'")).serial as number;
      const before = serial();
      // The provisioner holds the lock for 3 s: without a lock both applies would overlap and both succeed.
      const runs = await Promise.all(
        ["one", "two"].map((run) =>
          terraform(first, ["apply", "-auto-approve", "-input=false", "-var", `run=${run}`, "-var", "hold=3"], env),
        ),
      );
      const [won, lost] = runs[0].status === 0 ? [0, 1] : [1, 0];
      expect(runs.map((r) => r.status === 0).sort()).toEqual([false, true]);
      expect(runs[lost].output).toContain("Error acquiring the state lock");
      expect(runs[lost].output).toMatch(/Lock Info:\s+ID:/);
      const state = JSON.parse(db.sql("select data from terraform_race.states where name = 'default'"));
      expect(state.serial).toBe(before + 1);
      expect(state.outputs.value.value).toBe(["one", "two"][won]);
      // The loser, run again once the lock is free, applies on top: nothing was lost or overwritten.
      await tf(first, env, "apply", "-auto-approve", "-input=false", "-var", `run=${["one", "two"][lost]}`);
      expect(serial()).toBe(before + 2);
      // Control: the same race without the lock lets both through, so the refusal above is the lock's.
      const unlocked = await Promise.all(
        ["three", "four"].map((run) =>
          terraform(first, ["apply", "-auto-approve", "-input=false", "-lock=false", "-var", `run=${run}`, "-var", "hold=3"], env),
        ),
      );
      expect(unlocked.map((r) => r.status)).toEqual([0, 0]);
    },
    60000,
  );

  pgTest("README's migration: a local state moves into PostgreSQL with terraform init -migrate-state, nothing re-created", async () => {
    const db = pg as Postgres;
    const outdir = path.join(tempDir("migrate-"), "cdktf.out");
    const env = offlineTerraformEnv();
    const { first } = standIn("local", "kept", "moving", outdir);
    await tf(first, env, "init", "-input=false");
    await tf(first, env, "apply", "-auto-approve", "-input=false");
    const local = JSON.parse(readFileSync(path.join(outdir, "..", "terraform.moving.tfstate"), "utf8"));
    const id = local.resources[0].instances[0].attributes.id;
    // The same stacks synthesized again with STATE_BACKEND set, into the same cdktf.out.
    standIn(db.url, "kept", "moving", outdir);
    const migrate = await tf(first, env, "init", "-migrate-state", "-force-copy", "-input=false");
    expect(migrate).toContain('Successfully configured the backend "pg"!');
    const moved = JSON.parse(db.sql("select data from terraform_moving.states where name = 'default'"));
    expect(moved.resources[0].instances[0].attributes.id).toBe(id);
    expect(await tf(first, env, "plan", "-input=false")).toContain("No changes.");
  });
});

/**
 * The dev app's pattern in miniature: `first` holds a terraform_data whose output
 * `second` uses, so cdktf writes an output in `first` and a terraform_remote_state
 * in `second`, both stacks with the backend of `url` (addStateBackend, as main.ts).
 */
function standIn(
  url: string,
  value: string,
  firstName = "first",
  outdir = path.join(tempDir("stand-in-"), "cdktf.out"),
): { first: string; second: string } {
  const app = new App({ outdir });
  const first = new TerraformStack(app, firstName);
  addStateBackend(first, url, "STATE_BACKEND");
  first.addOverride("variable", { run: { type: "string", default: value }, hold: { type: "number", default: 0 } });
  const data = new TerraformResource(first, "release", { terraformResourceType: "terraform_data" });
  data.addOverride("input", "${var.run}");
  data.addOverride("triggers_replace", ["${var.run}"]);
  data.addOverride("provisioner", [{ "local-exec": { command: "sleep ${var.hold}" } }]);
  new TerraformOutput(first, "value", { value: "${var.run}" });
  const second = new TerraformStack(app, `${firstName}-second`);
  addStateBackend(second, url, "STATE_BACKEND");
  second.addDependency(first);
  const reader = new TerraformResource(second, "check", { terraformResourceType: "terraform_data" });
  reader.addOverride("input", data.getStringAttribute("output"));
  app.synth();
  return { first: path.join(outdir, "stacks", firstName), second: path.join(outdir, "stacks", `${firstName}-second`) };
}

async function tf(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]): Promise<string> {
  const run = await terraform(cwd, args, env);
  if (run.status !== 0) throw new Error(`terraform ${args.join(" ")} in ${cwd} failed:\n${run.output}`);
  return run.output;
}

describe("s3, gcs and cloud: terraform init reaches the network or credentials step, never a configuration diagnostic", () => {
  // Terraform's configuration diagnostics (a wrong or unknown backend attribute) vs what an
  // offline machine with dummy credentials must end with.
  const CONFIG_DIAGNOSTIC = /Extraneous JSON object property|Unsupported argument|Invalid [a-z]|Missing required argument/;
  // Dummy credentials and no network: AWS's STS and Google's credential lookup fail at once
  // (a host name that does not resolve is not retried; with network, STS refuses the key);
  // HCP Terraform's host is a closed local port, given through the URL's hostname.
  const env = (): NodeJS.ProcessEnv => ({
    ...offlineTerraformEnv(),
    AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
    AWS_SECRET_ACCESS_KEY: "dummy-secret",
    AWS_EC2_METADATA_DISABLED: "true",
    TF_TOKEN_127_0_0_1: "dummy-token",
  });
  const CASES: Array<[string, string, RegExp]> = [
    ["s3", "s3://team-state/talos?region=eu-west-1&use_lockfile=true", /retrieving caller identity from STS/],
    ["s3 with dynamodb", "s3://team-state/talos?region=eu-west-1&dynamodb_table=locks", /retrieving caller identity from STS/],
    ["gcs", "gcs://team-state/talos", /storage\.NewClient\(\) failed: .*could not find default credentials/],
    ["cloud", "cloud://acme/talos?hostname=127.0.0.1:9", /127\.0\.0\.1:9.*connection refused/s],
  ];

  /** `terraform init` of dev-cilium as synthesized for `url`, after `edit` of its JSON. */
  async function init(url: string, edit: (json: any) => void = () => {}): Promise<string> {
    const dev = synthDev({ STATE_BACKEND: url });
    const dir = path.join(dev.outdir, "stacks", "dev-cilium");
    const file = path.join(dir, "cdk.tf.json");
    const json = JSON.parse(readFileSync(file, "utf8"));
    edit(json);
    writeFileSync(file, JSON.stringify(json));
    const e = env();
    const run = await initWithDeadline(dir, { ...e, TF_DATA_DIR: path.join(e.HOME as string, "d") }, 45000);
    expect(run.status).not.toBe(0);
    return run.output;
  }

  test.each(CASES)(
    "%s",
    async (_name, url, networkStep) => {
      const output = await init(url);
      expect(output).not.toMatch(CONFIG_DIAGNOSTIC);
      expect(output).toMatch(networkStep);
    },
    60000,
  );

  test("a wrong attribute, written on purpose, is a configuration diagnostic: the check above can fail", async () => {
    const s3 = await init("s3://team-state/talos?region=eu-west-1&use_lockfile=true", (json) => {
      json.terraform.backend.s3.use_lock_file = true;
    });
    expect(s3).toMatch(CONFIG_DIAGNOSTIC);
    const cloud = await init("cloud://acme/talos?hostname=127.0.0.1:9", (json) => {
      json.terraform.cloud.workspace = { name: "x" };
    });
    expect(cloud).toMatch(CONFIG_DIAGNOSTIC);
    const gcs = await init("gcs://team-state/talos", (json) => {
      json.terraform.backend.gcs.prefixes = "x";
    });
    expect(gcs).toMatch(CONFIG_DIAGNOSTIC);
  }, 90000);
});

/** `terraform init -input=false`, killed (and failing the test) when it takes longer than `ms`. */
function initWithDeadline(cwd: string, env: NodeJS.ProcessEnv, ms: number): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("terraform", ["init", "-input=false", "-no-color"], { cwd, env, timeout: ms, killSignal: "SIGKILL" });
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    child.on("close", (status, signal) =>
      signal ? reject(new Error(`terraform init did not finish in ${ms} ms:\n${output}`)) : resolve({ status, output }),
    );
  });
}

describe("npm run synth (dist/main.js) with STATE_BACKEND", () => {
  const repo = path.resolve(__dirname, "..", "..");
  const synth = (value: string) =>
    spawnSync(process.execPath, ["dist/main.js"], {
      cwd: repo,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: tempDir("home-"),
        CDKTF_OUTDIR: path.join(tempDir("out-"), "cdktf.out"),
        STATE_BACKEND: value,
      },
      encoding: "utf8",
    });

  test("cloud://: synth prints the Local execution mode warning for each workspace", () => {
    const run = synth("cloud://acme/talos");
    expect(run.status).toBe(0);
    const warnings = run.stderr.split("\n").filter((l) => l.startsWith("warning: "));
    expect(warnings).toEqual([
      expect.stringMatching(/^warning: dev-cilium: workspace "talos-dev-cilium" of organization "acme" must use Local execution mode/),
      expect.stringMatching(/^warning: dev: workspace "talos-dev" of organization "acme" must use Local execution mode/),
    ]);
  });

  test("a secret in the URL: synth fails, names the variable, never prints the secret", () => {
    const run = synth("postgres://terraform:hunter2@db.example/terraform");
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("STATE_BACKEND holds a secret (a password in the user part)");
    expect(run.stderr).not.toContain("hunter2");
  });
});
