// npm run bench: the speed figures the project holds itself to, measured on this
// machine and printed (targets from issue 2 and 4). Not a test: timings vary with the
// machine and its load; the tests assert behaviour only.
//   - npm run synth from clean (dist/ removed: full build + synth), best of 3
//   - npm run synth when nothing changed (the build is skipped), best of 3
//   - node dist/main.js alone (synth without the build), best of 3
//   - npm test (type-check, lint, jest), wall time, best of 2
//   - policy scaling: NetworkPolicies over 10 / 100 / 1000 policy files (one in ten a
//     CiliumNetworkPolicy), synth included
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const skipTests = process.argv.includes("--no-test");

function wall(cmd, args, opts = {}) {
  const start = process.hrtime.bigint();
  const run = spawnSync(cmd, args, { cwd: root, stdio: "ignore", ...opts });
  if (run.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${run.status})`);
  return Number(process.hrtime.bigint() - start) / 1e9;
}
const best = (n, f) => Math.min(...Array.from({ length: n }, f));
const row = (label, seconds, target) =>
  console.log(`${label.padEnd(44)} ${seconds.toFixed(2).padStart(6)} s${target ? `   (target ${target})` : ""}`);

console.log(`cdktf-cilium bench: node ${process.version}, ${os.cpus().length} cores, ${os.platform()}/${os.arch()}\n`);
row(
  "npm run synth from clean, best of 3",
  best(3, () => {
    rmSync(path.join(root, "dist"), { recursive: true, force: true });
    return wall(npm, ["run", "--silent", "synth"]);
  }),
  "<= 2 s",
);
row(
  "npm run synth, nothing changed, best of 3",
  best(3, () => wall(npm, ["run", "--silent", "synth"])),
  "<= 1.2 s",
);
row(
  "node dist/main.js (synth only), best of 3",
  best(3, () => wall(process.execPath, ["dist/main.js"])),
);
if (!skipTests) {
  row(
    "npm test (type-check, lint, jest), best of 2",
    best(2, () => wall(npm, ["test", "--silent"])),
    "< 5.5 s; cdktf template, one snapshot test: 5.5 s",
  );
}

// Cilium values against the chart schema at synth: the first check in a process
// (loading the precompiled validator and the schema) is what `npm run synth` pays.
{
  const script = `const { checkCiliumValues, TALOS_PRESET, TALOS_DNS_PRESET, mergeValues } = require(${JSON.stringify(path.join(root, "dist", "lib", "index.js"))});
const t = process.hrtime.bigint();
const problems = checkCiliumValues(mergeValues(mergeValues(TALOS_PRESET, TALOS_DNS_PRESET), { policyEnforcementMode: "default", operator: { replicas: 1 } }));
if (problems.length) throw new Error(JSON.stringify(problems));
process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e9));`;
  const seconds = best(3, () => Number(spawnSync(process.execPath, ["-e", script], { cwd: root, encoding: "utf8" }).stdout));
  row("values schema check at synth (first call), best of 3", seconds, "<= 0.05 s");
}

// Policy scaling: N files, one NetworkPolicy each, through load -> validate -> translate -> synth.
const require = createRequire(import.meta.url);
const { App, TerraformStack, Testing } = require("cdktf");
const { NetworkPolicies } = require(path.join(root, "dist", "lib", "index.js"));
const networkPolicy = (i) =>
  `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p-${i}\n  namespace: ns-${i % 7}\nspec:\n  podSelector:\n    matchLabels: {app: a${i}}\n  ingress:\n    - from:\n        - namespaceSelector: {matchLabels: {team: t${i % 5}}}\n      ports:\n        - {protocol: TCP, port: ${1 + (i % 60000)}}\n`;
const ciliumPolicy = (i) =>
  `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: c-${i}\n  namespace: ns-${i % 7}\nspec:\n  endpointSelector:\n    matchLabels: {app: a${i}}\n  ingress:\n    - fromEntities: [kube-apiserver]\n      toPorts:\n        - ports: [{port: "${1 + (i % 60000)}", protocol: TCP}]\n`;
// One file in ten is a CiliumNetworkPolicy (validated against Cilium's CRD schema, unknown fields probed).
const doc = (i) => (i % 10 === 9 ? ciliumPolicy(i) : networkPolicy(i));
console.log("\npolicy files   load+validate+synth   per file");
const results = [];
for (const n of [10, 100, 1000]) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `bench-policies-${n}-`));
  for (let i = 0; i < n; i++) {
    const sub = path.join(dir, `d${i % 10}`);
    mkdirSync(sub, { recursive: true });
    writeFileSync(path.join(sub, `p-${i}.yaml`), doc(i));
  }
  const outdir = mkdtempSync(path.join(os.tmpdir(), "bench-out-"));
  const seconds = best(3, () => {
    const start = process.hrtime.bigint();
    const stack = new TerraformStack(new App({ outdir: outdir }), "bench");
    new NetworkPolicies(stack, "p", { directories: [dir] });
    Testing.synth(stack);
    return Number(process.hrtime.bigint() - start) / 1e9;
  });
  results.push([n, seconds]);
  console.log(`${String(n).padStart(12)}   ${seconds.toFixed(3).padStart(17)} s   ${((seconds / n) * 1000).toFixed(2)} ms`);
  rmSync(dir, { recursive: true, force: true });
  rmSync(outdir, { recursive: true, force: true });
}
const [[n1, t1], , [n3, t3]] = results;
console.log(
  `\nscaling 10 -> 1000 files: ${(t3 / t1).toFixed(1)}x the time for ${n3 / n1}x the files (linear would be ${n3 / n1}x or less)`,
);
