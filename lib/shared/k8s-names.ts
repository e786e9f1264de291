/**
 * Kubernetes name rules (k8s.io/apimachinery/pkg/util/validation), shared by the
 * constructs and the check CLI, so synth refuses exactly what the check would.
 * No dependencies: the check bundle imports it too.
 */
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** An RFC 1123 label (namespaces, Services); `max` is 63, or 53 for Helm release names. */
export function isDns1123Label(value: string, max = 63): boolean {
  return value.length <= max && DNS1123_LABEL.test(value);
}

/** An RFC 1123 subdomain (most object names, label-key prefixes). */
export function isDns1123Subdomain(value: string): boolean {
  return value.length <= 253 && DNS1123_SUBDOMAIN.test(value);
}
