/**
 * kubeconfig files as kubectl and client-go read them (clientcmd's loading rules),
 * so the check reaches what the Terraform providers, reading the same files, reach:
 * - a path list is merged in order; a file that does not exist is skipped, and only
 *   a list with no existing file at all is an error;
 * - the first file to define a cluster, user or context name wins, duplicates in
 *   later files are ignored; the first non-empty current-context wins;
 * - relative file paths inside a kubeconfig (certificate-authority, client-key,
 *   tokenFile, an exec command with a slash) are relative to that file.
 * Nothing here prints or returns kubeconfig contents in errors: a malformed file is
 * named with its line and column only.
 */
import { closeSync, constants, existsSync, fstatSync, openSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { expandHome } from "../../shared/home";
import { isObject } from "../../shared/stable-json";

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

type Obj = Record<string, unknown>;

export interface ExecConfig {
  readonly apiVersion?: string;
  readonly command: string;
  readonly args: string[];
  readonly env: Array<{ name: string; value: string }>;
  readonly provideClusterInfo: boolean;
  readonly interactiveMode?: string;
  /** Directory of the kubeconfig that defined it (a relative command resolves there). */
  readonly baseDir: string;
}

export interface ClusterConfig {
  readonly server: string;
  readonly certificateAuthorityData?: string;
  readonly insecureSkipTlsVerify: boolean;
  readonly tlsServerName?: string;
  readonly proxyUrl?: string;
  /** `extensions[name=client.authentication.k8s.io/exec].extension`, for KUBERNETES_EXEC_INFO. */
  readonly execExtension?: unknown;
}

export interface UserConfig {
  readonly clientCertificateData?: string;
  readonly clientKeyData?: string;
  readonly token?: string;
  readonly tokenFile?: string;
  readonly username?: string;
  readonly password?: string;
  readonly exec?: ExecConfig;
  readonly impersonate?: { user?: string; uid?: string; groups: string[]; extra: Record<string, string[]> };
}

export interface ResolvedKubeconfig {
  readonly context: string;
  readonly cluster: ClusterConfig;
  readonly user: UserConfig;
  /** Every secret value read (tokens, passwords, keys, certificate data), to keep them out of any output. */
  readonly secrets: string[];
  /** The files actually read. */
  readonly files: string[];
}

interface Named {
  readonly name: string;
  readonly value: Obj;
  readonly file: string;
}

interface Loaded {
  clusters: Map<string, Named>;
  users: Map<string, Named>;
  contexts: Map<string, Named>;
  currentContext?: string;
  files: string[];
}

function readEntries(doc: Obj, key: "clusters" | "users" | "contexts", inner: "cluster" | "user" | "context", file: string): Named[] {
  const list = doc[key];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new ConfigError(`kubeconfig ${file}: "${key}" must be a list`);
  return list.map((entry, i) => {
    if (!isObject(entry) || typeof entry.name !== "string") throw new ConfigError(`kubeconfig ${file}: ${key}[${i}] needs a name`);
    const value = entry[inner];
    return { name: entry.name, value: isObject(value) ? value : {}, file };
  });
}

/** The most the check reads of a kubeconfig or of a file it names (certificates, keys, a tokenFile). */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

/**
 * Reads a regular file, refusing anything else: a FIFO nothing writes to, a terminal or a device
 * would block a synchronous read forever, the deadline and SIGTERM with it. O_NONBLOCK makes the
 * open itself return at once for a FIFO; for a regular file it changes nothing.
 */
export function readRegularFile(file: string, what: string): string {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile())
      throw new ConfigError(
        `${what} ${file} is not a regular file (a FIFO, a device or a socket): the check reads only regular files, so that no read outlasts its deadline`,
      );
    if (stat.size > MAX_FILE_BYTES) throw new ConfigError(`${what} ${file} is larger than 16 MiB, the most the check reads of a file`);
    return readFileSync(fd, "utf8");
  } finally {
    closeSync(fd);
  }
}

function parseFile(file: string): Obj {
  const text = readRegularFile(file, "kubeconfig");
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false, lineCounter: lines });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const pos = lines.linePos(err.pos[0]);
    const at = ` at line ${pos.line}, column ${pos.col}`;
    // The code only: yaml's messages may quote the offending line, which can hold a secret.
    throw new ConfigError(`kubeconfig ${file} is not valid YAML (${err.code}${at})`);
  }
  const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
  if (value === null || value === undefined) return {};
  if (!isObject(value)) throw new ConfigError(`kubeconfig ${file} is not a kubeconfig (expected a mapping at the top)`);
  return value;
}

