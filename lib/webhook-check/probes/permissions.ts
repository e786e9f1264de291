/**
 * Every Kubernetes permission the check's probes use, and whether the verdict needs it:
 * one list for every probe family (cert-manager, other webhooks, aggregated APIs, the
 * proof's assumptions), so the RBAC a user grants has one home.
 * docs/webhook-check.md's RBAC list is checked against this; a test serves exactly these.
 */
export const CHECK_PERMISSIONS = [
  { verbs: "get", resource: "/version (non-resource URL; every authenticated user has it by default)", where: "cluster", required: true },
  { verbs: "create", resource: "certificaterequests.cert-manager.io (dry-run only)", where: "the probe namespace", required: true },
  {
    verbs: "get",
    resource: "namespaces",
    where: "the probe namespace (with --scope all, its labels decide the webhooks' namespaceSelectors)",
    required: false,
  },
  {
    verbs: "get",
    resource: "services",
    where: "the webhook namespace; with --scope all, the namespaces of every webhook's Service",
    required: false,
  },
  { verbs: "list", resource: "endpointslices.discovery.k8s.io", where: "the same namespaces as services", required: false },
  { verbs: "list", resource: "apiservices.apiregistration.k8s.io", where: "cluster (--scope all)", required: false },
  {
    verbs: "get",
    resource:
      "/apis/<group>/<version> of every APIService backed by a Service (non-resource URL; the system:discovery role grants it to every authenticated user)",
    where: "cluster (--scope all)",
    required: false,
  },
  {
    verbs: "list",
    resource: "validatingwebhookconfigurations.admissionregistration.k8s.io",
    where: "cluster (--scope all)",
    required: false,
  },
  {
    verbs: "list",
    resource: "mutatingwebhookconfigurations.admissionregistration.k8s.io",
    where: "cluster (--scope all)",
    required: false,
  },
  { verbs: "list", resource: "customresourcedefinitions.apiextensions.k8s.io", where: "cluster (--scope all)", required: false },
  { verbs: "create", resource: "configmaps (dry-run only)", where: "the probe namespace (--scope all)", required: false },
  {
    verbs: "list",
    resource: "the custom resources of CRDs with a conversion webhook (one object, never printed)",
    where: "cluster (--scope all)",
    required: false,
  },
  {
    verbs: "get",
    resource: "configmaps (cilium-config only)",
    where: "the Cilium release's namespace (with WEBHOOK_CHECK_PROOF)",
    required: false,
  },
  { verbs: "list", resource: "nodes", where: "cluster (with WEBHOOK_CHECK_PROOF)", required: false },
  {
    verbs: "list",
    resource: "endpointslices.discovery.k8s.io (the kubernetes Service's)",
    where: "default (with WEBHOOK_CHECK_PROOF)",
    required: false,
  },
] as const;
