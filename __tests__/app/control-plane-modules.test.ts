import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";

// test/control-plane/: the Go modules the cluster suite builds kube-apiserver and etcd from
// (their README says where the replace list comes from). Read as text; no Go needed here.

const DIR = path.resolve(__dirname, "..", "..", "test", "control-plane");
const goMod = (module: string) => readFileSync(path.join(DIR, module, "go.mod"), "utf8");

function requires(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const block = [...text.matchAll(/^require \(\n([\s\S]*?)^\)/gm)].map((m) => m[1]).join("\n");
  const single = [...text.matchAll(/^require (\S+ \S+)$/gm)].map((m) => m[1]).join("\n");
  for (const line of `${block}\n${single}`.split("\n")) {
    const m = line.trim().match(/^(\S+) (v\S+)/);
    if (m) out.set(m[1], m[2]);
  }
  return out;
}

function replaces(text: string): Map<string, string> {
  const block = text.match(/^replace \(\n([\s\S]*?)^\)/m)?.[1] ?? "";
  return new Map(
    block
      .split("\n")
      .map((l) => l.trim().match(/^(\S+) => (\S+) (v\S+)$/))
      .filter((m): m is RegExpMatchArray => m !== null && m[1] === m[2])
      .map((m) => [m[1], m[3]]),
  );
}

test("kube-apiserver: k8s.io/kubernetes at one release, every staging module replaced at its v0.<minor>.<patch>", () => {
  const text = goMod("kube-apiserver");
  const kubernetes = requires(text).get("k8s.io/kubernetes");
  expect(kubernetes).toMatch(/^v1\.\d+\.\d+$/);
  const staging = `v0.${kubernetes?.slice("v1.".length)}`;
  const replaced = replaces(text);
  expect([...replaced.values()].filter((v) => v !== staging)).toEqual([]);
  const unpinned = [...requires(text)].filter(([mod, v]) => v === "v0.0.0" && !replaced.has(mod)).map(([mod]) => mod);
  expect(unpinned).toEqual([]);
  expect(replaced.has("k8s.io/api") && replaced.has("k8s.io/apiserver")).toBe(true);
  expect(text).toMatch(/^tool k8s\.io\/kubernetes\/cmd\/kube-apiserver$/m);
});

test("etcd: go.etcd.io/etcd/server/v3 at an exact 3.6 release", () => {
  expect(requires(goMod("etcd")).get("go.etcd.io/etcd/server/v3")).toMatch(/^v3\.6\.\d+$/);
});

test("both modules commit their go.sum", () => {
  for (const module of ["kube-apiserver", "etcd"]) expect(existsSync(path.join(DIR, module, "go.sum"))).toBe(true);
});
