/**
 * A local HTTPS stand-in for kube-apiserver, for the webhook check's tests: a real
 * CA, a server certificate for 127.0.0.1 and a client certificate (made with
 * openssl), a kubeconfig pointing at it, and the handful of API paths the check
 * calls, answering as the real API server does in each scenario.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as https from "node:https";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import type { AddressInfo } from "node:net";
import { CredentialSource } from "../../lib/webhook-check/kube/credentials";
import type { Timer } from "../../lib/webhook-check/kube/deadline";
import { type KubeTarget, targetFor } from "../../lib/webhook-check/kube/http";
import type { ResolvedKubeconfig } from "../../lib/webhook-check/kube/kubeconfig";
import { PKI_ENV } from "./pki";

export { TLS_SERVER_NAME, UNRESOLVABLE_HOST } from "./pki";

export interface Pki {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** An intermediate CA signed by `ca`. */
  intermediate: string;
  /** A server certificate for 127.0.0.1 signed by the intermediate, and its key. */
  chainCert: string;
  chainKey: string;
}

/**
 * The CA, server and client certificates (see pki.ts), made once per run: jest's globalSetup
 * (scripts/jest-global.js) calls `makePkiFiles`, every test file reads the files.
 * Each caller gets its own directory for what it writes beside them (kubeconfigs,
 * the exec plugin), removed by `removePki`.
 */
export function makePki(): Pki {
  const shared = process.env[PKI_ENV];
  if (!shared)
    throw new Error(
      `${PKI_ENV} is not set: the test PKI is made by test:e2e's globalSetup (scripts/jest-global.js setupWithPki); npm test makes none, so a test that starts a stand-in server belongs in test:e2e`,
    );
  const read = (name: string) => readFileSync(path.join(shared, name), "utf8");
  return {
    dir: mkdtempSync(path.join(os.tmpdir(), "webhook-check-pki-")),
    ca: read("ca.crt"),
    serverCert: read("server.crt"),
    serverKey: read("server.key"),
    clientCert: read("client.crt"),
    clientKey: read("client.key"),
    intermediate: read("intermediate.crt"),
    chainCert: read("chain-server.crt"),
    chainKey: read("chain-server.key"),
  };
}

/** Removes the caller's directory (kubeconfigs, the exec plugin); the run's PKI goes with the run's temp directory. */
export function removePki(pki: Pki | undefined): void {
  if (pki) rmSync(pki.dir, { recursive: true, force: true });
}

/**
 * What the check derives from a kubeconfig, built directly for in-process tests:
 * the CA, and the admin client certificate (or a bearer token); `timer`, the clock that
 * cuts its requests at their deadline (a FakeClock: only when the test moves it).
 */
export function fakeTarget(
  pki: Pki,
  url: string,
  auth: { token: string } | "client-certificate" = "client-certificate",
  env: NodeJS.ProcessEnv = {},
  timer?: Timer,
): KubeTarget {
  const kc: ResolvedKubeconfig = {
    context: "admin@fake",
    cluster: { server: url, certificateAuthorityData: pki.ca, insecureSkipTlsVerify: false },
    user: auth === "client-certificate" ? { clientCertificateData: pki.clientCert, clientKeyData: pki.clientKey } : { token: auth.token },
    secrets: [],
    files: [],
  };
  return targetFor(kc, new CredentialSource(kc), env, timer);
}

/** The token the exec plugin hands out, and the only bearer token the server accepts. */
export const EXEC_TOKEN = "token-from-exec-plugin";

/** Base64, as kubeconfig `*-data` fields hold certificates and keys. */
export const b64 = (s: string) => Buffer.from(s).toString("base64");

