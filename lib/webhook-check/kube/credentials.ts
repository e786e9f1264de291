/**
 * Credentials for the selected kubeconfig user, as client-go applies them:
 * client certificate, bearer token (or `tokenFile`, re-read on refresh), basic
 * auth, an exec credential plugin, and impersonation headers.
 *
 * Exec plugins run asynchronously in their own process group, so the check's
 * deadline holds while one runs: at the deadline (or on SIGINT/SIGTERM) the whole
 * group is killed. The group is led by a small watchdog (see WATCHDOG) that holds a
 * pipe from the check: if the check dies, even by SIGKILL of its own process group
 * (a CI job killed, `timeout -s KILL`), the pipe closes and the watchdog kills the
 * plugin's group, so no plugin outlives the check. `KUBERNETES_EXEC_INFO` is passed as client-go passes it
 * (`provideClusterInfo` adds the cluster), and credentials are fetched again when
 * they expire (`expirationTimestamp`) or when the API server answers 401.
 */
import { type ChildProcess, spawn } from "node:child_process";
import type { Readable } from "node:stream";
import * as path from "node:path";
import { SYSTEM_TIMER, type Timer } from "./deadline";
import { ConfigError, type ResolvedKubeconfig, readRegularFile, type UserConfig } from "./kubeconfig";

export interface Credentials {
  readonly headers: Record<string, string | string[]>;
  readonly cert?: string;
  readonly key?: string;
  /** When the credentials stop being valid (ms since epoch), if they say. */
  readonly expiresAt?: number;
}

/** Thrown when an exec plugin fails: a credentials problem of the cluster's tooling, not of the check. */
export class PluginError extends Error {
  constructor(
    message: string,
    /** Killed at the deadline (or by a signal), rather than failed by itself. */
    public readonly atDeadline = false,
  ) {
    super(message);
    this.name = "PluginError";
  }
}

/**
 * What a plugin may print on stdout and on stderr, each: an ExecCredential is a few KiB,
 * and output kept whole past this would exhaust the check's memory (a plugin that loops
 * printing, `yes`) before any deadline. Past it the plugin's group is killed.
 */
export const MAX_PLUGIN_OUTPUT_BYTES = 1024 * 1024;

/** Every plugin process still running, so a deadline or a signal can end them. */
const running = new Set<ChildProcess>();

/** The one process-group kill: SIGKILL to the group `child` leads (it was spawned detached), else to the child. */
export function killGroup(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
  } catch {
    child.kill("SIGKILL");
  }
}

/** Kills every running plugin with its process group. */
export function killPlugins(): void {
  for (const child of running) killGroup(child);
  running.clear();
}

function impersonation(user: UserConfig): Record<string, string | string[]> {
  const i = user.impersonate;
  if (!i?.user) return {};
  return {
    "Impersonate-User": i.user,
    ...(i.uid ? { "Impersonate-Uid": i.uid } : {}),
    ...(i.groups.length > 0 ? { "Impersonate-Group": i.groups } : {}),
    ...Object.fromEntries(Object.entries(i.extra).map(([k, v]) => [`Impersonate-Extra-${encodeURIComponent(k)}`, v])),
  };
}

function execInfo(kc: ResolvedKubeconfig): string {
  const exec = kc.user.exec;
  const apiVersion = exec?.apiVersion ?? "client.authentication.k8s.io/v1";
  const c = kc.cluster;
  const cluster = exec?.provideClusterInfo
    ? {
        cluster: {
          server: c.server,
          ...(c.tlsServerName ? { "tls-server-name": c.tlsServerName } : {}),
          ...(c.insecureSkipTlsVerify ? { "insecure-skip-tls-verify": true } : {}),
          ...(c.certificateAuthorityData
            ? { "certificate-authority-data": Buffer.from(c.certificateAuthorityData).toString("base64") }
            : {}),
          ...(c.proxyUrl ? { "proxy-url": c.proxyUrl } : {}),
          ...(c.execExtension !== undefined ? { config: c.execExtension } : {}),
        },
      }
    : {};
  return JSON.stringify({ apiVersion, kind: "ExecCredential", spec: { ...cluster, interactive: false } });
}

