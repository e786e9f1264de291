// Certificates made with openssl: the one home for a CA and a leaf it signs, used by the
// control plane (`control-plane up`), the test PKI of every jest run (__tests__/helpers/pki.ts)
// and the cluster suite's webhook servers. CommonJS, so the ESM scripts and the tests compiled
// to CommonJS both load it.
//
// The control plane's files in DIR: what kubeadm makes for a cluster (k8s.io/kubernetes,
// cmd/kubeadm/app/phases/certs), reduced to what kube-apiserver without kubelets needs.
//   ca.crt/.key                     the cluster CA: serving certificate and client certificates
//   apiserver.crt/.key              kube-apiserver's serving certificate (loopback, the kubernetes
//                                   Service's first address and its DNS names)
//   admin.crt/.key                  kubernetes-admin in system:masters (admin.kubeconfig)
//   sa.key/sa.pub                   the service-account signing key pair
//   front-proxy-ca.crt/.key         the aggregator's request-header CA
//   front-proxy-client.crt/.key     what kube-apiserver presents to aggregated API servers
// etcd listens on plain HTTP on the loopback of its own network (the namespace's, or the host's
// on a port only the test knows), as envtest's etcd does (sigs.k8s.io/controller-runtime,
// pkg/internal/testing/controlplane/etcd.go).
const { execFile } = require("node:child_process");
const { writeFileSync } = require("node:fs");
const path = require("node:path");
const { promisify } = require("node:util");

const execFileAsync = promisify(execFile);
const openssl = (...args) => execFileAsync("openssl", args);
const newKey = (keyFile) => ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", keyFile];

/** A self-signed CA in DIR/NAME.crt and NAME.key. */
async function makeCa(dir, name, commonName, days = 2) {
  const f = (n) => path.join(dir, n);
  await openssl("req", "-x509", ...newKey(f(`${name}.key`)), "-subj", `/CN=${commonName}`, "-days", String(days), "-out", f(`${name}.crt`));
}

/** DIR/NAME.crt and NAME.key, for `subject`, with the X.509 extensions `ext` (extfile text), signed by DIR/ISSUER.crt. */
async function signLeaf(dir, { name, subject, ext, issuer, serial, days = 2 }) {
  const f = (n) => path.join(dir, n);
  await openssl("req", "-new", ...newKey(f(`${name}.key`)), "-subj", subject, "-out", f(`${name}.csr`));
  writeFileSync(f(`${name}.ext`), ext);
  await openssl(
    "x509",
    "-req",
    "-in",
    f(`${name}.csr`),
    "-CA",
    f(`${issuer}.crt`),
    "-CAkey",
    f(`${issuer}.key`),
    "-set_serial",
    String(serial),
    "-days",
    String(days),
    "-extfile",
    f(`${name}.ext`),
    "-out",
    f(`${name}.crt`),
  );
}

/** The first address of the Service range: the `kubernetes` Service's ClusterIP. */
function firstServiceIp(cidr) {
  const octets = cidr.split("/")[0].split(".").map(Number);
  octets[3] += 1;
  return octets.join(".");
}

async function makeControlPlanePki(dir, serviceCidr) {
  const names = ["kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", "localhost"];
  const sans = ["IP:127.0.0.1", `IP:${firstServiceIp(serviceCidr)}`, ...names.map((n) => `DNS:${n}`)].join(",");
  await Promise.all([
    (async () => {
      await makeCa(dir, "ca", "cdktf-cilium-control-plane-ca", 7);
      await Promise.all([
        signLeaf(dir, {
          name: "apiserver",
          subject: "/CN=kube-apiserver",
          ext: `subjectAltName=${sans}\nextendedKeyUsage=serverAuth\n`,
          issuer: "ca",
          serial: 1,
          days: 7,
        }),
        signLeaf(dir, {
          name: "admin",
          subject: "/O=system:masters/CN=kubernetes-admin",
          ext: "extendedKeyUsage=clientAuth\n",
          issuer: "ca",
          serial: 2,
          days: 7,
        }),
      ]);
    })(),
    (async () => {
      await makeCa(dir, "front-proxy-ca", "cdktf-cilium-front-proxy-ca", 7);
      await signLeaf(dir, {
        name: "front-proxy-client",
        subject: "/CN=front-proxy-client",
        ext: "extendedKeyUsage=clientAuth\n",
        issuer: "front-proxy-ca",
        serial: 1,
        days: 7,
      });
    })(),
    (async () => {
      await openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path.join(dir, "sa.key"));
      await openssl("pkey", "-in", path.join(dir, "sa.key"), "-pubout", "-out", path.join(dir, "sa.pub"));
    })(),
  ]);
}

module.exports = { makeCa, signLeaf, firstServiceIp, makeControlPlanePki };
