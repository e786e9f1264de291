/**
 * Kubeconfig files against the local TLS stand-in, for the kubeconfig tests
 * (webhook-check/kube.test.ts, kube.e2e.test.ts) and the kubectl reference (e2e/kubectl-parity.test.ts):
 * a writer, one attempt of the check's probes, and `kubectl version` with the same files.
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { CredentialSource } from "../../lib/webhook-check/kube/credentials";
import { targetFor } from "../../lib/webhook-check/kube/http";
import { resolveKubeconfig } from "../../lib/webhook-check/kube/kubeconfig";
import { runAttempt } from "../../lib/webhook-check/runner/attempts";
import { b64, type FakeApiServer, type Scenario, standIns } from "./fake-apiserver";
import { tempDir } from "./temp";

export type Obj = Record<string, unknown>;
export interface KubeconfigOptions {
  server: string;
  cluster?: Obj;
  /** Default: the admin client certificate. */
  user?: Obj;
  /** Default "ctx"; null: none. */
  current?: string | null;
  name?: string;
  extra?: Obj;
}

/**
 * Writes `file`: a kubeconfig with one cluster ("c"), user ("u") and context ("ctx"). `defaults`
 * are the cluster fields and the user written unless `opts` gives them.
 */
export function writeKubeconfigFile(file: string, opts: KubeconfigOptions, defaults: { cluster?: Obj; user: Obj }): string {
  writeFileSync(
    file,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "c", cluster: { server: opts.server, ...defaults.cluster, ...opts.cluster } }],
      users: [{ name: "u", user: opts.user ?? defaults.user }],
      contexts: [{ name: "ctx", context: { cluster: "c", user: "u" } }],
      ...(opts.current === null ? {} : { "current-context": opts.current ?? "ctx" }),
      ...opts.extra,
    }),
  );
  return file;
}

/**
 * TLS material kubectl refuses before any request, and so does the check (exit 2):
 * what it is, the kubeconfig fields it is in, and the check's words. The tests run
 * before the PKI exists, so "CLIENT" and "SERVERKEY" stand for the run's client
 * certificate and server key (`refusedTlsKubeconfig` puts them in).
 */
export const REFUSED_TLS_MATERIAL: Array<[string, { cluster?: Obj; user?: Obj }, RegExp]> = [
  [
    "a client key that is not PEM",
    { user: { "client-certificate-data": "CLIENT", "client-key-data": b64("not a key") } },
    /client certificate/,
  ],
  [
    "a client key that does not match the certificate",
    { user: { "client-certificate-data": "CLIENT", "client-key-data": "SERVERKEY" } },
    /client certificate/,
  ],
  ["a CA that is not PEM", { cluster: { "certificate-authority-data": b64("not a certificate") } }, /certificate authority/],
];

const WEBHOOK = { namespace: "cert-manager", service: "cert-manager-webhook", port: 443, probeNamespace: "cert-manager" };
/** A deadline no test reaches. */
export const far = () => Date.now() + 20_000;

/** The stand-ins of one test file (see standIns), a directory for its kubeconfigs, and helpers over both. */
export function kubeconfigBench() {
  const stand = standIns();
  let dir: string | undefined;
  let counter = 0;
  const bench = {
    stand,
    get dir(): string {
      dir ??= tempDir("kubeconfigs-");
      return dir;
    },
    api: (scenario: Scenario = {}): Promise<FakeApiServer> => stand.api(scenario),
    /** Writes a kubeconfig file with one cluster, user and context, trusting the stand-ins' CA. */
    kubeconfig(opts: KubeconfigOptions): string {
      const { pki } = stand;
      return writeKubeconfigFile(path.join(bench.dir, `${opts.name ?? "kc"}-${++counter}`), opts, {
        cluster: { "certificate-authority-data": b64(pki.ca) },
        user: { "client-certificate-data": b64(pki.clientCert), "client-key-data": b64(pki.clientKey) },
      });
    },
    /** A kubeconfig for `server` with one row of REFUSED_TLS_MATERIAL. */
    refusedTlsKubeconfig(server: string, given: { cluster?: Obj; user?: Obj }): string {
      const { pki } = stand;
      const fill = (o: Obj | undefined) =>
        o &&
        Object.fromEntries(
          Object.entries(o).map(([k, v]) => [k, v === "CLIENT" ? b64(pki.clientCert) : v === "SERVERKEY" ? b64(pki.serverKey) : v]),
        );
      return bench.kubeconfig({ server, cluster: fill(given.cluster), user: fill(given.user) });
    },
    /** One attempt of the check's probes with these kubeconfig files; `ok` when nothing failed. */
    async attempt(files: string[], env: NodeJS.ProcessEnv = {}) {
      const kc = resolveKubeconfig(files);
      const target = targetFor(kc, new CredentialSource(kc), env);
      const probes = await runAttempt(target, WEBHOOK, far());
      return { probes, ok: probes.every((p) => p.ok || p.warning), target };
    },
    /**
     * `kubectl version` (which asks the server's /version under the server URL's path,
     * as every ordinary kubectl request does; `kubectl get --raw` would replace the
     * path, prefix included) with the same kubeconfig(s) and environment. Run
     * asynchronously: the stand-in API server lives in this process.
     */
    kubectlVersion(files: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stderr: string }> {
      return new Promise((resolve) => {
        const child = spawn("kubectl", ["version", "-o", "json", "--request-timeout=10s"], {
          env: { PATH: process.env.PATH ?? "", HOME: bench.dir, KUBECONFIG: files.join(path.delimiter), ...env },
          stdio: ["ignore", "ignore", "pipe"],
        });
        let stderr = "";
        child.stderr.on("data", (d) => {
          stderr += d;
        });
        child.on("close", (status) => resolve({ status, stderr }));
      });
    },
  };
  return bench;
}
