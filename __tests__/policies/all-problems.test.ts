import * as path from "node:path";
import { TerraformStack } from "cdktf";
import { NetworkPolicies, PolicyValidationError, RequiredPaths } from "../../lib";
import { networkPolicyYaml, policyDir } from "../helpers/policy-dirs";
import { refusalOf, testApp } from "../helpers/synth";

// NetworkPolicies reports every problem of its input in one SynthError: a missing directory
// does not hide a bad silenceWarnings id, a bad document, or a required path named twice.

const missing = () => path.join(policyDir({}), "missing");
const stack = () => new TerraformStack(testApp(), "s");
const PATH = {
  from: { entity: "kube-apiserver" as const },
  to: { namespace: "a", labels: { app: "a" } },
  protocol: "TCP" as const,
  port: 443,
};

test("a missing directory and a bad silenceWarnings id: both in the one error", () => {
  const dir = missing();
  const err = refusalOf(() => new NetworkPolicies(stack(), "p", { directories: [dir], silenceWarnings: ["no-such-warning" as never] }));
  expect(err.lines).toEqual([
    `policy directory ${dir} does not exist or is not a directory`,
    expect.stringMatching(/^silenceWarnings: unknown warning "no-such-warning"; the ids are /),
  ]);
});

test("a missing directory and a bad document of another directory: both in the one error, the document's problem located", () => {
  const dir = missing();
  const bad = policyDir({ "bad.yaml": networkPolicyYaml("bad", "a", "  podSelector: 7\n") });
  const err = refusalOf(() => new NetworkPolicies(stack(), "p", { directories: [dir, bad] }));
  expect(err).toBeInstanceOf(PolicyValidationError);
  expect(err.lines).toEqual([
    `policy directory ${dir} does not exist or is not a directory`,
    expect.stringMatching(
      new RegExp(`^${path.join(bad, "bad.yaml").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(document 1\\) spec\\.podSelector: `),
    ),
  ]);
});

test("an unknown prop, a missing directory and a required path named twice: all in the one error", () => {
  const dir = missing();
  const twice = RequiredPaths.of("same", PATH.from, PATH.to, PATH.protocol, PATH.port);
  const err = refusalOf(
    () => new NetworkPolicies(stack(), "p", { directories: [dir], requiredPaths: [twice, twice], ...({ onDenid: "warn" } as object) }),
  );
  expect(err.lines).toEqual([
    expect.stringMatching(/^onDenid: unknown prop "onDenid" \(did you mean "onDenied"\?\)/),
    `policy directory ${dir} does not exist or is not a directory`,
    'requiredPaths: "same" is named twice; give each required path its own name',
  ]);
});

test("the one error names the construct path", () => {
  const err = refusalOf(() => new NetworkPolicies(stack(), "p", { directories: [missing()], silenceWarnings: ["x" as never] }));
  expect(err.constructPath).toBe("s/p");
});

test("a bad cilium.version and a missing directory: both in the one error", () => {
  const dir = missing();
  const err = refusalOf(() => new NetworkPolicies(stack(), "p", { directories: [dir], cilium: { version: "1.2" as never } }));
  expect(err.lines).toEqual([
    `policy directory ${dir} does not exist or is not a directory`,
    expect.stringMatching(/^cilium\.version must be a supported Cilium line/),
  ]);
});
