// The check's logic without a server: option parsing, the status of its own
// requests, the probe CSR, and the retry loop with its deadline and report.
import { classifyStatus } from "../../lib/webhook-check/probes/classify";
import { parseCheckArgs, SETTINGS, USAGE, UsageError, validateSettings } from "../../lib/webhook-check/settings";
import { expandHome } from "../../lib/shared/home";
import type { ProbeResult } from "../../lib/webhook-check/probes/result";
import { formatReport, retryUntilDeadline } from "../../lib/webhook-check/runner/attempts";
import { printable, printableText } from "../../lib/webhook-check/runner/printable";
import { FakeClock } from "../helpers/fake-clock";

describe("option parsing", () => {
  test("defaults: cert-manager/cert-manager-webhook:443, 120 s, 2 s, ~/.kube/config", () => {
    expect(parseCheckArgs([], { HOME: "/home/u" })).toEqual({
      kubeconfig: ["/home/u/.kube/config"],
      context: undefined,
      namespace: "cert-manager",
      service: "cert-manager-webhook",
      port: 443,
      probeNamespace: "cert-manager",
      scope: "all",
      exclude: [],
      timeout: 120,
      interval: 2,
      json: false,
    });
  });

  test("KUBECONFIG path lists, ~ expansion, and flags over environment", () => {
    const o = parseCheckArgs(["--namespace", "certs", "--port", "8443"], {
      HOME: "/h",
      KUBECONFIG: "~/a:/b",
      WEBHOOK_CHECK_NAMESPACE: "ignored",
      WEBHOOK_CHECK_CONTEXT: "dev",
    });
    expect(o).toMatchObject({ kubeconfig: ["/h/a", "/b"], namespace: "certs", port: 8443, context: "dev" });
  });

  test("--kubeconfig beats KUBECONFIG", () => {
    expect(parseCheckArgs(["--kubeconfig", "/x"], { KUBECONFIG: "/y" })).toMatchObject({ kubeconfig: ["/x"] });
  });

  test.each([[["--port", "0"]], [["--port", "1.5"]], [["--timeout", "-1"]], [["--interval", "abc"]], [["--service", "Bad"]], [["extra"]]])(
    "refuses %p",
    (args) => {
      expect(() => parseCheckArgs(args, {})).toThrow(UsageError);
    },
  );
});

describe("one settings table", () => {
  test("the CLI and the construct refuse with one validator, each naming its own side", () => {
    expect(validateSettings({ port: 0, timeout: 0 }, "prop")).toEqual([
      "port 0: expected a whole number from 1 to 65535",
      "timeoutSeconds 0: expected a number from 1 to 3600",
    ]);
    expect(validateSettings({ port: "0", timeout: "0" }, "flag")).toEqual([
      '--port "0": expected a whole number from 1 to 65535',
      '--timeout "0": expected a number from 1 to 3600',
    ]);
    expect(() => parseCheckArgs(["--port", "0"], {})).toThrow('--port "0": expected a whole number from 1 to 65535');
  });

  test("the usage text lists every setting's flag and environment variable", () => {
    for (const s of SETTINGS) {
      expect(USAGE).toContain(`--${s.flag}`);
      expect(USAGE).toContain(s.env);
    }
  });

  test("one ~ expansion: ~ and ~/x under HOME, nothing else", () => {
    expect(expandHome("~/.kube/config", "/h")).toBe("/h/.kube/config");
    expect(expandHome("~", "/h")).toBe("/h");
    expect(expandHome("~user/x", "/h")).toBe("~user/x");
    expect(expandHome("/abs", "/h")).toBe("/abs");
  });
});

test("HTTP statuses of the check's own requests", () => {
  expect(classifyStatus(401)?.class).toBe("credentials");
  expect(classifyStatus(403)?.class).toBe("rbac");
  expect(classifyStatus(502)?.class).toBe("api-unavailable");
  expect(classifyStatus(503)?.class).toBe("api-unavailable");
  expect(classifyStatus(429)?.class).toBe("api-unavailable");
  // 500 and 504 too: naming no webhook, they say the API server is not answering now.
  expect(classifyStatus(500)?.class).toBe("api-unavailable");
  expect(classifyStatus(504)?.class).toBe("api-unavailable");
  expect(classifyStatus(404)).toBeUndefined();
});