/**
 * The watchdog, run as `node -e WATCHDOG '[command, ...args]'`, detached: it leads the
 * plugin's process group and starts the plugin in it (stdout and stderr are the check's
 * pipes, inherited). Its stdin is a pipe from the check, never written: it ends when
 * the check exits however it dies, and then the watchdog SIGKILLs its whole group.
 * The plugin's exit (code or signal), or why it could not start, goes back on fd 3.
 */
const WATCHDOG = `"use strict";
const { spawn } = require("node:child_process");
const { writeSync } = require("node:fs");
const [command, ...args] = JSON.parse(process.argv[1]);
const killGroup = () => { try { process.kill(-process.pid, "SIGKILL"); } catch { process.exit(137); } };
process.stdin.on("end", killGroup);
process.stdin.on("error", killGroup);
process.stdin.resume();
const report = (status) => { try { writeSync(3, JSON.stringify(status)); } catch {} };
const child = spawn(command, args, { stdio: ["ignore", "inherit", "inherit"] });
child.on("error", (err) => { report({ error: err.message }); process.exit(127); });
child.on("exit", (code, signal) => { report({ code, signal }); process.exit(0); });
`;

/** Runs the exec plugin; rejects at `deadline` on `timer` (killing it) or when it fails. */
function runPlugin(kc: ResolvedKubeconfig, deadline: number, timer: Timer, secrets: string[]): Promise<Credentials> {
  const exec = kc.user.exec;
  if (!exec) throw new Error("no exec plugin");
  const command = exec.command.includes("/") && !path.isAbsolute(exec.command) ? path.resolve(exec.baseDir, exec.command) : exec.command;
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ...Object.fromEntries(exec.env.map((e) => [e.name, e.value])), KUBERNETES_EXEC_INFO: execInfo(kc) };
    const child = spawn(process.execPath, ["-e", WATCHDOG, JSON.stringify([command, ...exec.args])], {
      env,
      stdio: ["pipe", "pipe", "pipe", "pipe"],
      detached: true,
    });
    running.add(child);
    let status = "";
    let done = false;
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      cancel();
      running.delete(child);
      child.stdin?.destroy();
      fn();
    };
    // The lifeline: never written; an error on it (the watchdog gone) is not the plugin's.
    child.stdin?.on("error", () => {});
    (child.stdio[3] as Readable | null)?.on("data", (d) => {
      status += d;
    });
    const cancel = timer.onDeadline(deadline, undefined, () => {
      killGroup(child);
      finish(() =>
        reject(new PluginError(`the exec credential plugin "${exec.command}" did not finish before the deadline (killed)`, true)),
      );
    });
    const read = (stream: "stdout" | "stderr") => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      child[stream].on("data", (d: Buffer) => {
        bytes += d.length;
        if (bytes > MAX_PLUGIN_OUTPUT_BYTES) {
          killGroup(child);
          finish(() =>
            reject(
              new PluginError(
                `the exec credential plugin "${exec.command}" printed more than ${MAX_PLUGIN_OUTPUT_BYTES} bytes on ${stream} (killed)`,
              ),
            ),
          );
          return;
        }
        chunks.push(d);
      });
      return () => Buffer.concat(chunks).toString("utf8");
    };
    const stdoutText = read("stdout");
    const stderrText = read("stderr");
    child.on("error", (err) =>
      finish(() => reject(new ConfigError(`the exec credential plugin "${exec.command}" cannot be run: ${err.message}`))),
    );
    child.on("close", (watchdogCode) => {
      finish(() => {
        const stdout = stdoutText();
        const stderr = stderrText();
        let exit: { code?: number | null; signal?: string | null; error?: string } | undefined;
        try {
          exit = JSON.parse(status);
        } catch {
          exit = undefined;
        }
        if (exit?.error !== undefined) {
          reject(new ConfigError(`the exec credential plugin "${exec.command}" cannot be run: ${exit.error}`));
          return;
        }
        const code = exit ? (exit.code ?? exit.signal) : watchdogCode;
        if (code !== 0) {
          const said = stderr.trim().split("\n").slice(-1)[0] ?? "";
          reject(
            new PluginError(`the exec credential plugin "${exec.command}" exited with ${code}${said ? `: ${redact(said, secrets)}` : ""}`),
          );
          return;
        }
        let cred: { status?: { token?: string; clientCertificateData?: string; clientKeyData?: string; expirationTimestamp?: string } };
        try {
          cred = JSON.parse(stdout);
        } catch {
          reject(new PluginError(`the exec credential plugin "${exec.command}" printed no ExecCredential JSON`));
          return;
        }
        const s = cred.status ?? {};
        for (const secret of [s.token, s.clientCertificateData, s.clientKeyData]) if (secret) secrets.push(secret);
        if (!s.token && !(s.clientCertificateData && s.clientKeyData)) {
          reject(new PluginError(`the exec credential plugin "${exec.command}" returned neither a token nor a client certificate`));
          return;
        }
        const expires = s.expirationTimestamp ? Date.parse(s.expirationTimestamp) : undefined;
        resolve({
          headers: { ...(s.token ? { authorization: `Bearer ${s.token}` } : {}), ...impersonation(kc.user) },
          ...(s.clientCertificateData ? { cert: s.clientCertificateData, key: s.clientKeyData } : {}),
          ...(expires !== undefined && Number.isFinite(expires) ? { expiresAt: expires } : {}),
        });
      });
    });
  });
}

