/**
 * Requests to the API server as client-go makes them, bounded by an absolute
 * deadline: every request goes under the server URL's path prefix
 * (`https://host/k8s/clusters/c-1` -> `/k8s/clusters/c-1/version`), TLS checks the
 * `tls-server-name` when set, a proxy is used as Go's ProxyFromEnvironment decides
 * (or the kubeconfig's `proxy-url`), and a 401 fetches the credentials again once.
 * The socket is destroyed when the deadline passes or the signal aborts, whatever
 * the server or the proxy does.
 */
import { X509Certificate } from "node:crypto";
import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
import * as tls from "node:tls";
import type { CredentialSource } from "./credentials";
import { SYSTEM_TIMER, type Timer } from "./deadline";
import { ConfigError, type ResolvedKubeconfig } from "./kubeconfig";

/**
 * The most the check reads of one answer. A large cluster's lists fit: the CRD list of a
 * Cilium cluster with a few operators is several MB, and kube-apiserver itself refuses
 * request bodies over 3 MiB. More is refused as a `bad-response`, never buffered.
 */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

/**
 * The most the check reads of an answer that is one object (`/version`, discovery, a single
 * object, what a dry-run create returns): kube-apiserver refuses request bodies over 3 MiB
 * (k8s.io/apiserver v0.35.4 pkg/server/config.go `MaxRequestBodyBytes`), so no stored object is larger.
 * Only lists may reach MAX_BODY_BYTES: a hostile server answering every request with 63 MiB
 * made the check parse several such bodies at once (gigabytes of heap).
 */
export const MAX_OBJECT_BODY_BYTES = 3 * 1024 * 1024;

/**
 * Whether a request reads a list: a GET of a collection, as Kubernetes API paths are built
 * (k8s.io/client-go v0.35.4 rest/request.go URL(): `/api/v1` or `/apis/GROUP/VERSION`, then
 * `namespaces/NS` and the resource; one more segment names an object). `/api/v1/namespaces`
 * is the list of namespaces, `/api/v1/namespaces/NAME` one.
 */
export function readsList(method: string, pathAndQuery: string): boolean {
  if (method !== "GET") return false;
  const m = /^\/(?:api\/[^/?]+|apis\/[^/?]+\/[^/?]+)((?:\/[^/?]+)*)\/?(?:\?.*)?$/s.exec(pathAndQuery);
  if (!m) return false;
  const rest = m[1].split("/").filter((x) => x !== "");
  if (rest[0] === "namespaces" && rest.length >= 3) return rest.length === 3;
  return rest.length === 1;
}

/**
 * Lists are read and parsed one at a time per run (keyed by its connection pools), so that at
 * most one list's body, text and parse are in memory at once; other requests do not wait.
 */
const listQueues = new WeakMap<object, Promise<unknown>>();

/** Runs `job` after every job queued before it under `key` has settled. */
export function oneAtATime<T>(key: object, job: () => Promise<T>): Promise<T> {
  const before = listQueues.get(key) ?? Promise.resolve();
  const run = before.then(job, job);
  listQueues.set(
    key,
    run.catch(() => {}),
  );
  return run;
}

const sizeText = (bytes: number) =>
  bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;

export interface ApiResponse {
  readonly status: number;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  readonly body: unknown;
  readonly text: string;
  /** The server's Retry-After (seconds, or an HTTP date), in ms, when it sent one. */
  readonly retryAfterMs?: number;
}

/**
 * A URL as the check prints it: scheme, host and path. Its user information (a password, or
 * a token written as the user name) is replaced by `xxxxx`; its query and fragment, which can
 * carry a token too, are left out. Go's url.URL.Redacted (net/url, go1.26 src/net/url/url.go)
 * hides the password only; here the user name, the query and the fragment go too.
 */
export function redactedUrl(url: URL): string {
  const userinfo = url.username !== "" || url.password !== "" ? "xxxxx@" : "";
  return `${url.protocol}//${userinfo}${url.host}${url.pathname}`;
}

/**
 * Text meant as a URL that does not parse. Where its authority ends cannot be known (a password
 * may hold `/`, `?` or `#`), so everything before the last `@` is hidden, and so is everything
 * from a `?` or `#` after it.
 */
