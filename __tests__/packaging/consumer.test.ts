import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

// Packs the library, installs the tarball with npm into a consumer app outside the
// repo (dependencies from the local npm cache: --prefer-offline), and synthesizes
// there from an unrelated working directory.

const repo = path.resolve(__dirname, "..", "..");
const pkg = JSON.parse(readFileSync(path.join(repo, "package.json"), "utf8"));
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

let consumer: string;
let tarball: string;

beforeAll(() => {
  const work = mkdtempSync(path.join(os.tmpdir(), "cdktf-cilium-consumer-"));
  tarball = path.join(
    work,
    execFileSync(npm, ["pack", "--silent", "--pack-destination", work], { cwd: repo, encoding: "utf8" }).trim().split("\n").pop() as string,
  );
  consumer = path.join(work, "app");
  mkdirSync(consumer);
  const dev = pkg.devDependencies as Record<string, string>;
  const peers = Object.fromEntries(Object.keys(pkg.peerDependencies).map((name) => [name, dev[name]]));
  writeFileSync(
    path.join(consumer, "package.json"),
    JSON.stringify({ name: "consumer-app", version: "1.0.0", private: true, dependencies: peers }, null, 2),
  );
  execFileSync(npm, ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", tarball], {
    cwd: consumer,
    stdio: "pipe",
  });
});

test("the tarball ships the library, the bundled check and validators, the policy sets, README and help; not the sources", () => {
  const files = execFileSync("tar", ["tzf", tarball], { encoding: "utf8" }).split("\n").filter(Boolean);
  for (const f of [
    "dist/lib/index.js",
    "dist/lib/index.d.ts",
    "dist/check/webhook-check.js",
    "dist/vendor/cilium-models.js",
    "dist/vendor/re2.wasm",
    "policies/allow-all/kube-system-allow-all-egress.yaml",
    "policies/least-privilege/cert-manager-webhook-from-apiserver.yaml",
    "README.md",
    "help",
  ]) {
    expect(files).toContain(`package/${f}`);
  }
  expect(files.filter((f) => /\.ts$/.test(f) && !f.endsWith(".d.ts"))).toEqual([]);
  expect(files.filter((f) => f.includes("__tests__") || f.startsWith("package/dist/main"))).toEqual([]);
});

test("a consumer stack imports it, type-checks, and synthesizes two platforms with assets from the package", () => {
  writeFileSync(
    path.join(consumer, "stack.ts"),
    `import { App, TerraformStack } from "cdktf";
import { CiliumPlatform, ClusterProviders, kubeAccessFromEnvironment, PolicyValidationError } from "cdktf-cilium";

const app = new App(); // outdir from CDKTF_OUTDIR
const stack = new TerraformStack(app, "consumer");
const providers = new ClusterProviders(stack, "providers", kubeAccessFromEnvironment({}));
new CiliumPlatform(stack, "cilium", { policySet: "least-privilege", release: { talos: true }, kube: providers.access });
new CiliumPlatform(stack, "second", { policySet: "allow-all", release: { namespace: "cilium-two", releaseName: "cilium-two" }, check: { namespace: "certs" } });
void PolicyValidationError;
app.synth();
`,
  );
  writeFileSync(
    path.join(consumer, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { strict: true, module: "nodenext", target: "es2022", outDir: "out-js", skipLibCheck: true, types: [] },
      files: ["stack.ts"],
    }),
  );
  // No @types/node in the consumer: the library's declarations must not need them.
  const tsc = spawnSync(path.join(repo, "node_modules", ".bin", "tsc"), ["-p", consumer], { encoding: "utf8" });
  expect(tsc.stdout + tsc.stderr).toBe("");
  expect(tsc.status).toBe(0);

  // Run from an unrelated directory: nothing may resolve from the working directory.
  const elsewhere = mkdtempSync(path.join(os.tmpdir(), "elsewhere-"));
  const outdir = path.join(consumer, "cdktf.out");
  const run = spawnSync(process.execPath, [path.join(consumer, "out-js", "stack.js")], {
    cwd: elsewhere,
    encoding: "utf8",
    env: { ...process.env, CDKTF_OUTDIR: outdir },
  });
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  const stackDir = path.join(outdir, "stacks", "consumer");
  const json = JSON.parse(readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8"));
  expect(Object.keys(json.resource.helm_release)).toHaveLength(2);
  expect(Object.keys(json.resource.kubernetes_manifest)).toHaveLength(1);
  expect(Object.keys(json.resource.kubernetes_network_policy_v1)).toHaveLength(2);
  const commands = Object.values(json.resource.null_resource).map((r: any) => r.provisioner[0]["local-exec"].command as string);
  expect(commands).toHaveLength(2);
  for (const c of commands) expect(existsSync(path.join(stackDir, c))).toBe(true);
  expect(readdirSync(elsewhere)).toEqual([]);
});

test("the webhook-check bin is installed", () => {
  const run = spawnSync(path.join(consumer, "node_modules", ".bin", "webhook-check"), ["--help"], { encoding: "utf8" });
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/^Usage: webhook-check/);
});
