// npm run --silent control-plane -- up DIR [--netns NAME] [--owner PID]
// npm run --silent control-plane -- down DIR
//
// A real control plane for the cluster suite: etcd and kube-apiserver, built from the Go
// modules under test/control-plane/ (scripts/control-plane/build.mjs, cached outside the
// repository), with RBAC and the default admission plugins (ValidatingAdmissionPolicy among
// them), certificates generated into DIR, and the aggregator's front proxy.
//
// `up` first cleans what a killed run left in DIR (the PIDs in DIR/pids, the namespace in
// DIR/netns), then starts a supervisor that starts both servers and returns 0 once /readyz
// answers 200, or 1 after 120 s with the last 20 lines of each log in DIR/logs/. DIR/env holds
// `export NAME='value'` lines: KUBECONFIG, KUBE_APISERVER, KUBE_CA, SERVICE_CIDR, and NETNS with
// --netns. The supervisor stops both, deletes the namespace and exits when `down DIR` runs or
// when the owner process exits (default: the process behind `npm run`).
//
// With --netns NAME, it creates that network namespace (lo up, a dummy interface `svc0` for the
// Service addresses the tests assign; a veth pair inside the namespace where the kernel has no
// dummy driver) and runs both servers in it; callers run `ip netns exec "$NETNS" ...`, and
// KUBE_APISERVER also answers on the host's loopback, through a Unix socket (forward.mjs). Not root: `ip` runs under `sudo -n`. Without `ip`, or without root and
// passwordless sudo, `up --netns` exits 3 saying which, so a suite can skip (or fail, in CI).
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as https from "node:https";
import * as net from "node:net";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { alive, ensureBinaries } from "./control-plane/build.mjs";
import { join } from "./control-plane/forward.mjs";
import { makeControlPlanePki } from "./control-plane/pki.cjs";

const SELF = fileURLToPath(import.meta.url);
const FORWARD = path.join(path.dirname(SELF), "control-plane", "forward.mjs");
export const SERVICE_CIDR = "10.96.0.0/16";
const READY_TIMEOUT_MS = 120_000;
/** Exit code of `up --netns` where namespaces cannot be made (no ip, no root or sudo -n). */
export const EXIT_UNSUPPORTED = 3;

const USAGE = "usage: control-plane up DIR [--netns NAME] [--owner PID] | control-plane down DIR";

function fail(message, code = 1) {
  process.stderr.write(`control-plane: ${message}\n`);
  process.exit(code);
}

function parseArgs(argv) {
  const [command, dir, ...rest] = argv;
  if (!["up", "down", "supervise"].includes(command) || !dir) fail(USAGE, 2);
  const opts = { command, dir: path.resolve(dir) };
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    const value = rest[i + 1];
    if (command !== "up" || !["--netns", "--owner"].includes(flag) || value === undefined) fail(`unknown argument ${flag}\n${USAGE}`, 2);
    if (flag === "--netns") {
      if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,30}$/.test(value)) fail(`--netns ${value}: letters, digits, '.', '_', '-' (at most 31)`, 2);
      opts.netns = value;
    } else {
      if (!/^[1-9][0-9]*$/.test(value)) fail(`--owner ${value}: a process id`, 2);
      opts.owner = Number(value);
    }
    i++;
  }
  return opts;
}

// ---- processes ------------------------------------------------------------------------

const isRoot = () => process.getuid?.() === 0;

function cmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  } catch {
    return [];
  }
}

/** The parent PID of `pid`, from /proc (field 4 of stat, after the parenthesised name). */
function parentOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return 0;
  }
}

/**
 * The process behind `npm run`: npm runs a script as `sh -c '<script> <args>'`, so above this
 * process are the shell (when it did not exec) and npm; the owner is npm's parent. Run
 * directly, the owner is the parent.
 */
