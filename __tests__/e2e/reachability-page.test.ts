// `cilium-explain matrix --html` rendered by a real browser: Debian's headless Chromium loads the
// page of the dev app (least-privilege set, cert-manager paths, synthesized with
// --reachability), and the test reads back the DOM it built and takes a screenshot. It checks
// structure (a row and a column per workload, a node per workload in the graph, an arrow per
// pair a rule admits) and that the screenshot is a PNG of the window's size, never pixels.
// Where Chromium is not installed this says so loudly and is skipped; under CI=true it fails.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { tempDir } from "../helpers/temp";

const repo = path.resolve(__dirname, "..", "..");
// Debian's package (.ci/run installs it); GitHub's Ubuntu runners ship Google Chrome, the same engine.
const chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find((p) => existsSync(p));
if (!chromium) {
  const message =
    "Chromium is not installed: the reachability page is NOT rendered in a browser here. Install it (Debian: apt-get install -y chromium)";
  if (process.env.CI === "true") throw new Error(`${message}; CI=true, so this fails`);
  console.warn(`!!! ${message} (skipped) !!!`);
}
const browserTest = chromium ? test : test.skip;

/** Headless Chromium with its own profile, no network (every host resolves to nothing), killed after 60 s. */
function browse(args: string[]) {
  const run = spawnSync(
    chromium as string,
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--hide-scrollbars",
      `--user-data-dir=${tempDir("chromium-profile-")}`,
      "--host-resolver-rules=MAP * ~NOTFOUND",
      ...args,
    ],
    { encoding: "utf8", timeout: 60_000, killSignal: "SIGKILL", env: { PATH: process.env.PATH ?? "", HOME: tempDir("chromium-home-") } },
  );
  if (run.status !== 0) throw new Error(`chromium ${args.join(" ")}: exit ${run.status} ${run.signal ?? ""}\n${run.stderr}`);
  return run.stdout;
}

let page: string;
let workloads: string[];
let admitted: number;

beforeAll(() => {
  const out = path.join(tempDir("reachability-page-"), "cdktf.out");
  const synth = spawnSync(process.execPath, ["dist/main.js", "--reachability"], {
    cwd: repo,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", HOME: tempDir("home-"), CDKTF_OUTDIR: out, CILIUM_POLICY_SET_DEV: "least-privilege" },
  });
  expect(synth.status).toBe(0);
  const file = JSON.parse(readFileSync(path.join(out, "stacks", "dev", "reachability.json"), "utf8"));
  workloads = Object.keys(file.workloads);
  admitted = new Set(
    file.pairs
      .filter(
        (c: { from: string; to: string; verdict: string; policy: string | null }) => c.verdict === "allowed" && c.policy && c.from !== c.to,
      )
      .map((c: { from: string; to: string }) => `${c.from} ${c.to}`),
  ).size;
  page = path.join(path.dirname(out), "reachability.html");
  const matrix = spawnSync(process.execPath, ["dist/lib/explain/explain-bin.js", "matrix", "--html", page, "--from-synth", out], {
    cwd: repo,
    encoding: "utf8",
  });
  expect({ status: matrix.status, stderr: matrix.stderr }).toEqual({ status: 0, stderr: "" });
});

browserTest(
  "the page Chromium builds has a row and a column per workload, and the graph a node per workload and an arrow per admitted pair",
  () => {
    const dom = browse(["--dump-dom", `file://${page}`]);
    const rows = [...dom.matchAll(/<th scope="row" title="[^"]*">([^<]*)<\/th>/g)].map((m) => m[1]);
    const columns = [...dom.matchAll(/<th scope="col" title="([^"]*)">(\d+)<\/th>/g)].map((m) => `${m[2]} ${m[1]}`);
    expect(rows).toEqual(workloads);
    expect(columns).toEqual(workloads.map((id, i) => `${i + 1} ${id}`));
    expect(dom.match(/<td class="(allowed|denied|unknown|mixed)"/g)).toHaveLength(workloads.length ** 2);
    expect(dom.match(/<g class="node"/g)).toHaveLength(workloads.length);
    expect(admitted).toBeGreaterThan(0);
    expect(dom.match(/<line class="edge"/g)).toHaveLength(admitted);
    expect(dom).toContain("kube-apiserver");
  },
);

browserTest("Chromium takes a screenshot of the page: a PNG of the window's size", () => {
  const shot = path.join(tempDir("reachability-shot-"), "page.png");
  browse([`--screenshot=${shot}`, "--window-size=1200,1400", `file://${page}`]);
  const png = readFileSync(shot);
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  // IHDR: width and height, big-endian, at bytes 16-23.
  expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1200, 1400]);
  expect(png.length).toBeGreaterThan(20_000);
});
