// Each line's vendored sources against the tag the line's oracle is built from: the policy CRDs
// as the tag's Go package embeds them (the oracle prints them), and the Helm values schema
// as the tag's module zip holds it (no Go package embeds it).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { CILIUM_LINES, SUPPORTED_CILIUM_LINES } from "../../lib/cilium/lines";
import { oracleBin, requireOracle } from "./oracle";

describe.each(SUPPORTED_CILIUM_LINES)("schemas/cilium/%s is what the line's oracle's tag holds", (line) => {
  const dir = path.join(__dirname, "..", "..", "schemas", "cilium", line);
  beforeAll(() => requireOracle());
  test("the oracle is built from the tag the line vendors", () => {
    const goMod = readFileSync(path.join(__dirname, "..", "..", "test", `cilium-oracle-${line}`, "go.mod"), "utf8");
    expect(goMod).toMatch(new RegExp(`github\\.com/cilium/cilium ${CILIUM_LINES[line].vendoredTag.replace(/\./g, "\\.")}\\b`));
  });
  test("the policy CRDs are those pkg/k8s/apis/cilium.io/client embeds", () => {
    const r = spawnSync(oracleBin(line), ["--print-crds"], { encoding: "utf8", maxBuffer: 1 << 28 });
    expect(r.status).toBe(0);
    const embedded = JSON.parse(r.stdout) as Record<string, { spec: unknown; metadata: { name: string } }>;
    for (const file of ["ciliumnetworkpolicies.yaml", "ciliumclusterwidenetworkpolicies.yaml"]) {
      const vendored = parse(readFileSync(path.join(dir, file), "utf8"));
      expect(vendored.metadata.name).toBe(embedded[file].metadata.name);
      // Through JSON both ways: Go omits empty fields the YAML may spell out.
      expect(JSON.parse(JSON.stringify(vendored.spec))).toEqual(embedded[file].spec);
    }
  });
  test("the values schema is the tag's install/kubernetes/cilium/values.schema.json", () => {
    const modCache = spawnSync("go", ["env", "GOMODCACHE"], { encoding: "utf8" }).stdout.trim();
    const tag = CILIUM_LINES[line].vendoredTag;
    const fromTag = readFileSync(
      path.join(modCache, `github.com/cilium/cilium@${tag}`, "install", "kubernetes", "cilium", "values.schema.json"),
    );
    const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
    expect(sha(readFileSync(path.join(dir, "values.schema.json")))).toBe(sha(fromTag));
  });
});