/** Merges the existing files of `files` by client-go's rules. */
export function loadKubeconfigFiles(files: readonly string[]): Loaded {
  const loaded: Loaded = { clusters: new Map(), users: new Map(), contexts: new Map(), files: [] };
  for (const file of files) {
    if (!existsSync(file)) continue;
    const doc = parseFile(file);
    loaded.files.push(file);
    for (const [key, inner, map] of [
      ["clusters", "cluster", loaded.clusters],
      ["users", "user", loaded.users],
      ["contexts", "context", loaded.contexts],
    ] as const) {
      for (const entry of readEntries(doc, key, inner, file)) if (!map.has(entry.name)) map.set(entry.name, entry);
    }
    if (loaded.currentContext === undefined && typeof doc["current-context"] === "string" && doc["current-context"] !== "") {
      loaded.currentContext = doc["current-context"];
    }
  }
  if (loaded.files.length === 0) {
    throw new ConfigError(
      `no kubeconfig found: ${files.join(", ")} ${files.length === 1 ? "does" : "do"} not exist (set --kubeconfig or KUBECONFIG)`,
    );
  }
  return loaded;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

function relativeTo(file: string, p: string | undefined): string | undefined {
  if (p === undefined) return undefined;
  const expanded = expandHome(p);
  return path.isAbsolute(expanded) ? expanded : path.resolve(path.dirname(file), expanded);
}

function readData(entry: Named, dataKey: string, fileKey: string, what: string): string | undefined {
  const data = str(entry.value[dataKey]);
  if (data !== undefined) return Buffer.from(data, "base64").toString("utf8");
  const file = relativeTo(entry.file, str(entry.value[fileKey]));
  if (file === undefined) return undefined;
  try {
    return readRegularFile(file, what);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(`${what} ${file} (${fileKey} of "${entry.name}" in ${entry.file}) cannot be read`);
  }
}

function clusterConfig(entry: Named, secrets: string[]): ClusterConfig {
  const v = entry.value;
  const server = str(v.server);
  if (server === undefined) throw new ConfigError(`cluster "${entry.name}" in ${entry.file} has no server address`);
  const ca = readData(entry, "certificate-authority-data", "certificate-authority", "certificate authority");
  const extensions = Array.isArray(v.extensions) ? v.extensions : [];
  const exec = extensions.find((e) => isObject(e) && e.name === "client.authentication.k8s.io/exec") as Obj | undefined;
  if (isObject(exec)) secrets.push(...stringsIn(exec.extension));
  return {
    server,
    ...(ca !== undefined ? { certificateAuthorityData: ca } : {}),
    insecureSkipTlsVerify: v["insecure-skip-tls-verify"] === true,
    ...(str(v["tls-server-name"]) !== undefined ? { tlsServerName: str(v["tls-server-name"]) } : {}),
    ...(str(v["proxy-url"]) !== undefined ? { proxyUrl: str(v["proxy-url"]) } : {}),
    ...(exec ? { execExtension: exec.extension } : {}),
  };
}

function stringsIn(v: unknown): string[] {
  if (typeof v === "string") return v.length >= 6 ? [v] : [];
  if (Array.isArray(v)) return v.flatMap(stringsIn);
  if (isObject(v)) return Object.values(v).flatMap(stringsIn);
  return [];
}

function userConfig(entry: Named, secrets: string[]): UserConfig {
  const v = entry.value;
  if (v["auth-provider"] !== undefined) {
    const name = isObject(v["auth-provider"]) ? String(v["auth-provider"].name ?? "") : "";
    throw new ConfigError(
      `user "${entry.name}" in ${entry.file} uses the auth-provider "${name}", which the check does not support ` +
        "(client-go removed the gcp and azure providers); use an exec credential plugin (e.g. kubelogin, gke-gcloud-auth-plugin)",
    );
  }
  const cert = readData(entry, "client-certificate-data", "client-certificate", "client certificate");
  const key = readData(entry, "client-key-data", "client-key", "client key");
  if ((cert === undefined) !== (key === undefined))
    throw new ConfigError(
      `user "${entry.name}" in ${entry.file} has a client certificate without its key, or a key without its certificate`,
    );
  const token = str(v.token);
  const tokenFile = relativeTo(entry.file, str(v.tokenFile));
  const username = str(v.username);
  const password = str(v.password);
  for (const s of [cert, key, token, password]) if (s !== undefined) secrets.push(s);
  let exec: ExecConfig | undefined;
  if (isObject(v.exec)) {
    const e = v.exec;
    const command = str(e.command);
    if (command === undefined) throw new ConfigError(`user "${entry.name}" in ${entry.file}: exec needs a command`);
    if (e.interactiveMode === "Always") {
      throw new ConfigError(
        `user "${entry.name}" in ${entry.file}: the exec plugin requires interactiveMode Always, but the check runs without a terminal`,
      );
    }
    const env = Array.isArray(e.env)
      ? e.env.filter(isObject).map((x) => ({ name: String(x.name ?? ""), value: String(x.value ?? "") }))
      : [];
    for (const x of env) if (x.value.length >= 6) secrets.push(x.value);
    exec = {
      ...(str(e.apiVersion) !== undefined ? { apiVersion: str(e.apiVersion) } : {}),
      command,
      args: Array.isArray(e.args) ? e.args.map(String) : [],
      env,
      provideClusterInfo: e.provideClusterInfo === true,
      ...(str(e.interactiveMode) !== undefined ? { interactiveMode: str(e.interactiveMode) } : {}),
      baseDir: path.dirname(entry.file),
    };
  }
  const as = str(v.as);
  const asUid = str(v["as-uid"]);
  const groups = Array.isArray(v["as-groups"]) ? v["as-groups"].map(String) : [];
  const extra = isObject(v["as-user-extra"])
    ? Object.fromEntries(Object.entries(v["as-user-extra"]).map(([k, x]) => [k, Array.isArray(x) ? x.map(String) : [String(x)]]))
    : {};
  const impersonating = as !== undefined || asUid !== undefined || groups.length > 0 || Object.keys(extra).length > 0;
  if (impersonating && as === undefined)
    throw new ConfigError(`user "${entry.name}" in ${entry.file}: as-groups, as-uid and as-user-extra need "as" (the user to impersonate)`);
  return {
    ...(cert !== undefined ? { clientCertificateData: cert, clientKeyData: key } : {}),
    ...(token !== undefined ? { token } : {}),
    ...(tokenFile !== undefined ? { tokenFile } : {}),
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(exec ? { exec } : {}),
    ...(impersonating ? { impersonate: { user: as, ...(asUid ? { uid: asUid } : {}), groups, extra } } : {}),
  };
}

/** Loads the files and resolves the context (the named one, else current-context). */
export function resolveKubeconfig(files: readonly string[], context?: string): ResolvedKubeconfig {
  const loaded = loadKubeconfigFiles(files);
  const names = [...loaded.contexts.keys()];
  const name = context ?? loaded.currentContext;
  if (name === undefined) {
    throw new ConfigError(
      `${loaded.files.join(", ")} sets no current-context; pass --context (contexts: ${names.length > 0 ? names.join(", ") : "(none)"})`,
    );
  }
  const ctx = loaded.contexts.get(name);
  if (!ctx)
    throw new ConfigError(
      `context "${name}" is not in ${loaded.files.join(", ")}; contexts there: ${names.length > 0 ? names.join(", ") : "(none)"}`,
    );
  const clusterName = str(ctx.value.cluster);
  const cluster = clusterName !== undefined ? loaded.clusters.get(clusterName) : undefined;
  if (!cluster) throw new ConfigError(`context "${name}" names cluster "${clusterName ?? ""}", which is not in ${loaded.files.join(", ")}`);
  const userName = str(ctx.value.user);
  const user = userName !== undefined ? loaded.users.get(userName) : undefined;
  if (userName !== undefined && !user)
    throw new ConfigError(`context "${name}" names user "${userName}", which is not in ${loaded.files.join(", ")}`);
  const secrets: string[] = [];
  return {
    context: name,
    cluster: clusterConfig(cluster, secrets),
    user: user ? userConfig(user, secrets) : {},
    secrets,
    files: loaded.files,
  };
}
