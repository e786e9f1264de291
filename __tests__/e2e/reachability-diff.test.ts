// The PR workflow's reachability step as it runs there: scripts/reachability-diff.sh on two
// synth outputs (the fixture: one change opens a path, one closes one), and the same CLI's
// --json. `npm run test:e2e` builds dist/ first.
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const repo = path.resolve(__dirname, "..", "..");
const fixtures = path.join(repo, "__tests__", "fixtures", "reachability");
const base = path.join(fixtures, "base");
const head = path.join(fixtures, "head");

test("the workflow's reachability script prints the table of the opened and the closed path, and a Mermaid graph", () => {
  const run = spawnSync("bash", [path.join(repo, "scripts", "reachability-diff.sh"), base, head], { encoding: "utf8" });
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  const rows = run.stdout.split("\n").filter((line) => line.startsWith("| `"));
  expect(rows).toEqual([
    "| `shop/app=web` | `shop/app=cache` | TCP | 6379 | allowed (CiliumNetworkPolicy/shop/cache) | denied (CiliumNetworkPolicy/shop/cache) | `CiliumNetworkPolicy/shop/cache` |",
    "| `shop/app=worker` | `shop/app=db` | TCP | 5432 | denied (NetworkPolicy/shop/db) | allowed (NetworkPolicy/shop/db) | `NetworkPolicy/shop/db` |",
  ]);
  expect(run.stdout).toContain("| from | to | protocol | ports | before | after | policies |");
  expect(run.stdout).toContain("```mermaid\ngraph LR\n");
  expect(run.stdout).toContain('  w2 -->|"TCP 6379: allowed → denied"| w0\n');
});

test("the CLI the script calls, with --json: exactly the two changed port ranges", () => {
  const run = spawnSync(process.execPath, [path.join(repo, "dist", "lib", "explain", "explain-bin.js"), "diff", base, head, "--json"], {
    encoding: "utf8",
  });
  expect(run.status).toBe(0);
  expect(JSON.parse(run.stdout)).toEqual({
    changed: [
      {
        from: "shop/app=web",
        to: "shop/app=cache",
        protocol: "TCP",
        ports: [6379, 6379],
        before: { verdict: "allowed", policy: "CiliumNetworkPolicy/shop/cache" },
        after: { verdict: "denied", policy: "CiliumNetworkPolicy/shop/cache" },
        policies: ["CiliumNetworkPolicy/shop/cache"],
      },
      {
        from: "shop/app=worker",
        to: "shop/app=db",
        protocol: "TCP",
        ports: [5432, 5432],
        before: { verdict: "denied", policy: "NetworkPolicy/shop/db" },
        after: { verdict: "allowed", policy: "NetworkPolicy/shop/db" },
        policies: ["NetworkPolicy/shop/db"],
      },
    ],
  });
});

test("without the base's synth output (it did not synthesize), the script says so and exits 0", () => {
  const run = spawnSync("bash", [path.join(repo, "scripts", "reachability-diff.sh"), path.join(fixtures, "no-such-dir"), head], {
    encoding: "utf8",
  });
  expect(run.status).toBe(0);
  expect(run.stdout).toBe("### Reachability\nThe base revision has no synth output; no diff.\n");
});
