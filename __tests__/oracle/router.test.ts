// npm run oracle's interface: each stdin line goes to the oracle of its cilium.version, and the
// answers come back in input order. Under 1.19 `policyCIDRMatchMode: pods` is refused (the
// v1.19.7 agent knows only "nodes"); under 1.20 it is a mode: the answer names the oracle.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { type OracleAnswer, requireOracle } from "./oracle";

const line = (id: number, cilium?: object) =>
  JSON.stringify({
    id,
    policies: [],
    path: { from: { namespace: "a", labels: {} }, to: { namespace: "b", labels: {} }, protocol: "TCP", port: 80 },
    ...(cilium ? { cilium } : {}),
  });

describe("npm run oracle", () => {
  let answers: OracleAnswer[];
  beforeAll(() => {
    requireOracle();
    const input = [
      line(0, { version: "1.19", policyCIDRMatchMode: "pods" }),
      line(1, { version: "1.20", policyCIDRMatchMode: "pods" }),
      line(2, { version: "1.19.8", policyCIDRMatchMode: "pods" }),
      line(3, { policyCIDRMatchMode: "pods" }),
      line(4, { version: "1.21" }),
    ].join("\n");
    const r = spawnSync(process.execPath, [path.join(__dirname, "..", "..", "scripts", "oracle.mjs")], { input, encoding: "utf8" });
    expect(r.status).toBe(0);
    answers = r.stdout
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l));
  });
  test("answers every line in input order", () => {
    expect(answers.map((a) => a.id)).toEqual([0, 1, 2, 3, 4]);
  });
  test("a 1.19 line, or a patch of 1.19, goes to the 1.19 oracle", () => {
    expect(answers[0].error).toMatch(/Cilium 1\.19 knows only nodes/);
    expect(answers[2].error).toMatch(/Cilium 1\.19 knows only nodes/);
  });
  test("a 1.20 line, and a line naming no version, go to the 1.20 oracle (the default line)", () => {
    expect(answers[1]).toMatchObject({ verdict: "allowed" });
    expect(answers[3]).toMatchObject({ verdict: "allowed" });
  });
  test("a version of no supported line is answered with an error", () => {
    expect(answers[4].error).toBe('cilium.version "1.21" is no supported line');
  });
});
