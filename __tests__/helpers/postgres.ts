/**
 * A throwaway PostgreSQL server for tests: initdb + pg_ctl (Debian's `postgresql`
 * package: on PATH or under /usr/lib/postgresql/<version>/bin), in its own temporary
 * directory, listening on 127.0.0.1 only (no Unix socket), trust authentication for
 * 127.0.0.1 only. initdb refuses to run as root ("cannot be run as root"), so as root
 * every server command runs as the `postgres` user (`runuser -u postgres --`), in a
 * directory that user owns, outside the (root-only) run directory. `stop()` stops the
 * server and removes the directory.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

/** The directory holding initdb, pg_ctl and psql (initdb's own, where it is a link), or undefined. */
export function postgresBinDir(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, "initdb")) && existsSync(path.join(dir, "pg_ctl"))) {
      return path.dirname(realpathSync(path.join(dir, "initdb")));
    }
  }
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? path.join(root, versions[0], "bin") : undefined;
}

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

/** The unprivileged user's uid/gid when running as root (initdb refuses root). */
function serverUser(): { uid: number; gid: number } | undefined {
  if (!isRoot) return undefined;
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  return { uid: id("-u"), gid: id("-g") };
}

/** A free TCP port on 127.0.0.1 (the kernel's choice). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface Postgres {
  /** `postgres://postgres@127.0.0.1:PORT/postgres?sslmode=disable`: no password (trust). */
  readonly url: string;
  readonly port: number;
  /** Runs SQL with psql; the rows, `|`-separated. */
  sql(query: string): string;
  /** Stops the server and removes its directory. */
  stop(): void;
}

/** Starts a server; throws with initdb's or pg_ctl's output when it cannot. */
export async function startPostgres(bin: string): Promise<Postgres> {
  const user = serverUser();
  // As root: outside the run directory (mode 0700, root's), so the postgres user can reach it.
  const base = user ? path.dirname(os.tmpdir()) : os.tmpdir();
  const dir = mkdtempSync(path.join(base, "cdktf-cilium-pg-"));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = path.join(dir, "data");
  const as = (cmd: string, args: string[]) =>
    user ? spawnSync("runuser", ["-u", "postgres", "--", cmd, ...args], { encoding: "utf8" }) : spawnSync(cmd, args, { encoding: "utf8" });
  const must = (cmd: string, args: string[]) => {
    const run = as(cmd, args);
    if (run.status !== 0) throw new Error(`${path.basename(cmd)} failed (${run.status}):\n${run.stdout}${run.stderr}`);
    return run.stdout;
  };
  let started = false;
  const stop = () => {
    if (started) as(path.join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]);
    started = false;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    must(path.join(bin, "initdb"), ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"]);
    // Trust for 127.0.0.1 only: the whole pg_hba.conf (PostgreSQL docs, "The pg_hba.conf File").
    writeFileSync(path.join(data, "pg_hba.conf"), "host all all 127.0.0.1/32 trust\n");
    if (user) chownSync(path.join(data, "pg_hba.conf"), user.uid, user.gid);
    const port = await freePort();
    const options = `-c listen_addresses=127.0.0.1 -p ${port} -c unix_socket_directories='' -c fsync=off`;
    started = true;
    must(path.join(bin, "pg_ctl"), ["-D", data, "-o", options, "-l", path.join(dir, "server.log"), "-w", "-t", "20", "start"]);
    const psql = path.join(bin, "psql");
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
      port,
      sql: (query) =>
        execFileSync(psql, ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", "postgres", "-Atc", query], {
          encoding: "utf8",
        }).trim(),
      stop,
    };
  } catch (err) {
    stop();
    throw err;
  }
}
