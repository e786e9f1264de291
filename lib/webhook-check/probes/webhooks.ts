/**
 * The admission-webhooks family (`--scope all`; validating and mutating webhooks with
 * `clientConfig.service`): matched against a server-side dry-run create of a ConfigMap
 * in the probe namespace as kube-apiserver matches (admission-match.ts). The dry-run
 * provokes every matching webhook, and the answer is read as kube-apiserver gives it:
 * mutating webhooks run one after another and the first failure stops the request;
 * validating webhooks run in parallel and only the first error is returned. Where
 * nothing can provoke a webhook, it is "not provable" (a warning), unless its Service
 * has no ready endpoints under failurePolicy Fail: a failure. An item is `ok` only on
 * evidence; under failurePolicy Ignore a pass "fails open; unproven".
 */
import type { IMutatingWebhookConfiguration } from "kubernetes-models/admissionregistration.k8s.io/v1/MutatingWebhookConfiguration";
import type { IValidatingWebhookConfiguration } from "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration";
import type { INamespace } from "kubernetes-models/v1/Namespace";
import { type ApiResponse, apiRequest, statusMessage } from "../kube/http";
import { type AdmissionWebhook, configMapCreateMatches, hasMatchConditions, PROBE_LABELS } from "./admission-match";
import { admissionPolicyNamed, classifyWebhookError, type FailureClass, firstLine, webhookNamed } from "./classify";
import { type Family, get, item, type NoAnswer, noAnswerOf, notProven, now, pool, type ServiceRef, unavailable, unlisted } from "./items";
import type { ItemResult } from "./result";

/** A webhook that calls a Service, with the configuration it sits in. */
type Hook = {
  kind: "validating-webhook" | "mutating-webhook";
  config: string;
  hook: AdmissionWebhook & { readonly clientConfig: { readonly service: ServiceRef } };
};

const callsService = (w: AdmissionWebhook): w is Hook["hook"] => Boolean(w.clientConfig?.service);

/** What the dry-run's answer says, in kube-apiserver's terms. */
type Answer =
  | { readonly kind: "admitted" }
  /** `failed calling webhook "W"`: W is unreachable or broken (failurePolicy Fail). */
  | { readonly kind: "failed"; readonly webhook: string; readonly words: string }
  /** `admission webhook "W" denied the request`: W was called. */
  | { readonly kind: "denied"; readonly webhook: string; readonly words: string }
  /** A ValidatingAdmissionPolicy denied it (after the mutating webhooks, before the validating ones). */
  | { readonly kind: "policy"; readonly policy: string; readonly words: string }
  | { readonly kind: "none"; readonly why: NoAnswer }
  /** Something else stopped it (the check's own RBAC, a missing namespace): nothing is known. */
  | { readonly kind: "problem"; readonly problem: string; readonly cls?: FailureClass; readonly words?: string };

function readAnswer(res: ApiResponse, probeNamespace: string): Answer {
  if (res.status >= 200 && res.status < 300) return { kind: "admitted" };
  const words = statusMessage(res) ?? firstLine(res.text);
  const named = webhookNamed(words);
  if (named !== undefined) {
    return /admission webhook "[^"]+" denied/i.test(words) && !/(?:failed calling|failed to call) webhook/i.test(words)
      ? { kind: "denied", webhook: named, words }
      : { kind: "failed", webhook: named, words };
  }
  const policy = admissionPolicyNamed(words);
  if (policy !== undefined) return { kind: "policy", policy, words };
  const down = unavailable(res, words);
  if (down) return { kind: "none", why: down };
  if (res.status === 403)
    return {
      kind: "problem",
      problem: `forbidden: the check needs "create configmaps" (dry-run) in ${probeNamespace}`,
      cls: "rbac",
      words,
    };
  return { kind: "problem", problem: `the dry-run answered HTTP ${res.status}: ${words}`, words };
}

