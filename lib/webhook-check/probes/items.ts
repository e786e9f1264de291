/**
 * What the families of paths beside the cert-manager proof share (`--scope all`:
 * aggregated APIs, admission webhooks, conversion webhooks): the item a family reports,
 * the read of a list, "no answer" and its verdict, the per-attempt Service states and
 * the bounded pool of requests. Lower than every family file, so no family imports
 * another.
 */
import { PluginError } from "../kube/credentials";
import { type ApiResponse, apiRequest, type KubeTarget, statusMessage, TransportError } from "../kube/http";
import { ConfigError } from "../kube/kubeconfig";
import { classification, classifyStatus, classifyTransport, type FailureClass, firstLine, UNAVAILABLE_STATUSES } from "./classify";
import type { IServiceReference } from "kubernetes-models/admissionregistration.k8s.io/v1/ServiceReference";
import { type ItemKind, type ItemResult, verdictMark } from "./result";
import { type ServiceState, serviceState } from "./services";

export interface PathsSettings {
  readonly probeNamespace: string;
  /** The cert-manager webhook Service the proof covers: not listed again. */
  readonly anchor: { readonly namespace: string; readonly service: string };
  /** Names to leave out: a webhook configuration, a webhook, an APIService or a CRD. */
  readonly exclude: readonly string[];
  /** Requests in flight at once. */
  readonly concurrency?: number;
}

export const now = () => Date.now();

/** Runs `jobs` with at most `limit` in flight. */
export async function pool<T>(limit: number, jobs: Array<() => Promise<T>>): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

/** A read that got no body: why (and with which class), and whether nothing answered at all. */
export interface Unread {
  readonly problem?: string;
  readonly cls?: FailureClass;
  readonly noAnswer?: NoAnswer;
}

/**
 * A GET that returns the JSON body, or why not (with the permission it needs). The body
 * is typed as the API documents it, and is still read field by field with defaults:
 * the server (or a proxy) may send less.
 */
export async function get<T extends object>(
  target: KubeTarget,
  path: string,
  permission: string,
  deadline: number,
  signal?: AbortSignal,
): Promise<Unread & { body?: T }> {
  let res: ApiResponse;
  try {
    res = await apiRequest(target, "GET", path, deadline, undefined, signal);
  } catch (err) {
    const why = noAnswerOf(err);
    return { problem: `GET ${path}: ${why.words}`, cls: why.cls, noAnswer: why };
  }
  const words = statusMessage(res) ?? firstLine(res.text);
  if (res.status === 403) return { problem: `forbidden: the check needs "${permission}" (${words})`, cls: "rbac" };
  if (res.status !== 200 || typeof res.body !== "object" || res.body === null) {
    const down = unavailable(res, words);
    return {
      problem: `GET ${path}: HTTP ${res.status}: ${words}`,
      cls: classifyStatus(res.status)?.class ?? "bad-response",
      ...(down ? { noAnswer: down } : {}),
    };
  }
  return { body: res.body as T };
}

/**
 * A list that could not be read: every item it holds is unknown. Forbidden, a warning
 * that names the permission; no answer (hung, cut, api-unavailable), a failure: nothing
 * behind it is proven.
 */
export function unlisted(kind: ItemKind, what: string, started: number, list: Unread) {
  if (list.noAnswer) return notProven(kind, "(all)", started, true, list.noAnswer, ` (${what} not listed: ${list.problem})`);
  return item(kind, "(all)", started, "warn", `${what} not checked: ${list.problem}`, list.cls);
}

export function item(
  kind: ItemKind,
  name: string,
  started: number,
  verdict: ItemResult["verdict"],
  detail: string,
  cls?: FailureClass,
  error?: string,
  extra: { hint?: string; cutByDeadline?: boolean; retryAfterMs?: number } = {},
): ItemResult {
  return {
    kind,
    name,
    verdict,
    ms: now() - started,
    detail,
    ...(cls ? { class: cls, hint: extra.hint ?? classification(cls).hint } : {}),
    ...(error !== undefined ? { error } : {}),
    ...(extra.cutByDeadline ? { cutByDeadline: true } : {}),
    ...(extra.retryAfterMs !== undefined ? { retryAfterMs: extra.retryAfterMs } : {}),
  };
}

