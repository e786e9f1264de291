/**
 * kubeconfig -> how to reach and authenticate to the API server, via
 * @kubernetes/client-node's KubeConfig (client certificates, tokens, exec and
 * auth-provider plugins). Its loadFromDefault() silently falls back to
 * http://localhost:8080 when nothing is found; this module never does: a
 * missing file, a bad file or an unknown context is a ConfigError (exit 2).
 */
import { accessSync, constants } from "node:fs";
import type * as https from "node:https";
import { KubeConfig } from "@kubernetes/client-node/dist/config.js";

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

export interface KubeTarget {
  /** API server base URL. */
  readonly server: URL;
  readonly context: string;
  /** TLS material and auth headers for node:https. */
  readonly requestOptions: https.RequestOptions;
}

/** Reads the kubeconfig files (merged like kubectl's KUBECONFIG) and selects the context. */
export function loadKubeConfig(files: readonly string[], context?: string): KubeConfig {
  const kc = new KubeConfig();
  files.forEach((file, i) => {
    try {
      accessSync(file, constants.R_OK);
    } catch {
      throw new ConfigError(`kubeconfig ${file} does not exist or is not readable (set --kubeconfig or KUBECONFIG)`);
    }
    const one = i === 0 ? kc : new KubeConfig();
    try {
      one.loadFromFile(file);
    } catch (err) {
      throw new ConfigError(`kubeconfig ${file} is not a valid kubeconfig: ${(err as Error).message}`);
    }
    if (i > 0) {
      try {
        kc.mergeConfig(one, kc.getCurrentContext() !== "");
      } catch (err) {
        throw new ConfigError(`kubeconfig ${file} cannot be merged: ${(err as Error).message}`);
      }
    }
  });
  const names = (kc.getContexts() ?? []).map((c) => c.name);
  if (context !== undefined) {
    if (!kc.getContextObject(context)) {
      throw new ConfigError(
        `context "${context}" is not in ${files.join(", ")}; contexts there: ${names.length > 0 ? names.join(", ") : "(none)"}`,
      );
    }
    kc.setCurrentContext(context);
  } else if (!kc.getCurrentContext() || !kc.getContextObject(kc.getCurrentContext())) {
    throw new ConfigError(
      `${files.join(", ")} sets no usable current-context; pass --context (contexts: ${names.length > 0 ? names.join(", ") : "(none)"})`,
    );
  }
  return kc;
}

/** Resolves server, TLS and credentials for the selected context (may run exec plugins). */
export async function resolveTarget(kc: KubeConfig): Promise<KubeTarget> {
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) throw new ConfigError(`context "${kc.getCurrentContext()}" has no cluster with a server address`);
  let server: URL;
  try {
    server = new URL(cluster.server);
  } catch {
    throw new ConfigError(`cluster "${cluster.name}" has an invalid server address "${cluster.server}"`);
  }
  if (server.protocol !== "https:" && server.protocol !== "http:")
    throw new ConfigError(`cluster "${cluster.name}" server must be https:// (got ${server.protocol})`);
  const requestOptions: https.RequestOptions = {};
  try {
    await kc.applyToHTTPSOptions(requestOptions);
  } catch (err) {
    throw new ConfigError(`cannot load the credentials of context "${kc.getCurrentContext()}": ${(err as Error).message}`);
  }
  return { server, context: kc.getCurrentContext(), requestOptions };
}
