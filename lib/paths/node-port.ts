/**
 * A path through a NodePort (`path.via`): a client pod dials a node's address at the nodePort, and
 * the Service sends the connection to the backend pod `path.to` at the pod port. Where it is
 * load-balanced decides which policies see it. Each fact from cilium/cilium at v1.19.7 and
 * v1.20.2 (the tags the lines' oracles are built from), unless named:
 *
 * - Without kube-proxy replacement Cilium does not handle NodePorts: the agent defines
 *   `ENABLE_NODEPORT` only under it (or BPF masquerading), pkg/datapath/linux/config/config.go;
 *   kube-proxy does, outside the engine: `unknown` (`service`).
 * - Kube-proxy replacement turns socket LB on (pkg/kpr/kpr.go `NewKPRConfig`: `if
 *   flags.KubeProxyReplacement { cfg.EnableSocketLB = true }`), in pods too unless
 *   `bpf-lb-sock-hostns-only` (config.go: `ENABLE_SOCKET_LB_HOST_ONLY`, and bpf/bpf_sock.c
 *   `__sock4_xlate_fwd` returns at once outside the host namespace). In the pod, bpf_sock.c
 *   `sock4_wildcard_lookup_full` translates a NodePort on the local host's address (`HOST_ID`) or a
 *   remote node's of this cluster at connect(): the packets leave the pod addressed to the backend.
 * - With socket LB kept out of pods, bpf/bpf_lxc.c defines `ENABLE_PER_PACKET_LB` and
 *   `__per_packet_lb_svc_xlate_4` load-balances as the packet leaves the pod:
 *   - v1.20.2: every NodePort on the local host or a remote node (`lb4_lookup_wildcard_service`,
 *     bpf/lib/lb.h), cilium/cilium#44507 "bpf: lxc: also handle non-DSR Nodeport services in
 *     per-packet LB path"; Documentation/operations/upgrade-current.inc, "Changes to Features": "in-cluster
 *     connections to NodePort services by regular pods are now immediately load-balanced when
 *     network traffic leaves the client pod (and not at the targeted node)";
 *   - v1.19.7: only a DSR NodePort on a remote node (cilium/cilium#41963, in 1.19:
 *     `lb4_lookup_wildcard_nodeport_service` accepts only `identity_is_remote_node`, then
 *     `nodeport_uses_dsr4`); `hybrid` is DSR for TCP alone (pkg/loadbalancer/loadbalancer.go
 *     `ToSVCForwardingMode`). A NodePort on the client's own node's address is left open here: that
 *     wildcard lookup does not cover it, and whether a direct frontend lookup does is not settled.
 * - Not load-balanced at the source, the packet leaves the pod for the node's address
 *   (identity `remote-node`) at the nodePort, and the node's NodePort code forwards it with the
 *   source identity `world` (bpf/lib/nodeport.h at v1.19.7, `nodeport_svc_lb4`: `src_sec_identity =
 *   WORLD_IPV4_ID`, "The request came from outside"); cilium/cilium#44507 states both: "client egress policy
 *   needs to allows access to the service's backends. But no longer needs to allow access to remote
 *   nodes", "backend ingress policy needs to allow access by client pods. But no longer needs to
 *   allow WORLD for serving in-cluster clients". Two legs, both must allow. With the host firewall,
 *   the intermediate node's host policies also see the request, which the engine does not model.
 */
import { CILIUM_LINES } from "../cilium/lines";
import { decide, type PolicyIndex } from "./engine";
import { type EngineOptions, type EnginePath, side } from "./input";
import { type PathVerdict, UNKNOWN_REASONS } from "./types";

type Via = NonNullable<EnginePath["via"]>;

/** Where a NodePort path is load-balanced, and why (the words of its explanation step). */
type Where = { at: "source" | "node" | "open"; why: string };

