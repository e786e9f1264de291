/**
 * Cilium policies judged by one line's CRDs through the NetworkPolicies construct, for the CRD
 * suites (policies/cilium-crd*.test.ts): problems, warnings and what is synthesized.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { TerraformStack, Testing } from "cdktf";
import { parse } from "yaml";
import { NetworkPolicies, type NetworkPoliciesProps, type PolicyWarning, PolicyValidationError } from "../../lib";
import type { CiliumLine } from "../../lib/cilium/lines";
import { policyDir } from "./policy-dirs";
import { printedWarnings, resourcesOf, testApp } from "./synth";

const root = path.join(__dirname, "..", "..");

// Parsed once per file and line: a CRD is large, and parsing it again in each test was a
// quarter of the CRD suite's time. The tests only read it.
const crdSchemas = new Map<string, any>();

export interface Outcome {
  problems: string[];
  warnings: string[];
  manifests: Record<string, any>[];
  policies: Record<string, any>[];
}

/** The CRD suites' helpers for `line`. */
export function crdJudge(line: CiliumLine) {
  const crdSchema = (file: string) => {
    const key = `${line}/${file}`;
    if (!crdSchemas.has(key))
      crdSchemas.set(
        key,
        parse(readFileSync(path.join(root, "schemas", "cilium", line, file), "utf8")).spec.versions[0].schema.openAPIV3Schema,
      );
    return crdSchemas.get(key);
  };

  /**
   * Runs the construct over YAML files; problems as `file#doc field: message`, warnings as printed
   * on stderr (`warning: test/policies: ` taken off).
   * `synth`: read the documents from the synthesized Terraform JSON (else from the construct, faster).
   */
  function judge(files: Record<string, string>, props: Omit<NetworkPoliciesProps, "directories"> = {}, synth = false): Outcome {
    const dir = policyDir(files);
    const stack = new TerraformStack(testApp(), "test");
    try {
      let policies: NetworkPolicies | undefined;
      const printed = printedWarnings(() => {
        policies = new NetworkPolicies(stack, "policies", { directories: [dir], cilium: { version: line }, ...props });
      });
      if (!policies) throw new Error("unreachable");
      const warnings = printed.map((w) => {
        expect(w.startsWith("warning: test/policies: ")).toBe(true);
        return w.slice("warning: test/policies: ".length);
      });
      if (!synth) {
        const docs = policies.policies.map((p) => JSON.parse(JSON.stringify(p.manifest)) as Record<string, any>);
        return {
          problems: [],
          warnings,
          manifests: docs.filter((d) => d.apiVersion === "cilium.io/v2"),
          policies: docs.filter((d) => d.apiVersion !== "cilium.io/v2"),
        };
      }
      const json = JSON.parse(Testing.synth(stack));
      const manifests = Object.values(resourcesOf(json, "kubernetes_manifest")).map((r) => r.manifest as Record<string, any>);
      return { problems: [], warnings, manifests, policies: Object.values(resourcesOf(json, "kubernetes_network_policy_v1")) };
    } catch (err) {
      if (!(err instanceof PolicyValidationError)) throw err;
      return {
        problems: err.problems.map((p) => `${p.file.split("/").pop()}#${p.document} ${p.field}: ${p.message}`),
        warnings: [],
        manifests: [],
        policies: [],
      };
    }
  }

  const cnp = (spec: string, meta = "  name: c\n  namespace: ns\n", extra = "") =>
    `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n${meta}${extra}spec:\n${spec}`;
  const ccnp = (spec: string, meta = "  name: c\n") =>
    `apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata:\n${meta}spec:\n${spec}`;
  const accepted = (o: Outcome) => {
    expect(o.problems).toEqual([]);
    return o;
  };
  const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const refusedAt = (o: Outcome, field: string, message: RegExp) =>
    expect(o.problems).toEqual(
      expect.arrayContaining([expect.stringMatching(new RegExp(`^a\\.yaml#1 ${literal(field)}: ${message.source}`))]),
    );
  const warned = (o: Outcome, id: PolicyWarning, field: string) =>
    expect(o.warnings).toEqual(
      expect.arrayContaining([expect.stringMatching(new RegExp(`a\\.yaml \\(document 1\\) ${literal(field)}: .*\\[${id}:`))]),
    );
  return { judge, crdSchema, cnp, ccnp, accepted, refusedAt, warned };
}
