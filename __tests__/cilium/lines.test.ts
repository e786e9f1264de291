// Both supported Cilium lines: each one home of facts (lib/cilium/lines.ts, version.ts), a
// release of either judged by its own line's values schema, a version of another line refused
// unless allowUnsupportedVersion, and Renovate keeping each pin within its line.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { TerraformStack } from "cdktf";
import { CiliumRelease, type CiliumReleaseProps } from "../../lib";
import { validateCiliumValues } from "../../lib/cilium/values-schema";
import {
  CILIUM_LINES,
  CILIUM_PINS,
  type CiliumLine,
  DEFAULT_CILIUM_LINE,
  lineOfVersion,
  readCiliumLine,
  SUPPORTED_CILIUM_LINES,
} from "../../lib/cilium/lines";
import { TALOS_DNS_PRESET, TALOS_PRESET } from "../../lib/cilium/values";
import { DEFAULT_CILIUM_VERSION } from "../../lib/cilium/version";
import { testApp, warningsOf } from "../helpers/synth";

const root = path.join(__dirname, "..", "..");
const read = (file: string) => readFileSync(path.join(root, file), "utf8");

function make(props: CiliumReleaseProps): CiliumRelease {
  return new CiliumRelease(new TerraformStack(testApp(), "test"), "cilium", props);
}

