// A test that needs the oracle fails when the oracle is missing, saying what is missing, on any
// machine: it is never skipped (with or without CI=true).
import { requireOracle } from "./oracle";

const KEYS = ["CILIUM_ORACLE_BINS", "CILIUM_ORACLE_MISSING", "CI"] as const;

function withEnv(env: Partial<Record<(typeof KEYS)[number], string>>, body: () => void) {
  const saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]));
  try {
    for (const k of KEYS) {
      if (env[k] === undefined) delete process.env[k];
      else process.env[k] = env[k];
    }
    body();
  } finally {
    for (const k of KEYS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
}

test.each([undefined, "true"])("an unknown binary is a failure naming it, CI=%s", (ci) => {
  withEnv({ CI: ci }, () => {
    expect(() => requireOracle()).toThrow("the oracle's binary is unknown (run through npm run test:oracle)");
  });
});

test("Go missing is a failure with the global setup's reason", () => {
  withEnv({ CILIUM_ORACLE_MISSING: "Go is not installed: the oracle cannot be built" }, () => {
    expect(() => requireOracle()).toThrow("Go is not installed: the oracle cannot be built");
  });
});

test("a known binary passes", () => {
  withEnv({ CILIUM_ORACLE_BINS: '{"1.20":"/bin/true"}' }, () => {
    expect(() => requireOracle()).not.toThrow();
  });
});
