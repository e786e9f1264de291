// Runs inside the control plane's network namespace (`ip netns exec NAME node forward.mjs
// SOCKET PORT`): accepts connections on the Unix socket SOCKET, a file the host can reach
// because Unix sockets with a path are not scoped to a network namespace, and joins each to
// 127.0.0.1:PORT inside the namespace, where kube-apiserver listens. The supervisor listens on
// the host's 127.0.0.1:PORT and joins its connections to SOCKET, so the same URL reaches
// kube-apiserver from the host and from inside the namespace. TLS passes through untouched.
import { chmodSync, rmSync } from "node:fs";
import * as net from "node:net";
import { fileURLToPath } from "node:url";

/** Pipes two sockets into each other; an error on either closes both. */
export function join(a, b) {
  a.pipe(b).pipe(a);
  const close = () => {
    a.destroy();
    b.destroy();
  };
  a.on("error", close);
  b.on("error", close);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [socket, port] = process.argv.slice(2);
  rmSync(socket, { force: true });
  const server = net.createServer((client) => join(client, net.connect(Number(port), "127.0.0.1")));
  // Run as root (`sudo -n ip netns exec`) for a caller that is not: connecting to a Unix socket
  // needs write permission on it, which root's umask would not give.
  server.listen(socket, () => chmodSync(socket, 0o666));
  for (const sig of ["SIGTERM", "SIGINT"]) process.on(sig, () => server.close(() => process.exit(0)));
}
