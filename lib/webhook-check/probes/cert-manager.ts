/**
 * The cert-manager family: the probes of the path kube-apiserver -> cert-manager's
 * webhook, in the order a failure is diagnosed:
 * 1. api-server: `/version` answers with a Kubernetes version, and the credentials
 *    are accepted;
 * 2. probe-namespace: the namespace the dry-runs go to exists and is not labelled
 *    `cert-manager.io/disable-validation=true` (cert-manager's webhook skips such
 *    namespaces, so the proof could never pass there);
 * 3. webhook-endpoints (a diagnostic): the Service exists with the port and has
 *    ready endpoints;
 * 4. admission (the proof): server-side dry-run creates of CertificateRequests, so
 *    kube-apiserver itself calls cert-manager's webhook through its Service, as
 *    cert-manager's own API checker does. A valid CSR must come back mutated
 *    (spec.username set by the mutating webhook); an invalid one must be denied by
 *    webhook.cert-manager.io. Dry-run: nothing is persisted.
 * Only the proof decides: diagnostics that fail or are forbidden are warnings.
 */
import {
  admissionPolicyNamed,
  type Classification,
  classification,
  classifyStatus,
  classifyTransport,
  classifyWebhookError,
  type FailureClass,
  firstLine,
  UNAVAILABLE_STATUSES,
} from "./classify";
import type { ProbeName, ProbeResult } from "./result";
import { PROBE_CSR_PEM } from "./csr";
import { PluginError } from "../kube/credentials";
import { type ApiResponse, apiRequest, type KubeTarget, TransportError, statusMessage } from "../kube/http";
import { ConfigError } from "../kube/kubeconfig";
import { serviceState, stateClassification } from "./services";

export interface ProbeTarget {
  /** Namespace of the webhook Service. */
  readonly namespace: string;
  readonly service: string;
  readonly port: number;
  /** Namespace the dry-run CertificateRequests go to. */
  readonly probeNamespace: string;
}

export const CERT_MANAGER_WEBHOOK = "webhook.cert-manager.io";
export const DISABLE_VALIDATION_LABEL = "cert-manager.io/disable-validation";
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

/** An answer that is not the JSON the API returns: a proxy's HTML page, a truncated body. */
function badResponse(what: string, res: ApiResponse): Outcome {
  return fail(`${what}: HTTP ${res.status} with a body that is not Kubernetes JSON`, classification("bad-response"), firstLine(res.text));
}

/** The Retry-After of an answer, for the retry loop. */
const retryAfter = (res: ApiResponse) => (res.retryAfterMs !== undefined ? { retryAfterMs: res.retryAfterMs } : {});

function unexpected(what: string, res: ApiResponse, fallback: FailureClass): Outcome {
  const message = statusMessage(res);
  const c = classifyStatus(res.status) ?? (message === undefined ? classification("bad-response") : classification(fallback));
  return { ...fail(`${what}: HTTP ${res.status}`, c, message ?? firstLine(res.text)), ...retryAfter(res) };
}

