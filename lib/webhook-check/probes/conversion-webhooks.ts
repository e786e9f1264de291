/**
 * The conversion-webhooks family (`--scope all`; CRDs with `conversion.strategy:
 * Webhook`): the Service diagnostics, and where objects exist, a read of one at a
 * served version that is not the storage version, which makes the API server call the
 * converter. Their content is never printed.
 */
import type { ICustomResourceDefinition } from "kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition";
import { type ApiResponse, apiRequest, statusMessage } from "../kube/http";
import { classifyWebhookError, firstLine } from "./classify";
import { type Family, get, item, noAnswerOf, notProven, now, pool, unavailable, unlisted } from "./items";
import type { ItemResult } from "./result";

/** Every CRD with a conversion webhook: made to convert where an object exists. */
export async function conversionWebhooks({ target, s, stateOf, deadline, signal }: Family): Promise<ItemResult[]> {
  const started = now();
  const list = await get<{ items?: ICustomResourceDefinition[] }>(
    target,
    "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
    "list customresourcedefinitions",
    deadline,
    signal,
  );
  if (list.problem) return [unlisted("conversion-webhook", "CRDs", started, list)];
  const crds = (list.body?.items ?? []).filter(
    (c) => c.spec?.conversion?.strategy === "Webhook" && !s.exclude.includes(c.metadata?.name as string),
  );
  const jobs = crds.map((crd) => async () => {
    const name = crd.metadata?.name as string;
    const svc = crd.spec.conversion?.webhook?.clientConfig?.service;
    const state = svc ? await stateOf(svc) : undefined;
    const versions = (crd.spec.versions ?? []).filter((v) => v.served);
    const other = versions.find((v) => !v.storage);
    if (other) {
      // Across all namespaces for namespaced kinds; only `limit=1`, and the content is never printed.
      const path = `/apis/${crd.spec.group}/${other.name}/${crd.spec.names.plural}?limit=1`;
      let res: ApiResponse;
      try {
        res = await apiRequest(target, "GET", path, deadline, undefined, signal);
      } catch (err) {
        return notProven("conversion-webhook", name, started, true, noAnswerOf(err), ` (a read at ${other.name})`);
      }
      if (res.status === 200) {
        const items = (res.body as { items?: unknown } | undefined)?.items;
        const n = Array.isArray(items) ? items.length : 0;
        if (n > 0)
          return item("conversion-webhook", name, started, "ok", `an object read at ${other.name} was converted by kube-apiserver`);
      } else if (res.status === 403) {
        return item(
          "conversion-webhook",
          name,
          started,
          "warn",
          `not proven: the check needs "list ${crd.spec.names.plural}.${crd.spec.group}"; ${state?.detail ?? ""}`,
          "rbac",
        );
      } else {
        const words = statusMessage(res) ?? firstLine(res.text);
        const down = /conversion webhook|webhook/i.test(words) ? undefined : unavailable(res, words);
        if (down) return notProven("conversion-webhook", name, started, true, down, ` (a read at ${other.name})`);
        return item(
          "conversion-webhook",
          name,
          started,
          "fail",
          `reading at ${other.name} failed: the conversion webhook could not be called`,
          classifyWebhookError(words, "").class,
          words,
        );
      }
    }
    if (state && !state.ok && !state.unknown)
      return item("conversion-webhook", name, started, "fail", `kube-apiserver cannot convert: ${state.detail}`, state.class);
    return item(
      "conversion-webhook",
      name,
      started,
      "warn",
      `not provable (${other ? "no objects to convert" : "one served version only"}); ${state?.detail ?? "no Service"}`,
    );
  });
  return pool(s.concurrency ?? 8, jobs);
}
