// The cluster suite's kube-apiserver and etcd, built from the Go modules under test/control-plane/
// by scripts/go-tool.mjs: at most once per set of versions, into the Go tools' cache outside the
// repository (keyed by each module's files, the Go toolchain and the platform), reused while the
// key matches; the first build shows go's package list as progress.
//
// `node scripts/control-plane/build.mjs` builds both and prints their paths. Used by
// `control-plane up`, the cluster suite's globalSetup and `npm run bench`.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureGoTool, ROOT } from "../go-tool.mjs";

export { alive } from "../go-tool.mjs";

const MODULES = path.join(ROOT, "test", "control-plane");

/** The version a module requires of `modulePath`, read from its go.mod. */
export function requiredVersion(module, modulePath) {
  const goMod = readFileSync(path.join(MODULES, module, "go.mod"), "utf8");
  const escaped = modulePath.replace(/[.]/g, "\\.");
  const m = goMod.match(new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, "m"));
  if (!m) throw new Error(`test/control-plane/${module}/go.mod requires no ${modulePath}`);
  return m[1];
}

/**
 * The -ldflags kube-apiserver's own build passes (k8s.io/kubernetes, hack/lib/version.sh,
 * kube::version::ldflags), so /version reports the release instead of v0.0.0-master.
 */
function kubeLdflags(version) {
  const [major, minor] = version.replace(/^v/, "").split(".");
  const vars = { gitVersion: version, gitMajor: major, gitMinor: minor, gitTreeState: "clean" };
  return Object.entries(vars)
    .flatMap(([k, v]) => [`-X k8s.io/client-go/pkg/version.${k}=${v}`, `-X k8s.io/component-base/version.${k}=${v}`])
    .join(" ");
}

/** The paths of kube-apiserver and etcd for the current versions, built first where the cache has none. */
export async function ensureBinaries() {
  const kubernetes = requiredVersion("kube-apiserver", "k8s.io/kubernetes");
  const kubeApiserver = await ensureGoTool({
    name: "kube-apiserver",
    module: "test/control-plane/kube-apiserver",
    pkg: "k8s.io/kubernetes/cmd/kube-apiserver",
    ldflags: `-s -w ${kubeLdflags(kubernetes)}`,
  });
  const etcd = await ensureGoTool({ name: "etcd", module: "test/control-plane/etcd" });
  return { kubeApiserver, etcd };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  ensureBinaries().then(
    (bins) => process.stdout.write(`${bins.kubeApiserver}\n${bins.etcd}\n`),
    (e) => {
      process.stderr.write(`control-plane: build failed: ${e.message}\n`);
      process.exit(1);
    },
  );
}
