import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { networkPolicyYaml, policyDir } from "./helpers/policy-dirs";

// The dev stack as `npm run synth` writes it: the built dist/main.js, run as a
// process from copies of the project in different directories.

const repo = path.resolve(__dirname, "..");

/** A copy of what synth needs (package.json, dist, policies) in a fresh directory; node_modules linked. */
function projectCopy(): string {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), "cdktf-cilium-copy-")), "somewhere", "else");
  mkdirSync(dir, { recursive: true });
  for (const entry of ["package.json", "dist", "policies", "cdktf.json"]) cpSync(path.join(repo, entry), path.join(dir, entry), { recursive: true });
  symlinkSync(path.join(repo, "node_modules"), path.join(dir, "node_modules"));
  return dir;
}

function synth(cwd: string, env: Record<string, string> = {}) {
  const home = mkdtempSync(path.join(os.tmpdir(), "home-"));
  const run = spawnSync(process.execPath, ["dist/main.js"], { cwd, env: { PATH: process.env.PATH ?? "", HOME: home, ...env }, encoding: "utf8" });
  const out = path.join(cwd, "cdktf.out", "stacks", "dev", "cdk.tf.json");
  return { ...run, out, json: existsSync(out) ? readFileSync(out, "utf8") : undefined };
}

test("byte-identical cdk.tf.json from two directories, with no absolute paths", () => {
  const [a, b] = [projectCopy(), projectCopy()];
  const [ra, rb] = [synth(a), synth(b)];
  expect(ra.status).toBe(0);
  expect(rb.status).toBe(0);
  expect(ra.json).toBeDefined();
  expect(ra.json).toBe(rb.json);
  expect(ra.json).not.toContain(a);
  expect(ra.json).not.toContain(os.tmpdir());
  expect(ra.json).not.toContain(repo);
});

test("the dev stack: release, the incident's two policies depending on it, the check after them (snapshot)", () => {
  const run = synth(projectCopy());
  expect(run.status).toBe(0);
  const json = JSON.parse(run.json as string);
  const policies = json.resource.kubernetes_network_policy_v1;
  expect(Object.values(policies).map((p: any) => `${p.metadata.namespace}/${p.metadata.name}:${p.spec.policy_types}`)).toEqual([
    "cert-manager/allow-all-ingress:Ingress",
    "kube-system/allow-all-egress:Egress",
  ]);
  expect(json).toMatchSnapshot();
});

test("the shipped check asset is in the stack directory, so `terraform apply` there needs only node", () => {
  const cwd = projectCopy();
  const run = synth(cwd);
  const json = JSON.parse(run.json as string);
  const command = (Object.values(json.resource.null_resource)[0] as any).provisioner[0]["local-exec"].command as string;
  const asset = path.join(cwd, "cdktf.out", "stacks", "dev", command);
  expect(readFileSync(asset).equals(readFileSync(path.join(repo, "dist", "check", "webhook-check.js")))).toBe(true);
  const help = spawnSync(process.execPath, [asset, "--help"], { cwd: os.tmpdir(), encoding: "utf8", env: { PATH: process.env.PATH ?? "" } });
  expect(help.status).toBe(0);
  expect(help.stdout).toMatch(/Exit codes: 0 reachable; 1 not reachable by the deadline; 2 usage or configuration error/);
});

test("a bad policy file fails synth with file, document and field, and nothing is written", () => {
  const cwd = projectCopy();
  const bad = policyDir({ "mine/typo.yaml": networkPolicyYaml("x", "ns", "  podSelector: {}\n  ingres: [{}]\n"), "other.yaml": "kind: [" });
  const run = synth(cwd, { CILIUM_POLICY_DIRS: bad });
  expect(run.status).not.toBe(0);
  expect(run.stderr).toMatch(/mine\/typo\.yaml \(document 1\) spec\.ingres: unknown field "ingres"/);
  expect(run.stderr).toMatch(/other\.yaml \(document 1\) \(document\): YAML syntax error/);
  // cdktf creates empty output directories up front; not one file may follow.
  const out = path.join(cwd, "cdktf.out");
  const files = existsSync(out) ? readdirSync(out, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()) : [];
  expect(files.map((f) => f.name)).toEqual([]);
});

test("CILIUM_POLICY_SET selects the least-privilege set; an unknown set is refused", () => {
  const ok = synth(projectCopy(), { CILIUM_POLICY_SET: "least-privilege" });
  expect(ok.status).toBe(0);
  expect(Object.keys(JSON.parse(ok.json as string).resource)).toContain("kubernetes_manifest");
  const bad = synth(projectCopy(), { CILIUM_POLICY_SET: "allow-everything" });
  expect(bad.status).not.toBe(0);
  expect(bad.stderr).toMatch(/CILIUM_POLICY_SET="allow-everything" is not a shipped policy set/);
});
