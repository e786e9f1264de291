// docs/api is generated from the TSDoc of every export (npm run docs): it must match the code.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";

const root = path.resolve(__dirname, "..", "..");

test("docs/api is what npm run docs writes from the current TSDoc (no warning from API Extractor)", () => {
  const run = spawnSync(process.execPath, [path.join(root, "scripts", "api-docs.mjs"), "--check"], { cwd: root, encoding: "utf8" });
  expect(run.stderr).not.toMatch(/stale|Warning/);
  expect(run.status).toBe(0);
}, 60000);

test("every construct and every props interface of the API has an @example", () => {
  const model = JSON.parse(readFileSync(path.join(root, "node_modules", ".cache", "api", "cdktf-cilium.api.json"), "utf8"));
  const items: Array<{ kind: string; name: string; docComment?: string; extendsTokenRanges?: unknown }> = model.members[0].members;
  const constructs = ["CiliumPlatform", "CiliumRelease", "ClusterProviders", "NetworkPolicies", "WebhookCheck", "RequiredPaths"];
  const wanted = items.filter(
    (m) => (m.kind === "Class" && constructs.includes(m.name)) || (m.kind === "Interface" && /(Props|Options)$/.test(m.name)),
  );
  expect(wanted.length).toBeGreaterThanOrEqual(15);
  expect(wanted.filter((m) => !/@example/.test(m.docComment ?? "")).map((m) => m.name)).toEqual([]);
});
