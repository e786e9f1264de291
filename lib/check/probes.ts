/**
 * The three probes, in the order a failure is diagnosed:
 * 1. api-server: reachable, and the credentials accepted;
 * 2. webhook-endpoints: the Service exists, has the port, and has ready endpoints;
 * 3. admission (the proof): server-side dry-run creates of CertificateRequests, so
 *    kube-apiserver itself calls cert-manager's webhook through its Service, as
 *    cert-manager's own API checker does. A valid CSR must come back mutated
 *    (spec.username set by the mutating webhook); an invalid one must be denied by
 *    webhook.cert-manager.io. Dry-run: nothing is persisted.
 */
import { type Classification, classification, classifyStatus, classifyWebhookError, type FailureClass } from "./classify";
import { PROBE_CSR_PEM } from "./csr";
import { apiRequest, type ApiResponse, TransportError } from "./http";
import type { KubeTarget } from "./kube";

export type ProbeName = "api-server" | "webhook-endpoints" | "admission";

export interface ProbeResult {
  readonly probe: ProbeName;
  readonly ok: boolean;
  /** Milliseconds the probe took. */
  readonly ms: number;
  /** What was observed, in a sentence. */
  readonly detail: string;
  /** The API server's own error text, when it gave one. */
  readonly error?: string;
  readonly class?: FailureClass;
  readonly hint?: string;
  /** The overall deadline cut this probe short: it says nothing about the cluster. */
  readonly cutByDeadline?: boolean;
}

export interface ProbeTarget {
  readonly namespace: string;
  readonly service: string;
  readonly port: number;
}

export const CERT_MANAGER_WEBHOOK = "webhook.cert-manager.io";
const DENIED = new RegExp(`admission webhook "${CERT_MANAGER_WEBHOOK.replace(/\./g, "\\.")}" denied the request`);

type Outcome = Omit<ProbeResult, "probe" | "ms">;

const pass = (detail: string): Outcome => ({ ok: true, detail });
const fail = (detail: string, c: Classification, error?: string): Outcome => ({
  ok: false,
  detail,
  class: c.class,
  hint: c.hint,
  ...(error !== undefined ? { error } : {}),
});

/** The message of a Kubernetes Status body, or the raw text. */
function apiMessage(res: ApiResponse): string {
  const body = res.body as { message?: unknown } | undefined;
  if (body && typeof body.message === "string") return body.message;
  return res.text.slice(0, 500) || `HTTP ${res.status}`;
}

function unexpected(what: string, res: ApiResponse, fallback: FailureClass): Outcome {
  const c = classifyStatus(res.status) ?? classification(fallback);
  return fail(`${what}: HTTP ${res.status}`, c, apiMessage(res));
}

function transport(what: string, err: unknown): Outcome {
  const message = err instanceof Error ? err.message : String(err);
  const code = err instanceof TransportError ? ` (${err.code})` : "";
  const cut = err instanceof TransportError && err.atDeadline;
  return {
    ...fail(`${what}: the API server did not answer${code}`, classification("api-down"), message),
    ...(cut ? { cutByDeadline: true } : {}),
  };
}

async function timed(probe: ProbeName, run: () => Promise<Outcome>): Promise<ProbeResult> {
  const start = Date.now();
  const outcome = await run();
  return { probe, ms: Date.now() - start, ...outcome };
}

export function probeApiServer(target: KubeTarget, deadline: number): Promise<ProbeResult> {
  return timed("api-server", async () => {
    let res: ApiResponse;
    try {
      res = await apiRequest(target, "GET", "/version", deadline);
    } catch (err) {
      return transport(`GET ${target.server.origin}/version`, err);
    }
    if (res.status !== 200) return unexpected("GET /version", res, "api-down");
    const version = (res.body as { gitVersion?: string } | undefined)?.gitVersion ?? "unknown version";
    return pass(`API server ${target.server.host} answered, credentials accepted (Kubernetes ${version})`);
  });
}

