/**
 * README.md and docs/*.md (not docs/api, which `npm run docs` generates) read as GitHub
 * renders them: fenced code blocks, headings with their anchors, links outside code.
 */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

export const repo = path.resolve(__dirname, "..", "..");

/** The hand-written pages, relative to the repository: README.md, then docs/*.md. */
export function pages(): string[] {
  const docs = readdirSync(path.join(repo, "docs"))
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => `docs/${f}`);
  return ["README.md", ...docs];
}

export const read = (page: string) => readFileSync(path.join(repo, page), "utf8");

export interface Block {
  page: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The info string: `ts`, `ts fragment`, `sh`, `text`, ... */
  info: string;
  body: string;
}

/** Every fenced block (``` at any indentation), in order. */
export function blocks(page: string, text = read(page)): Block[] {
  const out: Block[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(.*)$/.exec(lines[i]);
    if (!open) continue;
    const indent = open[1].length;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]); j++) body.push(lines[j].slice(indent));
    out.push({ page, line: i + 1, info: open[2].trim(), body: body.join("\n") });
    i = j;
  }
  return out;
}

/** The text outside fenced blocks and inline code spans (where links and headings live). */
export function prose(text: string): string {
  return text
    .split("\n")
    .reduce<{ inFence: boolean; lines: string[] }>(
      (acc, line) => {
        if (/^\s*```/.test(line)) acc.inFence = !acc.inFence;
        else acc.lines.push(acc.inFence ? "" : line.replace(/`[^`]*`/g, ""));
        return acc;
      },
      { inFence: false, lines: [] },
    )
    .lines.join("\n");
}

/**
 * GitHub's heading anchors: lower-cased, every character that is not a letter, digit, space,
 * `-` or `_` removed, spaces turned into `-`; a repeated anchor gets `-1`, `-2`, ...
 * (github/cmark-gfm's toc filter, as html-pipeline's TableOfContentsFilter writes it).
 */
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let inFence = false;
  for (const line of text.split("\n")) {
    if (/^\s*```/.test(line)) inFence = !inFence;
    const heading = !inFence && /^#{1,6} (.+)$/.exec(line);
    if (!heading) continue;
    const slug = heading[1]
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/ /g, "-");
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

/** The section of `text` under the heading with anchor `anchor`, up to the next heading of its level or above. */
export function section(text: string, anchor: string): string | undefined {
  const lines = text.split("\n");
  let inFence = false;
  let start = -1;
  let level = 0;
  const seen = new Map<string, number>();
  for (let i = 0; i < lines.length; i++) {
    if (/^\s*```/.test(lines[i])) inFence = !inFence;
    const heading = !inFence && /^(#{1,6}) (.+)$/.exec(lines[i]);
    if (!heading) continue;
    if (start >= 0 && heading[1].length <= level) return lines.slice(start, i).join("\n");
    const [slug] = [...anchors(heading[0])];
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    if (start < 0 && (n === 0 ? slug : `${slug}-${n}`) === anchor) {
      start = i;
      level = heading[1].length;
    }
  }
  return start >= 0 ? lines.slice(start).join("\n") : undefined;
}

export interface Link {
  page: string;
  text: string;
  target: string;
}

/** Every inline link `[text](target)` outside code. */
export function links(page: string, text = read(page)): Link[] {
  return [...prose(text).matchAll(/\[([^\]]*)\]\(([^)\s]+)\)/g)].map((m) => ({ page, text: m[1], target: m[2] }));
}

/** The complete programs: ```ts blocks not marked `fragment`. */
export function programs(): Block[] {
  return pages()
    .flatMap((p) => blocks(p))
    .filter((b) => /^(ts|typescript)\b/.test(b.info) && !/\bfragment\b/.test(b.info));
}