function defaultOwner() {
  let pid = process.ppid;
  if (!process.env.npm_lifecycle_event) return pid;
  for (let hops = 0; hops < 3 && pid > 1; hops++) {
    const args = cmdline(pid);
    const isShell = /(^|\/)(sh|bash|dash)$/.test(args[0] ?? "") && args[1] === "-c";
    const isNpm = args.some((a) => /(^|\/)npm(-cli\.js)?$/.test(a));
    if (!isShell && !isNpm) break;
    pid = parentOf(pid);
  }
  return pid;
}

/** `ip ARGS`, directly as root, else under `sudo -n`. Throws with ip's words on failure. */
function ip(...args) {
  const [cmd, argv] = isRoot() ? ["ip", args] : ["sudo", ["-n", "ip", ...args]];
  const r = spawnSync(cmd, argv, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(" ")}: ${(r.stderr || r.error?.message || "").trim()}`);
}

/** Why network namespaces cannot be made here, or undefined when they can. */
function netnsUnsupported() {
  if (spawnSync("ip", ["-V"]).status !== 0) return "`ip` (iproute2) is not on PATH";
  if (isRoot()) return undefined;
  if (spawnSync("sudo", ["-n", "true"]).status !== 0) return "not root, and `sudo -n` is not allowed";
  return undefined;
}

/** The command that runs `argv` inside `netns` (or as is). */
function inNetns(netns, argv) {
  if (!netns) return argv;
  const exec = ["ip", "netns", "exec", netns, ...argv];
  return isRoot() ? exec : ["sudo", "-n", ...exec];
}

function killTree(pid, signal) {
  try {
    process.kill(pid, signal);
  } catch (e) {
    if (e.code === "EPERM") spawnSync("sudo", ["-n", "kill", `-${signal}`, String(pid)]);
  }
}

function readPids(dir) {
  try {
    return readFileSync(path.join(dir, "pids"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [name, pid] = line.split(" ");
        return { name, pid: Number(pid) };
      });
  } catch {
    return [];
  }
}

/** Kills what a run left in DIR (its processes: still alive and naming DIR) and its namespace. */
function cleanLeftovers(dir) {
  for (const { pid } of readPids(dir)) {
    if (pid > 1 && alive(pid) && cmdline(pid).some((a) => a.includes(dir))) killTree(pid, "SIGKILL");
  }
  const netnsFile = path.join(dir, "netns");
  if (existsSync(netnsFile)) {
    const name = readFileSync(netnsFile, "utf8").trim();
    try {
      ip("netns", "delete", name);
    } catch (e) {
      if (!/No such file|Cannot remove namespace file/.test(e.message)) throw e;
    }
    rmSync(netnsFile, { force: true });
  }
  rmSync(path.join(dir, "pids"), { force: true });
}

// ---- files ----------------------------------------------------------------------------

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const shellQuote = (v) => `'${String(v).replace(/'/g, `'\\''`)}'`;

function writeKubeconfig(dir, server) {
  const f = (n) => path.join(dir, n);
  const kubeconfig = [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: control-plane",
    "  cluster:",
    `    server: ${server}`,
    `    certificate-authority: ${f("ca.crt")}`,
    "users:",
    "- name: kubernetes-admin",
    "  user:",
    `    client-certificate: ${f("admin.crt")}`,
    `    client-key: ${f("admin.key")}`,
    "contexts:",
    "- name: control-plane",
    "  context:",
    "    cluster: control-plane",
    "    user: kubernetes-admin",
    "current-context: control-plane",
    "",
  ].join("\n");
  writeFileSync(f("admin.kubeconfig"), kubeconfig, { mode: 0o600 });
}

