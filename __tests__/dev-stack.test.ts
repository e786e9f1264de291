import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type TerraformStack, Testing } from "cdktf";
import { buildApp } from "../main";
import { networkPolicyYaml, policyDir } from "./helpers/policy-dirs";
import { tempDir } from "./helpers/temp";

// The dev stack as `npm run synth` writes it: the built dist/main.js, run as a
// process from copies of the project in different directories.

const repo = path.resolve(__dirname, "..");

/** A copy of what synth needs (package.json, dist, policies) in a fresh directory; node_modules linked. */
function projectCopy(): string {
  const dir = path.join(tempDir("cdktf-cilium-copy-"), "somewhere", "else");
  mkdirSync(dir, { recursive: true });
  for (const entry of ["package.json", "dist", "policies", "schemas", "cdktf.json"])
    cpSync(path.join(repo, entry), path.join(dir, entry), { recursive: true });
  symlinkSync(path.join(repo, "node_modules"), path.join(dir, "node_modules"));
  return dir;
}

interface Synth {
  cwd: string;
  status: number | null;
  stderr: string;
  json?: string;
}

/** `node dist/main.js` in `cwd` with a clean environment (no KUBECONFIG, a fresh HOME). */
function synth(cwd: string, env: Record<string, string> = {}): Promise<Synth> {
  const home = tempDir("home-");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["dist/main.js"], {
      cwd,
      env: { PATH: process.env.PATH ?? "", HOME: home, ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (status) => {
      const out = path.join(cwd, "cdktf.out", "stacks", "dev", "cdk.tf.json");
      resolve({ cwd, status, stderr, json: existsSync(out) ? readFileSync(out, "utf8") : undefined });
    });
  });
}

// Every synth these tests look at, run side by side once.
let first: Synth, second: Synth, badPolicies: Synth;
beforeAll(async () => {
  const bad = policyDir({ "mine/typo.yaml": networkPolicyYaml("x", "ns", "  podSelector: {}\n  ingres: [{}]\n"), "other.yaml": "kind: [" });
  [first, second, badPolicies] = await Promise.all([
    synth(projectCopy()),
    synth(projectCopy()),
    synth(projectCopy(), { CILIUM_POLICY_DIRS: bad }),
  ]);
});

test("byte-identical cdk.tf.json from two directories, with no absolute paths", () => {
  expect(first.status).toBe(0);
  expect(second.status).toBe(0);
  expect(first.cwd).not.toBe(second.cwd);
  expect(first.json).toBeDefined();
  expect(first.json).toBe(second.json);
  expect(first.json).not.toContain(first.cwd);
  expect(first.json).not.toContain(os.tmpdir());
  expect(first.json).not.toContain(repo);
});

test("the dev stack: release, the incident's two policies depending on it, the check after them (snapshot)", () => {
  const json = JSON.parse(first.json as string);
  const policies = json.resource.kubernetes_network_policy_v1;
  expect(Object.values(policies).map((p: any) => `${p.metadata.namespace}/${p.metadata.name}:${p.spec.policy_types}`)).toEqual([
    "cert-manager/allow-all-ingress:Ingress",
    "kube-system/allow-all-egress:Egress",
  ]);
  expect(json).toMatchSnapshot();
});

test("the shipped check asset is in the stack directory, so `terraform apply` there needs only node", () => {
  const cwd = first.cwd;
  const json = JSON.parse(first.json as string);
  const command = (Object.values(json.resource.null_resource)[0] as any).provisioner[0]["local-exec"].command as string;
  const asset = path.join(cwd, "cdktf.out", "stacks", "dev", command);
  expect(readFileSync(asset).equals(readFileSync(path.join(repo, "dist", "check", "webhook-check.js")))).toBe(true);
  const help = spawnSync(process.execPath, [asset, "--help"], {
    cwd: os.tmpdir(),
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "" },
  });
  expect(help.status).toBe(0);
  expect(help.stdout).toMatch(/Exit codes: 0 reachable; 1 not reachable by the deadline; 2 usage or configuration error/);
});

