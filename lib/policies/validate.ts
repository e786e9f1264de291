import { existsSync } from "node:fs";
import { NetworkPolicy as NetworkPolicyModel } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import {
  checkAnnotationKeys,
  checkDns1123Label,
  checkDns1123Subdomain,
  checkLabels,
  checkNetworkPolicySpec,
  isObject,
  type Path,
} from "./kubernetes-rules";
import type { RawDocument } from "./load";
import { CILIUM_MODELS_BUNDLE } from "../package-paths";
import { didYouMean } from "../suggest";
import { type DocumentSource, fieldFromPointer, fieldPath, type PolicyProblem, problemAt } from "./problems";

/** The kinds this module turns into Terraform resources. */
export type PolicyKind = "NetworkPolicy" | "CiliumNetworkPolicy" | "CiliumClusterwideNetworkPolicy";

export const SUPPORTED_KINDS: Readonly<Record<PolicyKind, { apiVersion: string; namespaced: boolean }>> = {
  NetworkPolicy: { apiVersion: "networking.k8s.io/v1", namespaced: true },
  CiliumNetworkPolicy: { apiVersion: "cilium.io/v2", namespaced: true },
  CiliumClusterwideNetworkPolicy: { apiVersion: "cilium.io/v2", namespaced: false },
};

/** A policy document that passed validation. */
export interface ValidatedPolicy {
  readonly kind: PolicyKind;
  readonly apiVersion: string;
  readonly name: string;
  /** Absent for cluster-wide kinds. */
  readonly namespace?: string;
  readonly source: DocumentSource;
  /** The document as written (plain JSON data). */
  readonly manifest: Record<string, unknown>;
}

export interface ValidateResult {
  readonly policies: ValidatedPolicy[];
  readonly problems: PolicyProblem[];
}

// ---- strict fields (kubectl --validate=strict) -----------------------------------------------
// The fields of networking.k8s.io/v1 NetworkPolicy that kubernetes_network_policy_v1 can carry.
// A key outside this shape is either a typo (`ingres`) or something the typed resource cannot
// express; both are refused rather than silently dropped.
type Shape = { readonly [key: string]: Shape | "value" | readonly [Shape | "value"] | "map" };
const SELECTOR: Shape = { matchLabels: "map", matchExpressions: [{ key: "value", operator: "value", values: ["value"] }] };
const PEER: Shape = { podSelector: SELECTOR, namespaceSelector: SELECTOR, ipBlock: { cidr: "value", except: ["value"] } };
const PORT: Shape = { protocol: "value", port: "value", endPort: "value" };
const METADATA: Shape = { name: "value", namespace: "value", labels: "map", annotations: "map" };
const NETWORK_POLICY_SHAPE: Shape = {
  apiVersion: "value",
  kind: "value",
  metadata: METADATA,
  spec: {
    podSelector: SELECTOR,
    policyTypes: ["value"],
    ingress: [{ from: [PEER], ports: [PORT] }],
    egress: [{ to: [PEER], ports: [PORT] }],
  },
};
// Cilium kinds: the envelope is checked here, the spec by the Cilium CRD schema.
const CILIUM_SHAPE: Shape = { apiVersion: "value", kind: "value", metadata: METADATA, spec: "map", specs: "map" };

function checkShape(
  value: unknown,
  shape: Shape | "value" | "map" | readonly [Shape | "value"],
  at: Path,
  report: (p: Path, m: string) => void,
): void {
  if (shape === "value" || shape === "map") return;
  if (Array.isArray(shape)) {
    if (Array.isArray(value)) for (const [i, item] of value.entries()) checkShape(item, shape[0], [...at, i], report);
    return;
  }
  if (!isObject(value)) return;
  const known = Object.keys(shape);
  for (const key of Object.keys(value)) {
    const sub = (shape as Shape)[key];
    if (sub === undefined) {
      report([...at, key], `unknown field "${key}"${didYouMean(key, known)}; known fields here: ${known.join(", ")}`);
    } else {
      checkShape(value[key], sub, [...at, key], report);
    }
  }
}

