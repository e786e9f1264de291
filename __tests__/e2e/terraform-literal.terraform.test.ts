// Text from a policy file is data: whatever cdktf token markers or Terraform template syntax it
// holds, Terraform must read back exactly that text. Proven with the real terraform binary,
// offline: the strings cdktf synthesized (a policy's annotations, the Helm values, literal text
// with markers in its keys) are copied into outputs of an otherwise empty configuration, which
// `terraform apply` evaluates without any provider. A file beside it holds a secret that a
// `file(...)` evaluated on the deploy host would reveal.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { Fn, TerraformOutput, TerraformStack, Testing, Token } from "cdktf";
import { CiliumRelease, NetworkPolicies } from "../../lib";
import { literalTerraform } from "../../lib/shared/terraform-escape";
import { synthDev } from "../helpers/dev-synth";
import { networkPolicyYaml, policyDir } from "../helpers/policy-dirs";
import { onlyResource, testApp, type TerraformJson, providersOf } from "../helpers/synth";
import { tempDir } from "../helpers/temp";
import { offlineTerraformEnv, terraformAvailable, terraformTest } from "../helpers/terraform";

const maybe = terraformTest("what Terraform reads from synthesized policy text");
const SECRET = "s3cr3t-on-the-deploy-host";

/** Evaluates each value as Terraform would (outputs only, no provider), in a directory holding secret.txt. */
function evaluate(values: Record<string, unknown>): Record<string, unknown> {
  const work = tempDir("tf-literal-");
  writeFileSync(path.join(work, "secret.txt"), SECRET);
  const output = Object.fromEntries(Object.entries(values).map(([name, value]) => [name, { value }]));
  writeFileSync(path.join(work, "main.tf.json"), JSON.stringify({ output }));
  const env = offlineTerraformEnv();
  const tf = (...args: string[]) => {
    const run = spawnSync("terraform", args, { cwd: work, encoding: "utf8", env });
    if (run.status !== 0) throw new Error(`terraform ${args.join(" ")} failed:\n${run.stderr}${run.stdout}`);
    return run.stdout;
  };
  tf("init", "-input=false", "-no-color");
  tf("apply", "-auto-approve", "-input=false", "-no-color");
  const out = JSON.parse(tf("output", "-json")) as Record<string, { value: unknown }>;
  return Object.fromEntries(Object.entries(out).map(([name, o]) => [name, o.value]));
}

// A real number token, and text spelling it: cdktf would replace that text with the token's expression.
const numberToken = String(Token.asNumber(Fn.abs(-7)));
const ANNOTATIONS: Record<string, string> = {
  "example.com/file": '${TfToken[TOKEN.1]} ${file("secret.txt")}',
  "example.com/unknown-index": "${TfToken[TOKEN.99999]}",
  "example.com/list-marker": "#{TfToken[TOKEN.1]}",
  "example.com/map-marker": "&{TfToken[TOKEN.1]}",
  "example.com/number-token": `n=${numberToken};`,
  "example.com/escapes": "$${x} $$${y} $$ %%{z} %%%{w} %{if true}a%{endif} $TfToken[ %$ $",
  "example.com/doubled-marker": "$${TfToken[TOKEN.1]}",
};

let evaluated: Record<string, unknown>;
let codeInput: Record<string, unknown>;

function synthesizeCases(): Record<string, unknown> {
  // A replacer function: in a replacement string, "$$" would mean one "$".
  const yaml = networkPolicyYaml("marked", "default").replace(
    "metadata:\n",
    () =>
      `metadata:\n  annotations:\n${Object.entries(ANNOTATIONS)
        .map(([k, v]) => `    ${k}: ${JSON.stringify(v)}\n`)
        .join("")}`,
  );
  const stack = new TerraformStack(testApp(), "literal");
  new NetworkPolicies(stack, "policies", { directories: [policyDir({ "marked.yaml": yaml })] });
  codeInput = { "${TfToken[TOKEN.1]}": "key-marker", "#{TfToken[TOKEN.2]}": "list-key", "&{TfToken[TOKEN.3]}": "map-key" };
  new TerraformOutput(stack, "keys", { value: literalTerraform(codeInput) });
  // Helm values from code: a real token (evaluated) beside text that only looks like one (a marker
  // naming no token; one naming a token the app made is that token).
  new CiliumRelease(stack, "release", {
    values: {
      podAnnotations: {
        host: Fn.lower("API.EXAMPLE"),
        note: '${file("secret.txt")} $',
        marker: "${TfToken[TOKEN.99999]}",
        // A literal "$" right before a token, and "${" right before one: neither may swallow it.
        price: `$${Fn.lower("ADJ")}`,
        brace: `\${${Fn.lower("IN")}}`,
      },
    },
  });
  const json = JSON.parse(Testing.synth(stack)) as TerraformJson;
  const policy = onlyResource(json, "kubernetes_network_policy_v1");
  const release = onlyResource(json, "helm_release");
  return {
    annotations: policy.metadata.annotations,
    keys: (json.output as Record<string, { value: unknown }>).keys.value,
    values: release.values[0],
    ...operatorText(),
  };
}

// The dev app's context and kubeconfig as an operator sets them, markers naming tokens that exist
// by now (made above): the providers of both stacks and the check must all read this text.
const OPERATOR_CONTEXT = "ctx${TfToken[TOKEN.1]}";
const OPERATOR_KUBECONFIG = "/kube/${TfToken[TOKEN.3]}/config";

function operatorText(): Record<string, unknown> {
  const dev = synthDev({ KUBE_CONTEXT_DEV: OPERATOR_CONTEXT, KUBECONFIG: OPERATOR_KUBECONFIG });
  const workload = JSON.parse(dev.json) as TerraformJson;
  const releaseStack = JSON.parse(dev.releaseJson) as TerraformJson;
  const exec = onlyResource(workload, "null_resource").provisioner[0]["local-exec"];
  const providers = (json: TerraformJson) => {
    const [kubernetes] = providersOf(json, "kubernetes");
    const [helm] = providersOf(json, "helm");
    return [kubernetes.config_context, kubernetes.config_path, helm.kubernetes?.config_context, helm.kubernetes?.config_path];
  };
  return {
    operator: [...providers(workload), ...providers(releaseStack), exec.environment.WEBHOOK_CHECK_CONTEXT, exec.environment.KUBECONFIG],
  };
}

beforeAll(() => {
  if (!terraformAvailable()) return;
  evaluated = evaluate(synthesizeCases());
}, 60_000);

maybe("policy annotations holding every marker form and template syntax evaluate to the file's text", () => {
  expect(evaluated.annotations).toEqual(ANNOTATIONS);
});

maybe("no file on the deploy host is read through a policy", () => {
  expect(JSON.stringify(evaluated)).not.toContain(SECRET);
});

maybe("markers in keys of literal data evaluate to the keys' text", () => {
  expect(evaluated.keys).toEqual(codeInput);
});

maybe("Helm values: the app's token is evaluated, text beside it stays literal", () => {
  const values = evaluated.values as string;
  expect(values).toContain("host: api.example");
  expect(values).toContain(`note: \${file("secret.txt")} $`);
  expect(values).toContain("marker: ${TfToken[TOKEN.99999]}");
  expect(values).toContain("price: $adj");
  expect(values).toContain("brace: ${in}");
});

maybe("the operator's context and kubeconfig path (dev app, from the environment) evaluate to their text everywhere", () => {
  const pair = [OPERATOR_CONTEXT, OPERATOR_KUBECONFIG];
  expect(evaluated.operator).toEqual([...pair, ...pair, ...pair, ...pair, ...pair]);
});
