import { readFileSync } from "node:fs";
import * as path from "node:path";
import { type TerraformStack, Testing } from "cdktf";
import { CILIUM_PINS, SUPPORTED_CILIUM_LINES } from "../../lib/cilium/lines";
import { DEFAULT_CILIUM_VERSION } from "../../lib/cilium/version";
import { buildApp } from "../../main";
import { type DevSynth, synthDev } from "../helpers/dev-synth";
import { networkPolicyYaml, policyDir } from "../helpers/policy-dirs";
import { tempDir } from "../helpers/temp";
import { firstResource } from "../helpers/synth";

// The dev app (main.ts) in-process: what `npm run synth` writes, and how the
// environment configures it. The same synth as a process, from copies of the
// project in other directories, is e2e/dev-stack-synth.test.ts.

const repo = path.resolve(__dirname, "..", "..");

let dev: DevSynth;
beforeAll(() => {
  dev = synthDev();
});

test("the dev environment: the release in dev-cilium; the incident's two policies and the check in dev (snapshots)", () => {
  const json = JSON.parse(dev.json);
  const policies = json.resource.kubernetes_network_policy_v1;
  expect(Object.values(policies).map((p: any) => `${p.metadata.namespace}/${p.metadata.name}:${p.spec.policy_types}`)).toEqual([
    "cert-manager/allow-all-ingress:Ingress",
    "kube-system/allow-all-egress:Egress",
  ]);
  expect(json).toMatchSnapshot();
  expect(JSON.parse(dev.releaseJson)).toMatchSnapshot();
});

