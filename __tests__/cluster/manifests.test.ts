import * as path from "node:path";
import * as certManager from "../../examples/cert-manager";
import * as oneCluster from "../../examples/one-cluster";
import * as parts from "../../examples/parts";
import * as twoClusters from "../../examples/two-clusters";
import { buildApp } from "../../main";
import { unescapeTerraform } from "../../lib/shared/terraform-escape";
import { DEFAULT_CILIUM_LINE } from "../../lib/cilium/version";
import { SUPPORTED_CILIUM_LINES } from "../../lib/cilium/lines";
import { ciliumCrds, installCrds, type RunningControlPlane, serverSideApply, startControlPlane } from "../helpers/control-plane";
import { freshApp, synthApp, type TerraformJson } from "../helpers/synth";
import { tempDir } from "../helpers/temp";

// Every kubernetes_manifest the dev app (both policy sets, dev and prod) and the examples
// synthesize, its `manifest` as Terraform hands it to the kubernetes provider (the `$${` and
// `%%{` escapes undone), goes to a real kube-apiserver with the vendored Cilium CRDs installed,
// as the provider sends it: a server-side apply, here a dry run, with fieldValidation=Strict.
// (The provider: hashicorp/terraform-provider-kubernetes, manifest/provider/apply.go, applies
// with types.ApplyPatchType and a field manager; Strict makes an unknown or duplicate field an
// error instead of a warning: k8s.io/apiserver, pkg/endpoints/handlers/patch.go.)

interface Synthesized {
  /** The Cilium line whose CRDs judge it. */
  readonly line: string;
  readonly source: string;
  readonly address: string;
  readonly manifest: Record<string, unknown>;
}

function deepUnescape(value: unknown): unknown {
  if (typeof value === "string") return unescapeTerraform(value);
  if (Array.isArray(value)) return value.map(deepUnescape);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [unescapeTerraform(k), deepUnescape(v)]));
  }
  return value;
}

function manifestsOf(line: string, source: string, stacks: Record<string, TerraformJson>): Synthesized[] {
  return Object.entries(stacks).flatMap(([stack, json]) =>
    Object.entries(json.resource?.kubernetes_manifest ?? {}).map(([name, r]) => ({
      line,
      source,
      address: `${stack}: kubernetes_manifest.${name}`,
      manifest: deepUnescape((r as { manifest: unknown }).manifest) as Record<string, unknown>,
    })),
  );
}

function synthesizedManifests(): Synthesized[] {
  const out: Synthesized[] = [];
  // Every Cilium line the repository ships, both policy sets, dev and prod.
  for (const line of SUPPORTED_CILIUM_LINES) {
    for (const set of ["allow-all", "least-privilege"]) {
      const outdir = path.join(tempDir("synth-"), "cdktf.out");
      const env = {
        CILIUM_VERSION: line,
        CILIUM_POLICY_SET: set,
        KUBE_CONTEXT_PROD: "prod",
        CILIUM_VERSION_PROD: line,
        CILIUM_POLICY_SET_PROD: set,
      };
      out.push(...manifestsOf(line, `dev app, Cilium ${line}, policy set ${set}`, synthApp(buildApp(env, outdir).app)));
    }
  }
  const examples: Record<string, (app: ReturnType<typeof freshApp>) => unknown> = {
    "examples/one-cluster": (a) => oneCluster.build(a, {}),
    "examples/cert-manager": (a) => certManager.build(a, {}),
    "examples/two-clusters": (a) => twoClusters.build(a),
    "examples/parts": (a) => parts.build(a),
  };
  for (const [name, build] of Object.entries(examples)) {
    const app = freshApp();
    build(app);
    out.push(...manifestsOf(DEFAULT_CILIUM_LINE, name, synthApp(app)));
  }
  return out;
}

/** Fields the server adds to a policy besides metadata: none was seen; a new one fails the test until listed here. */
const SERVER_DEFAULTS: readonly string[] = [];
/** Metadata the server sets on create. */
const SERVER_METADATA = ["creationTimestamp", "generation", "managedFields", "resourceVersion", "uid"];

/** Every leaf path (JSON pointer) of `value`, with its value. */
function leaves(value: unknown, pointer = ""): Array<[string, unknown]> {
  if (value !== null && typeof value === "object" && Object.keys(value).length > 0) {
    return Object.entries(value).flatMap(([k, v]) => leaves(v, `${pointer}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`));
  }
  return [[pointer, value]];
}

function at(value: unknown, pointer: string): unknown {
  if (pointer === "") return value;
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce<unknown>((v, k) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), value);
}

let cp: RunningControlPlane;
const allManifests = synthesizedManifests();

