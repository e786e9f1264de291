import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { SUPPORTED_CILIUM_LINES } from "../../lib/cilium/lines";
import { tempDir } from "../helpers/temp";
import { dependsOnProblems } from "../helpers/depends-on";
import { initErrors, requireTerraform } from "../helpers/terraform";
import { programs } from "../helpers/markdown";
import { resourcesOf } from "../helpers/synth";

// Packs the library from a clean copy of the repository (no dist/: `prepare` must
// build it), installs the tarball into a consumer app outside the repo with README's
// tarball line as written, and synthesizes there from an unrelated working directory:
// two clusters in one stack, one platform in each of two stacks, cert-manager ordered
// before the check. Terraform's own configuration loading then runs offline on every
// stack. README's git line runs too, against a `git+file://` clone of the same files.
// npm reads the registry through its cache first (npm_config_prefer_offline), so the
// install lines stay exactly as README writes them.

const repo = path.resolve(__dirname, "..", "..");
const pkg = JSON.parse(readFileSync(path.join(repo, "package.json"), "utf8"));
// The install lines live in docs/deploying.md; README's quick start repeats the git line.
const readme = readFileSync(path.join(repo, "docs", "deploying.md"), "utf8");
const landing = readFileSync(path.join(repo, "README.md"), "utf8");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const npmEnv = { ...process.env, npm_config_prefer_offline: "true", npm_config_audit: "false", npm_config_fund: "false" };

/** README's install line (with its continuation) that starts with `start`. */
function readmeInstallLine(start: string): string {
  const at = readme.indexOf(`\n${start}`);
  if (at < 0) throw new Error(`README has no install line starting with ${start}`);
  const lines = readme.slice(at + 1).split("\n");
  const taken = [lines[0]];
  while (taken[taken.length - 1].endsWith("\\")) taken.push(lines[taken.length]);
  return taken.join("\n");
}
const TARBALL_LINE = readmeInstallLine("npm install ../cdktf-cilium/cdktf-cilium-*.tgz ");
const GIT_LINE = readmeInstallLine("npm install git+https://");
/** README's allowScripts entries for the two install lines, `<version>` filled in. */
const ALLOW_SCRIPTS: Record<string, boolean> = (() => {
  const block = /```json\n"allowScripts": (\{[^`]*\})\n```/.exec(readme);
  if (!block) throw new Error('README has no ```json "allowScripts": {...} block');
  return JSON.parse(block[1].replace(/<version>/g, pkg.version));
})();
/** The tarball's entry, for a tarball in `dir`. */
const allowTarball = (dir: string) =>
  Object.fromEntries(
    Object.entries(ALLOW_SCRIPTS)
      .filter(([key]) => key.startsWith("file:"))
      .map(([key, value]) => [key.replace("/ABSOLUTE/PATH/TO", dir), value]),
  );

/** The major of the running Node is one that engines.node admits (then npm must print no warning). */
const supportedNode = pkg.engines.node
  .split("||")
  .map((r: string) => Number(/\^(\d+)\./.exec(r.trim())?.[1]))
  .includes(Number(process.versions.node.split(".")[0]));

/** npm's warnings that a supported Node must never see: engines, devEngines, unreviewed install scripts. */
const npmWarnings = (output: string) => output.split("\n").filter((l) => /EBADENGINE|EBADDEVENGINES|install-scripts/.test(l));

/** Runs an install line with sh in `cwd`; its output. */
function install(line: string, cwd: string): string {
  const run = spawnSync("sh", ["-c", line], { cwd, env: npmEnv, encoding: "utf8" });
  const output = run.stdout + run.stderr;
  if (run.status !== 0) throw new Error(`${line}\nexited with ${run.status}:\n${output}`);
  return output;
}

let work: string;
let clone: string;
let consumer: string;
let tarball: string;
let tarballInstallOutput: string;

