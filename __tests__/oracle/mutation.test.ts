// The differential suite must catch a wrong engine: with a fault injected here (CIDR `except`
// ignored; deny precedence inverted, an allow beating a deny), the same generated paths
// disagree with Cilium's code, on each line. The faults are injected into the compiled policies, the
// engine's input, by a module mock; the real engine runs on them.
import { SUPPORTED_CILIUM_LINES } from "../../lib/cilium/lines";
import type { CompiledPolicy, CompiledRule } from "../../lib/paths/compile";
import type { AnalyzePathInput, PathVerdict } from "../../lib/paths/types";
import { differential } from "./differential";
import { requireOracle, tally } from "./oracle";

type Fault = "none" | "ignore-except" | "drop-deny";
const state: { fault: Fault } = { fault: "none" };
(globalThis as { oracleFault?: typeof state }).oracleFault = state;

jest.mock("../../lib/paths/compile", () => {
  const real = jest.requireActual("../../lib/paths/compile");
  const mutate = (rules: readonly CompiledRule[], fault: Fault): CompiledRule[] =>
    rules
      .filter((r) => !(fault === "drop-deny" && r.deny))
      .map((r) =>
        fault === "ignore-except" && r.peers !== "all"
          ? { ...r, peers: r.peers.map((p) => (p.kind === "cidr" ? { ...p, except: [] } : p)) }
          : r,
      );
  return {
    ...real,
    compilePolicy: (...args: unknown[]) => {
      const fault = (globalThis as { oracleFault?: { fault: Fault } }).oracleFault?.fault ?? "none";
      const out = real.compilePolicy(...args) as CompiledPolicy[];
      if (fault === "none") return out;
      return out.map((p) => ({
        ...p,
        ingress: { ...p.ingress, rules: mutate(p.ingress.rules, fault) },
        egress: { ...p.egress, rules: mutate(p.egress.rules, fault) },
      }));
    },
  };
});

const { analyzePath } = require("../../lib/analyze-path") as typeof import("../../lib/analyze-path");

function withFault(fault: Fault, input: AnalyzePathInput): PathVerdict {
  state.fault = fault;
  try {
    return analyzePath(input);
  } finally {
    state.fault = "none";
  }
}

/** Deny precedence inverted: where a deny rule decides, an allow rule that matches wins instead. */
function allowBeatsDeny(input: AnalyzePathInput): PathVerdict {
  const v = withFault("none", input);
  if (v.verdict !== "denied" || v.blame?.kind !== "deny-rule") return v;
  const withoutDeny = withFault("drop-deny", input);
  return withoutDeny.verdict === "allowed" && withoutDeny.basis === "rule" ? withoutDeny : v;
}

// Fewer paths than the full run: a fault shows within them, and each run validates every input.
const PATHS = 2_000;

// Once per supported line: each line's oracle must catch the faults in that line's engine.
describe.each(SUPPORTED_CILIUM_LINES)("the differential suite fails on a wrong engine, Cilium %s", (line) => {
  beforeAll(() => requireOracle());
  test("the engine as it is agrees on these paths", () => {
    expect(tally(differential((input) => withFault("none", input), undefined, PATHS, line).kinds).disagree).toBe(0);
  });
  test("CIDR except ignored: disagreements", () => {
    expect(tally(differential((input) => withFault("ignore-except", input), undefined, PATHS, line).kinds).disagree).toBeGreaterThan(0);
  });
  test("deny precedence inverted (an allow beats a deny): disagreements", () => {
    expect(tally(differential(allowBeatsDeny, undefined, PATHS, line).kinds).disagree).toBeGreaterThan(0);
  });
});
