// What the repository's scripts keep in step, run as the processes `npm run docs` and
// scripts/cilium-values-diff.mjs are: real processes, so `npm run test:e2e`.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { DEFAULT_CILIUM_VERSION } from "../../lib/cilium/version";

const root = path.join(__dirname, "..", "..");
const read = (file: string) => readFileSync(path.join(root, file), "utf8");

test("README, docs/ and help state the pinned version (npm run docs keeps them in step)", () => {
  const check = spawnSync(process.execPath, [path.join(root, "scripts", "docs.mjs"), "--check"], { encoding: "utf8" });
  expect(check.stderr).toBe("");
  expect(check.status).toBe(0);
  expect(read("help")).toContain(`chart cilium ${DEFAULT_CILIUM_VERSION} from`);
  for (const doc of ["README.md", "docs/cilium.md", "docs/policies.md", "docs/upgrading.md"])
    expect(read(doc)).toContain(`<!-- cilium-version -->\`${DEFAULT_CILIUM_VERSION}\`<!-- /cilium-version -->`);
});

describe("the values keys that differ between the lines (scripts/cilium-values-diff.mjs)", () => {
  const script = path.join(root, "scripts", "cilium-values-diff.mjs");
  /** Runs `code` as an ES module beside the script (jest here loads CommonJS only); its stdout as JSON. */
  const run = (code: string) => {
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8", cwd: root });
    expect(r.stderr).toBe("");
    return JSON.parse(r.stdout);
  };

  test("the generated list is current, and names the documented changes", () => {
    const check = spawnSync(process.execPath, [script, "--check"], { encoding: "utf8" });
    expect(check.stderr).toBe("");
    expect(check.status).toBe(0);
    const text = read("schemas/cilium/values-keys-1.19-to-1.20.md");
    expect(text).toContain("- `clustermesh.enableMCSAPISupport`");
    expect(text).toContain("- `k8sClusterNetworkPolicy`");
    expect(text).toContain("- `hubble.redact.kafka`");
  });

  test("diffKeys lists top keys only and pairs a moved key by its last segment", () => {
    const result = run(
      `import { diffKeys } from ${JSON.stringify(script)};` +
        'console.log(JSON.stringify(diffKeys(new Set(["a", "a.b", "a.b.c", "x", "x.old"]), new Set(["a", "n", "n.m", "x", "x.y", "x.y.old"]))));',
    );
    expect(result).toEqual({ added: ["n", "x.y"], removed: ["a.b", "x.old"], moved: [["x.old", "x.y.old"]] });
  });

  test("valuesKeys walks properties, list items and alternatives", () => {
    const schema = {
      properties: { a: { properties: { b: {} } }, l: { items: { properties: { c: {} } } }, o: { anyOf: [{ properties: { d: {} } }] } },
    };
    const result = run(
      `import { valuesKeys } from ${JSON.stringify(script)}; console.log(JSON.stringify([...valuesKeys(${JSON.stringify(schema)})]));`,
    );
    expect(result.sort()).toEqual(["a", "a.b", "l", "l[].c", "o", "o.d"]);
  });
});