/** Writes a kubeconfig for `server` with a client-certificate context and a token context. */
export function writeKubeconfig(pki: Pki, server: string, file = path.join(pki.dir, `kubeconfig-${Date.now()}-${Math.random()}`)): string {
  // An exec credential plugin, as EKS/GKE/OIDC kubeconfigs use: prints an ExecCredential.
  const plugin = path.join(pki.dir, "exec-plugin.js");
  writeFileSync(
    plugin,
    'process.stdout.write(JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status: { token: EXEC_TOKEN } }));\n'.replace(
      "EXEC_TOKEN",
      JSON.stringify(EXEC_TOKEN),
    ),
  );
  writeFileSync(
    file,
    [
      "apiVersion: v1",
      "kind: Config",
      "clusters:",
      "  - name: fake",
      "    cluster:",
      `      server: ${server}`,
      `      certificate-authority-data: ${b64(pki.ca)}`,
      "users:",
      "  - name: admin",
      "    user:",
      `      client-certificate-data: ${b64(pki.clientCert)}`,
      `      client-key-data: ${b64(pki.clientKey)}`,
      "  - name: token-user",
      "    user:",
      "      token: not-a-valid-token",
      "  - name: exec-user",
      "    user:",
      "      exec:",
      "        apiVersion: client.authentication.k8s.io/v1",
      `        command: ${JSON.stringify(process.execPath)}`,
      `        args: [${JSON.stringify(plugin)}]`,
      "        interactiveMode: Never",
      "contexts:",
      "  - name: admin@fake",
      "    context: {cluster: fake, user: admin}",
      "  - name: token@fake",
      "    context: {cluster: fake, user: token-user}",
      "  - name: exec@fake",
      "    context: {cluster: fake, user: exec-user}",
      "current-context: admin@fake",
      "",
    ].join("\n"),
  );
  return file;
}

/** How the fake API server behaves. */
export interface Scenario {
  /** Status for every request: 401 (credentials) or 403 (RBAC); default: authorize by client certificate. */
  auth?: 401 | 403;
  /** The webhook Service exists. Default true. */
  service?: boolean;
  /** Ready endpoints behind it. Default 1. */
  readyEndpoints?: number;
  /** The cert-manager CRDs exist. Default true. */
  crds?: boolean;
  /** The API server's error when it calls the webhook, e.g. the incident's; undefined: the call works. */
  webhookError?: string;
  /** Serve the API under this path prefix (as Rancher does); requests outside it get an HTML 404. */
  prefix?: string;
  /** Labels of the cert-manager namespace; `false`: the namespace does not exist. */
  namespace?: Record<string, string> | false;
  /** Answer a request before the API logic does (status, and a JSON body or raw text, and headers). */
  respond?: (method: string, path: string) => Override | undefined;
  /** Bearer tokens accepted besides the exec plugin's. */
  tokens?: string[];
  /** Objects of the cluster-wide lists the check reads with --scope all (default: none). */
  apiServices?: unknown[];
  validatingWebhooks?: unknown[];
  mutatingWebhooks?: unknown[];
  customResourceDefinitions?: unknown[];
  /**
   * Whether to drop the connection instead of answering its `n`th request (1: the
   * first on that connection), as a server closing an idle keep-alive connection does.
   */
  drop?: (n: number) => boolean;
  /**
   * How each admission webhook (by name) answers when the dry-run ConfigMap create
   * calls it (default: it allows). The stand-in admits the create as kube-apiserver
   * does, see `admit`.
   */
  webhooks?: Record<string, WebhookBehaviour>;
  /** Webhooks whose matchConditions evaluate to false for the probe (the stand-in does not run CEL). */
  matchConditionsFalse?: string[];
  /** A ValidatingAdmissionPolicy that denies the dry-run ConfigMap create. */
  policyDenial?: { policy: string; binding?: string; message: string; code: 403 | 422 };
  /**
   * What the aggregator answers for an APIService's `GET /apis/<group>/<version>`, by
   * APIService name (default: an APIResourceList when it is Available, else 503
   * "service unavailable", as kube-aggregator's proxy handler does).
   */
  aggregated?: Record<string, Override>;
  /** Requests never answered (packets dropped on the way to what serves them); the socket stays open. */
  hang?: (method: string, path: string) => boolean;
  /** Serve the leaf signed by the intermediate CA, with the intermediate in the chain. */
  chain?: "intermediate";
  /** The webhook Service's spec.selector; default: the cert-manager chart's (WEBHOOK_SELECTOR). */
  webhookSelector?: Record<string, string>;
  /** The webhook Service port's targetPort; default "https" (the chart's). */
  webhookTargetPort?: number | string;
  /** The pod port the webhook's EndpointSlices give its port "https"; default 10250; null: no ports listed. */
  endpointPort?: number | null;
  /** Nodes and their InternalIPs; default one control-plane node, NODE_IP. */
  nodes?: Array<{ name: string; internalIP: string }>;
  /** Addresses of the default/kubernetes EndpointSlices; default [NODE_IP] (a host-networked API server). */
  apiServerAddresses?: string[];
  /** Data of cilium-config in `ciliumNamespace`; default CILIUM_CONFIG (the chart's defaults); false: no ConfigMap. */
  ciliumConfig?: Record<string, string> | false;
  /** Namespace of cilium-config; default kube-system. */
  ciliumNamespace?: string;
}