/**
 * The order kube-apiserver calls them in: mutating configurations sorted by name, each
 * configuration's webhooks in their order (k8s.io/apiserver v0.35.4 pkg/admission/configuration/
 * mutating_webhook_manager.go sorts the configurations by name "to have a deterministic
 * order"), then the validating ones (in parallel: k8s.io/apiserver v0.35.4
 * pkg/admission/plugin/webhook/validating/dispatcher.go returns `errs[0]`, the first of
 * the errors to arrive).
 */
function mutatingOrder(hooks: readonly Hook[]): Hook[] {
  return hooks
    .filter((h) => h.kind === "mutating-webhook")
    .map((h, i) => ({ h, i }))
    .sort((a, b) => (a.h.config < b.h.config ? -1 : a.h.config > b.h.config ? 1 : a.i - b.i))
    .map((x) => x.h);
}

/** Every admission webhook that calls a Service, provoked by one dry-run ConfigMap create. */
export async function admissionWebhooks({ target, s, stateOf, deadline, signal }: Family): Promise<ItemResult[]> {
  const started = now();
  const families = [
    ["validating-webhook", "validatingwebhookconfigurations"],
    ["mutating-webhook", "mutatingwebhookconfigurations"],
  ] as const;
  const lists = await Promise.all(
    families.map(([, res]) =>
      get<{ items?: Array<IValidatingWebhookConfiguration | IMutatingWebhookConfiguration> }>(
        target,
        `/apis/admissionregistration.k8s.io/v1/${res}`,
        `list ${res}`,
        deadline,
        signal,
      ),
    ),
  );
  const out: ItemResult[] = [];
  const hooks: Hook[] = [];
  lists.forEach((list, i) => {
    const [kind] = families[i];
    if (list.problem) {
      out.push(unlisted(kind, families[i][1], started, list));
      return;
    }
    for (const config of list.body?.items ?? []) {
      const configName = config.metadata?.name ?? "";
      for (const hook of (config.webhooks ?? []) as AdmissionWebhook[]) {
        if (!callsService(hook) || s.exclude.includes(configName) || s.exclude.includes(hook.name)) continue;
        const svc = hook.clientConfig.service;
        if (svc.namespace === s.anchor.namespace && svc.name === s.anchor.service) continue; // proven by the cert-manager proof
        hooks.push({ kind, config: configName, hook });
      }
    }
  });
  if (hooks.length === 0) return out;

  // One dry-run ConfigMap create provokes every webhook that matches it; the probe
  // namespace's labels decide the namespaceSelectors (get namespaces/<probe namespace>).
  const ns = await get<INamespace>(target, `/api/v1/namespaces/${s.probeNamespace}`, "get namespaces", deadline, signal);
  const nsLabels = ns.body?.metadata?.labels ?? {};
  const provokable = new Set(hooks.filter((h) => !ns.problem && configMapCreateMatches(h.hook, nsLabels, s.probeNamespace)));
  let answer: Answer | undefined;
  if (provokable.size > 0) {
    try {
      const res = await apiRequest(
        target,
        "POST",
        `/api/v1/namespaces/${s.probeNamespace}/configmaps?dryRun=All&fieldManager=webhook-check`,
        deadline,
        { apiVersion: "v1", kind: "ConfigMap", metadata: { generateName: "webhook-check-", labels: PROBE_LABELS }, data: {} },
        signal,
      );
      answer = readAnswer(res, s.probeNamespace);
    } catch (err) {
      answer = { kind: "none", why: noAnswerOf(err) };
    }
  }

  const mutating = mutatingOrder([...provokable]);
  const position = (name: string) => mutating.findIndex((h) => h.hook.name === name);
  const validatingNames = new Set([...provokable].filter((h) => h.kind === "validating-webhook").map((h) => h.hook.name));
  /** Whether the webhook named `stopper` stopped the request before `h` was called (or while, for validating ones). */
  const blockedBy = (h: Hook, stopper: string): boolean => {
    if (h.kind === "mutating-webhook") {
      const at = position(stopper);
      if (at === -1) return !validatingNames.has(stopper); // an unknown webhook: its place is unknown
      return mutating.indexOf(h) > at;
    }
    return true; // validating: after every mutating webhook, beside every other validating one
  };

  const jobs = hooks.map((h) => async (): Promise<ItemResult> => {
    const name = `${h.config}/${h.hook.name}`;
    const required = (h.hook.failurePolicy ?? "Fail") === "Fail";
    const svc = await stateOf(h.hook.clientConfig.service);
    const serviceBroken = !svc.ok && !svc.unknown;
    /** Not decided by the answer: the Service diagnostics may still show it cannot be called. */
    const undecided = (why: string, short = why): ItemResult => {
      if (serviceBroken) {
        if (required) return item(h.kind, name, started, "fail", `${short}, and the API server cannot call it: ${svc.detail}`, svc.class);
        return item(h.kind, name, started, "warn", `failurePolicy Ignore, so the API server skips it (${short}): ${svc.detail}`, svc.class);
      }
      return item(h.kind, name, started, "warn", `${why}; ${svc.detail}`, svc.unknown ? svc.class : undefined);
    };
    /** The request went past it without an error: proof only where an error would have stopped it. */
    const passed = (): ItemResult => {
      if (hasMatchConditions(h.hook)) return undecided("not provable (its matchConditions may exclude the probe, and no answer named it)");
      if (!required) return undecided("fails open; unproven (failurePolicy Ignore: a 2xx proves nothing)");
      return item(
        h.kind,
        name,
        started,
        "ok",
        "called by kube-apiserver on a dry-run ConfigMap create (failurePolicy Fail, and it was admitted past it)",
      );
    };
    // The probe namespace's labels got no answer: whether the dry-run reaches it is unknown.
    if (ns.noAnswer) return notProven(h.kind, name, started, required, ns.noAnswer, " (its namespaceSelector could not be evaluated)");
    if (!provokable.has(h) || answer === undefined) {
      const why = ns.problem
        ? `the probe namespace's labels cannot be read (${ns.problem})`
        : "no dry-run the check makes matches its rules and selectors";
      return undecided(`not provable by dry-run (${why})`, "not provable by dry-run");
    }
    switch (answer.kind) {
      case "admitted":
        return passed();
      case "failed":
      case "denied": {
        if (answer.webhook === h.hook.name) {
          if (answer.kind === "denied")
            return item(
              h.kind,
              name,
              started,
              "ok",
              "called by kube-apiserver: it denied the dry-run ConfigMap create (so it is reachable)",
            );
          return item(
            h.kind,
            name,
            started,
            required ? "fail" : "warn",
            "kube-apiserver could not call it (a dry-run ConfigMap create)",
            classifyWebhookError(answer.words, h.hook.name).class,
            answer.words,
          );
        }
        if (blockedBy(h, answer.webhook)) return undecided(`not proven (blocked by ${answer.webhook})`);
        return passed();
      }
      case "policy":
        // Mutating webhooks ran before the policy; validating webhooks come after it.
        if (h.kind === "mutating-webhook") return passed();
        if (serviceBroken) return undecided(`not proven (blocked by ${answer.policy})`);
        // A warning, as every blocked item; the class and hint say how to let the probe through.
        return item(
          h.kind,
          name,
          started,
          "warn",
          `not proven (blocked by ${answer.policy}); ${svc.detail}`,
          "admission-policy",
          answer.words,
        );
      case "none":
        return notProven(h.kind, name, started, required, answer.why, " (a dry-run ConfigMap create)");
      case "problem":
        return undecided(`not provable by dry-run (${answer.problem})`);
    }
  });
  return [...out, ...(await pool(s.concurrency ?? 8, jobs))];
}