describe("one deploy brings up a fresh cluster: dev is planned only after dev-cilium is applied", () => {
  const manifest = () => JSON.parse(readFileSync(path.join(dev.outdir, "manifest.json"), "utf8"));
  const triggers = () => firstResource(JSON.parse(dev.json), "null_resource").triggers;

  test("the manifest orders dev after dev-cilium, which depends on nothing", () => {
    expect({ dev: manifest().stacks.dev.dependencies, release: manifest().stacks["dev-cilium"].dependencies }).toEqual({
      dev: ["dev-cilium"],
      release: [],
    });
  });

  test("the helm_release is in dev-cilium alone", () => {
    expect({ release: Object.keys(JSON.parse(dev.releaseJson).resource), dev: JSON.parse(dev.json).resource.helm_release }).toEqual({
      release: ["helm_release"],
      dev: undefined,
    });
  });

  test("the release keeps the address it had in the one-stack layout of 0.1", () => {
    expect(Object.keys(JSON.parse(dev.releaseJson).resource.helm_release)).toEqual(["cilium_release_691669B7"]);
  });

  // The check still re-runs when the release changes; last_deployed is what a re-install at
  // revision 1 changes (the id and revision stay).
  test.each(["cilium_release_id", "cilium_release_revision", "cilium_release_last_deployed"])(
    "the check's trigger %s comes from dev-cilium's state",
    (trigger) => {
      expect(triggers()[trigger]).toMatch(/^\$\{data\.terraform_remote_state\.cross-stack-reference-input-dev-cilium\.outputs\./);
    },
  );

  test("npm run deploy deploys dev-cilium, then dev", () => {
    const pkg = JSON.parse(readFileSync(path.join(repo, "package.json"), "utf8"));
    expect(pkg.scripts.deploy).toMatch(/cdktf-cli@0\.21\.0 deploy dev-cilium dev$/);
  });
});

test('dev and prod were deployed with 0.1: legacyAddresses "0.1" keeps a moved block per policy from its 0.1 address', () => {
  const built = buildApp({ KUBE_CONTEXT_PROD: "admin@prod" }, tempDir("out-"));
  for (const platform of built.platforms) {
    const json = JSON.parse(Testing.synth(platform.workloadStack));
    const moved = json.moved as Array<{ from: string; to: string }>;
    expect(moved.length).toBe(platform.policies.policies.length);
    for (const m of moved) expect(m.from).toMatch(/^kubernetes_(network_policy_v1|manifest)\.cilium_policies_[A-Za-z]+-/);
  }
  const { ENVIRONMENTS } = require("../../main");
  expect(Object.values(ENVIRONMENTS).map((e: any) => e.legacyAddresses)).toEqual(["0.1", "0.1"]);
});

test("docs/upgrading.md's upgrade notes start with legacyAddresses, and their plan lines name the addresses dev synthesizes", () => {
  const page = readFileSync(path.join(repo, "docs", "upgrading.md"), "utf8");
  const notes = page.slice(page.indexOf("## Upgrade notes (0.1 to 0.2)\n"));
  const first = notes.split("\n").find((line) => line.startsWith("- "));
  expect(first).toBe('- **A 0.1 state must set `legacyAddresses: "0.1"` before the first 0.2 plan** (on');
  const moved = (JSON.parse(dev.json).moved as Array<{ from: string; to: string }>).find((m) => m.to.includes("allow-all-ingress"));
  expect(notes).toContain(`# ${moved?.from} has moved to ${moved?.to}\n  Plan: 0 to add, 0 to change, 0 to destroy.`);
  expect(notes).toContain(`# ${moved?.to} will be created\n    # ${moved?.from} will be destroyed`);
});

const stackOf = (built: { app: { node: { findChild(id: string): unknown } } }, id: string) =>
  built.app.node.findChild(id) as TerraformStack;

test("CILIUM_POLICY_SET selects the least-privilege set; an unknown set is refused", () => {
  const outdir = tempDir("out-");
  const dev = stackOf(buildApp({ CILIUM_POLICY_SET: "least-privilege" }, outdir), "dev");
  expect(Object.keys(JSON.parse(Testing.synth(dev)).resource)).toEqual(["kubernetes_manifest", "null_resource"]);
  expect(() => buildApp({ CILIUM_POLICY_SET: "allow-everything" }, outdir)).toThrow(
    /^dev\/cilium: 1 problem\(s\); nothing was synthesized:\n {2}- policySet "allow-everything" is not a shipped policy set; use one of allow-all, least-privilege/,
  );
});

describe("safe environments", () => {
  test("prod never falls back to the current context: without KUBE_CONTEXT_PROD it is not synthesized, and says so", () => {
    const built = buildApp({}, tempDir("out-"));
    expect(built.platforms.map((p) => p.workloadStack.node.id)).toEqual(["dev"]);
    expect(built.stacks.map((s) => s.node.id)).toEqual(["dev-cilium", "dev"]);
    expect(built.skipped).toEqual([
      "prod: not synthesized: set KUBE_CONTEXT_PROD to its cluster's kubeconfig context (it never uses the current context)",
    ]);
  });

  test("variables are per stack: the plain names apply to dev only", () => {
    const built = buildApp(
      {
        KUBE_CONTEXT: "admin@dev",
        CILIUM_POLICY_SET: "least-privilege",
        KUBE_CONTEXT_PROD: "admin@prod",
        CILIUM_POLICY_SET_PROD: "allow-all",
      },
      tempDir("out-"),
    );
    const [dev, prod] = built.platforms;
    expect([dev.cluster?.access.context, prod.cluster?.access.context]).toEqual(["admin@dev", "admin@prod"]);
    expect(dev.policies.policies.map((p) => p.kind)).toEqual(["CiliumNetworkPolicy"]);
    expect(prod.policies.policies.map((p) => p.kind)).toEqual(["NetworkPolicy", "NetworkPolicy"]);
    const mine = policyDir({ "x.yaml": networkPolicyYaml("dev-only", "shop") });
    const devOnly = buildApp(
      { CILIUM_POLICY_DIRS: mine, KUBE_CONTEXT_PROD: "admin@prod", KUBE_CONTEXT_DEV: "admin@dev2" },
      tempDir("out-"),
    );
    expect(devOnly.platforms[0].cluster?.access.context).toBe("admin@dev2");
    expect(devOnly.platforms[0].policies.policies.map((p) => p.name)).toContain("dev-only");
    expect(devOnly.platforms[1].policies.policies.map((p) => p.name)).not.toContain("dev-only");
  });

  test("a relative KUBECONFIG means the synth directory, written relative to the stack's directory; ~ stays", () => {
    const outdir = path.join(tempDir("out-"), "cdktf.out");
    const built = buildApp({ KUBECONFIG: ["kube/dev.yaml", "~/.kube/config"].join(path.delimiter) }, outdir);
    const expected = path.relative(path.join(outdir, "stacks", "dev"), path.resolve("kube/dev.yaml"));
    const [platform] = built.platforms;
    expect(platform.cluster?.access.kubeconfigPaths).toEqual([expected, "~/.kube/config"]);
    // Each stack relative to its own directory, from the same file (stacks are siblings: the same text).
    const fromRelease = path.relative(path.join(outdir, "stacks", "dev-cilium"), path.resolve("kube/dev.yaml"));
    expect(platform.releaseCluster?.access.kubeconfigPaths).toEqual([fromRelease, "~/.kube/config"]);
    expect(path.resolve(outdir, "stacks", "dev", expected)).toBe(path.resolve("kube/dev.yaml"));
    const json = JSON.parse(Testing.synth(platform.workloadStack));
    expect(firstResource(json, "null_resource").provisioner[0]["local-exec"].environment.KUBECONFIG).toBe(`${expected}:~/.kube/config`);
    expect(json.provider.kubernetes[0].config_paths).toEqual([expected, "~/.kube/config"]);
  });

  test("each stack's state lives at the repository root, and is gitignored", () => {
    expect(JSON.parse(dev.json).terraform.backend.local.path).toBe("../../../terraform.dev.tfstate");
    expect(JSON.parse(dev.releaseJson).terraform.backend.local.path).toBe("../../../terraform.dev-cilium.tfstate");
    expect(readFileSync(path.join(repo, ".gitignore"), "utf8")).toMatch(/^\*\.tfstate$/m);
  });
});

describe("policies/ is what gets deployed", () => {
  const np = (name: string) =>
    `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ${name}\nspec:\n  podSelector: {}\n`;

  test("files directly in policies/ are deployed by every stack, on top of its set; set subdirectories are not pulled in", () => {
    const { summary: summaryOf, REPOSITORY_POLICIES } = require("../../main");
    expect(REPOSITORY_POLICIES).toEqual({ path: path.join(repo, "policies"), recursive: false });
    const root = policyDir({
      "team.yaml": networkPolicyYaml("team-default", "shop"),
      "set/ignored.yaml": networkPolicyYaml("not-deployed", "shop"),
    });
    const built = buildApp({ KUBE_CONTEXT_PROD: "admin@prod" }, tempDir("out-"), { path: root, recursive: false });
    for (const platform of built.platforms) {
      const names = platform.policies.policies.map((p: { name: string }) => p.name);
      expect(names).toContain("team-default");
      expect(names).not.toContain("not-deployed");
    }
    const summary = (name: string) => summaryOf(built.platforms.find((p) => p.workloadStack.node.id === name));
    expect(summary("dev")).toBe(
      `dev: 3 policies from ${path.relative(process.cwd(), path.join(repo, "policies", "allow-all"))}, ${path.relative(process.cwd(), root)} (top level), 12 paths proven`,
    );
    expect(summary("prod")).toMatch(/^prod: 2 policies from .*least-privilege, .* \(top level\), 12 paths proven$/);
  });

  test("the summary names only the directories that gave policies, and counts unknown paths", () => {
    const { summary: summaryOf } = require("../../main");
    const empty = policyDir({ "README.txt": "no policies here\n" });
    const named = policyDir({
      "named-port.yaml": [
        "apiVersion: cilium.io/v2",
        "kind: CiliumNetworkPolicy",
        "metadata: {name: webhook, namespace: cert-manager}",
        "spec:",
        "  endpointSelector: {matchLabels: {app.kubernetes.io/name: webhook}}",
        "  ingressDeny: [{fromEntities: [kube-apiserver], toPorts: [{ports: [{port: https}]}]}]",
        "",
      ].join("\n"),
    });
    const built = buildApp({ CILIUM_POLICY_DIRS: named }, tempDir("out-"), { path: empty, recursive: false });
    const dev = built.platforms.find((p: { workloadStack: { node: { id: string } } }) => p.workloadStack.node.id === "dev");
    expect(summaryOf(dev)).toBe(
      `dev: 3 policies from ${path.relative(process.cwd(), path.join(repo, "policies", "allow-all"))}, ${path.relative(process.cwd(), named)}, 10 paths proven, 2 unknown`,
    );
  });

  test("the summary names a directory given relative to the synth directory, as docs/policies.md writes it", () => {
    const { summary: summaryOf } = require("../../main");
    const shop = path.relative(process.cwd(), policyDir({ "web.yaml": networkPolicyYaml("web", "shop") }));
    const built = buildApp({ CILIUM_POLICY_DIRS: `${shop}=shop` }, tempDir("out-"));
    const dev = built.platforms.find((p: { workloadStack: { node: { id: string } } }) => p.workloadStack.node.id === "dev");
    expect(summaryOf(dev)).toMatch(
      new RegExp(
        `^dev: 3 policies from .*allow-all, ${shop.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} \\(namespace shop\\), 12 paths proven$`,
      ),
    );
  });

  test("CILIUM_POLICY_DIRS=DIR=NAMESPACE:DIR2, and naming policies/ again loads each file once", () => {
    const { parsePolicyDirs } = require("../../main");
    expect(parsePolicyDirs("a=shop:b")).toEqual([{ path: "a", namespace: "shop" }, { path: "b" }]);
    const mine = policyDir({ "x.yaml": np("from-env") });
    const outdir = tempDir("out-");
    const dev = stackOf(
      buildApp({ CILIUM_POLICY_DIRS: [`${mine}=shop`, path.join(repo, "policies")].join(path.delimiter) }, outdir),
      "dev",
    );
    const json = JSON.parse(Testing.synth(dev));
    const byName = Object.fromEntries(
      Object.values(json.resource.kubernetes_network_policy_v1).map((p: any) => [p.metadata.name, p.metadata.namespace]),
    );
    expect(byName).toEqual({ "allow-all-ingress": "cert-manager", "allow-all-egress": "kube-system", "from-env": "shop" });
  });
});

describe("CILIUM_VERSION_<ENV>: the chart version of each environment", () => {
  const releaseOf = (env: NodeJS.ProcessEnv) => {
    const built = buildApp(env, tempDir("out-"));
    return JSON.parse(Testing.synth(stackOf(built, "dev-cilium"))).resource.helm_release.cilium_release_691669B7;
  };

  test("unset: the default pin", () => {
    expect(releaseOf({}).version).toBe(DEFAULT_CILIUM_VERSION);
  });

  test.each(SUPPORTED_CILIUM_LINES)("a line %s means that line's pin, and the dev app synthesizes with it", (line) => {
    expect(releaseOf({ CILIUM_VERSION: line }).version).toBe(CILIUM_PINS[line]);
    expect(releaseOf({ CILIUM_VERSION_DEV: line }).version).toBe(CILIUM_PINS[line]);
  });

  test("an exact version of a supported line is used as written", () => {
    expect(releaseOf({ CILIUM_VERSION_DEV: "1.20.1" }).version).toBe("1.20.1");
  });

  test("another line, or a range, is refused naming the variable and the supported lines", () => {
    expect(() => releaseOf({ CILIUM_VERSION_DEV: "1.18" })).toThrow(
      /CILIUM_VERSION_DEV "1\.18" is neither a supported Cilium line \(1\.19, 1\.20\) nor an exact chart version of one/,
    );
    expect(() => releaseOf({ CILIUM_VERSION_DEV: "1.18.3" })).toThrow(/CILIUM_VERSION_DEV "1\.18\.3" is neither/);
    expect(() => releaseOf({ CILIUM_VERSION_DEV: "^1.20" })).toThrow(/CILIUM_VERSION_DEV "\^1\.20" is neither/);
  });
});
