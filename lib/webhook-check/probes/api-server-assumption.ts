/**
 * A host-networked API server, as the proof's `kube-apiserver` paths assumed: every
 * address of the `default/kubernetes` EndpointSlices must be a node InternalIP.
 */
import * as net from "node:net";
import type { IEndpointSlice } from "kubernetes-models/discovery.k8s.io/v1/EndpointSlice";
import type { INode } from "kubernetes-models/v1/Node";
import type { KubeTarget } from "../kube/http";
import type { CheckProof } from "../../proof/check-proof";
import { isEntity, notAnObject, notConfirmed, verdict } from "./assumptions";
import type { AssumptionResult } from "./result";
import { read } from "./services";

/** The same address, whatever its spelling (`::1` and `0:0:0:0:0:0:0:1`). */
function sameIp(a: string, b: string): boolean {
  const family = net.isIP(a);
  if (family === 0 || net.isIP(b) !== family) return a === b;
  const list = new net.BlockList();
  list.addAddress(a, family === 6 ? "ipv6" : "ipv4");
  return list.check(b, family === 6 ? "ipv6" : "ipv4");
}

/**
 * Cilium gives the `kube-apiserver` identity to the addresses of the
 * `default/kubernetes` endpoints (cilium/cilium#29432: "the source of this data is
 * the Endpoints / EndpointSlice watcher"); where they are node IPs, the API server
 * runs on the host network and its traffic comes from the host or remote-node
 * (cilium/cilium#14724). The proof's `kube-apiserver` paths assumed that.
 */
export async function apiServerAssumption(
  target: KubeTarget,
  proof: CheckProof,
  deadline: number,
  signal?: AbortSignal,
): Promise<AssumptionResult[]> {
  const paths = proof.paths.filter((p) => isEntity(p.from, "kube-apiserver")).map((p) => p.name);
  if (paths.length === 0) return [];
  const assumption = "api-server-host-network";
  const assumed = "a host-networked API server: every default/kubernetes endpoint address is a node InternalIP";
  const [slices, nodes] = await Promise.all([
    read(
      target,
      `/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=${encodeURIComponent("kubernetes.io/service-name=kubernetes")}`,
      "list endpointslices in default",
      deadline,
      signal,
    ),
    read(target, "/api/v1/nodes", "list nodes", deadline, signal),
  ]);
  if ("state" in slices) return [notConfirmed(assumption, assumed, paths, slices.state)];
  if ("state" in nodes) return [notConfirmed(assumption, assumed, paths, nodes.state)];
  const sliceItems = (slices.res.body as { items?: IEndpointSlice[] }).items;
  const nodeItems = (nodes.res.body as { items?: INode[] }).items;
  if (!Array.isArray(sliceItems)) return [notConfirmed(assumption, assumed, paths, notAnObject("GET default endpointslices"))];
  if (!Array.isArray(nodeItems)) return [notConfirmed(assumption, assumed, paths, notAnObject("GET nodes"))];
  const addresses = [
    ...new Set(sliceItems.flatMap((s) => (Array.isArray(s?.endpoints) ? s.endpoints : [])).flatMap((e) => e?.addresses ?? [])),
  ];
  if (addresses.length === 0)
    return [notConfirmed(assumption, assumed, paths, { ok: false, detail: "the default/kubernetes EndpointSlices list no address" })];
  const nodeIps = nodeItems
    .flatMap((n) => (Array.isArray(n?.status?.addresses) ? n.status.addresses : []))
    .filter((a) => a?.type === "InternalIP" && typeof a.address === "string")
    .map((a) => a.address);
  const outside = addresses.filter((a) => !nodeIps.some((ip) => sameIp(a, ip)));
  return [
    verdict(outside.length === 0, {
      assumption,
      assumed,
      found:
        outside.length === 0
          ? `API server at ${addresses.join(", ")}: node InternalIPs`
          : `API server at ${addresses.join(", ")}; not a node InternalIP: ${outside.join(", ")} (node InternalIPs: ${nodeIps.join(", ") || "none"})`,
      paths,
    }),
  ];
}
