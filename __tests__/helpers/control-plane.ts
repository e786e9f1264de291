/**
 * The cluster suite's control plane: `npm run control-plane -- up DIR` (scripts/control-plane.mjs)
 * run as a process, owned by the jest worker (so a killed run takes it down), and what it wrote
 * in DIR/env. The binaries are built by the suite's globalSetup, before any test.
 */
import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";

export const REPO = path.resolve(__dirname, "..", "..");
export const CONTROL_PLANE = path.join(REPO, "scripts", "control-plane.mjs");
/** `up --netns` where network namespaces cannot be made (see scripts/control-plane.mjs). */
export const EXIT_UNSUPPORTED = 3;

/** Why `up --netns` cannot make namespaces here (as scripts/control-plane.mjs decides), or undefined. */
export function netnsUnsupported(): string | undefined {
  if (spawnSync("ip", ["-V"]).status !== 0) return "`ip` (iproute2) is not on PATH";
  if (process.getuid?.() === 0) return undefined;
  if (spawnSync("sudo", ["-n", "true"]).status !== 0) return "not root, and `sudo -n` is not allowed";
  return undefined;
}

export interface ControlPlaneEnv {
  readonly KUBECONFIG: string;
  readonly KUBE_APISERVER: string;
  readonly KUBE_CA: string;
  readonly SERVICE_CIDR: string;
  readonly NETNS?: string;
}

/** Runs the control-plane CLI synchronously (it returns once /readyz answers, or fails). */
export function controlPlane(args: readonly string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CONTROL_PLANE, ...args], { encoding: "utf8", timeout: 600_000 });
}

/** DIR/env's `export NAME='value'` lines, read back. */
export function readEnv(dir: string): ControlPlaneEnv {
  const env: Record<string, string> = {};
  for (const line of readFileSync(path.join(dir, "env"), "utf8").split("\n")) {
    const m = line.match(/^export ([A-Z_]+)='(.*)'$/);
    if (m) env[m[1]] = m[2].replace(/'\\''/g, "'");
  }
  return env as unknown as ControlPlaneEnv;
}

/** The PIDs in DIR/pids, by name (empty once the run is down). */
export function readPids(dir: string): Record<string, number> {
  try {
    return Object.fromEntries(
      readFileSync(path.join(dir, "pids"), "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => {
          const [name, pid] = l.split(" ");
          return [name, Number(pid)];
        }),
    );
  } catch {
    return {};
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export interface RunningControlPlane {
  readonly dir: string;
  readonly env: ControlPlaneEnv;
  /** `down DIR`, then DIR removed. */
  stop(): void;
}

/** A new directory for a control plane, outside jest's per-file temp dirs (removed by stop()). */
export function controlPlaneDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), "cp-"));
}

/**
 * `up` in a fresh directory, owned by this jest worker. `netns`: where namespaces cannot be made
 * here, undefined is returned (the caller skips, loudly) except under CI=true, where it throws.
 */
export function startControlPlane(options: { netns?: string } = {}): RunningControlPlane | undefined {
  const dir = controlPlaneDir();
  const args = ["up", dir, "--owner", String(process.pid), ...(options.netns ? ["--netns", options.netns] : [])];
  const r = controlPlane(args);
  if (r.status === EXIT_UNSUPPORTED && process.env.CI !== "true") {
    console.warn(`SKIPPED: the cluster tests that need a network namespace: ${r.stderr.trim()}`);
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  if (r.status !== 0) {
    controlPlane(["down", dir]);
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`control-plane up exited ${r.status ?? r.signal}:\n${r.stderr}`);
  }
  return {
    dir,
    env: readEnv(dir),
    stop() {
      agents.get(dir)?.destroy();
      agents.delete(dir);
      controlPlane(["down", dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ApiResponse {
  readonly status: number;
  readonly body: string;
  readonly json: unknown;
}

const agents = new Map<string, https.Agent>();
/** One keep-alive agent per control plane, with its CA and the admin client certificate. */
function adminAgent(cp: RunningControlPlane): https.Agent {
  let agent = agents.get(cp.dir);
  if (!agent) {
    agent = new https.Agent({
      keepAlive: true,
      maxSockets: 8,
      ca: readFileSync(cp.env.KUBE_CA),
      cert: readFileSync(path.join(cp.dir, "admin.crt")),
      key: readFileSync(path.join(cp.dir, "admin.key")),
    });
    agents.set(cp.dir, agent);
  }
  return agent;
}

/** One request to the control plane as kubernetes-admin (the admin client certificate in DIR). */
export function adminRequest(
  cp: RunningControlPlane,
  method: string,
  apiPath: string,
  body?: unknown,
  contentType = "application/json",
): Promise<ApiResponse> {
  const url = new URL(apiPath, cp.env.KUBE_APISERVER);
  const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method,
        agent: adminAgent(cp),
        headers: { accept: "application/json", ...(payload === undefined ? {} : { "content-type": contentType }) },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c) => {
          text += c;
        });
        res.on("end", () => {
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body: text, json });
        });
      },
    );
    req.on("error", reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** The REST path of an object, from its apiVersion, kind (a regular plural; Endpoints is its own) and metadata. */
export function objectPath(object: Record<string, unknown>): string {
  const { apiVersion, kind, metadata } = object as { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };
  const lower = kind.toLowerCase();
  const plural = lower.endsWith("y") ? `${lower.slice(0, -1)}ies` : lower.endsWith("s") ? lower : `${lower}s`;
  const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const ns = metadata.namespace ? `/namespaces/${metadata.namespace}` : "";
  return `${base}${ns}/${plural}/${metadata.name}`;
}

/** A server-side apply of `text` (JSON is YAML) to where `object` says, with fieldValidation=Strict. */
export function serverSideApply(
  cp: RunningControlPlane,
  object: Record<string, unknown>,
  options: { dryRun?: boolean; text?: string } = {},
) {
  const query = `fieldManager=cdktf-cilium-test&fieldValidation=Strict&force=true${options.dryRun ? "&dryRun=All" : ""}`;
  return adminRequest(
    cp,
    "PATCH",
    `${objectPath(object)}?${query}`,
    options.text ?? JSON.stringify(object),
    "application/apply-patch+yaml",
  );
}

/** Applies (for real) every document, throwing with the server's answer on a refusal. */
export async function applyAll(cp: RunningControlPlane, objects: readonly Record<string, unknown>[]): Promise<void> {
  for (const object of objects) {
    const r = await serverSideApply(cp, object);
    if (r.status >= 300) throw new Error(`${objectPath(object)}: ${r.body}`);
  }
}

/** Installs the CRDs in `files` (YAML) and waits until each is Established, as a controller would before use. */
export async function installCrds(cp: RunningControlPlane, files: readonly string[]): Promise<void> {
  const crds = files.flatMap((file) => parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJS() as Record<string, unknown>));
  await applyAll(cp, crds);
  for (const crd of crds) {
    const name = (crd.metadata as { name: string }).name;
    for (let established = false; !established; await new Promise((r) => setTimeout(r, 100))) {
      const r = await adminRequest(cp, "GET", `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
      const conditions = (r.json as { status?: { conditions?: Array<{ type: string; status: string }> } }).status?.conditions ?? [];
      established = conditions.some((c) => c.type === "Established" && c.status === "True");
    }
  }
}

/** The vendored Cilium policy CRDs of one line (schemas/cilium/<line>/). */
export function ciliumCrds(line: string): string[] {
  return ["ciliumnetworkpolicies.yaml", "ciliumclusterwidenetworkpolicies.yaml"].map((f) => path.join(REPO, "schemas", "cilium", line, f));
}
