// Builders for the path engine's tests: documents written here (never copied from
// public examples), and a shorthand for analyzePath. Imported from its module, not the
// package root, so these files do not load cdktf (interface.test.ts checks the root export).
import { analyzePath } from "../../lib/analyze-path";
import type { AnalyzePathInput, PathPeer, PathVerdict } from "../../lib/paths/types";

export { analyzePath };

export const np = (namespace: string, name: string, spec: unknown) => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name, namespace },
  spec,
});
export const cnp = (namespace: string, name: string, spec: unknown) => ({
  apiVersion: "cilium.io/v2",
  kind: "CiliumNetworkPolicy",
  metadata: { name, namespace },
  spec,
});
export const ccnp = (name: string, spec: unknown) => ({
  apiVersion: "cilium.io/v2",
  kind: "CiliumClusterwideNetworkPolicy",
  metadata: { name },
  spec,
});

export const pod = (namespace: string, labels: Record<string, string>, namespaceLabels?: Record<string, string>): PathPeer => ({
  namespace,
  labels,
  ...(namespaceLabels ? { namespaceLabels } : {}),
});
export const webhook = pod("cert-manager", { app: "webhook" });
export const client = pod("shop", { app: "client" });
export const apiserver: PathPeer = { entity: "kube-apiserver" };
export const apiserverLocal: PathPeer = { entity: "kube-apiserver", node: "local" };

/** The webhook's ingress from `peer`s, on TCP `port` (a CNP rule). */
export const tcp = (port: number | string) => [{ ports: [{ port: String(port), protocol: "TCP" }] }];

/**
 * Decides one path. Under other-line.heavy.test.ts, with the Cilium line it sets (`cilium.version`,
 * unless the test gives one): the same tests then run for both lines.
 */
export function check(
  policies: unknown[],
  from: PathPeer,
  to: PathPeer,
  port: number,
  extra: Partial<Omit<AnalyzePathInput, "policies" | "path">> & { protocol?: "TCP" | "UDP" | "SCTP" } = {},
): PathVerdict {
  const { protocol = "TCP", ...rest } = extra;
  const line = (globalThis as { pathsSuiteLine?: "1.19" | "1.20" }).pathsSuiteLine;
  const cilium = line === undefined ? rest.cilium : { version: line, ...rest.cilium };
  return analyzePath({ policies, path: { from, to, protocol, port }, ...rest, ...(cilium ? { cilium } : {}) });
}