export function probeEndpoints(target: KubeTarget, t: ProbeTarget, deadline: number): Promise<ProbeResult> {
  return timed("webhook-endpoints", async () => {
    const svcPath = `/api/v1/namespaces/${t.namespace}/services/${t.service}`;
    let svc: ApiResponse;
    try {
      svc = await apiRequest(target, "GET", svcPath, deadline);
    } catch (err) {
      return transport(`GET ${svcPath}`, err);
    }
    if (svc.status === 404)
      return fail(`Service ${t.namespace}/${t.service} does not exist`, classification("service-missing"), apiMessage(svc));
    if (svc.status !== 200) return unexpected(`GET ${svcPath}`, svc, "api-down");
    const ports = ((svc.body as { spec?: { ports?: Array<{ port?: number }> } }).spec?.ports ?? []).map((p) => p.port);
    if (!ports.includes(t.port)) {
      return fail(
        `Service ${t.namespace}/${t.service} has no port ${t.port} (ports: ${ports.join(", ") || "none"})`,
        classification("service-missing"),
      );
    }
    const slicesPath = `/apis/discovery.k8s.io/v1/namespaces/${t.namespace}/endpointslices?labelSelector=${encodeURIComponent(`kubernetes.io/service-name=${t.service}`)}`;
    let slices: ApiResponse;
    try {
      slices = await apiRequest(target, "GET", slicesPath, deadline);
    } catch (err) {
      return transport("GET endpointslices", err);
    }
    if (slices.status !== 200) return unexpected("GET endpointslices", slices, "api-down");
    type Slice = { endpoints?: Array<{ addresses?: string[]; conditions?: { ready?: boolean } }> };
    const items = (slices.body as { items?: Slice[] }).items ?? [];
    const ready = items
      .flatMap((s) => s.endpoints ?? [])
      .filter((e) => e.conditions?.ready !== false)
      .flatMap((e) => e.addresses ?? []);
    if (ready.length === 0) return fail(`Service ${t.namespace}/${t.service} has no ready endpoints`, classification("no-endpoints"));
    return pass(`Service ${t.namespace}/${t.service}:${t.port} has ${ready.length} ready endpoint(s): ${ready.slice(0, 5).join(", ")}`);
  });
}

function certificateRequest(csrPem: string) {
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "CertificateRequest",
    metadata: { generateName: "webhook-check-", labels: { "app.kubernetes.io/managed-by": "cdktf-cilium-webhook-check" } },
    spec: {
      request: Buffer.from(csrPem).toString("base64"),
      issuerRef: { name: "webhook-check", kind: "Issuer", group: "cert-manager.io" },
    },
  };
}

/** An answer that is not the webhook's own: the API server could not get one. */
function admissionFailure(what: string, res: ApiResponse): Outcome {
  const message = apiMessage(res);
  if (res.status === 404) return fail(`${what}: the certificaterequests API is not served`, classification("crds-missing"), message);
  const status = classifyStatus(res.status);
  if (status && !DENIED.test(message)) return fail(`${what}: HTTP ${res.status}`, status, message);
  if (/failed calling webhook|failed to call webhook/i.test(message)) {
    return fail(`${what}: kube-apiserver could not call the webhook`, classifyWebhookError(message), message);
  }
  return fail(`${what}: unexpected answer HTTP ${res.status}`, classifyWebhookError(message), message);
}

export function probeAdmission(target: KubeTarget, t: ProbeTarget, deadline: number): Promise<ProbeResult> {
  return timed("admission", async () => {
    const path = `/apis/cert-manager.io/v1/namespaces/${t.namespace}/certificaterequests?dryRun=All&fieldManager=webhook-check`;
    let valid: ApiResponse;
    try {
      valid = await apiRequest(target, "POST", path, deadline, certificateRequest(PROBE_CSR_PEM));
    } catch (err) {
      return transport("dry-run create (valid CSR)", err);
    }
    if (valid.status !== 200 && valid.status !== 201) return admissionFailure("dry-run create (valid CSR)", valid);
    const username = (valid.body as { spec?: { username?: string } } | undefined)?.spec?.username;
    if (!username) {
      return fail(
        "dry-run create (valid CSR) was admitted but not mutated (spec.username unset): cert-manager's mutating webhook did not run",
        classification("webhook-misbehaving"),
      );
    }
    let invalid: ApiResponse;
    try {
      invalid = await apiRequest(target, "POST", path, deadline, certificateRequest("this is not a certificate request"));
    } catch (err) {
      return transport("dry-run create (invalid CSR)", err);
    }
    if (invalid.status >= 200 && invalid.status < 300) {
      return fail(
        "dry-run create (invalid CSR) was admitted: cert-manager's validating webhook did not run",
        classification("webhook-misbehaving"),
      );
    }
    const message = apiMessage(invalid);
    if (!DENIED.test(message)) return admissionFailure("dry-run create (invalid CSR)", invalid);
    return pass(
      `kube-apiserver called ${CERT_MANAGER_WEBHOOK}: a valid CSR was mutated (spec.username=${username}), an invalid one denied`,
    );
  });
}
