// `npm run synth` as a process: the built dist/main.js, run from copies of the
// project in different directories. (What it synthesizes, snapshots included, is
// tested in-process in ../app/dev-stack.heavy.test.ts; here: that the process writes exactly
// that, from anywhere, and fails as a user sees it.)
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { networkPolicyYaml, policyDir } from "../helpers/policy-dirs";
import { synthDev } from "../helpers/dev-synth";
import { tempDir } from "../helpers/temp";
import { firstResource } from "../helpers/synth";

const repo = path.resolve(__dirname, "..", "..");

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
  /** stacks/dev/cdk.tf.json: the policies and the check. */
  json?: string;
  /** stacks/dev-cilium/cdk.tf.json: the Cilium release. */
  releaseJson?: string;
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
      const read = (stack: string) => {
        const out = path.join(cwd, "cdktf.out", "stacks", stack, "cdk.tf.json");
        return existsSync(out) ? readFileSync(out, "utf8") : undefined;
      };
      resolve({ cwd, status, stderr, json: read("dev"), releaseJson: read("dev-cilium") });
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

test("byte-identical cdk.tf.json from two directories, with no absolute paths, and what the in-process synth writes", () => {
  expect(first.status).toBe(0);
  expect(second.status).toBe(0);
  expect(first.cwd).not.toBe(second.cwd);
  expect(first.json).toBeDefined();
  expect(first.releaseJson).toBeDefined();
  expect(first.json).toBe(second.json);
  expect(first.releaseJson).toBe(second.releaseJson);
  for (const text of [first.json, first.releaseJson]) {
    expect(text).not.toContain(first.cwd);
    expect(text).not.toContain(os.tmpdir());
    expect(text).not.toContain(repo);
  }
  // The snapshots of ../app/dev-stack.heavy.test.ts are taken in-process: they are what users get.
  const inProcess = synthDev();
  expect(first.json).toBe(inProcess.json);
  expect(first.releaseJson).toBe(inProcess.releaseJson);
});

test("the shipped check asset is in the stack directory, so `terraform apply` there needs only node", () => {
  const cwd = first.cwd;
  const json = JSON.parse(first.json as string);
  const command = firstResource(json, "null_resource").provisioner[0]["local-exec"].command as string;
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
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(/mine\/typo\.yaml \(document 1\) spec\.ingres: unknown field "ingres"/);
  expect(run.stderr).toMatch(/other\.yaml \(document 1\) \(document\): YAML syntax error/);
  // Printed once, as the refusal's message: no stack frames, no second listing of its data.
  expect(run.stderr.split('spec.ingres: unknown field "ingres"').length - 1).toBe(1);
  expect(run.stderr).toMatch(/^dev\/cilium\/policies: 2 problem\(s\); nothing was synthesized:\n/);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  // cdktf creates empty output directories up front; not one file may follow.
  const out = path.join(run.cwd, "cdktf.out");
  const files = existsSync(out) ? readdirSync(out, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()) : [];
  expect(files.map((f) => f.name)).toEqual([]);
});

test("npm run synth prints one line per environment; prod, without KUBE_CONTEXT_PROD, says why it is left out", () => {
  // policies/ holds no top-level file, so only the set that gave policies is named.
  expect(first.stderr).toMatch(/^dev: 2 policies from policies\/allow-all, 12 paths proven$/m);
  expect(first.stderr).toMatch(/^prod: not synthesized: set KUBE_CONTEXT_PROD/m);
});
