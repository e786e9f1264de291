// Policy files judged by the NetworkPolicies construct, for the tests of real input: the
// synthesized Terraform JSON, or the problems of a refusal as `file#document field: message`.
import { TerraformStack } from "cdktf";
import { NetworkPolicies, type NetworkPoliciesProps, PolicyValidationError } from "../../lib";
import { policyDir } from "./policy-dirs";
import { synthStack, type TerraformJson, testApp } from "./synth";

export const np = (spec: string, meta = "  name: p\n  namespace: ns\n") =>
  `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n${meta}spec:\n${spec}`;
export const cnp = (spec: string, meta = "  name: c\n  namespace: ns\n") =>
  `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n${meta}spec:\n${spec}`;

export function synth(files: Record<string, string>, props: Omit<NetworkPoliciesProps, "directories"> = {}): TerraformJson {
  const dir = policyDir(files);
  return synthStack((s) => new NetworkPolicies(s, "policies", { directories: [dir], ...props }));
}

export function problems(files: Record<string, string>, props: NetworkPoliciesProps = {}): string[] {
  const dir = policyDir(files);
  try {
    new NetworkPolicies(new TerraformStack(testApp(), "test"), "policies", { directories: [dir], ...props });
  } catch (err) {
    if (!(err instanceof PolicyValidationError)) throw new Error(`not a PolicyValidationError: ${(err as Error).stack}`);
    return err.problems.map((p) => `${p.file.split("/").pop()}#${p.document} ${p.field}: ${p.message}`);
  }
  throw new Error("expected the policies to be refused");
}