// The check's retry loop, deadline and "keep the last complete diagnosis" rule,
// in-process with a fake clock: no real waiting, exact timing assertions.
describe("the retry loop, the deadline and the report (run.ts), with a fake clock", () => {
  const ok = (probe: ProbeResult["probe"]): ProbeResult => ({ probe, ok: true, ms: 1, detail: `${probe} fine` });
  const failed = (
    probe: ProbeResult["probe"],
    cls: ProbeResult["class"],
    error: string,
    extra: Partial<ProbeResult> = {},
  ): ProbeResult => ({
    probe,
    ok: false,
    ms: 1,
    detail: `${probe} failed`,
    class: cls,
    error,
    ...extra,
  });
  const EPERM = failed("admission", "cilium-service", "connect: operation not permitted");
  const CUT = failed("api-server", "api-down", "no answer before the deadline (timed out)", { cutByDeadline: true });

  /** Scripted attempts: each takes `ms` of clock time, then returns its probes (the last one repeats). */
  function script(clock: FakeClock, steps: Array<{ ms: number; probes: ProbeResult[] | ((deadline: number) => ProbeResult[]) }>) {
    const deadlines: number[] = [];
    let i = 0;
    const attempt = async (deadline: number) => {
      deadlines.push(deadline);
      const step = steps[Math.min(i++, steps.length - 1)];
      clock.advance(step.ms);
      return typeof step.probes === "function" ? step.probes(deadline) : step.probes;
    };
    return { attempt, deadlines };
  }

  const settings = { started: 1000, timeoutMs: 10_000, intervalMs: 2000 };

  test("passes on the first attempt without sleeping", async () => {
    const clock = new FakeClock(1000);
    const { attempt } = script(clock, [{ ms: 150, probes: [ok("api-server"), ok("webhook-endpoints"), ok("admission")] }]);
    const out = await retryUntilDeadline(attempt, settings, clock, () => {});
    expect(out).toMatchObject({ ok: true, attempts: 1, elapsedMs: 150 });
    expect(clock.sleeps).toEqual([]);
  });

  test("retries after the interval until the webhook answers", async () => {
    const clock = new FakeClock(1000);
    const good = [ok("api-server"), ok("webhook-endpoints"), ok("admission")];
    const { attempt, deadlines } = script(clock, [
      { ms: 100, probes: [ok("api-server"), ok("webhook-endpoints"), EPERM] },
      { ms: 100, probes: [ok("api-server"), ok("webhook-endpoints"), EPERM] },
      { ms: 100, probes: good },
    ]);
    const out = await retryUntilDeadline(attempt, settings, clock, () => {});
    expect(out).toMatchObject({ ok: true, attempts: 3, elapsedMs: 100 * 3 + 2000 * 2 });
    expect(clock.sleeps).toEqual([2000, 2000]);
    expect(new Set(deadlines)).toEqual(new Set([11_000])); // one absolute deadline for every attempt
  });

  test("never sleeps past the deadline and stops exactly at it", async () => {
    const clock = new FakeClock(1000);
    const { attempt } = script(clock, [{ ms: 0, probes: [ok("api-server"), ok("webhook-endpoints"), EPERM] }]);
    const out = await retryUntilDeadline(attempt, { started: 1000, timeoutMs: 5000, intervalMs: 2000 }, clock, () => {});
    expect(clock.sleeps).toEqual([2000, 2000, 1000]);
    expect(out).toMatchObject({ ok: false, attempts: 3, elapsedMs: 5000, failure: EPERM });
  });

  test("an attempt that runs into the deadline ends the loop at the deadline", async () => {
    const clock = new FakeClock(0);
    // Requests are cut at the deadline: the attempt returns exactly then.
    const { attempt } = script(clock, [{ ms: 10_000, probes: [CUT] }]);
    const out = await retryUntilDeadline(attempt, { started: 0, timeoutMs: 10_000, intervalMs: 2000 }, clock, () => {});
    expect(out).toMatchObject({ ok: false, attempts: 1, elapsedMs: 10_000 });
    expect(clock.sleeps).toEqual([]);
  });

  test("when the deadline cuts the last attempt, the last complete diagnosis is reported", async () => {
    const clock = new FakeClock(0);
    const { attempt } = script(clock, [
      { ms: 500, probes: [ok("api-server"), ok("webhook-endpoints"), EPERM] },
      { ms: 7500, probes: [CUT] },
    ]);
    const out = await retryUntilDeadline(attempt, { started: 0, timeoutMs: 10_000, intervalMs: 2000 }, clock, () => {});
    expect(out.ok).toBe(false);
    expect(out.failure).toEqual(EPERM);
    expect(out.probes).toEqual([ok("api-server"), ok("webhook-endpoints"), EPERM]);
    expect(out.attempts).toBe(2);
    expect(out.elapsedMs).toBe(10_000);
  });

  test("a cut attempt that found no failure still does not replace the last complete verdict", async () => {
    // Before: an attempt without a deciding failure returned ok, even when the deadline had cut it.
    const clock = new FakeClock(0);
    const CUT_QUIET: ProbeResult = { ...ok("cluster-paths"), cutByDeadline: true };
    const { attempt } = script(clock, [
      { ms: 500, probes: [ok("api-server"), EPERM] },
      { ms: 7500, probes: [ok("api-server"), ok("admission"), CUT_QUIET] },
    ]);
    const out = await retryUntilDeadline(attempt, { started: 0, timeoutMs: 10_000, intervalMs: 2000 }, clock, () => {});
    expect(out).toMatchObject({ ok: false, attempts: 2, failure: EPERM });
  });

  test("a probe the deadline cut never outranks a finding another probe completed in the same attempt", async () => {
    const clock = new FakeClock(0);
    const cutAdmission = failed("admission", "timeout", "no answer before the deadline (timed out)", { cutByDeadline: true });
    const mismatch = failed("proof-assumptions", "proof-assumption", 'cilium-config enable-policy: assumed "default"; found "always"');
    const { attempt } = script(clock, [{ ms: 3000, probes: [ok("api-server"), ok("webhook-endpoints"), cutAdmission, mismatch] }]);
    const out = await retryUntilDeadline(attempt, { started: 0, timeoutMs: 3000, intervalMs: 2000 }, clock, () => {});
    expect(out.failure).toEqual(mismatch);
  });

  test("the pause is the server's Retry-After when longer than the interval, never past the deadline", async () => {
    const clock = new FakeClock(0);
    const throttled = failed("admission", "api-unavailable", "Too many requests, please try again later.", { retryAfterMs: 7000 });
    const { attempt } = script(clock, [{ ms: 0, probes: [throttled] }]);
    await retryUntilDeadline(attempt, { started: 0, timeoutMs: 10_000, intervalMs: 2000 }, clock, () => {});
    expect(clock.sleeps).toEqual([7000, 3000]);
  });

  test("a cut first attempt (nothing complete yet) is reported as it is", async () => {
    const clock = new FakeClock(0);
    const { attempt } = script(clock, [{ ms: 3000, probes: [CUT] }]);
    const out = await retryUntilDeadline(attempt, { started: 0, timeoutMs: 3000, intervalMs: 2000 }, clock, () => {});
    expect(out.failure).toEqual(CUT);
  });

  test("progress reports each new failure once", async () => {
    const clock = new FakeClock(0);
    const lines: string[] = [];
    const refused = failed("admission", "connection-refused", "connect: connection refused");
    const { attempt } = script(clock, [
      { ms: 0, probes: [EPERM] },
      { ms: 0, probes: [EPERM] },
      { ms: 0, probes: [refused] },
      { ms: 0, probes: [refused] },
    ]);
    await retryUntilDeadline(attempt, { started: 0, timeoutMs: 8000, intervalMs: 2000 }, clock, (l) => lines.push(l));
    expect(lines).toEqual([
      "attempt 1 (0.0s): admission failed [cilium-service]: connect: operation not permitted",
      "attempt 3 (4.0s): admission failed [connection-refused]: connect: connection refused",
    ]);
  });

  test("the human report names each probe, its time and verdict, with the API server's words and the hint", () => {
    const text = formatReport({
      ok: false,
      server: "https://127.0.0.1:6443",
      context: "admin@dev",
      webhook: "cert-manager/cert-manager-webhook:443",
      attempts: 4,
      elapsedMs: 6000,
      probes: [ok("api-server"), { ...EPERM, hint: "Cilium" }],
      failure: EPERM,
    });
    expect(text.split("\n")).toEqual([
      "webhook-check: NOT REACHABLE: kube-apiserver -> cert-manager/cert-manager-webhook:443",
      "  server https://127.0.0.1:6443 (context admin@dev), 4 attempt(s), 6.0s",
      "  ok   api-server            1ms  api-server fine",
      "  FAIL admission             1ms  admission failed",
      "       API server said: connect: operation not permitted",
      "       hint [cilium-service]: Cilium",
    ]);
  });

  test("when the API server itself did not answer, the first line says so, not that the webhook is unreachable", () => {
    const down = failed("api-server", "api-down", "dial tcp 127.0.0.1:6443: connect: connection refused");
    const text = formatReport({
      ok: false,
      server: "https://127.0.0.1:6443",
      context: "admin@dev",
      webhook: "cert-manager/cert-manager-webhook:443",
      attempts: 3,
      elapsedMs: 4000,
      probes: [down],
      failure: down,
    });
    expect(text.split("\n")[0]).toBe(
      "webhook-check: NOT CHECKED: the API server https://127.0.0.1:6443 did not answer [api-down]; kube-apiserver -> cert-manager/cert-manager-webhook:443 is unknown",
    );
  });
});

describe("what the check quotes is inert", () => {
  test("bidirectional overrides and isolates are escaped, so quoted text prints in its order", () => {
    const reordering = "ok\u202e\u2066\u2069\u200f\u061c\u2028 done";
    expect(printableText(reordering)).toBe("ok\\u202e\\u2066\\u2069\\u200f\\u061c\\u2028 done");
  });

  test("object keys are made printable like values", () => {
    expect(printable({ "a\u001b[2K\nb": { "\u202ex": "v\r" } })).toEqual({ "a\\u001b[2K\\nb": { "\\u202ex": "v\\r" } });
  });
});
