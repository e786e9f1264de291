// The control plane's certificates, made with openssl into DIR: what kubeadm makes for a
// cluster (k8s.io/kubernetes, cmd/kubeadm/app/phases/certs), reduced to what kube-apiserver
// without kubelets needs.
//
//   ca.crt/.key                     the cluster CA: serving certificate and client certificates
//   apiserver.crt/.key              kube-apiserver's serving certificate (loopback, the kubernetes
//                                   Service's first address and its DNS names)
//   admin.crt/.key                  kubernetes-admin in system:masters (admin.kubeconfig)
//   sa.key/sa.pub                   the service-account signing key pair
//   front-proxy-ca.crt/.key         the aggregator's request-header CA
//   front-proxy-client.crt/.key     what kube-apiserver presents to aggregated API servers
//
// etcd listens on plain HTTP on the loopback of its own network (the namespace's, or the host's
// on a port only the test knows), as envtest's etcd does (sigs.k8s.io/controller-runtime,
// pkg/internal/testing/controlplane/etcd.go).
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** The first address of the Service range: the `kubernetes` Service's ClusterIP. */
export function firstServiceIp(cidr) {
  const [base] = cidr.split("/");
  const octets = base.split(".").map(Number);
  octets[3] += 1;
  return octets.join(".");
}

export async function makeControlPlanePki(dir, serviceCidr) {
  const f = (name) => path.join(dir, name);
  const ossl = (...args) => execFileAsync("openssl", args);
  const newKey = (name) => ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", f(name)];
  const ca = (name, cn) => ossl("req", "-x509", ...newKey(`${name}.key`), "-subj", `/CN=${cn}`, "-days", "7", "-out", f(`${name}.crt`));
  let serial = 0;
  const leaf = async (name, subject, ext, issuer) => {
    const n = String(++serial);
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
      n,
      "-days",
      "7",
      "-extfile",
      f(`${name}.ext`),
      "-out",
      f(`${name}.crt`),
    );
  };
  const names = ["kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", "localhost"];
  const sans = [`IP:127.0.0.1`, `IP:${firstServiceIp(serviceCidr)}`, ...names.map((n) => `DNS:${n}`)].join(",");
  await Promise.all([
    (async () => {
      await ca("ca", "cdktf-cilium-control-plane-ca");
      await Promise.all([
        leaf("apiserver", "/CN=kube-apiserver", `subjectAltName=${sans}\nextendedKeyUsage=serverAuth\n`, "ca"),
        leaf("admin", "/O=system:masters/CN=kubernetes-admin", "extendedKeyUsage=clientAuth\n", "ca"),
      ]);
    })(),
    (async () => {
      await ca("front-proxy-ca", "cdktf-cilium-front-proxy-ca");
      await leaf("front-proxy-client", "/CN=front-proxy-client", "extendedKeyUsage=clientAuth\n", "front-proxy-ca");
    })(),
    (async () => {
      await ossl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", f("sa.key"));
      await ossl("pkey", "-in", f("sa.key"), "-pubout", "-out", f("sa.pub"));
    })(),
  ]);
}
