import { TerraformStack } from "cdktf";
import { CiliumPlatform, CiliumRelease, ClusterProviders, NetworkPolicies, SynthError, WebhookCheck } from "../../lib";
import { networkPolicyYaml, policyDir } from "../helpers/policy-dirs";
import { testApp } from "../helpers/synth";

// Unknown props refused at every level. TypeScript catches these only in a
// fresh object literal; here the props come from a per-cluster config map (typed loosely, as
// plain JavaScript would pass them), where a misspelling used to be dropped without a word.

const refusal = (build: (stack: TerraformStack) => unknown): SynthError => {
  try {
    build(new TerraformStack(testApp(), "s"));
  } catch (err) {
    if (err instanceof SynthError) return err;
    throw err;
  }
  throw new Error("expected a SynthError");
};
/** Props as JavaScript (or a loosely typed config map) passes them. */
const loose = (props: Record<string, unknown>): any => props;

test.each<[string, (s: TerraformStack) => unknown, string, string]>([
  [
    "ClusterProviders",
    (s) => new ClusterProviders(s, "c", loose({ contxt: "admin@lab" })),
    "s/c",
    'contxt: unknown prop "contxt" (did you mean "context"?)',
  ],
  ["CiliumRelease", (s) => new CiliumRelease(s, "r", loose({ talso: true })), "s/r", 'talso: unknown prop "talso" (did you mean "talos"?)'],
  [
    "NetworkPolicies",
    (s) => new NetworkPolicies(s, "p", loose({ directorys: [] })),
    "s/p",
    'directorys: unknown prop "directorys" (did you mean "directories"?)',
  ],
  [
    "a policy directory entry",
    (s) =>
      new NetworkPolicies(
        s,
        "p",
        loose({ directories: [{ path: policyDir({ "a.yaml": networkPolicyYaml("a", "ns") }), namespce: "shop" }] }),
      ),
    "s/p",
    'directories[0].namespce: unknown prop "namespce" (did you mean "namespace"?)',
  ],
  [
    "WebhookCheck",
    (s) => new WebhookCheck(s, "w", loose({ timeoutSecond: 60 })),
    "s/w",
    'timeoutSecond: unknown prop "timeoutSecond" (did you mean "timeoutSeconds"?)',
  ],
  [
    "CiliumPlatform",
    (s) => new CiliumPlatform(s, "cp", loose({ polices: { directories: ["./policies"] } })),
    "s/cp",
    'polices: unknown prop "polices" (did you mean "policies"?)',
  ],
  [
    "CiliumPlatform release",
    (s) => new CiliumPlatform(s, "cp", loose({ release: { talso: true } })),
    "s/cp",
    'release.talso: unknown prop "talso" (did you mean "talos"?)',
  ],
  [
    "CiliumPlatform policies",
    (s) => new CiliumPlatform(s, "cp", loose({ policies: { manifest: [] } })),
    "s/cp",
    'policies.manifest: unknown prop "manifest" (did you mean "manifests"?)',
  ],
  [
    "CiliumPlatform check",
    (s) => new CiliumPlatform(s, "cp", loose({ check: { timeoutSecond: 60 } })),
    "s/cp",
    'check.timeoutSecond: unknown prop "timeoutSecond" (did you mean "timeoutSeconds"?)',
  ],
  [
    "CiliumPlatform access",
    (s) => new CiliumPlatform(s, "cp", loose({ access: { contxt: "admin@lab" } })),
    "s/cp",
    'access.contxt: unknown prop "contxt" (did you mean "context"?)',
  ],
  [
    "CiliumPlatform kube",
    (s) => new CiliumPlatform(s, "cp", loose({ kube: { kubeconfigPath: ["x"] } })),
    "s/cp",
    'kube.kubeconfigPath: unknown prop "kubeconfigPath" (did you mean "kubeconfigPaths"?)',
  ],
])("%s: an unknown key is a SynthError naming the construct path and the closest known key", (_, build, where, line) => {
  const err = refusal(build);
  expect(err.constructPath).toBe(where);
  expect(err.lines).toEqual([expect.stringMatching(new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}; known: `))]);
});

test("free-form maps keep any key: values (checked against the chart schema instead), triggers, manifests, networkPolicies", () => {
  const stack = new TerraformStack(testApp(), "s");
  const release = new CiliumRelease(stack, "r", { values: { podAnnotations: { "example.com/any": "x" } } });
  new NetworkPolicies(stack, "p", {
    release,
    manifests: [
      { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "m", namespace: "ns" }, spec: { podSelector: {} } },
    ],
    networkPolicies: [
      { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "n", namespace: "ns" }, spec: { podSelector: {} } },
    ],
  });
  expect(() => new WebhookCheck(stack, "w", { triggers: { anything_at_all: "1" }, useApplyEnvironment: true })).not.toThrow();
});

test("an unknown key without a near match lists the known ones", () => {
  const err = refusal((s) => new ClusterProviders(s, "c", loose({ zzzzzz: 1 })));
  expect(err.lines).toEqual(['zzzzzz: unknown prop "zzzzzz"; known: kubeconfigPaths, context, alias']);
});

// Values of another kind than their prop's, as an environment variable or a loosely typed config
// passes them: `talos: "false"` is truthy, and turned the Talos preset on without a word.
test.each<[string, (s: TerraformStack) => unknown, string, string]>([
  [
    "CiliumRelease",
    (s) => new CiliumRelease(s, "r", loose({ talos: "false" })),
    "s/r",
    'talos: must be a boolean (true or false), not the string "false"',
  ],
  [
    "CiliumPlatform release",
    (s) => new CiliumPlatform(s, "cp", loose({ release: { operatorReplicas: "1" } })),
    "s/cp",
    'release.operatorReplicas: must be a number, not the string "1"',
  ],
  [
    "ClusterProviders",
    (s) => new ClusterProviders(s, "c", loose({ kubeconfigPaths: "~/.kube/config" })),
    "s/c",
    'kubeconfigPaths: must be a list of strings, not the string "~/.kube/config"',
  ],
  [
    "WebhookCheck",
    (s) => new WebhookCheck(s, "w", loose({ timeoutSeconds: "60" })),
    "s/w",
    'timeoutSeconds: must be a number, not the string "60"',
  ],
  [
    "NetworkPolicies",
    (s) => new NetworkPolicies(s, "p", loose({ directories: [{ path: "./policies", recursive: "yes" }] })),
    "s/p",
    'directories[0].recursive: must be a boolean (true or false), not the string "yes"',
  ],
  [
    "CiliumPlatform",
    (s) => new CiliumPlatform(s, "cp", loose({ singleStackOnPurpose: 1 })),
    "s/cp",
    "singleStackOnPurpose: must be a boolean (true or false), not the number 1",
  ],
])("%s: a value of another kind is a SynthError, reported once", (_, build, where, line) => {
  const err = refusal(build);
  expect(err.constructPath).toBe(where);
  expect(err.lines).toEqual([line]);
});