function transport(what: string, err: unknown, whenCut: FailureClass = "api-down"): Outcome {
  if (err instanceof ConfigError) throw err;
  if (err instanceof PluginError) {
    return {
      ...fail(`${what}: no credentials`, classification("credentials"), err.message),
      ...(err.atDeadline ? { cutByDeadline: true } : {}),
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  const code = err instanceof TransportError ? err.code : "ERROR";
  const cut = err instanceof TransportError && err.atDeadline;
  const c = cut ? classification(whenCut) : err instanceof TransportError ? classifyTransport(code) : classification("api-down");
  const said = code === "EBODYLIMIT" ? "an answer too large to read" : `no answer (${code})`;
  return { ...fail(`${what}: ${said}`, c, message), ...(cut ? { cutByDeadline: true } : {}) };
}

async function timed(probe: ProbeName, run: () => Promise<Outcome>): Promise<ProbeResult> {
  const start = Date.now();
  const outcome = await run();
  return { probe, ms: Date.now() - start, ...outcome };
}

const KUBE_VERSION = /^v\d+\.\d+\.\d+/;

export function probeApiServer(target: KubeTarget, deadline: number, signal?: AbortSignal): Promise<ProbeResult> {
  return timed("api-server", async () => {
    let res: ApiResponse;
    try {
      res = await apiRequest(target, "GET", "/version", deadline, undefined, signal);
    } catch (err) {
      return transport(`GET ${target.server.origin}${target.server.pathname.replace(/\/$/, "")}/version`, err);
    }
    if (res.status !== 200) return unexpected("GET /version", res, "api-down");
    const version = (res.body as { gitVersion?: unknown } | undefined)?.gitVersion;
    if (typeof version !== "string" || !KUBE_VERSION.test(version)) return badResponse("GET /version", res);
    return pass(`API server ${target.server.host} answered, credentials accepted (Kubernetes ${version})`);
  });
}

/** The probe namespace: it must exist and must not switch cert-manager's validation off. */
export function probeNamespace(target: KubeTarget, t: ProbeTarget, deadline: number, signal?: AbortSignal): Promise<ProbeResult> {
  return timed("probe-namespace", async () => {
    let res: ApiResponse;
    try {
      res = await apiRequest(target, "GET", `/api/v1/namespaces/${t.probeNamespace}`, deadline, undefined, signal);
    } catch (err) {
      return { ...transport(`GET namespace ${t.probeNamespace}`, err), warning: true };
    }
    if (res.status === 404 && statusMessage(res) !== undefined) {
      return fail(`namespace ${t.probeNamespace} does not exist`, classification("namespace-missing"), statusMessage(res));
    }
    if (res.status !== 200)
      return { ...unexpected(`GET namespace ${t.probeNamespace} (needs get namespaces)`, res, "api-down"), warning: true };
    const labels = (res.body as { metadata?: { labels?: Record<string, string> } } | undefined)?.metadata?.labels ?? {};
    if (labels[DISABLE_VALIDATION_LABEL] === "true") {
      throw new ConfigError(
        `namespace ${t.probeNamespace} is labelled ${DISABLE_VALIDATION_LABEL}=true, so cert-manager's webhook does not validate there and the proof cannot pass; ` +
          "pass --probe-namespace with a namespace without that label",
      );
    }
    return pass(`namespace ${t.probeNamespace} exists; cert-manager validates there`);
  });
}

/** A diagnostic: when it fails, the report warns; the verdict is the proof's. */
export function probeEndpoints(target: KubeTarget, t: ProbeTarget, deadline: number, signal?: AbortSignal): Promise<ProbeResult> {
  return timed("webhook-endpoints", async () => {
    const state = await serviceState(target, t.namespace, t.service, t.port, deadline, signal);
    if (state.ok) return pass(state.detail);
    return {
      ok: false,
      warning: true,
      detail: state.detail,
      ...stateClassification(state),
      ...(state.error !== undefined ? { error: state.error } : {}),
      ...(state.cutByDeadline ? { cutByDeadline: true } : {}),
    };
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

/**
 * Words of kube-apiserver about a webhook it called (its admission plugins:
 * `failed calling webhook "W"`, `admission webhook "W" denied the request`). Not the bare word
 * "webhook": a 403 for a ServiceAccount named `webhook-check` carries it in the user's name.
 */
const WEBHOOK_WORDS = /failed calling webhook|failed to call webhook|admission webhook "|conversion webhook for/i;

function admissionFailure(what: string, res: ApiResponse): Outcome {
  const message = statusMessage(res);
  const words = message ?? firstLine(res.text);
  const policy = admissionPolicyNamed(words);
  if (policy !== undefined) return fail(`${what}: denied by ${policy}`, classification("admission-policy"), words);
  // 429 (max-in-flight, APF: plain text, before admission) and 5xx naming no webhook: the API server is not answering now.
  if (UNAVAILABLE_STATUSES.includes(res.status) && !WEBHOOK_WORDS.test(words))
    return {
      ...fail(`${what}: HTTP ${res.status}, kube-apiserver did not admit it now`, classification("api-unavailable"), words),
      ...retryAfter(res),
    };
  if (message === undefined) return badResponse(what, res);
  if (res.status === 404) {
    if (/namespaces? "[^"]*" not found/i.test(message))
      return fail(`${what}: the probe namespace does not exist`, classification("namespace-missing"), message);
    return fail(`${what}: the certificaterequests API is not served`, classification("crds-missing"), message);
  }
  const status = classifyStatus(res.status);
  const webhookWords = WEBHOOK_WORDS.test(message);
  if (status && !webhookWords) return fail(`${what}: HTTP ${res.status}`, status, message);
  if (/failed calling webhook|failed to call webhook/i.test(message)) {
    return fail(`${what}: kube-apiserver could not call the webhook`, classifyWebhookError(message, CERT_MANAGER_WEBHOOK), message);
  }
  return fail(`${what}: unexpected answer HTTP ${res.status}`, classifyWebhookError(message, CERT_MANAGER_WEBHOOK), message);
}

export function probeAdmission(target: KubeTarget, t: ProbeTarget, deadline: number, signal?: AbortSignal): Promise<ProbeResult> {
  return timed("admission", async () => {
    const path = `/apis/cert-manager.io/v1/namespaces/${t.probeNamespace}/certificaterequests?dryRun=All&fieldManager=webhook-check`;
    let valid: ApiResponse;
    try {
      valid = await apiRequest(target, "POST", path, deadline, certificateRequest(PROBE_CSR_PEM), signal);
    } catch (err) {
      // A dry-run that hangs until the deadline: the API server's call to the webhook hangs.
      return transport("dry-run create (valid CSR)", err, "timeout");
    }
    if (valid.status !== 200 && valid.status !== 201) return admissionFailure("dry-run create (valid CSR)", valid);
    if (valid.body === undefined) return badResponse("dry-run create (valid CSR)", valid);
    const username = (valid.body as { spec?: { username?: string } }).spec?.username;
    if (!username) {
      return fail(
        "dry-run create (valid CSR) was admitted but not mutated (spec.username unset): cert-manager's mutating webhook did not run",
        classification("webhook-misbehaving"),
      );
    }
    let invalid: ApiResponse;
    try {
      invalid = await apiRequest(target, "POST", path, deadline, certificateRequest("this is not a certificate request"), signal);
    } catch (err) {
      return transport("dry-run create (invalid CSR)", err, "timeout");
    }
    if (invalid.status >= 200 && invalid.status < 300) {
      return fail(
        "dry-run create (invalid CSR) was admitted: cert-manager's validating webhook did not run",
        classification("webhook-misbehaving"),
      );
    }
    const message = statusMessage(invalid);
    if (message === undefined || !DENIED.test(message)) return admissionFailure("dry-run create (invalid CSR)", invalid);
    return pass(
      `kube-apiserver called ${CERT_MANAGER_WEBHOOK}: a valid CSR was mutated (spec.username=${username}), an invalid one denied`,
    );
  });
}
