/**
 * The aggregated-APIs family (`--scope all`): every APIService backed by a Service is
 * called through the aggregator now (`GET /apis/<group>/<version>`, which kube-apiserver
 * proxies to the Service): an APIResourceList is proof; a 503 carries the aggregator's
 * own words (x509: the CA bundle is not injected yet; EPERM/no route: Cilium). The
 * `Available` condition is only a diagnostic beside it: kube-aggregator's availability
 * controller checks with TLS verification off and refreshes every 30 s
 * (k8s.io/kube-aggregator v0.35.4 pkg/controllers/status/remote/remote_available_controller.go:
 * `Insecure: true`), so it says Available while real calls fail.
 */
import type { IAPIService } from "kubernetes-models/apiregistration.k8s.io/v1/APIService";
import { type ApiResponse, apiRequest, statusMessage } from "../kube/http";
import { classifyWebhookError, type FailureClass, firstLine } from "./classify";
import { type Family, get, item, noAnswerOf, notProven, now, pool, unavailable, unlisted } from "./items";
import type { ItemResult } from "./result";

type Spec = NonNullable<IAPIService["spec"]>;

/** An APIService with a Service behind it: the only ones the aggregator proxies (a local one has no `spec.service`). */
type BackedAPIService = IAPIService & {
  readonly metadata: { readonly name: string };
  readonly spec: Spec & { readonly service: NonNullable<Spec["service"]> };
};

const isBacked = (a: IAPIService): a is BackedAPIService => Boolean(a.spec?.service);

/** The aggregator's condition, as a diagnostic: its class when it is not Available. */
function availableCondition(a: IAPIService): { available: boolean; words: string; cls?: FailureClass; reason: string } {
  const c = (a.status?.conditions ?? []).find((x) => x.type === "Available");
  if (c?.status === "True") return { available: true, words: "", reason: "Available" };
  const words = c ? `${c.reason ?? ""}: ${c.message ?? ""}` : "no Available condition yet";
  const cls: FailureClass =
    c?.reason === "ServiceNotFound"
      ? "service-missing"
      : c?.reason === "MissingEndpoints"
        ? "no-endpoints"
        : classifyWebhookError(words, "").class;
  return { available: false, words, cls: cls === "other-webhook" ? "webhook-misbehaving" : cls, reason: c?.reason ?? "pending" };
}

export const CA_NOT_INJECTED_HINT =
  "the aggregator's TLS check of the APIService's Service failed (x509): the APIService's caBundle does not match the serving certificate, typically because cert-manager's cainjector has not injected the CA bundle yet after a (re)install; the check retries. " +
  "Check `kubectl get apiservice <name> -o jsonpath='{.spec.caBundle}'` and the cainjector's logs.";

async function apiService(f: Family, a: BackedAPIService, started: number): Promise<ItemResult> {
  const name = a.metadata.name;
  const svc = `${a.spec.service.namespace}/${a.spec.service.name}`;
  const cond = availableCondition(a);
  const diagnostic = cond.available ? "Available=True" : `Available=False (${cond.reason})`;
  // The aggregator proxies discovery of the group version to the Service: kube-apiserver calls it now.
  const path = `/apis/${a.spec.group}/${a.spec.version}`;
  let res: ApiResponse;
  try {
    res = await apiRequest(f.target, "GET", path, f.deadline, undefined, f.signal);
  } catch (err) {
    return notProven("apiservice", name, started, true, noAnswerOf(err), ` (GET ${path}; ${diagnostic})`);
  }
  const body = res.body as { kind?: unknown; resources?: unknown[] } | undefined;
  if (res.status === 200 && body?.kind === "APIResourceList")
    return item(
      "apiservice",
      name,
      started,
      "ok",
      `kube-apiserver called it through the aggregator (GET ${path}: ${(body.resources ?? []).length} resource(s), Service ${svc}; ${diagnostic})`,
    );
  const words = statusMessage(res) ?? firstLine(res.text);
  if (res.status === 403)
    return item("apiservice", name, started, "warn", `not proven: the check needs "get ${path}" (${diagnostic})`, "rbac", words);
  // kube-aggregator answers 503 itself: "service unavailable" when the APIService is not Available
  // (k8s.io/kube-aggregator v0.35.4 pkg/apiserver/handler_proxy.go), else the proxy's error ("error
  // trying to reach service: <dial or TLS error>", k8s.io/apimachinery v0.35.4 pkg/util/proxy/transport.go).
  const reachWords = /error trying to reach service/i.test(words);
  if (!cond.available && !reachWords)
    return item(
      "apiservice",
      name,
      started,
      "fail",
      `not available (${cond.reason}): GET ${path} answered ${res.status}`,
      cond.cls,
      cond.words,
    );
  if (res.status === 503 && (reachWords || /dial tcp|x509|tls:/i.test(words))) {
    const c = classifyWebhookError(words, "").class;
    if (c === "tls")
      return item(
        "apiservice",
        name,
        started,
        "fail",
        `CA bundle not injected yet: the aggregator cannot verify Service ${svc} (${diagnostic})`,
        "tls",
        words,
        {
          hint: CA_NOT_INJECTED_HINT,
        },
      );
    return item(
      "apiservice",
      name,
      started,
      "fail",
      `kube-apiserver could not call it through the aggregator (GET ${path}; ${diagnostic})`,
      c === "other-webhook" || c === "webhook-misbehaving" ? "webhook-misbehaving" : c,
      words,
    );
  }
  const down = unavailable(res, words);
  if (down) return notProven("apiservice", name, started, true, down, ` (GET ${path}; ${diagnostic})`);
  return item(
    "apiservice",
    name,
    started,
    "fail",
    `GET ${path} through the aggregator: HTTP ${res.status}, not an APIResourceList (${diagnostic})`,
    res.body === undefined ? "bad-response" : "webhook-misbehaving",
    words,
  );
}

/** Every APIService backed by a Service, called through the aggregator. */
export async function apiServices(f: Family): Promise<ItemResult[]> {
  const started = now();
  const list = await get<{ items?: IAPIService[] }>(
    f.target,
    "/apis/apiregistration.k8s.io/v1/apiservices",
    "list apiservices",
    f.deadline,
    f.signal,
  );
  if (list.problem) return [unlisted("apiservice", "APIServices", started, list)];
  const backed = (list.body?.items ?? []).filter(isBacked).filter((a) => !f.s.exclude.includes(a.metadata?.name));
  return pool(
    f.s.concurrency ?? 8,
    backed.map((a) => () => apiService(f, a, now())),
  );
}