beforeAll(() => {
  work = tempDir("cdktf-cilium-consumer-");
  // A clean clone beside the app, as README's tarball line expects: the tracked files only, no dist/.
  clone = path.join(work, "cdktf-cilium");
  for (const file of execFileSync("git", ["ls-files"], { cwd: repo, encoding: "utf8" }).split("\n").filter(Boolean)) {
    mkdirSync(path.dirname(path.join(clone, file)), { recursive: true });
    cpSync(path.join(repo, file), path.join(clone, file));
  }
  symlinkSync(path.join(repo, "node_modules"), path.join(clone, "node_modules"));
  expect(existsSync(path.join(clone, "dist"))).toBe(false);
  tarball = path.join(clone, execFileSync(npm, ["pack", "--silent"], { cwd: clone, encoding: "utf8" }).trim().split("\n").pop() as string);
  expect(path.basename(tarball)).toBe(`cdktf-cilium-${pkg.version}.tgz`);
  consumer = path.join(work, "my-app");
  mkdirSync(consumer);
  const allowScripts = allowTarball(work);
  expect(Object.keys(allowScripts)).toEqual([`file:${tarball}`]);
  writeFileSync(
    path.join(consumer, "package.json"),
    JSON.stringify({ name: "consumer-app", version: "1.0.0", private: true, allowScripts }, null, 2),
  );
  tarballInstallOutput = install(TARBALL_LINE, consumer);
});

test("README's install lines: no `npm install cdktf-cilium`; git from the repository at a tag; the tarball; the peer dependencies", () => {
  expect(readme).not.toMatch(/^npm install cdktf-cilium\b/m);
  expect(landing).not.toMatch(/^npm install cdktf-cilium\b/m);
  expect(landing).toContain(GIT_LINE);
  const repository = pkg.repository.url.replace(/^git\+/, "");
  expect(GIT_LINE.startsWith(`npm install git+${repository}#v`)).toBe(true);
  expect(readme).toContain(`git clone --branch ${/#(v[0-9.]+) /.exec(GIT_LINE)?.[1]} ${repository}`);
  expect(pkg.homepage).toBe(`${repository.replace(/\.git$/, "")}#readme`);
  for (const line of [GIT_LINE, TARBALL_LINE]) {
    const specs = line.replace(/\\\n/g, " ").split(/\s+/).slice(3);
    // The required peers; an optional one (@jest/expect, for cdktf-cilium/testing) is the app's choice.
    const optional = (name: string) => pkg.peerDependenciesMeta?.[name]?.optional === true;
    expect(specs.map((s) => s.replace(/@[^@]*$/, "")).sort()).toEqual(
      Object.keys(pkg.peerDependencies)
        .filter((p) => !optional(p))
        .sort(),
    );
  }
  const help = readFileSync(path.join(repo, "help"), "utf8");
  expect(help).toContain(GIT_LINE.split(" \\")[0].replace(/ cdktf@.*/, ""));
  expect(help).toContain("npm install ../cdktf-cilium/cdktf-cilium-*.tgz");
});

test("npm publish is refused, also without scripts; npm pack is not", () => {
  const publish = spawnSync(npm, ["publish", "--dry-run"], { cwd: clone, env: npmEnv, encoding: "utf8" });
  expect(publish.status).not.toBe(0);
  expect(publish.stderr).toContain("cdktf-cilium is not published on npm (the name is unclaimed there): npm publish is disabled.");
  // --force skips the registry lookup, so libnpmpublish's own check answers before anything is sent.
  const noScripts = spawnSync(
    npm,
    ["publish", "--ignore-scripts", "--force", "--registry", "http://127.0.0.1:9/", "--//127.0.0.1:9/:_authToken=dummy"],
    { cwd: clone, env: npmEnv, encoding: "utf8", timeout: 60000 },
  );
  expect(noScripts.status).not.toBe(0);
  expect(noScripts.stderr).toContain("npm error code EPRIVATE");
  expect(existsSync(tarball)).toBe(true);
});

test("on a supported Node, installing the tarball prints no engines or install-script warning", () => {
  if (!supportedNode)
    console.warn(`Node ${process.versions.node} is not admitted by engines.node (${pkg.engines.node}): npm's warnings are expected here`);
  else expect(npmWarnings(tarballInstallOutput)).toEqual([]);
});

