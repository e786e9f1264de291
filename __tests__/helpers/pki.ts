/**
 * The test PKI, made with openssl once per jest run (globalSetup, see
 * scripts/jest-global.js) in the run's temporary directory, and read by every test
 * file through `makePki` (fake-apiserver.ts). Making it per file cost seven openssl
 * processes each.
 */
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** Where the run's PKI files are: set by globalSetup, inherited by the workers. */
export const PKI_ENV = "CDKTF_CILIUM_TEST_PKI";

/** A host name that resolves nowhere; the server certificate names it (only a proxy can reach it). */
export const UNRESOLVABLE_HOST = "kube.cdktf-cilium.invalid";
/** Another name in the server certificate, for `tls-server-name`. */
export const TLS_SERVER_NAME = "api.cdktf-cilium.invalid";

/**
 * Writes into `dir` a CA (ca.crt), a server certificate and key for 127.0.0.1,
 * localhost and the two names above (server.crt, server.key), and a client
 * certificate and key for kubernetes-admin in system:masters (client.crt, client.key).
 * Five openssl runs; the two leaves are made side by side.
 */
export async function makePkiFiles(dir: string): Promise<void> {
  const f = (name: string) => path.join(dir, name);
  const ossl = (...args: string[]) => execFileAsync("openssl", args);
  const newKey = (name: string) => ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", f(name)];
  await ossl("req", "-x509", ...newKey("ca.key"), "-subj", "/CN=webhook-check-test-ca", "-days", "2", "-out", f("ca.crt"));
  const leaf = async (name: string, subject: string, ext: string) => {
    await ossl("req", "-new", ...newKey(`${name}.key`), "-subj", subject, "-out", f(`${name}.csr`));
    writeFileSync(f(`${name}.ext`), ext);
    await ossl(
      "x509",
      "-req",
      "-in",
      f(`${name}.csr`),
      "-CA",
      f("ca.crt"),
      "-CAkey",
      f("ca.key"),
      "-set_serial",
      name === "server" ? "1" : "2",
      "-days",
      "2",
      "-extfile",
      f(`${name}.ext`),
      "-out",
      f(`${name}.crt`),
    );
  };
  await Promise.all([
    leaf(
      "server",
      "/CN=kube-apiserver",
      `subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:${UNRESOLVABLE_HOST},DNS:${TLS_SERVER_NAME}\nextendedKeyUsage=serverAuth\n`,
    ),
    leaf("client", "/O=system:masters/CN=kubernetes-admin", "extendedKeyUsage=clientAuth\n"),
  ]);
}
