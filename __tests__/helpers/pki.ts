/**
 * The test PKI, made with openssl once per jest run (globalSetup, see
 * scripts/jest-global.js) in the run's temporary directory, and read by every test
 * file through `makePki` (fake-apiserver.ts). Making it per file cost seven openssl
 * processes each.
 */
import { makeCa, signLeaf } from "./openssl-pki";

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
  await makeCa(dir, "ca", "webhook-check-test-ca");
  const SERIALS: Record<string, number> = { server: 1, client: 2, intermediate: 3, "chain-server": 4 };
  const leaf = (name: string, subject: string, ext: string, issuer = "ca") =>
    signLeaf(dir, { name, subject, ext, issuer, serial: SERIALS[name] });
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