// ---- schema validation -------------------------------------------------------------------------
interface SchemaError {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

function schemaProblems(source: DocumentSource, err: unknown): PolicyProblem[] {
  const errors = (err as { errors?: SchemaError[] }).errors;
  if (!Array.isArray(errors) || errors.length === 0) {
    return [problemAt(source, "(document)", `schema: ${(err as Error).message}`)];
  }
  return errors
    .filter((e) => !String(e.message ?? "").includes('must match a schema in "anyOf"'))
    .map((e) => {
      const allowed = Array.isArray(e.params?.allowedValues) ? ` (${(e.params.allowedValues as unknown[]).join(", ")})` : "";
      return problemAt(source, fieldFromPointer(e.instancePath ?? ""), `${e.message ?? "invalid"}${allowed}`);
    });
}

type ModelClass = new (data: Record<string, unknown>) => { validate(): void };

// Cilium's models come from @kubernetes-models/cilium, which is ESM-only; the build
// bundles them to CommonJS (dist/vendor/cilium-models.js, scripts/bundle.mjs) so that
// synchronous construct code can load them anywhere. Loaded on the first Cilium document.
let ciliumModels: Record<string, ModelClass> | undefined;
function ciliumModel(kind: PolicyKind): ModelClass {
  if (!ciliumModels) {
    if (!existsSync(CILIUM_MODELS_BUNDLE))
      throw new Error(`the Cilium policy validators ${CILIUM_MODELS_BUNDLE} are missing; run \`npm run build\``);
    ciliumModels = require(CILIUM_MODELS_BUNDLE) as Record<string, ModelClass>;
  }
  return ciliumModels[kind];
}

function validateSchema(kind: PolicyKind, doc: Record<string, unknown>): unknown {
  const Model: ModelClass = kind === "NetworkPolicy" ? (NetworkPolicyModel as unknown as ModelClass) : ciliumModel(kind);
  try {
    new Model(structuredClone(doc)).validate();
    return undefined;
  } catch (err) {
    return err;
  }
}

// ---- one document --------------------------------------------------------------------------------
export function validateDocument(raw: RawDocument): { policy?: ValidatedPolicy; problems: PolicyProblem[] } {
  const problems: PolicyProblem[] = [];
  const report = (p: Path, message: string) => problems.push(problemAt(raw.source, fieldPath(p), message));
  const doc = raw.value;
  if (!isObject(doc)) {
    report([], `expected a Kubernetes object (a mapping with apiVersion and kind), got ${Array.isArray(doc) ? "a list" : typeof doc}`);
    return { problems };
  }
  const kind = doc.kind;
  const known = Object.keys(SUPPORTED_KINDS);
  if (typeof kind !== "string" || !known.includes(kind)) {
    report(["kind"], `${kind === undefined ? "missing" : `"${String(kind)}" is not supported`}; supported kinds: ${known.join(", ")}`);
    return { problems };
  }
  const k = kind as PolicyKind;
  const spec = SUPPORTED_KINDS[k];
  if (doc.apiVersion !== spec.apiVersion) {
    report(
      ["apiVersion"],
      `${doc.apiVersion === undefined ? "missing" : `unknown apiVersion "${String(doc.apiVersion)}"`} for kind ${k}; expected ${spec.apiVersion}`,
    );
    return { problems };
  }
  checkShape(doc, k === "NetworkPolicy" ? NETWORK_POLICY_SHAPE : CILIUM_SHAPE, [], report);
  const unknownFields = problems.length > 0;

  const meta = isObject(doc.metadata) ? doc.metadata : undefined;
  if (!meta) report(["metadata"], "missing: metadata.name is required");
  const name = meta?.name;
  if (meta && typeof name !== "string") report(["metadata", "name"], "missing: every policy needs a name");
  checkDns1123Subdomain(name, ["metadata", "name"], report);
  const namespace = meta?.namespace;
  if (spec.namespaced) {
    if (meta && typeof namespace !== "string")
      report(["metadata", "namespace"], `missing: a ${k} must name its namespace (it is never defaulted)`);
    checkDns1123Label(namespace, ["metadata", "namespace"], report);
  } else if (namespace !== undefined) {
    report(["metadata", "namespace"], `${k} is cluster-scoped and takes no namespace`);
  }
  checkLabels(meta?.labels, ["metadata", "labels"], report);
  checkAnnotationKeys(meta?.annotations, ["metadata", "annotations"], report);

  const schemaError = validateSchema(k, doc);
  if (schemaError !== undefined) problems.push(...schemaProblems(raw.source, schemaError));
  // Unknown fields first: a typo (`podSelektor`) would otherwise also read as a missing peer.
  if (k === "NetworkPolicy" && !unknownFields) checkNetworkPolicySpec(doc.spec, ["spec"], report);

  if (problems.length > 0) return { problems };
  return {
    problems,
    policy: {
      kind: k,
      apiVersion: spec.apiVersion,
      name: name as string,
      ...(spec.namespaced ? { namespace: namespace as string } : {}),
      source: raw.source,
      manifest: doc,
    },
  };
}

/** `Kind/namespace/name`, the identity a policy has in the cluster. */
export function policyKey(p: Pick<ValidatedPolicy, "kind" | "namespace" | "name">): string {
  return p.namespace === undefined ? `${p.kind}/${p.name}` : `${p.kind}/${p.namespace}/${p.name}`;
}

/** Validates every document, then refuses the same kind/namespace/name twice. */
export function validateDocuments(documents: readonly RawDocument[]): ValidateResult {
  const policies: ValidatedPolicy[] = [];
  const problems: PolicyProblem[] = [];
  const seen = new Map<string, ValidatedPolicy>();
  for (const raw of documents) {
    const result = validateDocument(raw);
    problems.push(...result.problems);
    if (!result.policy) continue;
    const key = policyKey(result.policy);
    const first = seen.get(key);
    if (first) {
      problems.push(
        problemAt(raw.source, "metadata.name", `${key} is defined twice: also in ${first.source.file} (document ${first.source.document})`),
      );
      continue;
    }
    seen.set(key, result.policy);
    policies.push(result.policy);
  }
  return { policies, problems };
}