function refusal(props: CiliumReleaseProps): string {
  try {
    make(props);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected CiliumRelease to refuse these props");
}

describe.each(SUPPORTED_CILIUM_LINES)("the %s line", (line: CiliumLine) => {
  const facts = CILIUM_LINES[line];

  test("its pin is an exact patch of the line, and a release of it uses the line's facts", () => {
    expect(facts.pin).toMatch(new RegExp(`^${line.replace(".", "\\.")}\\.\\d+$`));
    const release = make({ version: facts.pin, talos: true });
    expect(release.line).toBe(line);
    expect(release.chartVersion).toBe(facts.pin);
  });

  test("any patch or prerelease of the line is accepted as its line", () => {
    expect(make({ version: `${line}.0` }).line).toBe(line);
    expect(make({ version: `${line}.0-rc.1` }).line).toBe(line);
    expect(make({ version: `v${line}.1` }).line).toBe(line);
  });

  test("every key the Talos preset writes is in the line's chart schema", () => {
    const preset = { ...TALOS_PRESET, ...TALOS_DNS_PRESET, ...facts.talosPresetDifferences } as Record<string, unknown>;
    expect(validateCiliumValues(preset, { line })).toEqual([]);
  });

  test("the schema README records the line's tag and each vendored file's sha256", () => {
    const readme = read("schemas/cilium/README.md");
    const start = readme.indexOf(`### \`${line}/\` (the ${line} line, pin \`${facts.pin}\`)`);
    expect(start).toBeGreaterThan(0);
    const section = readme.slice(start, readme.indexOf("\n#", start + 1));
    expect(section).toContain(`| tag                 | \`${facts.vendoredTag}\``);
    for (const f of ["values.schema.json", "ciliumnetworkpolicies.yaml", "ciliumclusterwidenetworkpolicies.yaml"])
      expect(section).toContain(
        createHash("sha256")
          .update(readFileSync(path.join(root, "schemas", "cilium", line, f)))
          .digest("hex"),
      );
  });
});

describe("values are judged by their line's chart schema", () => {
  test("a key only the 1.20 chart has is refused under 1.19, naming the line, and accepted under 1.20", () => {
    const values = { k8sClusterNetworkPolicy: { enabled: true } };
    expect(refusal({ version: CILIUM_PINS["1.19"], values })).toMatch(
      /values\.k8sClusterNetworkPolicy: unknown key "k8sClusterNetworkPolicy".*\(Cilium 1\.19 chart schema\)/,
    );
    expect(make({ version: CILIUM_PINS["1.20"], values }).values).toMatchObject(values);
  });

  test("a key the 1.20 chart removed is accepted under 1.19 and refused under 1.20", () => {
    const values = { clustermesh: { enableMCSAPISupport: true } };
    expect(make({ version: CILIUM_PINS["1.19"], values }).values).toMatchObject(values);
    expect(refusal({ version: CILIUM_PINS["1.20"], values })).toMatch(
      /values\.clustermesh\.enableMCSAPISupport: unknown key .*\(Cilium 1\.20 chart schema\)/,
    );
  });

  test("a policyCIDRMatchMode the line's agent does not know is refused: pods under 1.19", () => {
    // pkg/option/config.go validatePolicyCIDRMatchMode: v1.19.7 knows nodes, v1.20.2 nodes and pods.
    expect(refusal({ version: CILIUM_PINS["1.19"], values: { policyCIDRMatchMode: ["nodes", "pods"] } })).toMatch(
      /values\.policyCIDRMatchMode: "pods" is not a mode the Cilium 1\.19 agent knows \(nodes\): the agent would refuse it and not start/,
    );
    expect(make({ version: CILIUM_PINS["1.20"], values: { policyCIDRMatchMode: "nodes pods" } }).values).toMatchObject({
      policyCIDRMatchMode: "nodes pods",
    });
  });

  test("validateCiliumValues takes the line, the default line without one, and refuses another", () => {
    const values = { k8sClusterNetworkPolicy: { enabled: true } };
    expect(validateCiliumValues(values, { line: "1.20" })).toEqual([]);
    expect(validateCiliumValues(values, { line: "1.19" })).toHaveLength(1);
    expect(validateCiliumValues(values)).toEqual(validateCiliumValues(values, { line: DEFAULT_CILIUM_LINE }));
    expect(() => validateCiliumValues(values, { line: "1.18" as CiliumLine })).toThrow(/line must be one of 1\.19, 1\.20, got "1\.18"/);
  });
});

describe("a version of another line", () => {
  test("is refused, naming the supported lines and the way out", () => {
    expect(refusal({ version: "1.18.14" })).toMatch(
      /version "1\.18\.14" is of Cilium 1\.18, which this module does not support; supported lines: 1\.19, 1\.20 .*allowUnsupportedVersion: true/,
    );
    expect(refusal({ version: "1.21.0" })).toMatch(/is of Cilium 1\.21, which this module does not support/);
  });

  test("with allowUnsupportedVersion, is installed with the nearest line's facts and a warning", () => {
    const older = make({ version: "1.18.14", allowUnsupportedVersion: true });
    expect(older.line).toBe("1.19");
    expect(older.chartVersion).toBe("1.18.14");
    expect(warningsOf(older).join("\n")).toMatch(/version "1\.18\.14" is of Cilium 1\.18, not a supported line; judged by the 1\.19 line/);
    expect(make({ version: "1.21.3", allowUnsupportedVersion: true }).line).toBe("1.20");
    expect(make({ version: "2.0.0", allowUnsupportedVersion: true }).line).toBe("1.20");
  });

  test("lineOfVersion reads the line, or the nearest, and nothing from a range", () => {
    expect(lineOfVersion("1.20.2")).toEqual({ supported: true, line: "1.20" });
    expect(lineOfVersion("1.17.0")).toEqual({ supported: false, minor: "1.17", nearest: "1.19" });
    expect(lineOfVersion("^1.20")).toBeUndefined();
  });

  test("readCiliumLine accepts a line or an exact version of one, and names the lines otherwise", () => {
    expect(readCiliumLine(undefined, "f")).toBe(DEFAULT_CILIUM_LINE);
    expect(readCiliumLine("1.20", "f")).toBe("1.20");
    expect(readCiliumLine("1.19.3", "f")).toBe("1.19");
    for (const bad of ["1.18", "1.21.0", 1.2, "latest"])
      expect(() => readCiliumLine(bad, "f")).toThrow(
        /^f must be a supported Cilium line \(1\.19, 1\.20\) or an exact chart version of one/,
      );
  });
});

describe("the pins: one home each (lib/cilium/version.ts), Renovate keeps each within its line", () => {
  test("the default version is the default line's pin", () => {
    expect(DEFAULT_CILIUM_VERSION).toBe(CILIUM_PINS[DEFAULT_CILIUM_LINE]);
  });

  test("one regex manager per line captures that line's pin, and a rule keeps it in the line", () => {
    const renovate = JSON.parse(read("renovate.json"));
    const source = read("lib/cilium/version.ts");
    const captured = (renovate.customManagers as Array<{ matchStrings: string[] }>).flatMap((m) =>
      [...source.matchAll(new RegExp(m.matchStrings[0], "g"))].map((x) => x.groups?.currentValue),
    );
    expect(captured).toEqual(SUPPORTED_CILIUM_LINES.map((l) => CILIUM_PINS[l]));
    for (const line of SUPPORTED_CILIUM_LINES) {
      const rule = (renovate.packageRules as Array<{ matchCurrentValue?: string; allowedVersions?: string }>).find(
        (r) => r.matchCurrentValue === `/^${line.replace(".", "\\.")}\\./`,
      );
      expect(rule?.allowedVersions).toBe(`/^${line.replace(".", "\\.")}\\.\\d+$/`);
    }
  });
});
