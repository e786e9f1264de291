// Documents too large for kube-apiserver, and refusals quoting huge values: heavy work (values
// of megabytes through load, validation and synth), so `npm run test:e2e`. The rest of the
// real-input findings: real-input.test.ts.
import { TerraformStack } from "cdktf";
import * as fc from "fast-check";
import { NetworkPolicies } from "../../lib";
import { jsonByteLengthUpTo } from "../../lib/shared/stable-json";
import { policyDir } from "../helpers/policy-dirs";
import { cnp, np, problems, synth } from "../helpers/policy-synth";
import { testApp } from "../helpers/synth";

describe("a document kube-apiserver could not store is refused at synth", () => {
  test("a document over 1.5 MiB as JSON (etcd's request limit) is refused, naming the file", () => {
    const description = "x".repeat(1.5 * 1024 * 1024);
    const spec = `  description: ${description}\n  endpointSelector: {}\n  ingress: [{}]\n`;
    expect(problems({ "big.yaml": cnp(spec) })).toEqual([
      expect.stringMatching(/^big\.yaml#1 \(document\): more than the 1\.5 MiB \(1572864 bytes\) as JSON that etcd stores in one request/),
    ]);
  });

  test("aliases to one long anchored string are measured without building the text (refused, not thrown)", () => {
    const annotations = [
      `    x.io/a0: &a ${"x".repeat(6 * 1024 * 1024)}`,
      ...Array.from({ length: 94 }, (_, i) => `    x.io/a${i + 1}: *a`),
    ];
    const meta = `  name: p\n  namespace: ns\n  annotations:\n${annotations.join("\n")}\n`;
    expect(problems({ "aliases.yaml": np("  podSelector: {}\n", meta) })).toEqual([
      expect.stringMatching(/^aliases\.yaml#1 \(document\): more than the 1\.5 MiB/),
    ]);
  });

  test("the size counted is JSON's, byte for byte", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const bytes = Buffer.byteLength(JSON.stringify(value));
        expect(jsonByteLengthUpTo(value, Number.MAX_SAFE_INTEGER)).toBe(bytes);
        if (bytes > 10) expect(jsonByteLengthUpTo(value, 10)).toBeGreaterThan(10);
      }),
    );
  });

  test("a document just under the limit is accepted", () => {
    const spec = `  description: ${"x".repeat(1.5 * 1024 * 1024 - 300)}\n  endpointSelector: {}\n  ingress: [{}]\n`;
    expect(() => synth({ "big.yaml": cnp(spec) })).not.toThrow();
  });
});

describe("a refusal quotes a bounded prefix of a huge value", () => {
  test("a 1 MB label value is quoted in part: the refusal stays short and still names the field and the fix", () => {
    const huge = "v".repeat(1024 * 1024);
    const dir = policyDir({ "a.yaml": np(`  podSelector:\n    matchLabels:\n      app: ${huge}\n`) });
    let message = "";
    try {
      new NetworkPolicies(new TerraformStack(testApp(), "t"), "p", { directories: [dir] });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/spec\.podSelector\.matchLabels\.app/);
    expect(message).toMatch(/"v{80}\.\.\." \(1048576 characters\) is not a valid label value: at most 63/);
    expect(message.length).toBeLessThan(4096);
  });
});