/** A canned answer: status, a JSON body or raw text, headers. */
export interface Override {
  status: number;
  json?: unknown;
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** After the headers, a body that never ends: chunks of `text` written until the client goes away. */
  endless?: boolean;
}

/** What an admission webhook does when kube-apiserver calls it. */
export type WebhookBehaviour =
  | "allow"
  /** It answers allowed: false with this message. */
  | { deny: string; delayMs?: number }
  /** kube-apiserver cannot call it: these are the words of the failed call (a dial error, x509...). */
  | { fail: string; delayMs?: number }
  /** Packets dropped: the call hangs until the webhook's timeout (scaled to `ms` here), then fails. */
  | { hangMs: number };

/**
 * max-in-flight / API Priority and Fairness refusing a request, as kube-apiserver does:
 * plain text, Retry-After (apiserver pkg/server/filters/maxinflight.go `tooManyRequests`).
 */
export const tooManyRequests = (retryAfterSeconds = 1): Override => ({
  status: 429,
  text: "Too many requests, please try again later.\n",
  contentType: "text/plain; charset=utf-8",
  headers: { "retry-after": String(retryAfterSeconds), "x-content-type-options": "nosniff" },
});

/** The aggregator's proxy failing to reach the APIService's Service (kube-aggregator, plain text 503). */
export const aggregatorError = (words: string): Override => ({
  status: 503,
  text: `error trying to reach service: ${words}\n`,
  contentType: "text/plain; charset=utf-8",
});

type Obj = Record<string, any>;

/**
 * Whether a webhook's rules and selectors match a dry-run ConfigMap create in
 * `namespace`, written from kube-apiserver's code independently of the check's
 * (apiserver pkg/admission/plugin/webhook/predicates/rules/rules.go; namespace and
 * object selectors as LabelSelectors).
 */