export function redactedUrlText(raw: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(raw)?.[0] ?? "";
  const at = raw.lastIndexOf("@");
  const rest = at === -1 ? raw.slice(scheme.length) : raw.slice(at + 1);
  return `${scheme}${at === -1 ? "" : "xxxxx@"}${rest.replace(/[?#].*$/s, "")}`;
}

/** Retry-After as RFC 9110 defines it: delay-seconds or an HTTP-date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** The message of a Kubernetes Status body; undefined when the body is not one. */
export function statusMessage(res: ApiResponse): string | undefined {
  const m = (res.body as { message?: unknown } | undefined)?.message;
  return typeof m === "string" ? m : undefined;
}

/** A failure below HTTP: refused, reset, TLS, DNS, timeout. */
export class TransportError extends Error {
  constructor(
    message: string,
    public readonly code: string,
    /** Raised by the overall deadline (or a signal) rather than by the server or the network. */
    public readonly atDeadline = false,
  ) {
    super(message);
    this.name = "TransportError";
  }
}

/** Where and how to reach the API server. */
export interface KubeTarget {
  readonly server: URL;
  readonly context: string;
  readonly ca?: string;
  readonly servername?: string;
  readonly insecure: boolean;
  /** The proxy to use for this server, if any. */
  readonly proxy?: URL;
  readonly credentials: CredentialSource;
  /**
   * Kept-alive connections to the server, one pool per TLS identity (CA, client
   * certificate, key), as client-go reuses its connections: one handshake instead of
   * one per request. `closeConnections` ends them.
   */
  readonly pools: Map<tls.SecureContext, https.Agent>;
  /** The most read of one answer; MAX_BODY_BYTES unless a test sets less. */
  readonly maxBodyBytes?: number;
  /** Measures the deadline of every request and cuts it there (a fake clock in tests). */
  readonly timer: Timer;
}

/** Ends every connection of `target` (idle or in use); later requests open new ones. */
export function closeConnections(target: KubeTarget): void {
  for (const agent of target.pools.values()) agent.destroy();
  target.pools.clear();
}

/** The pool for one TLS identity. Idle sockets do not keep the process alive (Node unrefs them). */
function poolFor(target: KubeTarget, context: tls.SecureContext): https.Agent {
  let agent = target.pools.get(context);
  if (!agent) {
    agent = new https.Agent({ keepAlive: true });
    target.pools.set(context, agent);
  }
  return agent;
}

// ---- proxies, as golang.org/x/net/http/httpproxy decides ------------------------------------------
function ipMatchesCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split("/");
  const bits = Number(bitsText);
  const family = net.isIP(base);
  if (family === 0 || net.isIP(ip) !== family || !Number.isInteger(bits)) return false;
  const blocks = new net.BlockList();
  blocks.addSubnet(base, bits, family === 6 ? "ipv6" : "ipv4");
  return blocks.check(ip, family === 6 ? "ipv6" : "ipv4");
}

function isLoopback(host: string): boolean {
  if (host === "localhost") return true;
  if (net.isIPv4(host)) return host.startsWith("127.");
  if (net.isIPv6(host)) return host === "::1";
  return false;
}

/** NO_PROXY semantics of Go's httpproxy: `*`, CIDRs, IPs, `host`, `.domain`/`*.domain` (subdomains), `host:port`. */
export function bypassesProxy(target: URL, noProxy: string): boolean {
  const host = target.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const port = target.port || (target.protocol === "https:" ? "443" : "80");
  if (isLoopback(host)) return true;
  for (const raw of noProxy.split(",")) {
    let entry = raw.trim().toLowerCase();
    if (entry === "") continue;
    if (entry === "*") return true;
    if (entry.includes("/")) {
      if (net.isIP(host) && ipMatchesCidr(host, entry)) return true;
      continue;
    }
    let entryPort: string | undefined;
    const m = /^(.*):(\d+)$/.exec(entry);
    if (m && !net.isIPv6(entry)) [entry, entryPort] = [m[1], m[2]];
    entry = entry.replace(/^\[|\]$/g, "");
    if (entryPort !== undefined && entryPort !== port) continue;
    if (net.isIP(entry)) {
      if (entry === host) return true;
      continue;
    }
    if (entry.startsWith("*.")) entry = entry.slice(1);
    if (entry.startsWith(".")) {
      if (host.endsWith(entry) || host === entry.slice(1)) return true;
    } else if (host === entry || host.endsWith(`.${entry}`)) {
      return true;
    }
  }
  return false;
}