/** Replaces every known secret in `text` (a last line of defence for anything printed). */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) if (s.length >= 6) out = out.split(s).join("[redacted]");
  return out;
}

/** Credentials for one attempt; `refresh` forgets cached exec or tokenFile credentials. */
export class CredentialSource {
  private cached?: Credentials;

  constructor(
    private readonly kc: ResolvedKubeconfig,
    /** Secrets learnt on the way (plugin output), added to the kubeconfig's. */
    public readonly secrets: string[] = [...kc.secrets],
  ) {}

  /**
   * `timer`: the clock the request's deadline is on (the target's), so a plugin is cut by the
   * same deadline as the rest of the attempt, and a test's fake clock governs it too.
   */
  async get(deadline: number, timer: Timer = SYSTEM_TIMER): Promise<Credentials> {
    if (this.cached && (this.cached.expiresAt === undefined || this.cached.expiresAt > timer.now())) return this.cached;
    this.cached = await this.load(deadline, timer);
    return this.cached;
  }

  /** After a 401: the next get() fetches the credentials again. */
  refresh(): void {
    this.cached = undefined;
  }

  private async load(deadline: number, timer: Timer): Promise<Credentials> {
    const user = this.kc.user;
    if (user.exec) return runPlugin(this.kc, deadline, timer, this.secrets);
    let token = user.token;
    if (token === undefined && user.tokenFile !== undefined) {
      try {
        token = readRegularFile(user.tokenFile, "tokenFile").trim();
      } catch (e) {
        if (e instanceof ConfigError) throw e;
        throw new ConfigError(`tokenFile ${user.tokenFile} cannot be read`);
      }
      this.secrets.push(token);
    }
    const basic =
      user.username !== undefined && user.password !== undefined
        ? Buffer.from(`${user.username}:${user.password}`).toString("base64")
        : undefined;
    if (basic) this.secrets.push(basic);
    return {
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : basic ? { authorization: `Basic ${basic}` } : {}),
        ...impersonation(user),
      },
      ...(user.clientCertificateData ? { cert: user.clientCertificateData, key: user.clientKeyData } : {}),
    };
  }
}