function matchesConfigMapCreate(hook: Obj, namespaceLabels: Record<string, string>, objectLabels: Record<string, string>): boolean {
  const any = (list: string[] | undefined, v: string) => (list ?? []).includes("*") || (list ?? []).includes(v);
  const rule = (r: Obj) =>
    (r.scope === undefined || r.scope === "*" || r.scope === "Namespaced") &&
    any(r.operations, "CREATE") &&
    any(r.apiGroups, "") &&
    any(r.apiVersions, "v1") &&
    (r.resources ?? []).some((x: string) => {
      const [res, sub = ""] = x.split(/\/(.*)/s);
      return (res === "*" || res === "configmaps") && (sub === "*" || sub === "");
    });
  const selector = (sel: Obj | undefined, labels: Record<string, string>) => {
    if (!sel) return true;
    const ok = Object.entries(sel.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
    return (
      ok &&
      (sel.matchExpressions ?? []).every((e: Obj) => {
        const has = e.key in labels;
        if (e.operator === "In") return has && e.values.includes(labels[e.key]);
        if (e.operator === "NotIn") return !has || !e.values.includes(labels[e.key]);
        if (e.operator === "Exists") return has;
        return !has;
      })
    );
  };
  return (hook.rules ?? []).some(rule) && selector(hook.namespaceSelector, namespaceLabels) && selector(hook.objectSelector, objectLabels);
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Admits a dry-run ConfigMap create as kube-apiserver does: the mutating webhooks one
 * after another (configurations sorted by name, apiserver
 * pkg/admission/configuration/mutating_webhook_manager.go), the first failure or denial
 * stopping the request (mutating/dispatcher.go); then a ValidatingAdmissionPolicy;
 * then the validating webhooks in parallel, returning the first error to arrive
 * (validating/dispatcher.go: `errs[0]`). failurePolicy Ignore skips a failed call.
 * Returns the error answer, or undefined when admitted.
 */
async function admit(scenario: Scenario, namespaceLabels: Record<string, string>, object: Obj): Promise<Override | undefined> {
  const statusBody = (code: number, reason: string, message: string) => ({
    status: code,
    json: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code },
  });
  const objectLabels = object.metadata?.labels ?? {};
  const hooksOf = (configs: unknown[] | undefined) =>
    ((configs ?? []) as Obj[]).flatMap((c) => (c.webhooks ?? []).map((w: Obj) => ({ config: c.metadata?.name ?? "", hook: w }))) as Array<{
      config: string;
      hook: Obj;
    }>;
  const relevant = (h: { hook: Obj }) =>
    matchesConfigMapCreate(h.hook, namespaceLabels, objectLabels) && !(scenario.matchConditionsFalse ?? []).includes(h.hook.name);
  /** One call: undefined (allowed, or failed open), or the error kube-apiserver returns. */
  const call = async (hook: Obj): Promise<Override | undefined> => {
    const b = scenario.webhooks?.[hook.name] ?? "allow";
    if (b === "allow") return undefined;
    if ("hangMs" in b) await wait(b.hangMs);
    else if (b.delayMs) await wait(b.delayMs);
    if ("deny" in b) return statusBody(400, "BadRequest", `admission webhook "${hook.name}" denied the request: ${b.deny}`);
    if ((hook.failurePolicy ?? "Fail") === "Ignore") return undefined;
    const words = "hangMs" in b ? "context deadline exceeded" : b.fail;
    const svc = hook.clientConfig?.service ?? {};
    return statusBody(
      500,
      "InternalError",
      `Internal error occurred: failed calling webhook "${hook.name}": failed to call webhook: Post "https://${svc.name}.${svc.namespace}.svc:${svc.port ?? 443}/?timeout=${hook.timeoutSeconds ?? 10}s": ${words}`,
    );
  };
  const mutating = hooksOf(scenario.mutatingWebhooks)
    .map((h, i) => ({ ...h, i }))
    .sort((a, b) => a.config.localeCompare(b.config) || a.i - b.i)
    .filter(relevant);
  for (const h of mutating) {
    const err = await call(h.hook);
    if (err) return err;
  }
  const p = scenario.policyDenial;
  if (p) {
    const by =
      p.binding !== undefined
        ? `ValidatingAdmissionPolicy '${p.policy}' with binding '${p.binding}'`
        : `ValidatingAdmissionPolicy '${p.policy}'`;
    return statusBody(
      p.code,
      p.code === 422 ? "Invalid" : "Forbidden",
      `configmaps "webhook-check-q4w8z" is forbidden: ${by} denied request: ${p.message}`,
    );
  }
  const errors: Override[] = [];
  await Promise.all(
    hooksOf(scenario.validatingWebhooks)
      .filter(relevant)
      .map(async (h) => {
        const err = await call(h.hook);
        if (err) errors.push(err);
      }),
  );
  return errors[0];
}

/** The selector of cert-manager's chart for its webhook Service (templates/webhook-service.yaml). */
export const WEBHOOK_SELECTOR = {
  "app.kubernetes.io/name": "webhook",
  "app.kubernetes.io/instance": "cert-manager",
  "app.kubernetes.io/component": "webhook",
};
/** The only node's InternalIP, where the stand-in's API server runs. */
export const NODE_IP = "192.168.1.10";
/** cilium-config's proof-relevant keys as the Cilium chart writes them with its default values. */
export const CILIUM_CONFIG: Record<string, string> = {
  "enable-policy": "default",
  "policy-cidr-match-mode": "",
  "enable-non-default-deny-policies": "true",
};

export const INCIDENT_ERROR =
  'Internal error occurred: failed calling webhook "webhook.cert-manager.io": failed to call webhook: Post "https://cert-manager-webhook.cert-manager.svc:443/validate?timeout=30s": dial tcp 10.98.200.162:443: connect: operation not permitted';

export interface FakeApiServer {
  url: string;
  /** Every request seen: method, path with query. */
  requests: string[];
  /** Requests that would have persisted something (a POST without dryRun=All, any DELETE/PUT/PATCH). */
  writes: string[];
  /** Headers of every request, in order. */
  headers: Array<Record<string, string | string[] | undefined>>;
  /** TLS connections accepted so far. */
  connections(): number;
  /** Connections open now. */
  open(): Promise<number>;
  close(): Promise<void>;
}

function status(code: number, reason: string, message: string) {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
}

export async function startFakeApiServer(pki: Pki, scenario: Scenario = {}): Promise<FakeApiServer> {
  const requests: string[] = [];
  const writes: string[] = [];
  const headers: Array<Record<string, string | string[] | undefined>> = [];
  const served = new WeakMap<object, number>();
  let connections = 0;
  let listedApiServices: Obj[] = [];
  const leaf =
    scenario.chain === "intermediate"
      ? { key: pki.chainKey, cert: `${pki.chainCert}${pki.intermediate}` }
      : { key: pki.serverKey, cert: pki.serverCert };
  const server = https.createServer({ ...leaf, ca: pki.ca, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const n = (served.get(req.socket) ?? 0) + 1;
    served.set(req.socket, n);
    if (scenario.drop?.(n)) {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "https://fake");
      requests.push(`${req.method} ${url.pathname}${url.search}`);
      headers.push({ ...req.headers });
      if (req.method !== "GET" && !(req.method === "POST" && url.searchParams.get("dryRun") === "All"))
        writes.push(`${req.method} ${url.pathname}${url.search}`);
      const send = (code: number, body: unknown) => {
        res.writeHead(code, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      // As kube-apiserver: a bearer token it does not know is 401 on every request;
      // otherwise the client certificate must chain to the CA.
      const token = req.headers.authorization;
      const tokens = [`Bearer ${EXEC_TOKEN}`, ...(scenario.tokens ?? []).map((t) => `Bearer ${t}`)];
      const authorized = token === undefined ? (req.socket as import("node:tls").TLSSocket).authorized : tokens.includes(token);
      let p = url.pathname;
      if (scenario.prefix !== undefined) {
        if (!p.startsWith(`${scenario.prefix}/`)) {
          res.writeHead(404, { "content-type": "text/html" });
          return res.end("<html><body><h1>404 Not Found</h1></body></html>");
        }
        p = p.slice(scenario.prefix.length);
      }
      const reply = (o: Override) => {
        res.writeHead(o.status, {
          "content-type": o.contentType ?? (o.text !== undefined ? "text/html" : "application/json"),
          ...(o.headers ?? {}),
        });
        if (!o.endless) {
          res.end(o.text ?? JSON.stringify(o.json));
          return;
        }
        const chunk = Buffer.from(o.text ?? "x".repeat(16 * 1024));
        const more = () => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once("drain", more);
        };
        res.on("close", () => res.removeAllListeners("drain"));
        more();
      };
      if (scenario.hang?.(req.method ?? "GET", p)) return;
      const override = scenario.respond?.(req.method ?? "GET", p);
      if (override) {
        if (p === "/apis/apiregistration.k8s.io/v1/apiservices" && Array.isArray((override.json as Obj | undefined)?.items))
          listedApiServices = (override.json as Obj).items;
        return reply(override);
      }
      if (scenario.auth === 401 || !authorized) return send(401, status(401, "Unauthorized", "Unauthorized"));
      if (scenario.auth === 403)
        return send(403, status(403, "Forbidden", `${url.pathname} is forbidden: User "kubernetes-admin" cannot get resource`));
      if (p === "/version") return send(200, { major: "1", minor: "31", gitVersion: "v1.31.4" });
      const lists: Record<string, unknown[] | undefined> = {
        "/apis/apiregistration.k8s.io/v1/apiservices": scenario.apiServices,
        "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations": scenario.validatingWebhooks,
        "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations": scenario.mutatingWebhooks,
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions": scenario.customResourceDefinitions,
      };
      if (p in lists && req.method === "GET") {
        if (p === "/apis/apiregistration.k8s.io/v1/apiservices") listedApiServices = (scenario.apiServices ?? []) as Obj[];
        return send(200, { kind: "List", apiVersion: "v1", metadata: {}, items: lists[p] ?? [] });
      }
      // The aggregator: discovery of an APIService's group version is proxied to its Service.
      const groupVersion = /^\/apis\/([^/]+)\/([^/]+)$/.exec(p);
      const aggregated = groupVersion
        ? listedApiServices.find((a) => a.spec?.service && a.spec.group === groupVersion[1] && a.spec.version === groupVersion[2])
        : undefined;
      if (aggregated && req.method === "GET") {
        const canned = scenario.aggregated?.[aggregated.metadata.name];
        if (canned) return reply(canned);
        const available = (aggregated.status?.conditions ?? []).some((c: Obj) => c.type === "Available" && c.status === "True");
        if (!available) return reply({ status: 503, text: "service unavailable\n", contentType: "text/plain; charset=utf-8" });
        return send(200, {
          kind: "APIResourceList",
          apiVersion: "v1",
          groupVersion: `${groupVersion?.[1]}/${groupVersion?.[2]}`,
          resources: [{ name: "challenges", namespaced: true, kind: "Challenge", verbs: ["create"] }],
        });
      }
      if (p === "/api/v1/namespaces/cert-manager/configmaps" && req.method === "POST") {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        const labels = { "kubernetes.io/metadata.name": "cert-manager", ...(scenario.namespace || {}) };
        admit(scenario, labels, body).then(
          (err) => (err ? reply(err) : send(201, { ...body, metadata: { ...body.metadata, name: "webhook-check-q4w8z" } })),
          () => send(500, status(500, "InternalError", "the stand-in failed")),
        );
        return;
      }
      if (p === "/api/v1/namespaces/cert-manager") {
        if (scenario.namespace === false) return send(404, status(404, "NotFound", 'namespaces "cert-manager" not found'));
        return send(200, {
          metadata: { name: "cert-manager", labels: { "kubernetes.io/metadata.name": "cert-manager", ...(scenario.namespace ?? {}) } },
        });
      }
      if (p === "/api/v1/namespaces/cert-manager/services/cert-manager-webhook") {
        if (scenario.service === false) return send(404, status(404, "NotFound", 'services "cert-manager-webhook" not found'));
        return send(200, {
          metadata: { name: "cert-manager-webhook" },
          spec: {
            clusterIP: "10.98.200.162",
            selector: scenario.webhookSelector ?? WEBHOOK_SELECTOR,
            ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: scenario.webhookTargetPort ?? "https" }],
          },
        });
      }
      if (p === "/apis/discovery.k8s.io/v1/namespaces/cert-manager/endpointslices") {
        const n = scenario.readyEndpoints ?? 1;
        const endpoints = Array.from({ length: n }, (_, i) => ({ addresses: [`10.244.0.${10 + i}`], conditions: { ready: true } }));
        const port = scenario.endpointPort === undefined ? 10250 : scenario.endpointPort;
        const ports = port === null ? [] : [{ name: "https", port, protocol: "TCP" }];
        return send(200, { items: [{ metadata: { name: "cert-manager-webhook-abcde" }, endpoints, ports }] });
      }
      if (p === "/api/v1/nodes" && req.method === "GET") {
        const nodes = scenario.nodes ?? [{ name: "cp-1", internalIP: NODE_IP }];
        const items = nodes.map((n) => ({
          metadata: { name: n.name },
          status: {
            addresses: [
              { type: "InternalIP", address: n.internalIP },
              { type: "Hostname", address: n.name },
            ],
          },
        }));
        return send(200, { kind: "NodeList", apiVersion: "v1", metadata: {}, items });
      }
      if (p === "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices" && req.method === "GET") {
        const addresses = scenario.apiServerAddresses ?? [NODE_IP];
        const endpoints = addresses.map((a) => ({ addresses: [a], conditions: { ready: true } }));
        return send(200, {
          items: [{ metadata: { name: "kubernetes" }, endpoints, ports: [{ name: "https", port: 6443, protocol: "TCP" }] }],
        });
      }
      if (p === `/api/v1/namespaces/${scenario.ciliumNamespace ?? "kube-system"}/configmaps/cilium-config` && req.method === "GET") {
        if (scenario.ciliumConfig === false) return send(404, status(404, "NotFound", 'configmaps "cilium-config" not found'));
        return send(200, { metadata: { name: "cilium-config" }, data: scenario.ciliumConfig ?? CILIUM_CONFIG });
      }
      if (p === "/apis/cert-manager.io/v1/namespaces/cert-manager/certificaterequests" && req.method === "POST") {
        if (scenario.crds === false) return send(404, status(404, "NotFound", "the server could not find the requested resource"));
        if (scenario.webhookError !== undefined) return send(500, status(500, "InternalError", scenario.webhookError));
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        const csr = Buffer.from(body.spec.request, "base64").toString("utf8");
        if (!csr.includes("BEGIN CERTIFICATE REQUEST")) {
          return send(
            403,
            status(
              403,
              "Forbidden",
              'admission webhook "webhook.cert-manager.io" denied the request: spec.request: Invalid value: []byte{...}: error decoding certificate request PEM block',
            ),
          );
        }
        return send(201, {
          ...body,
          metadata: { ...body.metadata, name: "webhook-check-x7k2p" },
          spec: { ...body.spec, username: "kubernetes-admin", groups: ["system:masters"] },
        });
      }
      return send(404, status(404, "NotFound", "the server could not find the requested resource"));
    });
  });
  server.on("secureConnection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    requests,
    writes,
    headers,
    connections: () => connections,
    open: () => new Promise((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n)))),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A TCP server that accepts connections and never says a word (a hung API server). */
