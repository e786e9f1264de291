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
 * certificate and key for kubernetes-admin in system:masters (client.crt, client.key), an
 * intermediate CA (intermediate.crt) and a server certificate it signs (chain-server.crt,
 * chain-server.key). Nine openssl runs; the leaves are made side by side.
 */
export async function makePkiFiles(dir: string): Promise<void> {
  const f = (name: string) => path.join(dir, name);
  const ossl = (...args: string[]) => execFileAsync("openssl", args);
  const newKey = (name: string) => ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", f(name)];
  await ossl("req", "-x509", ...newKey("ca.key"), "-subj", "/CN=webhook-check-test-ca", "-days", "2", "-out", f("ca.crt"));
  const SERIALS: Record<string, string> = { server: "1", client: "2", intermediate: "3", "chain-server": "4" };
  const leaf = async (name: string, subject: string, ext: string, issuer = "ca") => {
    await ossl("req", "-new", ...newKey(`${name}.key`), "-subj", subject, "-out", f(`${name}.csr`));
    writeFileSync(f(`${name}.ext`), ext);
    await ossl(
      "x509",
      "-req",
      "-in",
      f(`${name}.csr`),
      "-CA",
      f(`${issuer}.crt`),
      "-CAkey",
      f(`${issuer}.key`),
      "-set_serial",
      SERIALS[name],
      "-days",
      "2",
      "-extfile",
      f(`${name}.ext`),
      "-out",
      f(`${name}.crt`),
    );
  };
  const serverSans = `subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:${UNRESOLVABLE_HOST},DNS:${TLS_SERVER_NAME}\nextendedKeyUsage=serverAuth\n`;
  await Promise.all([
    leaf("server", "/CN=kube-apiserver", serverSans),
    leaf("client", "/O=system:masters/CN=kubernetes-admin", "extendedKeyUsage=clientAuth\n"),
    // An intermediate CA and a server certificate it signs: a kubeconfig may name the intermediate alone.
    (async () => {
      await leaf(
        "intermediate",
        "/CN=webhook-check-test-intermediate",
        "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n",
      );
      await leaf("chain-server", "/CN=kube-apiserver-behind-intermediate", serverSans, "intermediate");
    })(),
  ]);
}
