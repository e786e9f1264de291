import { App, TerraformStack, Testing } from "cdktf";
import { buildApp } from "../../main";
import { addStateBackend, parseStateBackendUrl, STATE_BACKEND_FORMS } from "../../lib/platform/state-backend";
import * as path from "node:path";
import { tempDir } from "../helpers/temp";

// STATE_BACKEND_<ENV>: one URL -> the backend of both stacks of that environment, and
// the cross-stack reference from <env> to <env>-cilium read through the same backend.
// terraform itself loads these configurations in e2e/state-backends.test.ts (PostgreSQL
// for real; s3, gcs and cloud up to their network step).

// The two stacks' Terraform JSON without writing cdktf.out, which costs five times as much
// (every stack, its assets): prepareStack() adds the cross-stack reference, as app.synth() does
// (cdktf 0.21 lib/app.js). The whole app is synthesized as `npm run synth` does elsewhere.
const both = (env: NodeJS.ProcessEnv) => {
  const built = buildApp(env, path.join(tempDir("synth-"), "cdktf.out"));
  for (const s of built.stacks) s.prepareStack();
  const stack = (id: string) => JSON.parse(Testing.synth(built.app.node.findChild(id) as TerraformStack));
  return { built, dev: stack("dev"), release: stack("dev-cilium") };
};
const remote = (stack: any) => stack.data.terraform_remote_state["cross-stack-reference-input-dev-cilium"];

test("empty or `local`: a state file per stack at the repository root, read by the cross-stack reference", () => {
  for (const value of [undefined, "", "local"]) {
    const { dev, release } = both(value === undefined ? {} : { STATE_BACKEND: value });
    expect(release.terraform.backend).toEqual({ local: { path: "../../../terraform.dev-cilium.tfstate" } });
    expect(dev.terraform.backend).toEqual({ local: { path: "../../../terraform.dev.tfstate" } });
    expect(remote(dev)).toEqual({
      backend: "local",
      config: { path: "../../../terraform.dev-cilium.tfstate" },
      workspace: "${terraform.workspace}",
    });
  }
});

test("postgres:// and postgresql://: PgBackend with the URL as given, one schema per stack; the reference reads dev-cilium's schema", () => {
  for (const url of ["postgres://tf@db.example:5432/terraform?sslmode=require", "postgresql://tf@db.example/terraform"]) {
    const { dev, release } = both({ STATE_BACKEND: url });
    expect(release.terraform.backend).toEqual({ pg: { conn_str: url, schema_name: "terraform_dev_cilium" } });
    expect(dev.terraform.backend).toEqual({ pg: { conn_str: url, schema_name: "terraform_dev" } });
    expect(remote(dev)).toEqual({
      backend: "pg",
      config: { conn_str: url, schema_name: "terraform_dev_cilium" },
      workspace: "${terraform.workspace}",
    });
  }
});

test("s3://BUCKET/PREFIX: key PREFIX/<stack>.tfstate, region, and a lock (use_lockfile through an override, or dynamodb_table)", () => {
  const { dev, release } = both({ STATE_BACKEND: "s3://team-state/clusters/talos?region=eu-west-1&use_lockfile=true" });
  expect(release.terraform.backend).toEqual({
    s3: { bucket: "team-state", key: "clusters/talos/dev-cilium.tfstate", region: "eu-west-1", use_lockfile: true },
  });
  expect(dev.terraform.backend.s3.key).toBe("clusters/talos/dev.tfstate");
  expect(remote(dev)).toEqual({
    backend: "s3",
    config: { bucket: "team-state", key: "clusters/talos/dev-cilium.tfstate", region: "eu-west-1" },
    workspace: "${terraform.workspace}",
  });
  const dynamo = both({ STATE_BACKEND: "s3://team-state?region=us-east-1&dynamodb_table=locks" });
  expect(dynamo.release.terraform.backend).toEqual({
    s3: { bucket: "team-state", key: "dev-cilium.tfstate", region: "us-east-1", dynamodb_table: "locks" },
  });
  expect(remote(dynamo.dev).config.dynamodb_table).toBe("locks");
});

test("gcs://BUCKET/PREFIX: prefix PREFIX/<stack>", () => {
  const { dev, release } = both({ STATE_BACKEND: "gcs://team-state/talos/" });
  expect(release.terraform.backend).toEqual({ gcs: { bucket: "team-state", prefix: "talos/dev-cilium" } });
  expect(dev.terraform.backend).toEqual({ gcs: { bucket: "team-state", prefix: "talos/dev" } });
  expect(remote(dev)).toEqual({
    backend: "gcs",
    config: { bucket: "team-state", prefix: "talos/dev-cilium" },
    workspace: "${terraform.workspace}",
  });
});

describe("cloud://ORGANIZATION/PREFIX: a named workspace per stack, read by name; synth warns about Local execution mode", () => {
  const { built, dev, release } = both({ STATE_BACKEND: "cloud://acme/talos?hostname=tfe.example.com" });

  test("the release stack's workspace is PREFIX-<stack> in the organization, on the given host", () => {
    expect(release.terraform.cloud).toEqual({
      hostname: "tfe.example.com",
      organization: "acme",
      workspaces: { name: "talos-dev-cilium" },
    });
  });

  test("the workload stack has its own workspace and no backend block", () => {
    expect({ workspaces: dev.terraform.cloud.workspaces, backend: dev.terraform.backend }).toEqual({
      workspaces: { name: "talos-dev" },
      backend: undefined,
    });
  });

  test("the cross-stack reference reads the release stack's workspace by name", () => {
    expect(remote(dev)).toEqual({
      backend: "remote",
      config: { hostname: "tfe.example.com", organization: "acme", workspaces: { name: "talos-dev-cilium" } },
    });
  });

  test("synth warns, once per workspace, that it must use Local execution mode", () => {
    expect(built.warnings).toEqual([
      expect.stringMatching(/^dev-cilium: workspace "talos-dev-cilium" of organization "acme" must use Local execution mode/),
      expect.stringMatching(/^dev: workspace "talos-dev" .*Local execution mode.*reads the kubeconfig where `terraform apply` runs/),
    ]);
  });

  test("without a cloud backend nothing is warned about", () => {
    expect(both({}).built.warnings).toEqual([]);
  });

  test("without a prefix the workspace is the stack's name", () => {
    expect(both({ STATE_BACKEND: "cloud://acme" }).release.terraform.cloud).toEqual({
      organization: "acme",
      workspaces: { name: "dev-cilium" },
    });
  });
});

