import { execFileSync } from "node:child_process";
import { classifyStatus, classifyWebhookError } from "../lib/check/classify";
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

describe("classification of the API server's error text", () => {
  test.each([
    ["dial tcp 10.98.200.162:443: connect: operation not permitted", "cilium-service"],
    ["dial tcp 10.98.200.162:443: connect: no route to host", "cilium-service"],
    ['no endpoints available for service "cert-manager-webhook"', "no-endpoints"],
    ['service "cert-manager-webhook" not found', "service-missing"],
    ["dial tcp 10.0.0.1:443: connect: connection refused", "connection-refused"],
    ["tls: failed to verify certificate: x509: certificate signed by unknown authority", "tls"],
    ["context deadline exceeded", "timeout"],
    ["dial tcp 10.0.0.1:443: i/o timeout", "timeout"],
    ["the server could not find the requested resource", "crds-missing"],
    ["something nobody has seen before", "webhook-misbehaving"],
  ])("%s -> %s", (text, cls) => {
    expect(classifyWebhookError(`Internal error occurred: failed calling webhook "webhook.cert-manager.io": ${text}`).class).toBe(cls);
  });

  test("HTTP statuses of the check's own requests", () => {
    expect(classifyStatus(401)?.class).toBe("credentials");
    expect(classifyStatus(403)?.class).toBe("rbac");
    expect(classifyStatus(500)).toBeUndefined();
  });
});

test("the probe CSR is a valid, self-signed PKCS#10 request (openssl)", () => {
  const out = execFileSync("openssl", ["req", "-verify", "-noout", "-subject"], {
    input: PROBE_CSR_PEM,
    stdio: ["pipe", "pipe", "pipe"],
  }).toString();
  expect(out).toMatch(/CN\s*=\s*webhook-check\.cdktf-cilium\.invalid/);
});
