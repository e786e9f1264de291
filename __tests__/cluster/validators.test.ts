import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { listPolicyFiles } from "../../lib/policies/load";
import { validateDocument } from "../../lib/policies/validate";
import { SUPPORTED_CILIUM_LINES } from "../../lib/cilium/lines";
import { adminRequest, ciliumCrds, installCrds, REPO, type RunningControlPlane, startControlPlane } from "../helpers/control-plane";
import { generateVariations, VARIATION_NAMESPACE } from "../helpers/policy-variations";

// Our validators against the real server: every policy document in the repository's fixtures and
// policies, plus a seeded generator of variations, goes through the construct's validation
// (validateDocument) and through a dry-run create with fieldValidation=Strict. The server refusing
// what the construct accepts is a defect of the validator; the construct refusing what the server
// accepts must fall in a deliberate class (docs/policies.md); what both accept, the server stores
// as the construct's normalized document, apart from metadata and the listed defaults.

const SEED = 20261206;
const GENERATED = 3000;

interface Case {
  readonly label: string;
  readonly document: Record<string, unknown>;
  readonly kind: string;
  readonly defaultNamespace?: string;
}

function fixtureCases(): Case[] {
  const dirs: Array<{ dir: string; recursive: boolean; namespace?: string }> = [
    { dir: path.join(REPO, "__tests__", "fixtures", "corpus"), recursive: false },
    { dir: path.join(REPO, "__tests__", "fixtures", "corpus", "shop"), recursive: true, namespace: "shop" },
    { dir: path.join(REPO, "policies"), recursive: true },
  ];
  return dirs.flatMap(({ dir, recursive, namespace }) =>
    listPolicyFiles(dir, recursive).flatMap((file) =>
      parseAllDocuments(readFileSync(file, "utf8"), { version: "1.1", merge: true })
        .map((d, i) => ({ value: d.toJS() as Record<string, unknown> | null, i }))
        .filter((d): d is { value: Record<string, unknown>; i: number } => d.value !== null)
        .map(({ value, i }) => ({
          label: `${path.relative(REPO, file)} document ${i + 1}`,
          document: value,
          kind: String(value.kind),
          ...(namespace ? { defaultNamespace: namespace } : {}),
        })),
    ),
  );
}

/**
 * The 1.20 CRDs' CEL rule `has(self.spec) || has(self.specs)` (x-kubernetes-validations at the
 * root of both policy CRDs at v1.20.2), written by hand in lib/policies/crd-schema.ts: here the
 * real CEL evaluation judges it. 1.19's CRDs have no such rule.
 */
const CEL_CASES: Case[] = [
  { kind: "CiliumNetworkPolicy", metadata: { name: "cel-no-spec", namespace: "cel" } },
  { kind: "CiliumClusterwideNetworkPolicy", metadata: { name: "cel-no-spec" } },
  {
    kind: "CiliumNetworkPolicy",
    metadata: { name: "cel-specs-only", namespace: "cel" },
    specs: [{ endpointSelector: {}, ingress: [{ fromEntities: ["world"] }] }],
  },
].map(({ kind, ...rest }) => ({
  label: `CEL rule: ${rest.metadata.name} (${kind})`,
  kind,
  document: { apiVersion: "cilium.io/v2", kind, ...rest },
}));

const cases: Case[] = [
  ...fixtureCases(),
  ...CEL_CASES,
  ...generateVariations(SEED, GENERATED).map((v) => ({
    label: `seed ${SEED} #${v.id} (${v.kind}: ${v.mutations.join("; ")})`,
    document: v.document,
    kind: v.kind,
    defaultNamespace: VARIATION_NAMESPACE,
  })),
];

const ENDPOINTS: Record<string, { base: string; plural: string; namespaced: boolean }> = {
  NetworkPolicy: { base: "/apis/networking.k8s.io/v1", plural: "networkpolicies", namespaced: true },
  CiliumNetworkPolicy: { base: "/apis/cilium.io/v2", plural: "ciliumnetworkpolicies", namespaced: true },
  CiliumClusterwideNetworkPolicy: { base: "/apis/cilium.io/v2", plural: "ciliumclusterwidenetworkpolicies", namespaced: false },
};