test("a bad policy file fails synth with file, document and field, and nothing is written", () => {
  const run = badPolicies;
  expect(run.status).not.toBe(0);
  expect(run.stderr).toMatch(/mine\/typo\.yaml \(document 1\) spec\.ingres: unknown field "ingres"/);
  expect(run.stderr).toMatch(/other\.yaml \(document 1\) \(document\): YAML syntax error/);
  // cdktf creates empty output directories up front; not one file may follow.
  const out = path.join(run.cwd, "cdktf.out");
  const files = existsSync(out) ? readdirSync(out, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()) : [];
  expect(files.map((f) => f.name)).toEqual([]);
});

test("CILIUM_POLICY_SET selects the least-privilege set; an unknown set is refused", () => {
  const outdir = tempDir("out-");
  const dev = buildApp({ CILIUM_POLICY_SET: "least-privilege" }, outdir).node.findChild("dev") as TerraformStack;
  expect(Object.keys(JSON.parse(Testing.synth(dev)).resource)).toEqual(["helm_release", "kubernetes_manifest", "null_resource"]);
  expect(() => buildApp({ CILIUM_POLICY_SET: "allow-everything" }, outdir)).toThrow(
    /CILIUM_POLICY_SET="allow-everything" is not a shipped policy set; use one of allow-all, least-privilege/,
  );
});

describe("policies/ is what gets deployed", () => {
  const np = (name: string) =>
    `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ${name}\nspec:\n  podSelector: {}\n`;

  test("files directly in policies/ are deployed by every stack, on top of its set; set subdirectories are not pulled in", () => {
    const { CiliumStack, REPOSITORY_POLICIES } = require("../main");
    expect(REPOSITORY_POLICIES).toEqual({ path: path.join(repo, "policies"), recursive: false });
    const root = policyDir({
      "team.yaml": networkPolicyYaml("team-default", "shop"),
      "set/ignored.yaml": networkPolicyYaml("not-deployed", "shop"),
    });
    const app = buildApp({}, tempDir("out-"), { path: root, recursive: false });
    for (const name of ["dev", "prod"]) {
      const stack = app.node.findChild(name) as InstanceType<typeof CiliumStack>;
      const names = stack.platform.policies.policies.map((p: { name: string }) => p.name);
      expect(names).toContain("team-default");
      expect(names).not.toContain("not-deployed");
    }
    const summary = (name: string) => (app.node.findChild(name) as InstanceType<typeof CiliumStack>).summary();
    expect(summary("dev")).toBe(
      `dev: 3 policies from ${path.relative(process.cwd(), path.join(repo, "policies", "allow-all"))}, ${path.relative(process.cwd(), root)} (top level)`,
    );
    expect(summary("prod")).toMatch(/^prod: 2 policies from .*least-privilege, .* \(top level\)$/);
  });

  test("npm run synth prints one line per stack", () => {
    expect(first.stderr).toMatch(/^dev: 2 policies from policies\/allow-all, policies \(top level\)$/m);
    expect(first.stderr).toMatch(/^prod: 1 policy from policies\/least-privilege, policies \(top level\)$/m);
  });

  test("CILIUM_POLICY_DIRS=DIR=NAMESPACE:DIR2, and naming policies/ again loads each file once", () => {
    const { parsePolicyDirs } = require("../main");
    expect(parsePolicyDirs("a=shop:b")).toEqual([{ path: "a", namespace: "shop" }, { path: "b" }]);
    const mine = policyDir({ "x.yaml": np("from-env") });
    const outdir = tempDir("out-");
    const dev = buildApp({ CILIUM_POLICY_DIRS: [`${mine}=shop`, path.join(repo, "policies")].join(path.delimiter) }, outdir).node.findChild(
      "dev",
    ) as TerraformStack;
    const json = JSON.parse(Testing.synth(dev));
    const byName = Object.fromEntries(
      Object.values(json.resource.kubernetes_network_policy_v1).map((p: any) => [p.metadata.name, p.metadata.namespace]),
    );
    expect(byName).toEqual({ "allow-all-ingress": "cert-manager", "allow-all-egress": "kube-system", "from-env": "shop" });
  });
});
