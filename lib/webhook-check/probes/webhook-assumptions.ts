/**
 * The webhook's pods as the proof assumed them: for the proof's paths from the entity
 * `kube-apiserver` to `{namespace: <the check's --namespace>, labels}`, the webhook
 * Service's `spec.selector` must be a subset of those labels, and the pod port its
 * `targetPort` resolves to (through the EndpointSlices' port for that Service port)
 * must be the path's `port`.
 */
import type { IEndpointSlice } from "kubernetes-models/discovery.k8s.io/v1/EndpointSlice";
import type { IService } from "kubernetes-models/v1/Service";
import type { KubeTarget } from "../kube/http";
import type { CheckProof } from "../../proof/check-proof";
import { type AssumptionSettings, isEntity, labelsOf, notAnObject, notConfirmed, quoted, verdict } from "./assumptions";
import type { AssumptionResult } from "./result";
import { read, type ServiceState } from "./services";

type ServiceSpec = NonNullable<IService["spec"]>;

/**
 * The webhook's pods as the proof named them: the paths from `kube-apiserver` to the
 * check's cert-manager namespace, grouped by the labels and the pod port they assumed.
 */
function webhookGroups(proof: CheckProof, namespace: string) {
  const groups = new Map<string, { labels: Readonly<Record<string, string>>; port: number; protocol: string; paths: string[] }>();
  for (const p of proof.paths) {
    if (!isEntity(p.from, "kube-apiserver") || !("namespace" in p.to) || p.to.namespace !== namespace) continue;
    const key = JSON.stringify([labelsOf(p.to.labels), p.port, p.protocol]);
    const group = groups.get(key) ?? { labels: p.to.labels, port: p.port, protocol: p.protocol, paths: [] };
    group.paths.push(p.name);
    groups.set(key, group);
  }
  return [...groups.values()];
}

export async function webhookAssumptions(
  target: KubeTarget,
  proof: CheckProof,
  s: AssumptionSettings,
  deadline: number,
  signal?: AbortSignal,
): Promise<AssumptionResult[]> {
  const groups = webhookGroups(proof, s.namespace);
  if (groups.length === 0) return [];
  const svcName = `Service ${s.namespace}/${s.service}`;
  const svc = await read(target, `/api/v1/namespaces/${s.namespace}/services/${s.service}`, "get services", deadline, signal);
  const spec = "res" in svc ? (svc.res.body as IService).spec : undefined;
  const svcState =
    "state" in svc
      ? svc.state.unknown
        ? svc.state
        : { ...svc.state, detail: `${svcName} does not exist` }
      : spec === undefined || typeof spec !== "object"
        ? notAnObject(`GET ${svcName}`)
        : undefined;
  // The Service's endpoints, read once for every group (only when a port needs resolving).
  let slices: Promise<{ items: IEndpointSlice[] } | { state: ServiceState }> | undefined;
  const readSlices = () => {
    slices ??= read(
      target,
      `/apis/discovery.k8s.io/v1/namespaces/${s.namespace}/endpointslices?labelSelector=${encodeURIComponent(`kubernetes.io/service-name=${s.service}`)}`,
      "list endpointslices",
      deadline,
      signal,
    ).then((r) => {
      if ("state" in r) return r;
      const items = (r.res.body as { items?: IEndpointSlice[] }).items;
      return Array.isArray(items) ? { items } : { state: notAnObject("GET endpointslices") };
    });
    return slices;
  };
  const out: AssumptionResult[] = [];
  for (const g of groups) {
    const assumedLabels = `pods labelled ${labelsOf(g.labels)}`;
    const assumedPort = `pod port ${g.port}/${g.protocol}`;
    if (svcState || !spec) {
      const state = svcState ?? notAnObject(`GET ${svcName}`);
      out.push(notConfirmed("webhook-selector", assumedLabels, g.paths, state));
      out.push(notConfirmed("webhook-target-port", assumedPort, g.paths, state));
      continue;
    }
    // A Service routes to the pods whose labels match every key of spec.selector
    // (k8s.io/api v0.35.4 core/v1/types.go ServiceSpec.selector); pods with the assumed labels are
    // among them only if the selector asks for nothing the proof did not assume.
    const selector: Record<string, string> = spec.selector && typeof spec.selector === "object" ? spec.selector : {};
    const keys = Object.keys(selector).sort();
    if (keys.length === 0) {
      out.push(
        notConfirmed("webhook-selector", assumedLabels, g.paths, {
          ok: false,
          detail: `${svcName} has no spec.selector: its endpoints are not chosen by pod labels`,
        }),
      );
    } else {
      const off = keys.filter((k) => g.labels[k] !== selector[k]);
      const why = off.map((k) => (k in g.labels ? `${k}=${selector[k]} (assumed ${g.labels[k]})` : `${k}=${selector[k]} (not assumed)`));
      out.push(
        verdict(off.length === 0, {
          assumption: "webhook-selector",
          assumed: assumedLabels,
          found:
            off.length === 0
              ? `${svcName} spec.selector ${labelsOf(selector)}, a subset`
              : `${svcName} spec.selector ${labelsOf(selector)}, not a subset: ${why.join(", ")}`,
          paths: g.paths,
        }),
      );
    }
    out.push(await targetPortAssumption(svcName, spec, g, assumedPort, s.port, readSlices));
  }
  return out;
}

