// Runs inside the control plane's network namespace (`ip netns exec NAME node forward.mjs
// SOCKET PORT`): accepts connections on the Unix socket SOCKET, a file the host can reach
// because Unix sockets with a path are not scoped to a network namespace, and joins each to
// 127.0.0.1:PORT inside the namespace, where kube-apiserver listens. The supervisor listens on
// the host's 127.0.0.1:PORT and joins its connections to SOCKET, so the same URL reaches
// kube-apiserver from the host and from inside the namespace. TLS passes through untouched.
import { rmSync } from "node:fs";
import * as net from "node:net";

const [socket, port] = process.argv.slice(2);
rmSync(socket, { force: true });
const server = net.createServer((client) => {
  const upstream = net.connect(Number(port), "127.0.0.1");
  client.pipe(upstream).pipe(client);
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on("error", close);
  upstream.on("error", close);
});
server.listen(socket);
for (const sig of ["SIGTERM", "SIGINT"]) process.on(sig, () => server.close(() => process.exit(0)));