/** Where Cilium load-balances the path's NodePort (the rules of this file's header). */
function whereLoadBalanced(path: EnginePath, via: Via, o: EngineOptions): Where {
  if (path.from.kind !== "pod")
    return { at: "open", why: `${path.from.text} is not a pod: the engine models NodePort paths from pods only` };
  if (!o.kubeProxyReplacement)
    return {
      at: "open",
      why: "kubeProxyReplacement off: kube-proxy handles NodePorts, outside Cilium (no ENABLE_NODEPORT: pkg/datapath/linux/config/config.go)",
    };
  if (!o.socketLBHostNamespaceOnly)
    return {
      at: "source",
      why: "load-balanced at the source by socket LB in the pod (kube-proxy replacement turns it on: pkg/kpr/kpr.go; bpf/bpf_sock.c sock4_wildcard_lookup_full)",
    };
  if (CILIUM_LINES[o.line].nodePortLoadBalancedAtSource)
    return {
      at: "source",
      why: `load-balanced at the source by the pod's per-packet LB (Cilium ${o.line}: bpf/bpf_lxc.c lb4_lookup_wildcard_service, cilium/cilium#44507)`,
    };
  if (via.node === "local")
    return {
      at: "open",
      why: `the client's own node's address under socket LB kept out of pods (Cilium ${o.line}): the per-packet wildcard lookup covers remote nodes only, and a direct frontend lookup is not modelled`,
    };
  const dsr = o.loadBalancerMode === "dsr" || (o.loadBalancerMode === "hybrid" && path.protocol === "TCP");
  if (dsr)
    return {
      at: "source",
      why: `load-balanced at the source by the pod's per-packet LB, a DSR NodePort (loadBalancer.mode ${o.loadBalancerMode}; Cilium ${o.line}: bpf/bpf_lxc.c lb4_lookup_wildcard_nodeport_service, cilium/cilium#41963)`,
    };
  if (o.hostFirewall)
    return {
      at: "open",
      why: "not load-balanced at the source, and with hostFirewall the node's host policies also see the request, which the engine does not model",
    };
  return {
    at: "node",
    why: `not load-balanced at the source (Cilium ${o.line}, socketLB.hostNamespaceOnly, loadBalancer.mode ${o.loadBalancerMode} for ${path.protocol}): the node load-balances it, so two legs, both must allow`,
  };
}

/** Decides a path through a NodePort: the pod path when translated at the source, else its two legs. */
export function decideNodePort(index: PolicyIndex, path: EnginePath, via: Via, o: EngineOptions): PathVerdict {
  const where = whereLoadBalanced(path, via, o);
  const step = `via NodePort ${via.nodePort} on ${via.node === "local" ? "the client's own node's" : "another node's"} address: ${where.why}`;
  if (where.at === "source") {
    const verdict = decide(index, path, o);
    const [first, ...rest] = verdict.explanation;
    return { ...verdict, explanation: [first, step, ...rest] };
  }
  const head = `path: ${path.from.text} -> ${path.to.text} ${path.protocol}/${path.port}`;
  if (where.at === "open") return { verdict: "unknown", unknownReason: "service", explanation: [head, step, "verdict: unknown (service)"] };

  const legs = [
    {
      name: "leg 1 (the client's egress to the node's NodePort)",
      path: { ...path, to: side("via", { entity: "remote-node" }, o.partialLabels, false), port: via.nodePort },
    },
    {
      name: "leg 2 (the node's NodePort to the backend, from the world)",
      path: { ...path, from: side("via", { entity: "world" }, o.partialLabels, true) },
    },
  ].map((leg) => ({ ...leg, verdict: decide(index, leg.path, o) }));
  const explanation = [head, step, ...legs.flatMap((leg, i) => leg.verdict.explanation.map((line) => `leg ${i + 1}: ${line}`))];
  const denied = legs.find((leg) => leg.verdict.verdict === "denied");
  if (denied) {
    explanation.push(`verdict: denied at ${denied.name}`);
    return { verdict: "denied", ...(denied.verdict.blame ? { blame: denied.verdict.blame } : {}), explanation };
  }
  const unknown = legs.map((leg) => leg.verdict.unknownReason).filter((r) => r !== undefined);
  if (unknown.length > 0) {
    const unknownReason = UNKNOWN_REASONS.find((r) => unknown.includes(r)) ?? "service";
    explanation.push(`verdict: unknown (${unknownReason})`);
    return { verdict: "unknown", unknownReason, explanation };
  }
  const basis = legs.every((leg) => leg.verdict.basis === "rule") ? "rule" : "default";
  const l7 = legs.some((leg) => leg.verdict.qualifier === "l7-proxy");
  explanation.push(`verdict: allowed on both legs${l7 ? ", through the L7 proxy" : ""}`);
  return { verdict: "allowed", basis, ...(l7 ? { qualifier: "l7-proxy" as const } : {}), explanation };
}