export async function startSilentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port with nothing listening (connection refused). */
export async function closedPortUrl(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `https://127.0.0.1:${port}`;
}

/**
 * A CONNECT proxy on loopback, as corporate proxies work: it resolves every host
 * to `upstreamPort` on 127.0.0.1 (so a name that resolves nowhere works through
 * it) and records each CONNECT target.
 */
export async function startConnectProxy(upstreamPort: () => number): Promise<{ url: string; connects: string[]; close(): Promise<void> }> {
  const connects: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.once("data", (head) => {
      const line = head.toString("latin1").split("\r\n")[0];
      const m = /^CONNECT (\S+) HTTP\/1\.[01]$/.exec(line);
      if (!m) {
        client.end("HTTP/1.1 405 Method Not Allowed\r\n\r\n");
        return;
      }
      connects.push(m[1]);
      const upstream = net.connect(upstreamPort(), "127.0.0.1", () => {
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        upstream.pipe(client);
        client.pipe(upstream);
      });
      sockets.add(upstream);
      upstream.on("close", () => sockets.delete(upstream));
      upstream.on("error", () => client.destroy());
      client.on("error", () => upstream.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connects,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * The stand-ins of one test file: a PKI made before its tests, and after them every
 * server started through `serve` (or `api`) closed and the PKI removed.
 */
export function standIns() {
  let pki: Pki | undefined;
  const servers: Array<{ close(): Promise<void> }> = [];
  beforeAll(() => {
    pki = makePki();
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    removePki(pki);
  });
  const self = {
    get pki(): Pki {
      if (!pki) throw new Error("the stand-ins are made in beforeAll");
      return pki;
    },
    serve<T extends { close(): Promise<void> }>(server: T): T {
      servers.push(server);
      return server;
    },
    async api(scenario: Scenario = {}): Promise<FakeApiServer> {
      return self.serve(await startFakeApiServer(self.pki, scenario));
    },
  };
  return self;
}