describe("STATE_BACKEND_<ENV> wins over STATE_BACKEND; the plain name is dev's only", () => {
  const backendOf = (env: NodeJS.ProcessEnv) => {
    const built = buildApp({ KUBE_CONTEXT_PROD: "admin@prod", ...env }, tempDir("out-"));
    return (id: string) => JSON.parse(Testing.synth(built.app.node.findChild(id) as TerraformStack)).terraform.backend;
  };

  test("STATE_BACKEND_DEV wins over STATE_BACKEND for both of dev's stacks", () => {
    const backend = backendOf({ STATE_BACKEND: "gcs://plain", STATE_BACKEND_DEV: "gcs://own" });
    expect([backend("dev-cilium").gcs.bucket, backend("dev").gcs.bucket]).toEqual(["own", "own"]);
  });

  test("STATE_BACKEND_PROD sets prod's backend", () => {
    expect(backendOf({ STATE_BACKEND: "gcs://plain", STATE_BACKEND_PROD: "gcs://prod" })("prod-cilium").gcs.bucket).toBe("prod");
  });

  test("the plain STATE_BACKEND is dev's", () => {
    expect(backendOf({ STATE_BACKEND: "gcs://plain" })("dev").gcs.bucket).toBe("plain");
  });

  test("the plain STATE_BACKEND leaves prod on its local state file", () => {
    expect(backendOf({ STATE_BACKEND: "gcs://plain" })("prod")).toEqual({ local: { path: "../../../terraform.prod.tfstate" } });
  });
});

describe("refused at synth, listing the forms", () => {
  const refusal = (env: NodeJS.ProcessEnv) => {
    try {
      buildApp(env, tempDir("out-"));
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error("not refused");
  };
  const forms = STATE_BACKEND_FORMS.join("; ");

  test.each([
    ["http://state.example/x", 'unknown scheme "http"'],
    ["file:///tmp/state", 'unknown scheme "file"'],
    ["host=db user=tf", "is not a URL"],
    ["s3:///prefix?region=eu-west-1&use_lockfile=true", "s3:// needs the bucket"],
    ["gcs://", "gcs:// needs the bucket"],
    ["cloud:///talos", "cloud:// needs the organization"],
    ["cloud://acme/a/b", "cloud:// workspace prefix may hold only letters"],
    ["s3://bucket/p?region=eu-west-1", "s3:// needs a lock"],
    ["s3://bucket/p?region=eu-west-1&use_lockfile=yes", "s3:// use_lockfile must be `true` or `false`"],
    ["s3://bucket/p?regoin=eu-west-1&use_lockfile=true", "unknown parameter(s) `regoin`; s3:// takes region, dynamodb_table, use_lockfile"],
    ["gcs://bucket/p?credentials=/k.json", "unknown parameter(s) `credentials`; gcs:// takes none"],
  ])("%s", (url, why) => {
    const message = refusal({ STATE_BACKEND: url });
    expect(message).toContain(`dev-cilium: 1 problem(s); nothing was synthesized:\n  - STATE_BACKEND: ${why}`);
    expect(message.endsWith(`. A state backend is one of: ${forms}`)).toBe(true);
  });

  test.each([
    ["postgres://tf:hunter2@db.example/terraform", "a password in the user part"],
    ["postgresql://tf@db.example/terraform?password=hunter2", "the parameter `password`"],
    ["postgres://tf@db.example/terraform?sslpassword=hunter2", "the parameter `sslpassword`"],
    [
      "s3://b/p?region=r&use_lockfile=true&access_key=AKIAhunter2&secret_key=hunter2",
      "the parameter `access_key`, the parameter `secret_key`",
    ],
    ["cloud://acme/talos?Token=hunter2", "the parameter `Token`"],
    ["gcs://b/p?token=hunter2", "the parameter `token`"],
  ])("a secret: %s (never repeated in the message)", (url, what) => {
    const message = refusal({ STATE_BACKEND_DEV: url });
    expect(message).toContain(`STATE_BACKEND_DEV holds a secret (${what}): it would be written into cdk.tf.json`);
    expect(message).toMatch(/PGPASSWORD .* TF_TOKEN_<host> for cloud/);
    expect(message).not.toContain("hunter2");
  });

  test("parseStateBackendUrl never repeats the URL in a problem", () => {
    for (const url of ["http://u:hunter2@x", "s3://hunter2", "cloud:///hunter2", "not a url hunter2"]) {
      const parsed = parseStateBackendUrl(url, "V");
      expect("problems" in parsed && parsed.problems.join("\n")).not.toContain("hunter2");
    }
  });

  test("the refusal comes from addStateBackend on any stack, naming the stack", () => {
    const stack = new TerraformStack(new App({ outdir: tempDir("out-") }), "mine");
    expect(() => addStateBackend(stack, "ftp://x", "MY_STATE")).toThrow(
      /^mine: 1 problem\(s\); nothing was synthesized:\n {2}- MY_STATE: unknown scheme "ftp"/,
    );
  });
});