const apply = (object: Record<string, unknown>, dryRun: boolean) => serverSideApply(cp, object, { dryRun });
const applyText = (text: string, object: Record<string, unknown>) => serverSideApply(cp, object, { dryRun: true, text });

// Each line in a control plane of its own, with that line's CRDs (one CRD of a name per server).
describe.each(SUPPORTED_CILIUM_LINES)("Cilium %s", (line) => {
  const manifests = allManifests.filter((m) => m.line === line);

  beforeAll(async () => {
    cp = startControlPlane() as RunningControlPlane;
    // This line's vendored CRDs, as Cilium's operator would install them, and the namespaces the policies live in.
    await installCrds(cp, ciliumCrds(line));
    const namespaces = new Set(manifests.map((m) => (m.manifest.metadata as { namespace?: string }).namespace).filter(Boolean));
    for (const name of namespaces) {
      if (name === "default" || name === "kube-system") continue;
      const r = await apply({ apiVersion: "v1", kind: "Namespace", metadata: { name } }, false);
      if (r.status >= 300) throw new Error(`namespace ${name}: ${r.body}`);
    }
  });
  afterAll(() => cp?.stop());

  test("the manifests judged: the least-privilege set's CiliumNetworkPolicy from the dev app (dev, prod), and two examples on the default line", () => {
    // The allow-all set and examples/parts, two-clusters ship NetworkPolicies (kubernetes_network_policy_v1), judged only with the real provider.
    expect(manifests.map((m) => `${m.source}, ${m.address.split(":")[0]}: ${m.manifest.kind}`).sort()).toEqual([
      `dev app, Cilium ${line}, policy set least-privilege, dev: CiliumNetworkPolicy`,
      `dev app, Cilium ${line}, policy set least-privilege, prod: CiliumNetworkPolicy`,
      ...(line === DEFAULT_CILIUM_LINE
        ? ["examples/cert-manager, lab: CiliumNetworkPolicy", "examples/one-cluster, lab: CiliumNetworkPolicy"]
        : []),
    ]);
  });

  test("the control: the same manifest with a misspelled field is refused, in the server's words", async () => {
    const manifest = structuredClone(manifests[0].manifest) as { spec: Record<string, unknown> };
    manifest.spec.endpointSelectr = manifest.spec.endpointSelector;
    const r = await apply(manifest, true);
    // Server-side apply refuses a field outside the CRD's schema whatever fieldValidation says,
    // with a 500 (k8s.io/apiserver, pkg/endpoints/handlers/patch.go: "failed to create typed patch object").
    expect(r.status).toBe(500);
    expect((r.json as { message: string }).message).toMatch(/: \.spec\.endpointSelectr: field not declared in schema$/);
  });

  test("the control: a duplicate field is refused under fieldValidation=Strict", async () => {
    const json = JSON.stringify(manifests[0].manifest);
    const r = await applyText(json.replace(/^\{/, `{"kind":${JSON.stringify(manifests[0].manifest.kind)},`), manifests[0].manifest);
    // k8s.io/apiserver, pkg/endpoints/handlers/patch.go: a strict YAML decode of the apply patch.
    expect(r.status).toBe(400);
    const { message } = r.json as { message: string };
    expect(message).toMatch(/^error strict decoding YAML: /);
    expect(message).toContain('key "kind" already set in map');
  });

  test.each(manifests.map((m) => [`${m.source}, ${m.address}`, m] as const))(
    "%s: accepted by a server-side apply dry run with fieldValidation=Strict, every field kept",
    async (_, { manifest }) => {
      const r = await apply(manifest, true);
      if (r.status >= 300) throw new Error(`refused (${r.status}): ${r.body}\nmanifest: ${JSON.stringify(manifest, null, 2)}`);
      const stored = r.json as Record<string, unknown>;
      // Every field we synthesized comes back with the same value.
      const changed = leaves(manifest).filter(([p, v]) => JSON.stringify(at(stored, p)) !== JSON.stringify(v));
      expect(changed.map(([p, v]) => ({ field: p, sent: v, stored: at(stored, p) }))).toEqual([]);
      // The server adds only metadata and the listed defaults.
      const sentPaths = new Set(leaves(manifest).map(([p]) => p));
      const added = leaves(stored)
        .map(([p]) => p)
        .filter((p) => !sentPaths.has(p))
        .filter((p) => !SERVER_METADATA.some((m) => p === `/metadata/${m}` || p.startsWith(`/metadata/${m}/`)))
        .filter((p) => !SERVER_DEFAULTS.includes(p));
      expect(added).toEqual([]);
    },
  );
});