/** The proxy for `server`: the kubeconfig's proxy-url, else HTTPS_PROXY/HTTP_PROXY unless NO_PROXY or loopback. */
export function proxyFor(server: URL, env: NodeJS.ProcessEnv, proxyUrl?: string): URL | undefined {
  const parse = (raw: string, from: string): URL => {
    let url: URL;
    try {
      url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
    } catch {
      throw new ConfigError(`${from} "${redactedUrlText(raw)}" is not a valid proxy URL`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new ConfigError(
        `${from} "${url.protocol}//${url.host}": only http and https proxies are supported (not ${url.protocol.slice(0, -1)})`,
      );
    }
    return url;
  };
  if (proxyUrl !== undefined) return parse(proxyUrl, "proxy-url");
  const pick = (...names: string[]) => names.map((n) => env[n]).find((v) => v !== undefined && v !== "");
  const raw = server.protocol === "https:" ? pick("HTTPS_PROXY", "https_proxy") : pick("HTTP_PROXY", "http_proxy");
  if (raw === undefined) return undefined;
  if (bypassesProxy(server, pick("NO_PROXY", "no_proxy") ?? "")) return undefined;
  return parse(raw, server.protocol === "https:" ? "HTTPS_PROXY" : "HTTP_PROXY");
}

/** Builds the target for a resolved kubeconfig. */
export function targetFor(
  kc: ResolvedKubeconfig,
  credentials: CredentialSource,
  env: NodeJS.ProcessEnv = process.env,
  timer: Timer = SYSTEM_TIMER,
): KubeTarget {
  let server: URL;
  try {
    server = new URL(kc.cluster.server);
  } catch {
    throw new ConfigError(`the server address of context "${kc.context}" is not a URL`);
  }
  if (server.protocol !== "https:" && server.protocol !== "http:")
    throw new ConfigError(`the server of context "${kc.context}" must be https:// (got ${server.protocol})`);
  const proxy = proxyFor(server, env, kc.cluster.proxyUrl);
  // Refused before the first request, as kubectl does (an exec plugin's certificate is checked when it arrives).
  const user = kc.user.exec ? {} : kc.user;
  secureContextFor(kc.cluster.certificateAuthorityData, user.clientCertificateData, user.clientKeyData, kc.context);
  return {
    server,
    context: kc.context,
    ...(kc.cluster.certificateAuthorityData ? { ca: kc.cluster.certificateAuthorityData } : {}),
    ...(kc.cluster.tlsServerName ? { servername: kc.cluster.tlsServerName } : {}),
    insecure: kc.cluster.insecureSkipTlsVerify,
    ...(proxy ? { proxy } : {}),
    credentials,
    pools: new Map(),
    timer,
  };
}

// ---- one request ------------------------------------------------------------------------------------
/** `/version` under the server's path prefix. */
export function requestUrl(server: URL, pathAndQuery: string): URL {
  const prefix = server.pathname.replace(/\/+$/, "");
  return new URL(`${server.origin}${prefix}${pathAndQuery}`);
}

function tunnel(proxy: URL, host: string, port: number, deadline: number, timer: Timer, signal?: AbortSignal): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const auth = proxy.username
      ? {
          "proxy-authorization": `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString("base64")}`,
        }
      : {};
    const req = (proxy.protocol === "https:" ? https : http).request({
      host: proxy.hostname,
      port: proxy.port || (proxy.protocol === "https:" ? 443 : 80),
      method: "CONNECT",
      path: `${host.includes(":") ? `[${host}]` : host}:${port}`,
      headers: { host: `${host}:${port}`, ...auth },
    });
    const done = timer.onDeadline(deadline, signal, (why) =>
      req.destroy(
        why === "abort"
          ? new TransportError("interrupted", "EINTR", true)
          : new TransportError(`no answer from the proxy ${proxy.host} before the deadline (timed out)`, "ETIMEDOUT", true),
      ),
    );
    req.on("connect", (res, socket) => {
      done();
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(new TransportError(`the proxy ${proxy.host} refused the tunnel to ${host}:${port}: HTTP ${res.statusCode}`, "EPROXY"));
        return;
      }
      resolve(socket);
    });
    req.on("error", (err) => {
      done();
      reject(
        err instanceof TransportError
          ? err
          : new TransportError(`proxy ${proxy.host}: ${err.message}`, (err as NodeJS.ErrnoException).code ?? "EPROXY"),
      );
    });
    req.end();
  });
}