async function targetPortAssumption(
  svcName: string,
  spec: ServiceSpec,
  g: { port: number; protocol: string; paths: string[] },
  assumed: string,
  servicePort: number,
  readSlices: () => Promise<{ items: IEndpointSlice[] } | { state: ServiceState }>,
): Promise<AssumptionResult> {
  const base = { assumption: "webhook-target-port", assumed, paths: g.paths };
  const ports = Array.isArray(spec.ports) ? spec.ports : [];
  const sp = ports.find((p) => p?.port === servicePort && (p.protocol ?? "TCP") === g.protocol);
  if (!sp)
    return notConfirmed(base.assumption, assumed, g.paths, {
      ok: false,
      detail: `${svcName} has no port ${servicePort}/${g.protocol}`,
      class: "service-missing",
    });
  // targetPort defaults to the port; a name is resolved per pod, and the
  // EndpointSlices carry the result: their port named like the Service port
  // ("this corresponds to the Service.ports[].name", k8s.io/api v0.35.4 discovery/v1/types.go
  // EndpointPort) holds the pod's port number.
  const targetPort: number | string = sp.targetPort ?? sp.port;
  const portName: string = sp.name ?? "";
  const slices = await readSlices();
  const resolved =
    "items" in slices
      ? [
          ...new Set(
            slices.items
              .flatMap((sl) => (Array.isArray(sl?.ports) ? sl.ports : []))
              .filter((p) => (p?.name ?? "") === portName && (p.protocol ?? "TCP") === g.protocol && typeof p.port === "number")
              .map((p) => p.port as number),
          ),
        ].sort((a, b) => a - b)
      : [];
  const via = `${svcName} port ${servicePort} (targetPort ${quoted(String(targetPort))})`;
  if (resolved.length > 0) {
    return verdict(
      resolved.every((p) => p === g.port),
      { ...base, found: `${via} resolves to pod port ${resolved.join(", ")} in its EndpointSlices (port ${quoted(portName)})` },
    );
  }
  if (typeof targetPort === "number") return verdict(targetPort === g.port, { ...base, found: `${via}: pod port ${targetPort}` });
  if ("state" in slices) return notConfirmed(base.assumption, assumed, g.paths, slices.state);
  return notConfirmed(base.assumption, assumed, g.paths, {
    ok: false,
    detail: `${via}: the name is not resolved yet (no EndpointSlice port ${quoted(portName)})`,
    class: "no-endpoints",
  });
}
