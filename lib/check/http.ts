/**
 * One HTTP request to the API server, bounded by an absolute deadline: the
 * socket is destroyed when the deadline passes, whatever the server does
 * (connects and never answers, trickles, hangs in TLS).
 */
import * as http from "node:http";
import * as https from "node:https";
import type { KubeTarget } from "./kube";

export interface ApiResponse {
  readonly status: number;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  readonly body: unknown;
  readonly text: string;
}

/** A failure below HTTP: refused, reset, TLS, timeout. */
export class TransportError extends Error {
  constructor(
    message: string,
    public readonly code: string,
    /** Raised by the overall deadline rather than by the server or the network. */
    public readonly atDeadline = false,
  ) {
    super(message);
    this.name = "TransportError";
  }
}

export function apiRequest(
  target: KubeTarget,
  method: string,
  pathAndQuery: string,
  deadline: number,
  body?: unknown,
): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      reject(new TransportError("deadline reached before the request was sent", "DEADLINE", true));
      return;
    }
    const url = new URL(pathAndQuery, target.server);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string | number> = {
      ...((target.requestOptions.headers as Record<string, string>) ?? {}),
      accept: "application/json",
      "user-agent": "cdktf-cilium-webhook-check",
    };
    if (payload) {
      headers["content-type"] = "application/json";
      headers["content-length"] = payload.length;
    }
    const options: https.RequestOptions = { ...target.requestOptions, method, headers };
    const req = (url.protocol === "http:" ? http : https).request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", (err) => fail(err));
      res.on("end", () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString("utf8");
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        resolve({ status: res.statusCode ?? 0, body: parsed, text });
      });
    });
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const code = (err as NodeJS.ErrnoException).code ?? (err instanceof TransportError ? err.code : "ERROR");
      reject(err instanceof TransportError ? err : new TransportError(`${err.message}`, code));
    };
    const timer = setTimeout(() => {
      const err = new TransportError(`no answer from ${url.host} before the deadline (timed out)`, "ETIMEDOUT", true);
      fail(err);
      req.destroy(err);
    }, remaining);
    req.on("error", fail);
    if (payload) req.write(payload);
    req.end();
  });
}
