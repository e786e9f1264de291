// Classification tells the truth: every message, in kube-apiserver's own wording,
// answered to the check's dry-run create by a local TLS stand-in, through the real
// admission probe. One row per message; the `class` values are a public interface.
import { FAILURE_CLASSES } from "../lib/check/classify";
import type { ProbeResult } from "../lib/check/probes";
import { probeAdmission } from "../lib/check/probes";
import { fakeTarget, makePki, type Pki, removePki, startFakeApiServer } from "./helpers/fake-apiserver";

const CALL =
  'Internal error occurred: failed calling webhook "webhook.cert-manager.io": failed to call webhook: Post "https://cert-manager-webhook.cert-manager.svc:443/validate?timeout=30s"';
const status = (code: number, reason: string, message: string) => ({
  kind: "Status",
  apiVersion: "v1",
  metadata: {},
  status: "Failure",
  message,
  reason,
  code,
});

type Row = [string, number, { json?: unknown; text?: string }, ProbeResult["class"]];
const ROWS: Row[] = [
  [
    "EPERM on the ClusterIP (Cilium < 1.19.4, the incident)",
    500,
    { json: status(500, "InternalError", `${CALL}: dial tcp 10.98.200.162:443: connect: operation not permitted`) },
    "cilium-service",
  ],
  [
    "no route to host on the ClusterIP (Cilium >= 1.19.4)",
    500,
    { json: status(500, "InternalError", `${CALL}: dial tcp 10.98.200.162:443: connect: no route to host`) },
    "cilium-service",
  ],
  [
    "connection refused",
    500,
    { json: status(500, "InternalError", `${CALL}: dial tcp 10.244.0.12:10250: connect: connection refused`) },
    "connection-refused",
  ],
  [
    "connection reset",
    500,
    { json: status(500, "InternalError", `${CALL}: read tcp 10.0.0.1:51234->10.98.200.162:443: read: connection reset by peer`) },
    "connection-reset",
  ],
  ["EOF", 500, { json: status(500, "InternalError", `${CALL}: EOF`) }, "connection-reset"],
  ["TLS handshake timeout", 500, { json: status(500, "InternalError", `${CALL}: net/http: TLS handshake timeout`) }, "tls"],
  [
    "x509",
    500,
    { json: status(500, "InternalError", `${CALL}: tls: failed to verify certificate: x509: certificate signed by unknown authority`) },
    "tls",
  ],
  [
    "no such host",
    500,
    {
      json: status(500, "InternalError", `${CALL}: dial tcp: lookup cert-manager-webhook.cert-manager.svc on 10.96.0.10:53: no such host`),
    },
    "dns",
  ],
  ["context deadline exceeded", 500, { json: status(500, "InternalError", `${CALL}: context deadline exceeded`) }, "timeout"],
  ["i/o timeout", 500, { json: status(500, "InternalError", `${CALL}: dial tcp 10.98.200.162:443: i/o timeout`) }, "timeout"],
  [
    "Client.Timeout",
    500,
    {
      json: status(
        500,
        "InternalError",
        `${CALL}: net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)`,
      ),
    },
    "timeout",
  ],
  [
    "no endpoints",
    500,
    { json: status(500, "InternalError", `${CALL}: no endpoints available for service "cert-manager-webhook"`) },
    "no-endpoints",
  ],
  [
    "service not found",
    500,
    { json: status(500, "InternalError", `${CALL}: service "cert-manager-webhook" not found`) },
    "service-missing",
  ],
  ["namespace not found", 404, { json: status(404, "NotFound", 'namespaces "cert-manager" not found') }, "namespace-missing"],
  ["CRDs missing", 404, { json: status(404, "NotFound", "the server could not find the requested resource") }, "crds-missing"],
  [
    "our own permission",
    403,
    {
      json: status(
        403,
        "Forbidden",
        'certificaterequests.cert-manager.io is forbidden: User "ci" cannot create resource "certificaterequests" in API group "cert-manager.io" in the namespace "cert-manager"',
      ),
    },
    "rbac",
  ],
  [
    "another webhook denies (Kyverno)",
    400,
    {
      json: status(
        400,
        "BadRequest",
        'admission webhook "validate.kyverno.svc-fail" denied the request: policy require-labels: validation error: label app is required',
      ),
    },
    "other-webhook",
  ],
  [
    "another webhook denies (Gatekeeper)",
    403,
    {
      json: status(
        403,
        "Forbidden",
        'admission webhook "validation.gatekeeper.sh" denied the request: [require-team] you must provide labels: {"team"}',
      ),
    },
    "other-webhook",
  ],
  [
    "another webhook fails",
    500,
    {
      json: status(
        500,
        "InternalError",
        'Internal error occurred: failed calling webhook "validate.kyverno.svc-fail": failed to call webhook: Post "https://kyverno-svc.kyverno.svc:443/validate/fail?timeout=10s": no endpoints available for service "kyverno-svc"',
      ),
    },
    "other-webhook",
  ],
  ["credentials rejected", 401, { json: status(401, "Unauthorized", "Unauthorized") }, "credentials"],
  ["bad gateway", 502, { json: status(502, "InternalError", "bad gateway") }, "api-unavailable"],
  [
    "unavailable",
    503,
    { json: status(503, "ServiceUnavailable", "the server is currently unable to handle the request") },
    "api-unavailable",
  ],
  [
    "rate limited",
    429,
    { json: status(429, "TooManyRequests", "the server has received too many requests and has asked us to try again later") },
    "api-unavailable",
  ],
  [
    "a load balancer's HTML page",
    502,
    { text: "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>" },
    "bad-response",
  ],
  ["an empty body", 200, { text: "" }, "bad-response"],
  ["a truncated body", 201, { text: '{"apiVersion":"cert-manager.io/v1","kind":"Certif' }, "bad-response"],
  [
    "the webhook answered wrongly",
    500,
    { json: status(500, "InternalError", `${CALL}: something nobody has seen before`) },
    "webhook-misbehaving",
  ],
];

let pki: Pki;
let answer: Row[2] & { status: number };
let close: () => Promise<void>;
let url: string;
beforeAll(async () => {
  pki = makePki();
  const api = await startFakeApiServer(pki, {
    respond: (method, path) => (method === "POST" && path.endsWith("/certificaterequests") ? answer : undefined),
  });
  close = api.close;
  url = api.url;
});
afterAll(async () => {
  await close();
  removePki(pki);
});

test.each(ROWS)("%s (HTTP %i) -> %s", async (_what, code, body, expected) => {
  answer = { status: code, ...body, ...(body.text !== undefined ? { contentType: "text/html" } : {}) };
  const t = { namespace: "cert-manager", service: "cert-manager-webhook", port: 443, probeNamespace: "cert-manager" };
  const result = await probeAdmission(fakeTarget(pki, url), t, Date.now() + 10_000);
  expect(result.ok).toBe(false);
  expect(result.class).toBe(expected);
  expect(result.hint).toBeTruthy();
  if (body.json) expect(result.error).toBe((body.json as { message: string }).message);
  else expect(result.error).toBe(body.text === "" ? "(empty body)" : body.text?.split("\n")[0]);
});

test("every class a report can carry is in the table or covered by the probe tests", () => {
  const here = new Set(ROWS.map((r) => r[3]));
  const elsewhere = ["api-down"]; // transport failures: check-probes.test.ts
  expect(FAILURE_CLASSES.filter((c) => !here.has(c) && !elsewhere.includes(c))).toEqual([]);
});
