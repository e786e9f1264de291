// Moving a cluster from Cilium 1.19 to 1.20 with this module (docs/upgrading.md, "From Cilium 1.19
// to 1.20"): the dev app synthesized on the 1.19 line, then with its version bumped to the 1.20
// line, and the two Terraform documents compared address by address.
import { Testing } from "cdktf";
import { parse } from "yaml";
import { CILIUM_PINS } from "../../lib/cilium/lines";
import { buildApp } from "../../main";
import { tempDir } from "../helpers/temp";

type Resources = Record<string, Record<string, Record<string, unknown>>>;

/** Every resource of each stack as `type.name` -> its config, with the check asset's hash masked. */
function synthesize(env: NodeJS.ProcessEnv): Record<string, Record<string, Record<string, unknown>>> {
  const built = buildApp(env, tempDir("out-"));
  return Object.fromEntries(
    built.stacks.map((stack) => {
      const resources = (JSON.parse(Testing.synth(stack)).resource ?? {}) as Resources;
      const flat = Object.entries(resources).flatMap(([type, byName]) =>
        Object.entries(byName).map(([name, config]) => [`${type}.${name}`, config] as const),
      );
      return [stack.node.id, Object.fromEntries(flat)];
    }),
  );
}

/** The top-level-to-leaf key paths whose values differ between two values documents. */
function changedKeys(a: unknown, b: unknown, at = ""): string[] {
  const isMap = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  if (isMap(a) && isMap(b))
    return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort().flatMap((k) => changedKeys(a[k], b[k], at ? `${at}.${k}` : k));
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [at];
}

const on119 = () => synthesize({ CILIUM_VERSION_DEV: "1.19" });
const on120 = () => synthesize({ CILIUM_VERSION_DEV: "1.20" });

describe("the dev app from Cilium 1.19 to 1.20", () => {
  test("the release changes its chart version in place, at the same address", () => {
    const [a, b] = [on119(), on120()];
    expect(Object.keys(b["dev-cilium"])).toEqual(Object.keys(a["dev-cilium"]));
    const release = "helm_release.cilium_release_691669B7";
    expect(a["dev-cilium"][release].version).toBe(CILIUM_PINS["1.19"]);
    expect(b["dev-cilium"][release].version).toBe(CILIUM_PINS["1.20"]);
  });

  test("the values the module writes are the same on both lines (the Talos preset has no line differences)", () => {
    const values = (s: ReturnType<typeof synthesize>) =>
      parse(((s["dev-cilium"]["helm_release.cilium_release_691669B7"].values as string[]) ?? [])[0] ?? "");
    const a = on119();
    expect(changedKeys(values(a), values(on120()))).toEqual([]);
  });

  test("no policy is replaced or changed; the check's proof names the new line, so the check runs again", () => {
    const [a, b] = [on119(), on120()];
    expect(Object.keys(b.dev)).toEqual(Object.keys(a.dev));
    const changed = Object.keys(a.dev).filter((address) => JSON.stringify(a.dev[address]) !== JSON.stringify(b.dev[address]));
    expect(changed.filter((address) => !address.startsWith("null_resource."))).toEqual([]);
    expect(changed).toHaveLength(1);
    const proof = (s: ReturnType<typeof synthesize>) =>
      JSON.parse(JSON.parse(String((s.dev[changed[0]].triggers as Record<string, string>).check_settings)).WEBHOOK_CHECK_PROOF);
    expect(proof(a).cilium.version).toBe("1.19");
    expect(proof(b).cilium.version).toBe("1.20");
    expect({ ...proof(b), cilium: { ...proof(b).cilium, version: "1.19" } }).toEqual(proof(a));
  });
});
