// End to end: the shipped bundle with WEBHOOK_CHECK_PROOF in its environment, as the
// null_resource passes it, against the local HTTPS stand-in: a cluster as the proof
// assumed passes, and a malformed proof is exit 2 at once (one whose cilium-config
// differs fails by the deadline: webhook-check-deadline.test.ts). The rules themselves
// are proven in-process (webhook-check/proof-assumptions.e2e.test.ts).
import { proof } from "../helpers/check-proofs";
import { type Scenario, standIns, writeKubeconfig } from "../helpers/fake-apiserver";
import { killAll, runCli } from "../helpers/run-cli";

const stand = standIns();
afterAll(() => killAll());

async function cluster(scenario: Scenario = {}): Promise<string> {
  const api = await stand.api(scenario);
  return writeKubeconfig(stand.pki, api.url);
}

test.concurrent("a cluster as the proof assumed: exit 0, every assumption confirmed", async () => {
  const run = await runCli(["--json", "--kubeconfig", await cluster()], { WEBHOOK_CHECK_PROOF: JSON.stringify(proof()) });
  expect(run.code).toBe(0);
  const probe = run.report.probes.find((p) => p.probe === "proof-assumptions");
  expect(probe?.ok).toBe(true);
  expect(probe?.assumptions?.every((a) => a.verdict === "ok")).toBe(true);
});

test.concurrent("a malformed WEBHOOK_CHECK_PROOF: exit 2 at once, naming the field", async () => {
  const run = await runCli(["--kubeconfig", await cluster()], { WEBHOOK_CHECK_PROOF: JSON.stringify({ ...proof(), paths: "all" }) });
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/^webhook-check: WEBHOOK_CHECK_PROOF: paths must be a list/);
});
