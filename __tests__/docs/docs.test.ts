// README is the landing page and docs/ holds a page per capability. These read
// the Markdown as GitHub renders it (helpers/markdown.ts): the README's size and table of
// contents, every relative link and anchor, and the rule that a ```ts block is either a
// complete program (type-checked and synthesized by npm run test:package) or marked a fragment.
// The ```sh blocks that run here run in ../e2e/docs-commands.test.ts.
import { existsSync, readdirSync, statSync } from "node:fs";
import * as path from "node:path";
import { anchors, blocks, links, pages, programs, read, repo, section } from "../helpers/markdown";

const readme = read("README.md");

test("README is at most 250 lines", () => {
  expect(readme.trimEnd().split("\n").length).toBeLessThanOrEqual(250);
});

describe("README's table of contents, within its first 40 lines", () => {
  const head = readme.split("\n").slice(0, 40).join("\n");
  const entries = [...head.matchAll(/^- \[([^\]]+)\]\(([^)]+)\)/gm)].map((m) => ({ text: m[1], target: m[2] }));

  test.each([
    ["adding a policy directory", /policy directory/i],
    ["switching to least-privilege", /least-privilege/i],
    ["two clusters", /two clusters/i],
    ["importing the construct", /import/i],
    ["the check's exit codes", /exit codes/i],
  ])("links %s to a section or page holding a code or command block", (_, topic) => {
    const entry = entries.find((e) => topic.test(e.text));
    expect(entry).toBeDefined();
    const [file, anchor] = (entry?.target ?? "").split("#");
    const text = file === "" ? readme : read(file);
    const target = anchor === undefined ? text : section(text, anchor);
    expect(target).toBeDefined();
    expect(blocks(file || "README.md", target).length).toBeGreaterThan(0);
  });

  test("every capability page is in it", () => {
    const targets = links("README.md", head).map((l) => l.target);
    for (const page of pages().filter((p) => p !== "README.md")) expect(targets).toContain(page);
    expect(targets).toContain("docs/api/index.md");
  });
});

describe("links", () => {
  const all = pages().flatMap((p) => links(p));

  test("there are links to check (the reader found them)", () => {
    expect(all.length).toBeGreaterThan(30);
  });

  test("every relative link in README and docs/*.md points to a file or folder that exists, and to an anchor that exists", () => {
    const broken: string[] = [];
    for (const { page, target } of all) {
      if (/^[a-z][a-z+.-]*:/i.test(target)) continue; // https:, mailto:
      const [file, anchor] = target.split("#");
      const resolved = file === "" ? path.join(repo, page) : path.resolve(path.dirname(path.join(repo, page)), file);
      if (!resolved.startsWith(repo) || !existsSync(resolved)) {
        broken.push(`${page}: ${target} (no such file)`);
        continue;
      }
      if (anchor !== undefined && statSync(resolved).isFile() && resolved.endsWith(".md")) {
        const text = read(path.relative(repo, resolved));
        if (!anchors(text).has(anchor)) broken.push(`${page}: ${target} (no heading #${anchor})`);
      }
    }
    expect(broken).toEqual([]);
  });

  test("a broken link or anchor is found (the check can fail)", () => {
    const page = "# A page\n\n## The check's exit codes\n\n[ok](#the-checks-exit-codes) [bad](#exit-code) `[in code](nowhere.md)`\n";
    expect([...anchors(page)]).toEqual(["a-page", "the-checks-exit-codes"]);
    expect(links("x.md", page).map((l) => l.target)).toEqual(["#the-checks-exit-codes", "#exit-code"]);
    expect(anchors("## A\n## A\n## Speed (`npm run bench`)\n")).toEqual(new Set(["a", "a-1", "speed-npm-run-bench"]));
  });
});

