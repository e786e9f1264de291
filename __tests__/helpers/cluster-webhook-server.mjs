// A real HTTPS server for the cluster suite, run inside the control plane's network namespace
// (`ip netns exec NS node cluster-webhook-server.mjs CONFIG`) on a Service's ClusterIP, where
// kube-apiserver dials it. CONFIG is JSON: { host, port, cert, key, mode }, mode one of
//   cert-manager  /mutate sets spec.username from the request's user, as cert-manager's mutating
//                 webhook does; /validate denies a CertificateRequest whose spec.request is not a
//                 PEM certificate request, in cert-manager's words;
//   allow         admits every AdmissionReview, and converts every ConversionReview by setting
//                 each object's apiVersion to the desired one (the objects' fields are the same
//                 in every version of the test's CRD);
//   hang          accepts connections and never answers;
//   apiservice    answers discovery for CONFIG.groupVersion (an APIResourceList), as an
//                 aggregated API server does.
// Prints "listening" once it accepts connections; SIGTERM closes it.
import { readFileSync } from "node:fs";
import * as https from "node:https";

const config = JSON.parse(process.argv[2]);

function review(request, response) {
  return { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response: { uid: request.uid, ...response } };
}

/** cert-manager's webhook (pkg/internal/apis/certmanager/validation/certificaterequest.go): the request must decode. */
function csrProblem(object) {
  const pem = Buffer.from(object?.spec?.request ?? "", "base64").toString("utf8");
  const m = /-----BEGIN CERTIFICATE REQUEST-----([\s\S]+?)-----END CERTIFICATE REQUEST-----/.exec(pem);
  if (!m) return "spec.request: Invalid value: []byte{...}: error decoding certificate request PEM block";
  const der = Buffer.from(m[1].replace(/\s+/g, ""), "base64");
  return der[0] === 0x30 ? undefined : "spec.request: Invalid value: []byte{...}: asn1: structure error";
}

function admit(path, request) {
  if (config.mode === "allow") return { allowed: true };
  if (path.startsWith("/mutate")) {
    const patch = [{ op: "add", path: "/spec/username", value: request.userInfo?.username ?? "" }];
    return { allowed: true, patchType: "JSONPatch", patch: Buffer.from(JSON.stringify(patch)).toString("base64") };
  }
  const problem = csrProblem(request.object);
  return problem ? { allowed: false, status: { code: 403, message: problem } } : { allowed: true };
}

const server = https.createServer({ cert: readFileSync(config.cert), key: readFileSync(config.key) }, (req, res) => {
  if (config.mode === "hang") return;
  let body = "";
  req.setEncoding("utf8");
  req.on("data", (c) => {
    body += c;
  });
  req.on("end", () => {
    res.setHeader("content-type", "application/json");
    if (config.mode === "apiservice") {
      const [group, version] = config.groupVersion.split("/");
      if (req.url === `/apis/${group}/${version}` || req.url?.startsWith(`/apis/${group}/${version}?`)) {
        res.end(JSON.stringify({ kind: "APIResourceList", apiVersion: "v1", groupVersion: config.groupVersion, resources: [] }));
      } else {
        res.statusCode = 404;
        res.end(JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", code: 404, reason: "NotFound" }));
      }
      return;
    }
    const { kind, request } = JSON.parse(body);
    if (config.mode === "allow" && kind === "ConversionReview") {
      // apiextensions-apiserver's ConversionReview v1: the response carries the request's uid
      // and the converted objects in the request's order (k8s.io/api apiextensions/v1 types.go).
      const convertedObjects = request.objects.map((o) => ({ ...o, apiVersion: request.desiredAPIVersion }));
      res.end(
        JSON.stringify({
          apiVersion: "apiextensions.k8s.io/v1",
          kind,
          response: { uid: request.uid, result: { status: "Success" }, convertedObjects },
        }),
      );
      return;
    }
    res.end(JSON.stringify(review(request, admit(req.url ?? "", request))));
  });
});
server.listen(config.port, config.host, () => process.stdout.write("listening\n"));
process.on("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
