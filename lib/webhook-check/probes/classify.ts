/**
 * Names the likely cause of a failure from the API server's own words, so the
 * report says where to look. The `class` values are a public interface (README,
 * "Failure classes"); order matters, the first matching rule wins.
 */
export type FailureClass =
  | "cilium-service"
  | "connection-refused"
  | "connection-reset"
  | "tls"
  | "dns"
  | "timeout"
  | "no-endpoints"
  | "service-missing"
  | "namespace-missing"
  | "crds-missing"
  | "rbac"
  | "credentials"
  | "api-down"
  | "api-unavailable"
  | "other-webhook"
  | "webhook-misbehaving"
  | "bad-response"
  | "proof-assumption";

export const FAILURE_CLASSES: readonly FailureClass[] = [
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
  "webhook-misbehaving",
  "bad-response",
  "proof-assumption",
];

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
    "the call timed out. If the API server's call to the webhook hangs (often a network policy that drops rather than rejects), each dry-run waits for the webhook's own timeout (up to 30 s) and the check's deadline may cut it: raise --timeout above the webhook's timeoutSeconds to see the API server's own words.",
  "no-endpoints":
    "the webhook Service has no ready endpoints: the webhook pods are missing or not ready (`kubectl -n <ns> get endpointslices,pods`).",
  "service-missing":
    "the webhook Service does not exist: is cert-manager installed in this namespace, and are --namespace/--service right?",
  "namespace-missing": "the namespace does not exist: is cert-manager installed, and are --namespace/--probe-namespace right?",
  "crds-missing": "the cert-manager CRDs (certificaterequests.cert-manager.io) are not installed.",
  rbac: "the check's own credentials lack a permission (see README, RBAC): the check needs create on certificaterequests in the probe namespace; reads of services, endpointslices and namespaces are diagnostics only.",
  credentials:
    "the API server rejected the check's credentials (401): the kubeconfig's token, client certificate or exec plugin output is expired or wrong.",
  "api-down":
    "the API server itself did not answer: check the kubeconfig's server address (and proxy settings), the network path to it, and that the control plane is up.",
  "api-unavailable":
    "the API server (or a proxy or load balancer in front of it) answered 502, 503 or 429: overloaded, starting, or rate-limiting; the check retries.",
  "other-webhook":
    "another admission webhook denied or failed the dry-run (the report names it): it also intercepts certificaterequests; fix or exclude that webhook, or use --probe-namespace.",
  "webhook-misbehaving": "cert-manager's webhook answered, but not as it should: check its version and the webhook configurations.",
  "bad-response":
    "the answer was not the JSON the Kubernetes API returns (an HTML page or a truncated body): a proxy or load balancer in front of the API server, or the wrong server address.",
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

/** Classifies an HTTP status the API server gave the check itself (404 is left to the caller). */
export function classifyStatus(status: number): Classification | undefined {
  if (status === 401) return classification("credentials");
  if (status === 403) return classification("rbac");
  if (status === 502 || status === 503 || status === 429) return classification("api-unavailable");
  return undefined;
}

/** Classifies a failure of the check's own connection to the API server (Node error codes). */
export function classifyTransport(code: string): Classification {
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return classification("dns");
  if (/^(CERT_|ERR_TLS|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|ERR_SSL)/.test(code) || code.includes("CERT")) return classification("tls");
  return classification("api-down");
}

/** The first line of a body, for reports of answers that are not JSON. */
export function firstLine(text: string): string {
  const line = text.trim().split("\n")[0] ?? "";
  return line.length > 200 ? `${line.slice(0, 200)}...` : line || "(empty body)";
}