describe("TypeScript blocks", () => {
  test("each is marked `ts fragment` or is a complete program: it imports cdktf-cilium and synthesizes", () => {
    const ts = pages()
      .flatMap((p) => blocks(p))
      .filter((b) => /^(ts|typescript)\b/.test(b.info));
    expect(ts.length).toBeGreaterThan(8);
    const incomplete = programs()
      .filter((b) => !/from "cdktf-cilium"/.test(b.body) || !/\bapp\.synth\(\);|\bsynthOrExit\(/.test(b.body))
      .map((b) => `${b.page}:${b.line}`);
    expect(incomplete).toEqual([]);
    // README's quick start and its two-clusters example are programs, not fragments.
    expect(programs().filter((b) => b.page === "README.md")).toHaveLength(2);
  });
});

/** The paths under the repository that `pattern` (with `*` for one path segment) names. */
function expand(pattern: string): string[] {
  let found = [""];
  for (const segment of pattern.split("/").filter(Boolean)) {
    const re = new RegExp(`^${segment.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*")}$`);
    found = found.flatMap((dir) => {
      const full = path.join(repo, dir);
      if (!existsSync(full) || !statSync(full).isDirectory()) return [];
      return readdirSync(full)
        .filter((e) => re.test(e))
        .map((e) => path.join(dir, e));
    });
  }
  return found;
}

test("help names only files and folders that exist", () => {
  const help = read("help");
  const named = [...help.matchAll(/(?<![\w/.~-])((?:lib|policies|schemas|examples|docs|scripts|__tests__)\/[\w./*-]*|[\w-]+\.md)/g)].map(
    (m) => m[1].replace(/[.,;:]$/, ""),
  );
  expect(named.length).toBeGreaterThan(5);
  expect(named.filter((f) => expand(f).length === 0)).toEqual([]);
  // The old help's `policies/*.yaml` named files that do not exist: the check sees that.
  expect(expand("policies/*.yaml")).toEqual([]);
  expect(expand("policies/*/*.yaml").length).toBeGreaterThan(0);
});

test("the stale claims listed here are gone from README, docs/, help and the shipped policies", () => {
  const texts = [...pages(), "help", ...expand("policies/*/*.yaml")].map((f) => [f, read(f)] as const);
  const stale: Array<[string, RegExp]> = [
    ["the unpinned cdktf CLI (the scripts use npx --yes cdktf-cli@0.21.0)", /npx cdktf /],
    ["a Kubernetes client library the check does not use", /@kubernetes\/client-node/],
    ["a README section that does not exist", /Two-phase apply/i],
    ["Node 20 as the CI line", /Node:? 20\.19/],
    ["synth's line per stack (it is per environment)", /one line per stack/],
  ];
  const found = texts.flatMap(([file, text]) => stale.filter(([, re]) => re.test(text)).map(([what]) => `${file}: ${what}`));
  expect(found).toEqual([]);
  // One figure for the check's time: the testing page's speed table, which webhook-check.md links.
  expect(read("docs/webhook-check.md")).not.toMatch(/\b0\.\d+ s\b/);
  expect(read("docs/testing.md").match(/^\| check `--scope all`.*\| (\d+\.\d+) s \|/m)).not.toBeNull();
});

test("docs/webhook-check.md's flags and environment variables are the check's, with its defaults (lib/webhook-check/settings.ts)", () => {
  const { SETTINGS, CHECK_ENV } = require("../../lib/webhook-check/settings");
  const page = read("docs/webhook-check.md");
  const flagsParagraph = /^Flags: [\s\S]*?\n\n/m.exec(page)?.[0] ?? "";
  const known = SETTINGS.map((s: { flag: string }) => s.flag);
  // Every flag is listed, each default beside it; nothing else is.
  const listed = [...flagsParagraph.matchAll(/`--([a-z-]+)/g)].map((m) => m[1]).filter((f) => f !== "help");
  expect(listed.sort()).toEqual([...known].sort());
  for (const s of SETTINGS.filter((x: { default?: unknown }) => x.default !== undefined)) {
    const written = new RegExp(`\`--${s.flag}[^\`]*\` \\(\`?${String(s.default)}\`?[,)]`);
    expect({ flag: s.flag, written: written.test(flagsParagraph) }).toEqual({ flag: s.flag, written: true });
  }
  const envs = new Set<string>(Object.values(CHECK_ENV) as string[]);
  const mentioned = pages().flatMap((p) => [...read(p).matchAll(/\bWEBHOOK_CHECK_[A-Z_]+\b/g)].map((m) => m[0]));
  expect(mentioned.length).toBeGreaterThan(3);
  expect(mentioned.filter((e) => !envs.has(e))).toEqual([]);
});

test("docs/deploying.md's table of the dev app's variables is what main.ts reads", () => {
  const main = read("main.ts");
  const perEnvironment = [...main.matchAll(/setting\(env, "([A-Z_]+)"/g)].map((m) => `${m[1]}_<ENV>`);
  const plain = [...main.matchAll(/\benv\.([A-Z_]+)\b/g)].map((m) => m[1]).filter((v) => !perEnvironment.includes(`${v}_<ENV>`));
  const page = read("docs/deploying.md");
  const table = section(page, "the-dev-apps-variables") ?? "";
  const rows = [...table.matchAll(/^\| `([A-Z_<>]+)` \|/gm)].map((m) => m[1]);
  expect(rows.sort()).toEqual([...new Set([...perEnvironment, ...plain])].sort());
});
