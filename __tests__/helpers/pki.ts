/**
 * The test PKI, made with openssl once per jest run (globalSetup, see
 * scripts/jest-global.js) in the run's temporary directory, and read by every test
 * file through `makePki` (fake-apiserver.ts). Making it per file cost seven openssl
 * processes each.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as path from "node:path";

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
 */
export function makePkiFiles(dir: string): void {
  const f = (name: string) => path.join(dir, name);
  const ossl = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
  const key = (name: string) => ossl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-out", f(name));
  key("ca.key");
  ossl("req", "-x509", "-new", "-key", f("ca.key"), "-subj", "/CN=webhook-check-test-ca", "-days", "2", "-out", f("ca.crt"));
  const sign = (name: string, subject: string, ext: string) => {
    key(`${name}.key`);
    ossl("req", "-new", "-key", f(`${name}.key`), "-subj", subject, "-out", f(`${name}.csr`));
    writeFileSync(f(`${name}.ext`), ext);
    ossl(
      "x509",
      "-req",
      "-in",
      f(`${name}.csr`),
      "-CA",
      f("ca.crt"),
      "-CAkey",
      f("ca.key"),
      "-CAcreateserial",
      "-days",
      "2",
      "-extfile",
      f(`${name}.ext`),
      "-out",
      f(`${name}.crt`),
    );
  };
  sign(
    "server",
    "/CN=kube-apiserver",
    `subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:${UNRESOLVABLE_HOST},DNS:${TLS_SERVER_NAME}\nextendedKeyUsage=serverAuth\n`,
  );
  sign("client", "/O=system:masters/CN=kubernetes-admin", "extendedKeyUsage=clientAuth\n");
}