let cp: RunningControlPlane;
const namespaces = new Set<string>();

async function ensureNamespace(name: string) {
  if (namespaces.has(name)) return;
  namespaces.add(name);
  await adminRequest(cp, "POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name } });
}

interface ServerAnswer {
  readonly accepted: boolean;
  readonly status: number;
  readonly message: string;
  readonly stored?: Record<string, unknown>;
}

async function serverJudges(c: Case, constructAccepts: boolean): Promise<ServerAnswer> {
  const endpoint = ENDPOINTS[c.kind];
  const meta = (c.document.metadata ?? {}) as Record<string, unknown>;
  let ns = "";
  if (endpoint.namespaced) {
    const name = typeof meta.namespace === "string" && meta.namespace !== "" ? meta.namespace : (c.defaultNamespace ?? "default");
    await ensureNamespace(name);
    ns = `/namespaces/${encodeURIComponent(name)}`;
  }
  const url = `${endpoint.base}${ns}/${endpoint.plural}`;
  let r = await adminRequest(cp, "POST", `${url}?dryRun=All&fieldValidation=Strict`, c.document);
  if (r.status === 201 && !constructAccepts) {
    // A dry run skips the storage layer's own checks (k8s.io/apiserver, pkg/registry/generic/
    // registry/dryrun.go: no "resourceVersion should not be set on objects to be created"), so a
    // disagreement is settled by a real create, deleted at once.
    const real = await adminRequest(cp, "POST", `${url}?fieldValidation=Strict`, c.document);
    if (real.status === 201) {
      const name = (real.json as { metadata: { name: string } }).metadata.name;
      await adminRequest(cp, "DELETE", `${url}/${encodeURIComponent(name)}`);
    } else r = real;
  }
  const json = r.json as { message?: string } | undefined;
  return {
    accepted: r.status === 201,
    status: r.status,
    message: json?.message ?? r.body,
    ...(r.status === 201 ? { stored: r.json as Record<string, unknown> } : {}),
  };
}

interface Outcome {
  readonly c: Case;
  readonly construct: ReturnType<typeof validateDocument>;
  readonly server: ServerAnswer;
}

let outcomes: Outcome[] = [];

// Each Cilium line the module supports, against its own vendored CRDs.
describe.each(SUPPORTED_CILIUM_LINES)("Cilium %s", (line) => {
  beforeAll(async () => {
    outcomes = [];
    namespaces.clear();
    cp = startControlPlane() as RunningControlPlane;
    // This line's CRDs, in a control plane of its own (one CRD of a name per server).
    await installCrds(cp, ciliumCrds(line));
    // Eight at a time: the server answers in a few milliseconds; order does not matter.
    const queue = [...cases];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let c = queue.shift(); c; c = queue.shift()) {
          const construct = validateDocument(
            {
              source: { file: c.label, document: 1 },
              value: structuredClone(c.document),
              ...(c.defaultNamespace ? { defaultNamespace: c.defaultNamespace } : {}),
            },
            { line },
          );
          outcomes.push({ c, construct, server: await serverJudges(c, construct.policy !== undefined) });
        }
      }),
    );
  }, 600_000);
  afterAll(() => cp?.stop());

  const describeOutcome = (o: Outcome) =>
    [
      `${o.c.label}`,
      `document: ${JSON.stringify(o.c.document)}`,
      `construct: ${o.construct.policy ? "accepts" : `refuses: ${o.construct.problems.map((p) => p.message).join(" | ")}`}`,
      `server: ${o.server.accepted ? "accepts" : `refuses (${o.server.status}): ${o.server.message}`}`,
    ].join("\n  ");

  test(`at least ${GENERATED} generated documents of the three kinds, plus the fixtures`, () => {
    expect(outcomes.length).toBe(cases.length);
    const kinds = new Set(outcomes.map((o) => o.c.kind));
    expect([...kinds].sort()).toEqual(["CiliumClusterwideNetworkPolicy", "CiliumNetworkPolicy", "NetworkPolicy"]);
  });

  test("the spec-or-specs CEL rule: under 1.20 the server and the construct refuse a policy with neither, under 1.19 both store it", () => {
    const judged = outcomes
      .filter((o) => o.c.label.startsWith("CEL rule: "))
      .map((o) => ({ label: o.c.label, construct: o.construct.policy !== undefined, server: o.server.accepted }))
      .sort((a, b) => (a.label < b.label ? -1 : 1));
    const withoutSpec = line === "1.19";
    expect(judged).toEqual([
      { label: "CEL rule: cel-no-spec (CiliumClusterwideNetworkPolicy)", construct: withoutSpec, server: withoutSpec },
      { label: "CEL rule: cel-no-spec (CiliumNetworkPolicy)", construct: withoutSpec, server: withoutSpec },
      { label: "CEL rule: cel-specs-only (CiliumNetworkPolicy)", construct: true, server: true },
    ]);
  });

  test("no document the server refuses is accepted by the construct", () => {
    const wrong = outcomes.filter((o) => o.construct.policy && !o.server.accepted);
    expect(wrong.map(describeOutcome)).toEqual([]);
  });

  /**
   * What the construct refuses on purpose although kube-apiserver stores it: each class is named in
   * docs/policies.md ("Stricter than kube-apiserver, on purpose"), recognised by the construct's words.
   */
  const DELIBERATE: ReadonlyArray<{ readonly name: string; readonly message: RegExp }> = [
    {
      name: "status the CRD would refuse (the server drops a status on create unjudged)",
      message: /kube-apiserver drops a status on create without judging it/,
    },
    {
      name: "metadata Terraform does not manage (finalizers, ownerReferences, ...)",
      message: /a field of ObjectMeta that this module does not synthesize/,
    },
    { name: "generateName without a name (Terraform needs a stable name)", message: /generateName alone is not enough/ },
    { name: "a namespace other than the directory's (as kubectl apply -n refuses it)", message: /differs from the directory's namespace/ },
    {
      name: "a document that does not say what it is (apiVersion and kind are required)",
      message: /unknown apiVersion|is not a network policy/,
    },
    { name: "an empty namespace (the module never takes the request's)", message: /"" is not a valid namespace/ },
    {
      name: "a value the Cilium agent cannot decode (a list where its Go type is a string)",
      message: /must be string, got a list( \[Cilium [0-9.]+ CRD\])?$/,
    },
  ];

  function deliberateClass(o: Outcome): string | undefined {
    const messages = o.construct.problems.map((p) => p.message);
    return DELIBERATE.find((d) => messages.some((m) => d.message.test(m)))?.name;
  }

  test("every document the construct refuses and the server stores falls in a deliberate class", () => {
    const stricter = outcomes.filter((o) => !o.construct.policy && o.server.accepted);
    expect(stricter.filter((o) => deliberateClass(o) === undefined).map(describeOutcome)).toEqual([]);
    const counts: Record<string, number> = {};
    for (const o of stricter) counts[deliberateClass(o) as string] = (counts[deliberateClass(o) as string] ?? 0) + 1;
    const both = (a: boolean, b: boolean) => outcomes.filter((o) => !!o.construct.policy === a && o.server.accepted === b).length;
    console.log(
      `${outcomes.length} documents: both accept ${both(true, true)}, both refuse ${both(false, false)}, only the server accepts ${stricter.length}:\n` +
        Object.entries(counts)
          .map(([k, n]) => `  ${n} ${k}`)
          .join("\n"),
    );
  });

  /** Metadata kube-apiserver sets on create. */
  const SERVER_METADATA = ["creationTimestamp", "generation", "managedFields", "resourceVersion", "uid"];

  /**
   * The listed differences between what the server stores and the construct's document:
   * - NetworkPolicy's defaults (k8s.io/kubernetes, pkg/apis/networking/v1/defaults.go):
   *   `protocol: TCP` on each port, and `policyTypes` (Ingress, plus Egress when egress rules exist);
   * - NetworkPolicy is a built-in Go type whose lists and maps are `omitempty` (k8s.io/api,
   *   networking/v1/types.go): an empty `from: []`, `ports: []`, `labels: {}` is stored absent, the
   *   same meaning; the construct keeps them as written;
   * - empty `labels: {}` / `annotations: {}` in metadata, stored absent for every kind;
   * - `generateName` beside a `name`: kube-apiserver keeps it (unused); the module leaves it out,
   *   because Terraform names the object.
   */
  function comparable(kind: string, ours: unknown, stored: Record<string, unknown>): [unknown, unknown] {
    const s = structuredClone(stored) as { metadata: Record<string, unknown>; spec?: Record<string, unknown> };
    for (const k of SERVER_METADATA) delete s.metadata[k];
    const o = structuredClone(ours) as { metadata: Record<string, unknown>; spec?: Record<string, unknown> };
    if (o.metadata.generateName === undefined) delete s.metadata.generateName;
    // ObjectMeta's labels and annotations are `omitempty` for every kind (k8s.io/apimachinery, pkg/apis/meta/v1/types.go).
    o.metadata = withoutEmpty(o.metadata) as Record<string, unknown>;
    if (kind !== "NetworkPolicy") return [o, s];
    if (o.spec?.policyTypes === undefined) delete s.spec?.policyTypes;
    const ruleLists = (d: typeof o) =>
      [...((d.spec?.ingress as unknown[]) ?? []), ...((d.spec?.egress as unknown[]) ?? [])] as Array<{
        ports?: Array<Record<string, unknown>>;
      }>;
    const ourPorts = ruleLists(o).flatMap((r) => (Array.isArray(r?.ports) ? r.ports : []));
    const storedPorts = ruleLists(s).flatMap((r) => (Array.isArray(r?.ports) ? r.ports : []));
    storedPorts.forEach((p, i) => {
      if (ourPorts[i] && ourPorts[i].protocol === undefined && p.protocol === "TCP") delete p.protocol;
    });
    return [withoutEmpty(o), withoutEmpty(s)];
  }

  /** Go's omitempty: empty lists and maps absent (an empty map inside a list stays: it is a value). */
  function withoutEmpty(v: unknown, inList = false): unknown {
    if (Array.isArray(v)) return v.map((x) => withoutEmpty(x, true));
    if (v !== null && typeof v === "object") {
      const entries = Object.entries(v)
        .map(([k, x]) => [k, withoutEmpty(x)] as const)
        .filter(([, x]) => !(x !== null && typeof x === "object" && Object.keys(x).length === 0));
      return inList || entries.length > 0 ? Object.fromEntries(entries) : {};
    }
    return v;
  }

  test("what both accept, the server stores as the construct's normalized document, apart from metadata and the listed defaults", () => {
    const differ = outcomes
      .filter((o) => o.construct.policy && o.server.stored)
      .map((o) => ({ o, pair: comparable(o.c.kind, o.construct.policy?.manifest, o.server.stored as Record<string, unknown>) }))
      .filter(({ pair: [ours, stored] }) => JSON.stringify(sortKeys(ours)) !== JSON.stringify(sortKeys(stored)));
    expect(
      differ.map(
        ({ o, pair: [ours, stored] }) =>
          `${describeOutcome(o)}\n  ours: ${JSON.stringify(sortKeys(ours))}\n  stored: ${JSON.stringify(sortKeys(stored))}`,
      ),
    ).toEqual([]);
  });

  function sortKeys(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (v !== null && typeof v === "object")
      return Object.fromEntries(
        Object.entries(v)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([k, x]) => [k, sortKeys(x)]),
      );
    return v;
  }
});
