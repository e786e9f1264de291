/**
 * Names the likely cause of a failure from the API server's own words, so the
 * report says where to look. The `class` values are a public interface (docs/webhook-check.md,
 * "Failure classes"); order matters, the first matching rule wins.
 */
/** Every failure class, in the order of docs/webhook-check.md: the only list; the type derives from it. */
export const FAILURE_CLASSES = [
  "cilium-service",
  "connection-refused",
  "connection-reset",
  "tls",
  "dns",
  "timeout",
  "no-endpoints",
  "service-missing",
  "namespace-missing",
  "crds-missing",
  "rbac",
  "credentials",
  "api-down",
  "api-unavailable",
  "other-webhook",
  "admission-policy",
  "webhook-misbehaving",
  "bad-response",
  "proof-assumption",
] as const;

export type FailureClass = (typeof FAILURE_CLASSES)[number];

/**
 * What every result of the check says, a probe's (ProbeResult) and an item's
 * (ItemResult) alike; they differ only in how they name themselves and their verdict
 * (`probe`/`ok`/`warning` vs `kind`/`name`/`verdict`, kept as the --json report has them).
 */
export interface Finding {
  /** Milliseconds it took. */
  readonly ms: number;
  /** What was observed, in a sentence. */
  readonly detail: string;
  /** The API server's (or the aggregator's) own words, when it gave any. */
  readonly error?: string;
  readonly class?: FailureClass;
  readonly hint?: string;
}

export interface Classification {
  readonly class: FailureClass;
  readonly hint: string;
}

const HINTS: Record<FailureClass, string> = {
  "cilium-service":
    "the dial to the webhook's ClusterIP failed on the API server's own node: Cilium's socket-LB has no backend for the Service, or a network policy drops the connection. " +
    "Cilium before 1.19.4 answers `connect: operation not permitted` (EPERM); from 1.19.4 `connect: no route to host` (EHOSTUNREACH, cilium/cilium#45184). " +
    "Check `kubectl -n <ns> get endpointslices`, `cilium-dbg service list` in the Cilium agent on the control-plane node, the policies selecting the webhook pods, and `cilium monitor --type drop`.",
  "connection-refused":
    "the webhook pod is not listening (starting, crash-looping or not ready): check `kubectl -n <ns> get pods` and the webhook's logs.",
  "connection-reset":
    "the connection to the webhook was reset or closed mid-request (`connection reset by peer`, `EOF`): the webhook pod restarted, or something on the path (a policy, a proxy) cut it.",
  tls: "TLS failed: between the API server and the webhook, the caBundle of the webhook configuration does not match the serving certificate (cert-manager's cainjector injects it; check it runs); for the check's own connection, the kubeconfig's certificate-authority or tls-server-name.",
  dns: "a host name did not resolve (`no such host`): for the webhook, the API server could not resolve the Service's DNS name; for the check, the kubeconfig's server address.",
  timeout:
    "the call timed out, or got no answer before the deadline. A network policy that drops packets (rather than rejecting them) makes the API server's call hang: each dry-run waits for the webhook's own timeout (up to 30 s) and the check's deadline may cut it. " +
    "Look for drops (`cilium monitor --type drop`, `hubble observe --verdict DROPPED`), and raise --timeout above the webhook's timeoutSeconds to see the API server's own words.",
  "no-endpoints":
    "the webhook Service has no ready endpoints: the webhook pods are missing or not ready (`kubectl -n <ns> get endpointslices,pods`).",
  "service-missing":
    "the webhook Service does not exist: is cert-manager installed in this namespace, and are --namespace/--service right?",
  "namespace-missing": "the namespace does not exist: is cert-manager installed, and are --namespace/--probe-namespace right?",
  "crds-missing": "the cert-manager CRDs (certificaterequests.cert-manager.io) are not installed.",
  rbac: "the check's own credentials lack a permission (see docs/webhook-check.md, RBAC): the check needs create on certificaterequests in the probe namespace; reads of services, endpointslices and namespaces are diagnostics only.",
  credentials:
    "the API server rejected the check's credentials (401): the kubeconfig's token, client certificate or exec plugin output is expired or wrong.",
  "api-down":
    "the API server itself did not answer: check the kubeconfig's server address (and proxy settings), the network path to it, and that the control plane is up.",
  "api-unavailable":
    "the API server (or a proxy or load balancer in front of it) answered 429, 500, 502, 503 or 504 without naming a webhook or an aggregated API: overloaded, starting, or rate-limiting (max-in-flight or API Priority and Fairness); the check retries, waiting at least its Retry-After within the deadline. " +
    "If it lasts until the deadline, the paths behind it are not proven.",
  "other-webhook":
    "another admission webhook denied or failed the dry-run (the report names it): it also intercepts certificaterequests; fix or exclude that webhook, or use --probe-namespace.",
  "admission-policy":
    "a ValidatingAdmissionPolicy denied the dry-run (the report quotes the policy and its binding): not a webhook, not the check's permissions. " +
    "Exempt the probe namespace (or objects labelled app.kubernetes.io/managed-by=cdktf-cilium-webhook-check) from that binding, or use --probe-namespace.",
  "webhook-misbehaving": "cert-manager's webhook answered, but not as it should: check its version and the webhook configurations.",
  "bad-response":
    "the answer was not the JSON the Kubernetes API returns (an HTML page, a truncated body, or one larger than the 64 MiB the check reads): a proxy or load balancer in front of the API server, or the wrong server address.",
  "proof-assumption":
    "the cluster is not what the synth-time proof of the policies assumed (WEBHOOK_CHECK_PROOF): the report shows assumed vs found. " +
    "Fix the cluster (the webhook Service, the Cilium release's settings) or the app's inputs (RequiredPaths, the release's values), then synthesize again so the proof decides over what is really there.",
};