/** No answer that decides: the request hung (or was cut), or met api-unavailable. */
export interface NoAnswer {
  readonly cls: FailureClass;
  readonly words: string;
  readonly cut: boolean;
  readonly retryAfterMs?: number;
}

/** A request that got no answer worth reading: why, as a NoAnswer. */
export function noAnswerOf(err: unknown): NoAnswer {
  if (err instanceof ConfigError) throw err;
  if (err instanceof PluginError) return { cls: "credentials", words: err.message, cut: err.atDeadline };
  const cut = err instanceof TransportError && err.atDeadline;
  const cls: FailureClass = cut ? "timeout" : err instanceof TransportError ? classifyTransport(err.code).class : "api-down";
  return { cls, words: (err as Error).message, cut };
}

/** An answer naming no webhook and no aggregated service with one of the "not now" statuses. */
export function unavailable(res: ApiResponse, words: string): NoAnswer | undefined {
  if (!UNAVAILABLE_STATUSES.includes(res.status)) return undefined;
  return {
    cls: "api-unavailable",
    words,
    cut: false,
    ...(res.retryAfterMs !== undefined ? { retryAfterMs: res.retryAfterMs } : {}),
  };
}

/** `not proven (no answer)`: a failure where the API server must call it (failurePolicy Fail, conversion, APIService). */
export function notProven(kind: ItemKind, name: string, started: number, required: boolean, why: NoAnswer, context = ""): ItemResult {
  const detail = `not proven (no answer): ${why.cut ? "the request meant for it was cut by the deadline" : `the API server answered ${why.cls}`}${context}`;
  return item(kind, name, started, required ? "fail" : "warn", required ? detail : `${detail}; failurePolicy Ignore`, why.cls, why.words, {
    cutByDeadline: why.cut,
    ...(why.retryAfterMs !== undefined ? { retryAfterMs: why.retryAfterMs } : {}),
  });
}

/**
 * A reference to a Service as webhooks, APIServices and CRD conversions spell it
 * (admissionregistration, apiregistration and apiextensions v1 ServiceReference: the
 * port defaults to 443).
 */
export type ServiceRef = Pick<IServiceReference, "namespace" | "name" | "port">;

/** Service state by `namespace/name:port`, one request per Service per attempt whatever refers to it. */
export type ServiceStates = (svc: ServiceRef) => Promise<ServiceState>;
export function serviceStates(target: KubeTarget, deadline: number, signal?: AbortSignal): ServiceStates {
  const states = new Map<string, Promise<ServiceState>>();
  return (svc) => {
    const port = svc.port ?? 443;
    const key = `${svc.namespace}/${svc.name}:${port}`;
    let state = states.get(key);
    if (!state) {
      state = serviceState(target, svc.namespace, svc.name, port, deadline, signal);
      states.set(key, state);
    }
    return state;
  };
}

/** What each family of paths works with during one attempt. */
export interface Family {
  readonly target: KubeTarget;
  readonly s: PathsSettings;
  readonly stateOf: ServiceStates;
  readonly deadline: number;
  readonly signal?: AbortSignal;
}

export function formatItem(i: ItemResult): string {
  const lines = [`  ${verdictMark(i.verdict)} ${i.kind.padEnd(18)} ${i.name}  ${String(i.ms).padStart(5)}ms  ${i.detail}`];
  if (i.verdict !== "ok" && i.error) lines.push(`       API server said: ${i.error}`);
  if (i.verdict === "fail" && i.hint) lines.push(`       hint [${i.class}]: ${i.hint}`);
  return lines.join("\n");
}
