// NodePort paths (analyzePath's `path.via`) before Cilium's policy code. The oracle decides
// identity paths; a NodePort is a translation before policy. Where the connection is
// load-balanced decides which leg(s) the oracle is asked about, and Cilium's code judges each.
// This reading of the sources (cited in lib/paths/node-port.ts) is the test's own, written apart
// from the engine's on purpose, so that the engine's is what gets checked.
import type { CiliumLine } from "../../lib/cilium/lines";
import type { AnalyzePathInput, PathCiliumSettings } from "../../lib/paths/types";
import type { OracleAnswer } from "./oracle";

type Asked = Omit<AnalyzePathInput, "assume">;

/** How a NodePort path is asked: as the pod path, as its two legs, or not at all (the sources leave it open). */
export type NodePortQuestion = { kind: "pod"; inputs: [Asked] } | { kind: "legs"; inputs: [Asked, Asked] } | { kind: "open"; inputs: [] };

/** The question a path through a NodePort of Cilium `line` asks the oracle; its inputs carry neither `via` nor the NodePort settings. */
export function nodePortQuestion(input: Asked, line: CiliumLine): NodePortQuestion {
  const { via, ...path } = input.path;
  if (via === undefined) throw new Error("not a NodePort path");
  const { kubeProxyReplacement, socketLB, loadBalancer, ...cilium } = input.cilium ?? ({} as PathCiliumSettings);
  const mode = loadBalancer?.mode ?? "snat";
  const remote = via.node !== "local";
  // Socket LB in the pod (kube-proxy replacement forces it on), 1.20's per-packet LB of every
  // NodePort, or 1.19's per-packet LB of a DSR NodePort on a remote node.
  const translated =
    socketLB?.hostNamespaceOnly !== true ||
    line === "1.20" ||
    (remote && (mode === "dsr" || (mode === "hybrid" && path.protocol === "TCP")));
  const pod = "namespace" in path.from;
  if (!pod || kubeProxyReplacement !== true || (!translated && (!remote || cilium.hostFirewall === true)))
    return { kind: "open", inputs: [] };
  const base = { policies: input.policies, ...(input.cilium ? { cilium } : {}) };
  if (translated) return { kind: "pod", inputs: [{ ...base, path }] };
  return {
    kind: "legs",
    inputs: [
      { ...base, path: { ...path, to: { entity: "remote-node" }, port: via.nodePort } },
      { ...base, path: { ...path, from: { entity: "world" } } },
    ],
  };
}

/** The oracle's verdict on a NodePort path from its answers to the question's inputs: allowed only if every leg is. */
export function nodePortAnswer(id: unknown, question: NodePortQuestion, answers: readonly OracleAnswer[]): OracleAnswer {
  if (question.kind === "open") return { id, verdict: "outside", detail: "a NodePort path the sources leave open" };
  const failed = answers.find((a) => a.error !== undefined);
  if (failed) return { id, error: failed.error };
  const legs = answers.map((a, i) => `leg ${i + 1}: ${a.verdict} (${a.detail ?? ""})`).join("; ");
  if (answers.some((a) => a.verdict === "denied")) return { id, verdict: "denied", detail: legs };
  if (answers.every((a) => a.verdict === "allowed"))
    return { id, verdict: "allowed", proxy: answers.some((a) => a.proxy === true), detail: legs };
  return { id, verdict: "outside", detail: legs };
}