export function classification(cls: FailureClass): Classification {
  return { class: cls, hint: HINTS[cls] };
}

/** The name of the webhook the API server says it called, or that denied the request. */
export function webhookNamed(text: string): string | undefined {
  return /(?:failed calling|failed to call) webhook "([^"]+)"/i.exec(text)?.[1] ?? /admission webhook "([^"]+)" denied/i.exec(text)?.[1];
}

const WEBHOOK_RULES: ReadonlyArray<[RegExp, FailureClass]> = [
  [/operation not permitted|no route to host/i, "cilium-service"],
  [/no endpoints available for service/i, "no-endpoints"],
  [/service "[^"]*" not found/i, "service-missing"],
  [/connection refused/i, "connection-refused"],
  [/connection reset|: EOF\b|unexpected EOF|broken pipe/i, "connection-reset"],
  [/x509:|tls:|TLS handshake|certificate signed by unknown authority|certificate is not valid/i, "tls"],
  [/no such host|server misbehaving|Temporary failure in name resolution/i, "dns"],
  [/context deadline exceeded|i\/o timeout|Client\.Timeout|timed out|deadline/i, "timeout"],
];

/**
 * Classifies the API server's words about a call to an admission webhook. A call
 * to, or a denial by, any webhook other than `expected` is `other-webhook`.
 */
export function classifyWebhookError(text: string, expected = "webhook.cert-manager.io"): Classification {
  const named = webhookNamed(text);
  if (named !== undefined && named !== expected) return classification("other-webhook");
  for (const [pattern, cls] of WEBHOOK_RULES) if (pattern.test(text)) return classification(cls);
  return classification("webhook-misbehaving");
}

/**
 * Statuses that mean "the API server (or what is in front of it) is not answering
 * now": max-in-flight and API Priority and Fairness refuse with 429 before the
 * request reaches admission (k8s.io/apiserver v0.35.4
 * pkg/server/filters/maxinflight.go `tooManyRequests`: plain text "Too many requests,
 * please try again later." with Retry-After; priority-and-fairness.go likewise), a
 * starting or overloaded server or a load balancer answers 500/502/503/504.
 * Unless the words name a webhook or an aggregated API, they say nothing about
 * the path under test.
 */
export const UNAVAILABLE_STATUSES: readonly number[] = [429, 500, 502, 503, 504];

/** Classifies an HTTP status the API server gave the check itself (404 is left to the caller). */
export function classifyStatus(status: number): Classification | undefined {
  if (status === 401) return classification("credentials");
  if (status === 403) return classification("rbac");
  if (UNAVAILABLE_STATUSES.includes(status)) return classification("api-unavailable");
  return undefined;
}

/**
 * A ValidatingAdmissionPolicy's denial, as kube-apiserver words it
 * (k8s.io/apiserver v0.35.4 pkg/admission/plugin/policy/validating/dispatcher.go:
 * "ValidatingAdmissionPolicy '%s' with binding '%s' denied request: %s", or without
 * the binding; code 403 Forbidden, or 422 Invalid when the validation says so).
 */
const POLICY_DENIAL = /ValidatingAdmissionPolicy '([^']+)'(?: with binding '([^']+)')? denied request/;

/** The policy (and binding) that denied the request, if a ValidatingAdmissionPolicy did. */
export function admissionPolicyNamed(text: string): string | undefined {
  const m = POLICY_DENIAL.exec(text);
  if (!m) return undefined;
  return m[2] !== undefined ? `ValidatingAdmissionPolicy '${m[1]}' (binding '${m[2]}')` : `ValidatingAdmissionPolicy '${m[1]}'`;
}

/** Classifies a failure of the check's own connection to the API server (Node error codes). */
export function classifyTransport(code: string): Classification {
  if (code === "EBODYLIMIT") return classification("bad-response");
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return classification("dns");
  if (/^(CERT_|ERR_TLS|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|ERR_SSL)/.test(code) || code.includes("CERT")) return classification("tls");
  return classification("api-down");
}

/** The first line of a body, for reports of answers that are not JSON. */
export function firstLine(text: string): string {
  const line = text.trim().split("\n")[0] ?? "";
  return line.length > 200 ? `${line.slice(0, 200)}...` : line || "(empty body)";
}
