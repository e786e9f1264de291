/**
 * Names the likely cause of a failure from the API server's own words, so the
 * report says where to look. Order matters: the first match wins.
 */
export type FailureClass =
  | "cilium-service"
  | "connection-refused"
  | "timeout"
  | "no-endpoints"
  | "service-missing"
  | "tls"
  | "crds-missing"
  | "rbac"
  | "credentials"
  | "api-down"
  | "webhook-misbehaving";

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
    "the webhook pod is not listening yet (starting, crash-looping or not ready): check `kubectl -n <ns> get pods` and the webhook's logs.",
  timeout:
    "the API server's call to the webhook timed out: often a network policy that drops (rather than rejects) the packets, or an overloaded webhook.",
  "no-endpoints": "the webhook Service has no ready endpoints: the webhook pods are missing or not ready.",
  "service-missing":
    "the webhook Service does not exist: is cert-manager installed in this namespace, and are --namespace/--service right?",
  tls: "TLS between the API server and the webhook failed: the caBundle in the webhook configuration does not match the serving certificate (cert-manager's cainjector injects it; check it is running).",
  "crds-missing": "the cert-manager CRDs (certificaterequests.cert-manager.io) are not installed.",
  rbac: "the credentials are valid but lack permission: the check needs get on services and endpointslices, and create on certificaterequests (dry-run) in the webhook namespace.",
  credentials: "the API server rejected the credentials (401): the kubeconfig's token or client certificate is expired or wrong.",
  "api-down":
    "the API server itself did not answer: check the kubeconfig's server address, the network path to it, and that the control plane is up.",
  "webhook-misbehaving": "the webhook answered, but not as cert-manager's webhook does: check its version and the webhook configurations.",
};

const RULES: ReadonlyArray<[RegExp, FailureClass]> = [
  [/operation not permitted|no route to host/i, "cilium-service"],
  [/no endpoints available for service/i, "no-endpoints"],
  [/service "[^"]*" not found/i, "service-missing"],
  [/connection refused/i, "connection-refused"],
  [/x509:|tls:|certificate signed by unknown authority|certificate is not valid/i, "tls"],
  [/context deadline exceeded|i\/o timeout|Client\.Timeout|timed out|deadline/i, "timeout"],
  [/could not find the requested resource|no matches for kind/i, "crds-missing"],
];

export function classification(cls: FailureClass): Classification {
  return { class: cls, hint: HINTS[cls] };
}

/** Classifies the API server's error text about its call to the webhook. */
export function classifyWebhookError(text: string): Classification {
  for (const [pattern, cls] of RULES) if (pattern.test(text)) return classification(cls);
  return classification("webhook-misbehaving");
}

/** Classifies an HTTP status the API server gave the check itself. */
export function classifyStatus(status: number): Classification | undefined {
  if (status === 401) return classification("credentials");
  if (status === 403) return classification("rbac");
  return undefined;
}
