/**
 * The Service diagnostic the API server's calls depend on: the Service exists with
 * the port, and its EndpointSlices have ready endpoints. One implementation for the
 * cert-manager webhook and for every other webhook the check looks at.
 */
import { classification, classifyStatus, classifyTransport, type FailureClass, firstLine } from "./classify";
import { type ApiResponse, apiRequest, type KubeTarget, TransportError, statusMessage } from "../kube/http";

export interface ServiceState {
  readonly ok: boolean;
  readonly detail: string;
  readonly class?: FailureClass;
  /** The API server's own words, when it gave any. */
  readonly error?: string;
  /** The diagnostic could not be read (forbidden, an error, a cut): nothing is known about the Service. */
  readonly unknown?: boolean;
  readonly cutByDeadline?: boolean;
}

/** GET as JSON, or the ServiceState that says why not (a 404 with a Status is the only one not `unknown`). */
export async function read(
  target: KubeTarget,
  path: string,
  permission: string,
  deadline: number,
  signal?: AbortSignal,
): Promise<{ res: ApiResponse } | { state: ServiceState }> {
  let res: ApiResponse;
  try {
    res = await apiRequest(target, "GET", path, deadline, undefined, signal);
  } catch (err) {
    const cut = err instanceof TransportError && err.atDeadline;
    const cls = err instanceof TransportError && !cut ? classifyTransport(err.code).class : "api-down";
    return {
      state: {
        ok: false,
        unknown: true,
        detail: `GET ${path}: no answer`,
        class: cls,
        error: (err as Error).message,
        ...(cut ? { cutByDeadline: true } : {}),
      },
    };
  }
  if (res.status === 200 && typeof res.body === "object" && res.body !== null) return { res };
  const message = statusMessage(res);
  if (res.status === 403)
    return {
      state: {
        ok: false,
        unknown: true,
        detail: `GET ${path}: HTTP 403, forbidden: the check needs "${permission}"`,
        class: "rbac",
        error: message ?? firstLine(res.text),
      },
    };
  if (res.status === 404 && message !== undefined)
    return { state: { ok: false, detail: `GET ${path}: HTTP 404`, class: "service-missing", error: message } };
  const cls = classifyStatus(res.status)?.class ?? (message === undefined ? "bad-response" : "api-down");
  return {
    state: { ok: false, unknown: true, detail: `GET ${path}: HTTP ${res.status}`, class: cls, error: message ?? firstLine(res.text) },
  };
}

export async function serviceState(
  target: KubeTarget,
  namespace: string,
  name: string,
  port: number,
  deadline: number,
  signal?: AbortSignal,
): Promise<ServiceState> {
  const svc = await read(target, `/api/v1/namespaces/${namespace}/services/${name}`, "get services", deadline, signal);
  if ("state" in svc)
    return svc.state.class === "service-missing" ? { ...svc.state, detail: `Service ${namespace}/${name} does not exist` } : svc.state;
  const spec = (svc.res.body as { spec?: { ports?: Array<{ port?: number }> } }).spec;
  if (spec === undefined)
    return {
      ok: false,
      unknown: true,
      detail: `Service ${namespace}/${name}: a body that is not a Service`,
      class: "bad-response",
      error: firstLine(svc.res.text),
    };
  const ports = (spec.ports ?? []).map((p) => p.port);
  if (!ports.includes(port))
    return {
      ok: false,
      detail: `Service ${namespace}/${name} has no port ${port} (ports: ${ports.join(", ") || "none"})`,
      class: "service-missing",
    };
  const selector = encodeURIComponent(`kubernetes.io/service-name=${name}`);
  const slices = await read(
    target,
    `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices?labelSelector=${selector}`,
    "list endpointslices",
    deadline,
    signal,
  );
  if ("state" in slices) return slices.state;
  type Slice = { endpoints?: Array<{ addresses?: string[]; conditions?: { ready?: boolean } }> };
  const items = (slices.res.body as { items?: Slice[] }).items;
  if (!Array.isArray(items))
    return {
      ok: false,
      unknown: true,
      detail: "GET endpointslices: a body that is not a list",
      class: "bad-response",
      error: firstLine(slices.res.text),
    };
  const ready = items
    .flatMap((s) => s.endpoints ?? [])
    .filter((e) => e.conditions?.ready !== false)
    .flatMap((e) => e.addresses ?? []);
  if (ready.length === 0) return { ok: false, detail: `Service ${namespace}/${name} has no ready endpoints`, class: "no-endpoints" };
  return {
    ok: true,
    detail: `Service ${namespace}/${name}:${port} has ${ready.length} ready endpoint(s): ${ready.slice(0, 5).join(", ")}`,
  };
}

/** A ServiceState as the hint-carrying classification of a probe. */
export function stateClassification(s: ServiceState): { class?: FailureClass; hint?: string } {
  return s.class ? { class: s.class, hint: classification(s.class).hint } : {};
}