// Parsing the CA bundle and the client key costs a few milliseconds per connection (the check
// opens one per request): one SecureContext per CA/certificate/key, rebuilt when an exec plugin
// hands out a new certificate. Data TLS cannot load is a configuration error, as in kubectl
// ("unable to load root certificates", "failed to find any PEM data"), never retried.
function hasPemCertificate(pem: string): boolean {
  for (const block of pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []) {
    try {
      new X509Certificate(block);
      return true;
    } catch {
      // client-go skips a block it cannot parse and looks at the next
    }
  }
  return false;
}

const of = (context: string | undefined) => (context === undefined ? "" : `context "${context}": `);
const contexts = new Map<string, tls.SecureContext>();
function secureContextFor(
  ca: string | undefined,
  cert: string | undefined,
  key: string | undefined,
  kubeContext?: string,
): tls.SecureContext {
  const id = JSON.stringify([ca ?? null, cert ?? null, key ?? null]);
  let context = contexts.get(id);
  if (!context) {
    const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));
    // Node skips what is not a certificate; client-go's AppendCertsFromPEM needs at least one.
    if (ca !== undefined && !hasPemCertificate(ca))
      throw new ConfigError(
        `${of(kubeContext)}the cluster's certificate authority data holds no PEM certificate (unable to load root certificates)`,
      );
    try {
      // allowPartialTrustChain: a chain that reaches any certificate of the CA pool is trusted, an
      // intermediate too, as Go's x509 verifier (and so kubectl) does. Node >= 20.18 / 22.9
      // (nodejs/node#54790, "tls: add allowPartialTrustChain flag"); without it OpenSSL wants a root.
      context = tls.createSecureContext({
        ...(ca ? { ca, allowPartialTrustChain: true } : {}),
        ...(cert !== undefined || key !== undefined ? { cert, key } : {}),
      });
    } catch (e) {
      throw new ConfigError(
        `${of(kubeContext)}the client certificate and key cannot be loaded: both must be PEM and belong together (${reason(e)})`,
      );
    }
    if (contexts.size >= 8) contexts.delete(contexts.keys().next().value as string);
    contexts.set(id, context);
  }
  return context;
}

interface RawResult {
  status: number;
  text: string;
  retryAfter?: string;
}