test("README's git line from a git+file:// clone: npm builds dist/ there through `prepare` (dist/ is not in git)", () => {
  const repoDir = path.join(work, "git-origin");
  cpSync(clone, repoDir, { recursive: true, filter: (src) => !/\/(node_modules|dist)$|\.tgz$/.test(src) });
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.invalid", ...args], { cwd: repoDir, stdio: "pipe" });
  git("init", "-q");
  git("add", "-A");
  git("commit", "-q", "-m", "the tracked files");
  const tag = /#(v[0-9.]+) /.exec(GIT_LINE)?.[1] as string;
  git("tag", tag);
  expect(execFileSync("git", ["ls-files", "dist"], { cwd: repoDir, encoding: "utf8" })).toBe("");
  const app = path.join(work, "git-app");
  mkdirSync(app);
  // README's entry for the git line, with the same URL substitution as the line itself.
  const repository = `git+${pkg.repository.url.replace(/^git\+/, "")}`;
  expect(ALLOW_SCRIPTS[repository]).toBe(true);
  writeFileSync(
    path.join(app, "package.json"),
    JSON.stringify({ name: "git-app", version: "1.0.0", private: true, allowScripts: { [`git+file://${repoDir}`]: true } }, null, 2),
  );
  const output = install(GIT_LINE.replace(/git\+https:\/\/\S+\.git#/, `git+file://${repoDir}#`), app);
  const installed = path.join(app, "node_modules", "cdktf-cilium");
  for (const built of [
    "dist/lib/index.js",
    "dist/lib/index.d.ts",
    "dist/check/webhook-check.js",
    ...SUPPORTED_CILIUM_LINES.map((line) => `dist/vendor/${line}/cilium-policy-validator.js`),
  ]) {
    expect(existsSync(path.join(installed, built))).toBe(true);
  }
  const load = spawnSync(process.execPath, ["-e", "console.log(typeof require('cdktf-cilium').CiliumPlatform)"], {
    cwd: app,
    encoding: "utf8",
  });
  expect(load.stdout.trim()).toBe("function");
  if (supportedNode) expect(npmWarnings(output)).toEqual([]);
});

test("the tarball (packed from a clean clone: prepare builds) ships the library, the bundled check and validators, the schema, the policy sets, LICENSE, README and help; not the sources", () => {
  const files = execFileSync("tar", ["tzf", tarball], { encoding: "utf8" }).split("\n").filter(Boolean);
  for (const f of [
    "dist/lib/index.js",
    "dist/lib/index.d.ts",
    "dist/check/webhook-check.js",
    ...SUPPORTED_CILIUM_LINES.flatMap((line) => [
      `dist/vendor/${line}/cilium-policy-validator.js`,
      `dist/vendor/${line}/cilium-values-validator.js`,
      `schemas/cilium/${line}/values.schema.json`,
      `schemas/cilium/${line}/ciliumnetworkpolicies.yaml`,
      `schemas/cilium/${line}/ciliumclusterwidenetworkpolicies.yaml`,
    ]),
    "schemas/cilium/README.md",
    "schemas/cilium/values-keys-1.19-to-1.20.md",
    "LICENSE",
    "policies/allow-all/kube-system-allow-all-egress.yaml",
    "policies/least-privilege/cert-manager-webhook-from-apiserver.yaml",
    "README.md",
    "docs/cilium.md",
    "docs/webhook-check.md",
    "docs/api/index.md",
    "help",
  ]) {
    expect(files).toContain(`package/${f}`);
  }
  expect(files.filter((f) => /\.ts$/.test(f) && !f.endsWith(".d.ts"))).toEqual([]);
  expect(files.filter((f) => f.includes("__tests__") || f.startsWith("package/dist/main"))).toEqual([]);
});

test("a consumer imports it, type-checks, and synthesizes two clusters in one stack, one platform per stack, and cert-manager before the check", async () => {
  writeFileSync(
    path.join(consumer, "stack.ts"),
    `import { Release } from "@cdktf/provider-helm/lib/release";
import { App, TerraformStack } from "cdktf";
import { CiliumPlatform, ClusterProviders, PolicyValidationError, type KubeAccess } from "cdktf-cilium";

const app = new App(); // outdir from CDKTF_OUTDIR

// Two clusters in one stack: each with its own (aliased) providers.
const both = new TerraformStack(app, "two-clusters");
for (const name of ["east", "west"]) {
  const access: KubeAccess = { kubeconfigPaths: ["~/.kube/config"], context: \`admin@\${name}\` };
  const cluster = new ClusterProviders(both, \`cluster-\${name}\`, access);
  // cert-manager in the same stack: the check runs after it; it waits for the CNI.
  const platform = new CiliumPlatform(both, \`cilium-\${name}\`, { cluster, release: { talos: true }, policySet: "allow-all" });
  const certManager = new Release(both, \`cert-manager-\${name}\`, {
    provider: cluster.helm,
    name: "cert-manager",
    repository: "https://charts.jetstack.io",
    chart: "cert-manager",
    version: "v1.19.1",
    namespace: "cert-manager",
    createNamespace: true,
    set: [{ name: "crds.enabled", value: "true" }],
    dependsOn: [platform.release.helmRelease],
  });
  platform.check?.runAfter(certManager);
}

// One platform in each of two stacks (clusters where Cilium already runs: its CRDs exist at plan).
for (const name of ["north", "south"]) {
  const stack = new TerraformStack(app, name);
  const cluster = new ClusterProviders(stack, "providers", { context: \`admin@\${name}\` });
  new CiliumPlatform(stack, "cilium", { cluster, policySet: "least-privilege", singleStackOnPurpose: true });
}
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
  const elsewhere = tempDir("elsewhere-");
  const outdir = path.join(consumer, "cdktf.out");
  const run = spawnSync(process.execPath, [path.join(consumer, "out-js", "stack.js")], {
    cwd: elsewhere,
    encoding: "utf8",
    env: { ...process.env, CDKTF_OUTDIR: outdir },
  });
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  expect(readdirSync(elsewhere)).toEqual([]);

  const stackDir = path.join(outdir, "stacks", "two-clusters");
  const json = JSON.parse(readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8"));
  expect(json.provider.helm.map((p: { alias: string }) => p.alias).sort()).toEqual(["cluster_east", "cluster_west"]);
  expect(Object.keys(json.resource.helm_release)).toHaveLength(4);
  const checks = Object.values(resourcesOf(json, "null_resource"));
  expect(checks).toHaveLength(2);
  for (const c of checks) {
    expect(existsSync(path.join(stackDir, c.provisioner[0]["local-exec"].command))).toBe(true);
    expect((c.depends_on ?? []).some((d: string) => d.startsWith("helm_release.cert-manager-"))).toBe(true);
  }
  requireTerraform("loading the consumer's stacks");
  for (const stack of ["two-clusters", "north", "south"]) {
    const errors = await initErrors(path.join(outdir, "stacks", stack));
    expect({ stack, errors: errors.filter((e) => e !== "Failed to query available provider packages") }).toEqual({ stack, errors: [] });
    expect(errors.length).toBeGreaterThan(0);
  }
});

/**
 * cdktf's TypeScript project template's tsconfig.json, as `cdktf init --template=typescript`
 * writes it (hashicorp/terraform-cdk, packages/@cdktf/cli-core/templates/typescript/tsconfig.json
 * at 09a973c29c77e4ff0e0491004df3c7e9982c90df): "module": "CommonJS" and no moduleResolution,
 * which TypeScript before 6.0 resolves with its Node10 rules, blind to package.json `exports`.
 */
const CDKTF_TEMPLATE_TSCONFIG = {
  compilerOptions: {
    alwaysStrict: true,
    declaration: true,
    experimentalDecorators: true,
    inlineSourceMap: true,
    inlineSources: true,
    lib: ["es2018"],
    module: "CommonJS",
    noEmitOnError: true,
    noFallthroughCasesInSwitch: true,
    noImplicitAny: true,
    noImplicitReturns: true,
    noImplicitThis: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    resolveJsonModule: true,
    strict: true,
    strictNullChecks: true,
    strictPropertyInitialization: true,
    stripInternal: true,
    target: "ES2018",
    incremental: true,
    skipLibCheck: true,
  },
  include: ["**/*.ts"],
  exclude: ["node_modules", "cdktf.out"],
};
/** The TypeScript that cdktf apps made from the template use today, installed for the test below. */
const TYPESCRIPT_5 = "typescript@5.9.3";

test("cdktf-cilium/testing type-checks in an app made from cdktf's template (TypeScript 5.9, Node10 resolution) and under nodenext", () => {
  // A jest test in the app, as docs/proof.md shows it; the app has jest's types, as the template's does.
  const app = path.join(consumer, "matchers-app");
  mkdirSync(path.join(app, "node_modules", "@types"), { recursive: true });
  symlinkSync(path.join(consumer, "node_modules", "cdktf-cilium"), path.join(app, "node_modules", "cdktf-cilium"));
  symlinkSync(path.join(repo, "node_modules", "@types", "jest"), path.join(app, "node_modules", "@types", "jest"));
  for (const dep of ["cdktf", "constructs", "@cdktf"])
    symlinkSync(path.join(consumer, "node_modules", dep), path.join(app, "node_modules", dep));
  writeFileSync(
    path.join(app, "matchers.test.ts"),
    `import { App, TerraformStack } from "cdktf";
import { NetworkPolicies } from "cdktf-cilium";
import "cdktf-cilium/testing";

const stack = new TerraformStack(new App(), "policies");
const policies = new NetworkPolicies(stack, "policies", { directories: [] });
const webhookPods = { namespace: "cert-manager", labels: { "app.kubernetes.io/name": "webhook" } };

test("the API server reaches the webhook", () => {
  expect(policies).toAllowPath({ from: { entity: "kube-apiserver" }, to: webhookPods, protocol: "TCP", port: 10250 });
  expect(stack).toDenyPath({ from: { entity: "world" }, to: webhookPods, port: 10250 });
});
`,
  );
  const typescript5 = tempDir("typescript-5-");
  install(`npm install --no-save --prefix . ${TYPESCRIPT_5}`, typescript5);
  const tsc = (bin: string, config: object) => {
    writeFileSync(path.join(app, "tsconfig.json"), JSON.stringify(config, null, 2));
    const run = spawnSync(process.execPath, [bin, "-p", app, "--noEmit", "--incremental", "false"], { encoding: "utf8" });
    return { status: run.status, output: run.stdout + run.stderr };
  };
  expect(tsc(path.join(typescript5, "node_modules", "typescript", "bin", "tsc"), CDKTF_TEMPLATE_TSCONFIG)).toEqual({
    status: 0,
    output: "",
  });
  // TypeScript 6 and later include no @types package unless `types` names it.
  const nodenext = {
    ...CDKTF_TEMPLATE_TSCONFIG,
    compilerOptions: { ...CDKTF_TEMPLATE_TSCONFIG.compilerOptions, module: "nodenext", types: ["jest"] },
  };
  expect(tsc(path.join(repo, "node_modules", "typescript", "bin", "tsc"), nodenext)).toEqual({ status: 0, output: "" });
});

test("the examples/ apps compile and synthesize against the installed tarball; every depends_on is valid and Terraform loads every stack", async () => {
  // The same files npm test runs against dist/ (they import cdktf-cilium by name). An importer's
  // app has @types/node (process.env, require.main); installed only now, after the test above
  // proved the library's own declarations do not need it.
  const types = `@types/node@${(pkg.devDependencies as Record<string, string>)["@types/node"]}`;
  execFileSync(npm, ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", types], {
    cwd: consumer,
    stdio: "pipe",
  });
  const examples = readdirSync(path.join(repo, "examples")).filter((f) => f.endsWith(".ts"));
  expect(examples.sort()).toEqual(["cert-manager.ts", "one-cluster.ts", "parts.ts", "two-clusters.ts"]);
  mkdirSync(path.join(consumer, "examples"));
  for (const f of examples) cpSync(path.join(repo, "examples", f), path.join(consumer, "examples", f));
  writeFileSync(
    path.join(consumer, "tsconfig.examples.json"),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        module: "nodenext",
        target: "es2022",
        rootDir: "examples",
        outDir: "out-examples",
        skipLibCheck: true,
        types: ["node"],
      },
      include: ["examples/*.ts"],
    }),
  );
  const tsc = spawnSync(path.join(repo, "node_modules", ".bin", "tsc"), ["-p", path.join(consumer, "tsconfig.examples.json")], {
    encoding: "utf8",
  });
  expect(tsc.stdout + tsc.stderr).toBe("");
  for (const f of examples) {
    const outdir = path.join(consumer, `cdktf.out-${f.replace(/\.ts$/, "")}`);
    const run = spawnSync(process.execPath, [path.join(consumer, "out-examples", f.replace(/\.ts$/, ".js"))], {
      cwd: tempDir("elsewhere-"),
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", HOME: tempDir("home-"), CDKTF_OUTDIR: outdir },
    });
    expect({ f, stderr: run.stderr, status: run.status }).toEqual({ f, stderr: "", status: 0 });
    const stacks = readdirSync(path.join(outdir, "stacks"));
    expect(stacks.length).toBeGreaterThanOrEqual(2);
    for (const stack of stacks) {
      const dir = path.join(outdir, "stacks", stack);
      expect({ f, stack, problems: dependsOnProblems(JSON.parse(readFileSync(path.join(dir, "cdk.tf.json"), "utf8"))) }).toEqual({
        f,
        stack,
        problems: [],
      });
      requireTerraform("loading the examples' stacks");
      const errors = await initErrors(dir);
      expect({ f, stack, errors: errors.filter((e) => e !== "Failed to query available provider packages") }).toEqual({
        f,
        stack,
        errors: [],
      });
    }
  }
});

test("every complete ts block of README and docs/*.md compiles and synthesizes against the installed tarball", () => {
  // helpers/markdown.ts: the ```ts blocks not marked `fragment` (docs.test.ts checks each is a
  // whole program). Run after the examples' test, which installed @types/node (process.env).
  const blocks = programs();
  expect(blocks.length).toBeGreaterThanOrEqual(5);
  const dir = path.join(consumer, "doc-blocks");
  mkdirSync(dir);
  const names = blocks.map((b, i) => {
    const name = `${String(i).padStart(2, "0")}-${b.page.replace(/\W+/g, "-")}-${b.line}`;
    writeFileSync(path.join(dir, `${name}.ts`), `// ${b.page}, line ${b.line}\n${b.body}\n`);
    return name;
  });
  writeFileSync(
    path.join(consumer, "tsconfig.docs.json"),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        module: "nodenext",
        target: "es2022",
        rootDir: "doc-blocks",
        outDir: "out-doc-blocks",
        skipLibCheck: true,
        types: ["node"],
      },
      include: ["doc-blocks/*.ts"],
    }),
  );
  const tsc = spawnSync(path.join(repo, "node_modules", ".bin", "tsc"), ["-p", path.join(consumer, "tsconfig.docs.json")], {
    encoding: "utf8",
  });
  expect(tsc.stdout + tsc.stderr).toBe("");
  // The directories the blocks name (policies/, policies/shop with a namespace), as an importer has them.
  const cwd = tempDir("doc-app-");
  mkdirSync(path.join(cwd, "policies", "shop"), { recursive: true });
  writeFileSync(
    path.join(cwd, "policies", "shop", "web.yaml"),
    "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web, namespace: shop}\nspec: {podSelector: {matchLabels: {app: web}}, ingress: [{}]}\n",
  );
  for (const name of names) {
    const outdir = path.join(consumer, `cdktf.out-doc-${name}`);
    const run = spawnSync(process.execPath, [path.join(consumer, "out-doc-blocks", `${name}.js`)], {
      cwd,
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", HOME: tempDir("home-"), CDKTF_OUTDIR: outdir },
    });
    // Nothing but what synthOrExit says it wrote (a block that uses it): no warning, no error.
    const said = run.stderr.split("\n").filter((line) => line !== "" && !/^wrote \S+\/stacks\/[^/]+\/cdk\.tf\.json( \(.*\))?$/.test(line));
    expect({ name, stderr: said, status: run.status }).toEqual({ name, stderr: [], status: 0 });
    const stacks = readdirSync(path.join(outdir, "stacks"));
    expect({ name, stacks: stacks.length > 0 }).toEqual({ name, stacks: true });
    for (const stack of stacks) {
      const json = JSON.parse(readFileSync(path.join(outdir, "stacks", stack, "cdk.tf.json"), "utf8"));
      expect({ name, stack, problems: dependsOnProblems(json) }).toEqual({ name, stack, problems: [] });
    }
  }
});

test("the webhook-check bin is installed", () => {
  const run = spawnSync(path.join(consumer, "node_modules", ".bin", "webhook-check"), ["--help"], { encoding: "utf8" });
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/^Usage: webhook-check/);
});
