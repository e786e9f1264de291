// The probe's certificate signing request, judged by a real openssl (a process, so test:e2e).
import { execFileSync } from "node:child_process";
import { PROBE_CSR_PEM } from "../../lib/webhook-check/probes/csr";

test("the probe CSR is a valid, self-signed PKCS#10 request (openssl)", () => {
  const out = execFileSync("openssl", ["req", "-verify", "-noout", "-subject"], {
    input: PROBE_CSR_PEM,
    stdio: ["pipe", "pipe", "pipe"],
  }).toString();
  expect(out).toMatch(/CN\s*=\s*webhook-check\.cdktf-cilium\.invalid/);
});