async function send(
  target: KubeTarget,
  method: string,
  url: URL,
  deadline: number,
  payload: Buffer | undefined,
  signal?: AbortSignal,
  retried = false,
): Promise<RawResult> {
  const creds = await target.credentials.get(deadline, target.timer);
  const headers: Record<string, string | number | string[]> = {
    ...creds.headers,
    accept: "application/json",
    "user-agent": "cdktf-cilium-webhook-check",
  };
  if (payload) {
    headers["content-type"] = "application/json";
    headers["content-length"] = payload.length;
  }
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  const tlsOptions: tls.ConnectionOptions = {
    secureContext: secureContextFor(target.ca, creds.cert, creds.key),
    rejectUnauthorized: !target.insecure,
    servername: target.servername ?? (net.isIP(url.hostname.replace(/^\[|\]$/g, "")) ? undefined : url.hostname),
  };
  let socket: net.Socket | undefined;
  if (target.proxy && url.protocol === "https:")
    socket = await tunnel(target.proxy, url.hostname.replace(/^\[|\]$/g, ""), port, deadline, target.timer, signal);
  return new Promise((resolve, reject) => {
    const viaHttpProxy = target.proxy !== undefined && url.protocol === "http:";
    const direct = url.protocol === "https:" && !socket;
    const options: https.RequestOptions = {
      method,
      headers,
      ...(url.protocol === "https:" ? tlsOptions : {}),
      // Through a tunnel: no agent, so that Node uses createConnection (with agent: false it would not).
      ...(socket
        ? { createConnection: () => tls.connect({ ...tlsOptions, socket }), agent: undefined }
        : { agent: direct ? poolFor(target, tlsOptions.secureContext as tls.SecureContext) : false }),
    };
    const req = viaHttpProxy
      ? http.request({ ...options, host: target.proxy?.hostname, port: target.proxy?.port || 80, path: url.href })
      : (url.protocol === "http:" ? http : https).request(url, options);
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      cancel();
      fn();
    };
    const fail = (err: Error) =>
      finish(() =>
        reject(err instanceof TransportError ? err : new TransportError(err.message, (err as NodeJS.ErrnoException).code ?? "ERROR")),
      );
    const cancel = target.timer.onDeadline(deadline, signal, (why) => {
      const err =
        why === "abort"
          ? new TransportError("interrupted", "EINTR", true)
          : new TransportError(`no answer from ${url.host} before the deadline (timed out)`, "ETIMEDOUT", true);
      fail(err);
      req.destroy(err);
      socket?.destroy();
    });
    req.on("response", (res) => {
      const limit = target.maxBodyBytes ?? MAX_BODY_BYTES;
      const tooLarge = () => {
        const err = new TransportError(
          `the answer from ${url.host} is larger than ${sizeText(limit)}, the most the check reads of one answer`,
          "EBODYLIMIT",
        );
        fail(err);
        req.destroy(err);
      };
      if (Number(res.headers["content-length"]) > limit) return tooLarge();
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        size += c.length;
        if (size > limit) return tooLarge();
        chunks.push(c);
      });
      res.on("error", fail);
      const retryAfter = res.headers["retry-after"];
      res.on("end", () =>
        finish(() =>
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString("utf8"),
            ...(retryAfter !== undefined ? { retryAfter } : {}),
          }),
        ),
      );
    });
    req.on("error", (err: NodeJS.ErrnoException) => {
      // A kept-alive connection the server closed just as it was reused: once more on a
      // fresh one, as Go's HTTP client does (every request here is a read or a dry run).
      if (req.reusedSocket && !retried && (err.code === "ECONNRESET" || err.code === "EPIPE") && !settled) {
        finish(() => resolve(send(target, method, url, deadline, payload, signal, true)));
        return;
      }
      fail(err);
    });
    if (payload) req.write(payload);
    req.end();
  });
}

export async function apiRequest(
  target: KubeTarget,
  method: string,
  pathAndQuery: string,
  deadline: number,
  body?: unknown,
  signal?: AbortSignal,
): Promise<ApiResponse> {
  if (deadline - target.timer.now() <= 0) throw new TransportError("deadline reached before the request was sent", "DEADLINE", true);
  if (signal?.aborted) throw new TransportError("interrupted", "EINTR", true);
  const url = requestUrl(target.server, pathAndQuery);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const list = readsList(method, pathAndQuery);
  const limit = Math.min(target.maxBodyBytes ?? MAX_BODY_BYTES, list ? MAX_BODY_BYTES : MAX_OBJECT_BODY_BYTES);
  const bounded = { ...target, maxBodyBytes: limit };
  const exchange = async (): Promise<ApiResponse> => {
    let raw = await send(bounded, method, url, deadline, payload, signal);
    if (raw.status === 401) {
      // As client-go: credentials may have expired or been rotated; fetch them once more.
      target.credentials.refresh();
      raw = await send(bounded, method, url, deadline, payload, signal);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.text);
    } catch {
      parsed = undefined;
    }
    const retryAfterMs = parseRetryAfter(raw.retryAfter);
    return { status: raw.status, body: parsed, text: raw.text, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  };
  if (!list) return exchange();
  return oneAtATime(target.pools, () => {
    // Queued behind other lists: the deadline may have passed meanwhile.
    if (deadline - target.timer.now() <= 0) throw new TransportError("deadline reached before the request was sent", "DEADLINE", true);
    return exchange();
  });
}
