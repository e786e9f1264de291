/**
 * Proofs as synth writes them into WEBHOOK_CHECK_PROOF (lib/proof/check-proof.ts), for
 * the check's tests: the cert-manager preset's webhook paths over the chart's defaults.
 */
import type { CheckProof } from "../../lib/proof/check-proof";

/** The webhook pods' labels as cert-manager's chart sets them (what RequiredPaths.certManager() assumes). */
export const WEBHOOK_LABELS = {
  app: "webhook",
  "app.kubernetes.io/name": "webhook",
  "app.kubernetes.io/instance": "cert-manager",
  "app.kubernetes.io/component": "webhook",
};
const CONTROLLER = { namespace: "cert-manager", labels: { app: "cert-manager", "app.kubernetes.io/component": "controller" } };

/** A proof as synth writes it for the cert-manager preset over the chart's defaults. */
export function proof(
  over: {
    cilium?: Partial<CheckProof["cilium"]>;
    webhookPort?: number;
    webhookLabels?: Record<string, string>;
    webhookNamespace?: string;
  } = {},
): CheckProof {
  const to = { namespace: over.webhookNamespace ?? "cert-manager", labels: over.webhookLabels ?? WEBHOOK_LABELS };
  const port = over.webhookPort ?? 10250;
  return {
    v: 1,
    cilium: {
      namespace: "kube-system",
      version: "1.19",
      policyEnforcementMode: "default",
      policyCIDRMatchMode: "",
      enableNonDefaultDenyPolicies: true,
      allowLocalhost: "auto",
      hostFirewall: false,
      ...over.cilium,
    },
    assume: { policySet: "closed", labels: "partial" },
    paths: [
      {
        name: "kube-apiserver-to-webhook",
        from: { entity: "kube-apiserver", node: "remote" },
        to,
        protocol: "TCP",
        port,
        verdict: "allowed",
      },
      {
        name: "kube-apiserver-local-to-webhook",
        from: { entity: "kube-apiserver", node: "local" },
        to,
        protocol: "TCP",
        port,
        verdict: "allowed",
      },
      {
        name: "controller-to-dns-udp",
        from: CONTROLLER,
        to: { namespace: "kube-system", labels: { "k8s-app": "kube-dns" } },
        protocol: "UDP",
        port: 53,
        verdict: "allowed",
      },
      {
        name: "controller-to-kube-apiserver",
        from: CONTROLLER,
        to: { entity: "kube-apiserver" },
        protocol: "TCP",
        port: 6443,
        verdict: "allowed",
      },
    ],
  };
}
