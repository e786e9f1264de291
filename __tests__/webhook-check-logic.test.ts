import { execFileSync } from "node:child_process";
import { classifyStatus } from "../lib/check/classify";
import { PROBE_CSR_PEM } from "../lib/check/csr";
import { parseCheckArgs, UsageError } from "../lib/check/options";

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

test("HTTP statuses of the check's own requests", () => {
  expect(classifyStatus(401)?.class).toBe("credentials");
  expect(classifyStatus(403)?.class).toBe("rbac");
  expect(classifyStatus(502)?.class).toBe("api-unavailable");
  expect(classifyStatus(503)?.class).toBe("api-unavailable");
  expect(classifyStatus(429)?.class).toBe("api-unavailable");
  expect(classifyStatus(500)).toBeUndefined();
});

test("the probe CSR is a valid, self-signed PKCS#10 request (openssl)", () => {
  const out = execFileSync("openssl", ["req", "-verify", "-noout", "-subject"], {
    input: PROBE_CSR_PEM,
    stdio: ["pipe", "pipe", "pipe"],
  }).toString();
  expect(out).toMatch(/CN\s*=\s*webhook-check\.cdktf-cilium\.invalid/);
});