function tail(file, lines) {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

// ---- up / down --------------------------------------------------------------------------

function readyz(dir, port) {
  return new Promise((resolve) => {
    const req = https.get(
      {
        host: "127.0.0.1",
        port,
        path: "/readyz",
        ca: readFileSync(path.join(dir, "ca.crt")),
        cert: readFileSync(path.join(dir, "admin.crt")),
        key: readFileSync(path.join(dir, "admin.key")),
        timeout: 5000,
      },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
  });
}

async function up(opts) {
  const { dir, netns } = opts;
  mkdirSync(dir, { recursive: true });
  cleanLeftovers(dir);
  if (netns) {
    const why = netnsUnsupported();
    if (why) fail(`--netns ${netns}: ${why}; network namespaces cannot be made here`, EXIT_UNSUPPORTED);
  }
  const bins = await ensureBinaries();
  for (const sub of ["logs", "etcd"]) rmSync(path.join(dir, sub), { recursive: true, force: true });
  mkdirSync(path.join(dir, "logs"));
  await makeControlPlanePki(dir, SERVICE_CIDR);

  // The host's port for kube-apiserver; in a namespace, kube-apiserver listens on the same
  // port there (its own port space), so one URL works on both sides.
  const port = await freePort();
  const etcdPorts = netns ? [2379, 2380] : [await freePort(), await freePort()];
  const server = `https://127.0.0.1:${port}`;
  writeKubeconfig(dir, server);
  const env = {
    KUBECONFIG: path.join(dir, "admin.kubeconfig"),
    KUBE_APISERVER: server,
    KUBE_CA: path.join(dir, "ca.crt"),
    SERVICE_CIDR,
    ...(netns ? { NETNS: netns } : {}),
  };
  writeFileSync(
    path.join(dir, "env"),
    Object.entries(env)
      .map(([k, v]) => `export ${k}=${shellQuote(v)}\n`)
      .join(""),
  );

  if (netns) {
    writeFileSync(path.join(dir, "netns"), `${netns}\n`);
    ip("netns", "add", netns);
    ip("-n", netns, "link", "set", "lo", "up");
    try {
      ip("-n", netns, "link", "add", "svc0", "type", "dummy");
    } catch (e) {
      // A kernel built without the dummy driver (as some VM kernels are): a veth pair with both
      // ends in the namespace serves the same purpose, addresses local to the namespace.
      if (!/Unknown device type/.test(e.message)) throw e;
      ip("-n", netns, "link", "add", "svc0", "type", "veth", "peer", "name", "svc0-peer");
      ip("-n", netns, "link", "set", "svc0-peer", "up");
    }
    ip("-n", netns, "link", "set", "svc0", "up");
  }

  const owner = opts.owner ?? defaultOwner();
  const config = { bins, netns, owner, port, etcdPorts };
  writeFileSync(path.join(dir, "config.json"), `${JSON.stringify(config, null, 2)}\n`);
  const log = openSync(path.join(dir, "logs", "supervisor.log"), "a");
  const supervisor = spawn(process.execPath, [SELF, "supervise", dir], { detached: true, stdio: ["ignore", log, log] });
  closeSync(log);
  supervisor.unref();

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await readyz(dir, port)) return;
    if (!alive(supervisor.pid)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const logs = ["supervisor", "etcd", "kube-apiserver"].map(
    (n) => `--- ${path.join(dir, "logs", `${n}.log`)} (last 20 lines)\n${tail(path.join(dir, "logs", `${n}.log`), 20)}`,
  );
  await down(dir);
  fail(`kube-apiserver did not answer /readyz within ${READY_TIMEOUT_MS / 1000} s\n${logs.join("\n")}`);
}

async function down(dir) {
  const pids = readPids(dir);
  const supervisor = pids.find((p) => p.name === "supervisor");
  if (supervisor && alive(supervisor.pid) && cmdline(supervisor.pid).some((a) => a.includes(dir))) {
    killTree(supervisor.pid, "SIGTERM");
    const deadline = Date.now() + 20_000;
    while (alive(supervisor.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  }
  // Whatever the supervisor did not stop (killed itself, or not answering) goes now.
  cleanLeftovers(dir);
}

// ---- the supervisor ------------------------------------------------------------------

async function supervise(dir) {
  const { bins, netns, owner, port, etcdPorts } = JSON.parse(readFileSync(path.join(dir, "config.json"), "utf8"));
  const f = (n) => path.join(dir, n);
  const [client, peer] = etcdPorts;
  const children = [];
  const start = (name, argv) => {
    const out = openSync(f(`logs/${name}.log`), "a");
    const [cmd, ...args] = inNetns(netns, argv);
    const child = spawn(cmd, args, { stdio: ["ignore", out, out] });
    closeSync(out);
    child.on("exit", (code, signal) => {
      if (!stopping) process.stderr.write(`${name} exited (${signal ?? code})\n`);
    });
    children.push({ name, child });
  };
  const writePids = () =>
    writeFileSync(f("pids"), [`supervisor ${process.pid}`, ...children.map((c) => `${c.name} ${c.child.pid}`), ""].join("\n"));
  let stopping = false;

  let hostForward;
  if (netns) {
    const socket = f("apiserver.sock");
    start("forward", [process.execPath, FORWARD, socket, String(port)]);
    hostForward = net.createServer((conn) => join(conn, net.connect(socket)));
    hostForward.listen(port, "127.0.0.1");
  }
  const etcdUrl = (p) => `http://127.0.0.1:${p}`;
  start("etcd", [
    bins.etcd,
    "--name=control-plane",
    `--data-dir=${f("etcd")}`,
    `--listen-client-urls=${etcdUrl(client)}`,
    `--advertise-client-urls=${etcdUrl(client)}`,
    `--listen-peer-urls=${etcdUrl(peer)}`,
    `--initial-advertise-peer-urls=${etcdUrl(peer)}`,
    `--initial-cluster=control-plane=${etcdUrl(peer)}`,
    // A test cluster's data dies with the run: no fsync, as envtest does.
    "--unsafe-no-fsync=true",
  ]);
  start("kube-apiserver", [
    bins.kubeApiserver,
    `--etcd-servers=${etcdUrl(client)}`,
    "--bind-address=127.0.0.1",
    "--advertise-address=127.0.0.1",
    `--secure-port=${port}`,
    `--cert-dir=${f("apiserver-certs")}`,
    `--tls-cert-file=${f("apiserver.crt")}`,
    `--tls-private-key-file=${f("apiserver.key")}`,
    `--client-ca-file=${f("ca.crt")}`,
    "--authorization-mode=RBAC",
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    `--service-account-issuer=https://kubernetes.default.svc.cluster.local`,
    `--service-account-key-file=${f("sa.pub")}`,
    `--service-account-signing-key-file=${f("sa.key")}`,
    `--requestheader-client-ca-file=${f("front-proxy-ca.crt")}`,
    "--requestheader-allowed-names=front-proxy-client",
    "--requestheader-username-headers=X-Remote-User",
    "--requestheader-group-headers=X-Remote-Group",
    "--requestheader-extra-headers-prefix=X-Remote-Extra-",
    `--proxy-client-cert-file=${f("front-proxy-client.crt")}`,
    `--proxy-client-key-file=${f("front-proxy-client.key")}`,
    "--allow-privileged=true",
    "--profiling=false",
  ]);
  writePids();

  const stop = async (why) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`stopping: ${why}\n`);
    hostForward?.close();
    // kube-apiserver first: it finishes its requests against etcd, then etcd, then the forwarder.
    for (const { child } of [...children].reverse()) {
      const running = () => child.exitCode === null && child.signalCode === null;
      killTree(child.pid, "SIGTERM");
      const deadline = Date.now() + 10_000;
      while (running() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      if (running()) killTree(child.pid, "SIGKILL");
    }
    if (netns) {
      try {
        ip("netns", "delete", netns);
      } catch (e) {
        process.stderr.write(`${e.message}\n`);
      }
      rmSync(f("netns"), { force: true });
    }
    rmSync(f("pids"), { force: true });
    rmSync(f("apiserver.sock"), { force: true });
    process.exit(0);
  };
  for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"]) process.on(sig, () => stop(sig));
  setInterval(() => {
    if (!alive(owner)) stop(`owner ${owner} exited`);
  }, 500);
}

const opts = parseArgs(process.argv.slice(2));
if (opts.command === "up") await up(opts);
else if (opts.command === "down") await down(opts.dir);
else await supervise(opts.dir);
