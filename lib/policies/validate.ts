/**
 * One parsed document -> a validated policy, or problems naming its file, document
 * and field. What the API server (and `kubectl --validate=strict`) refuses is
 * refused; what it accepts is accepted and means the same (normalize.ts).
 */
import { NetworkPolicy as NetworkPolicyModel } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { didYouMean } from "../shared/suggest";
import { checkCiliumUnknownFields, ciliumSchemaErrors, type SchemaError } from "./cilium-schema";
import { type PolicyIdentity, policyKey } from "./identity";
import {
  checkAnnotations,
  checkDns1123Label,
  checkDns1123Subdomain,
  checkLabels,
  checkNetworkPolicySpec,
  type Path,
} from "./kubernetes-rules";
import { isObject } from "../shared/stable-json";
import type { RawDocument } from "./load";
import { type Shape, type ShapeNode, tidyMetadata, withoutNulls } from "./normalize";
import { type DocumentSource, fieldFromPointer, fieldPath, type PolicyProblem, problemAt } from "./problems";

/** The kinds this module turns into Terraform resources. */
export type PolicyKind = "NetworkPolicy" | "CiliumNetworkPolicy" | "CiliumClusterwideNetworkPolicy";

export const SUPPORTED_KINDS: Readonly<Record<PolicyKind, { apiVersion: string; namespaced: boolean }>> = {
  NetworkPolicy: { apiVersion: "networking.k8s.io/v1", namespaced: true },
  CiliumNetworkPolicy: { apiVersion: "cilium.io/v2", namespaced: true },
  CiliumClusterwideNetworkPolicy: { apiVersion: "cilium.io/v2", namespaced: false },
};

/** A policy document that passed validation. */
export interface ValidatedPolicy extends PolicyIdentity {
  readonly kind: PolicyKind;
  readonly apiVersion: string;
  readonly source: DocumentSource;
  /** The document as the API server would read it: nulls absent, generated metadata tidied, the directory's namespace filled in. */
  readonly manifest: Record<string, unknown>;
}

export interface ValidateResult {
  readonly policies: ValidatedPolicy[];
  readonly problems: PolicyProblem[];
}

// ---- shapes: strict fields (kubectl --validate=strict) and null handling -------------------------
// The fields of networking.k8s.io/v1 NetworkPolicy (all of them: kubernetes_network_policy_v1
// carries every one). A key outside this shape is a typo (`ingres`); it is refused, never dropped.
const SELECTOR: Shape = { matchLabels: "map", matchExpressions: [{ key: "value", operator: "value", values: ["value"] }] };
const PEER: Shape = { podSelector: SELECTOR, namespaceSelector: SELECTOR, ipBlock: { cidr: "value", except: ["value"] } };
const PORT: Shape = { protocol: "value", port: "value", endPort: "value" };
/** What a policy's metadata may hold on create (kubernetes_network_policy_v1 carries these). */
const METADATA: Shape = { name: "value", generateName: "value", namespace: "value", labels: "map", annotations: "map" };
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
// Cilium kinds: the envelope is checked here, below spec by Cilium's CRD schema.
const CILIUM_SHAPE: Shape = { apiVersion: "value", kind: "value", metadata: METADATA, spec: "value", specs: "value" };

/** Set by the API server, refused on create: their presence means `kubectl get -o yaml` output. */
const SERVER_SET_METADATA = ["uid", "resourceVersion", "managedFields", "selfLink", "generation", "deletionTimestamp", "ownerReferences"];
const GET_OUTPUT_HINT =
  "the file looks like `kubectl get -o yaml` output; delete the fields the server sets (metadata.uid, resourceVersion, managedFields, selfLink, generation, status)";

function checkShape(value: unknown, shape: ShapeNode, at: Path, report: (p: Path, m: string) => void): void {
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

// ---- schema errors -----------------------------------------------------------------------------------
function valueAt(doc: unknown, pointer: string): unknown {
  if (pointer === "") return doc;
  return pointer
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce<unknown>((v, k) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), doc);
}

function schemaProblems(source: DocumentSource, doc: unknown, errors: readonly SchemaError[]): PolicyProblem[] {
  return errors
    .filter((e) => e.keyword !== "anyOf" && !String(e.message ?? "").includes('must match a schema in "anyOf"'))
    .map((e) => {
      const allowed = Array.isArray(e.params?.allowedValues) ? ` (${(e.params.allowedValues as unknown[]).join(", ")})` : "";
      let hint = "";
      const actual = valueAt(doc, e.instancePath ?? "");
      if (
        e.keyword === "type" &&
        String(e.params?.type).includes("string") &&
        (typeof actual === "boolean" || typeof actual === "number")
      ) {
        hint = `; YAML 1.1 (as kubectl reads it) made the unquoted value a ${typeof actual} (${JSON.stringify(actual)}): quote it to keep it a string`;
      }
      return problemAt(source, fieldFromPointer(e.instancePath ?? ""), `${e.message ?? "invalid"}${allowed}${hint}`);
    });
}

function networkPolicySchemaErrors(doc: Record<string, unknown>): SchemaError[] {
  try {
    new NetworkPolicyModel(structuredClone(doc) as never).validate();
    return [];
  } catch (err) {
    return (err as { errors?: SchemaError[] }).errors ?? [{ instancePath: "", message: (err as Error).message }];
  }
}

// ---- one document --------------------------------------------------------------------------------
function unsupportedKind(doc: Record<string, unknown>): string {
  const known = Object.keys(SUPPORTED_KINDS).join(", ");
  if (doc.kind === undefined) return `missing; supported kinds: ${known}`;
  return (
    `${JSON.stringify(doc.kind)}${typeof doc.apiVersion === "string" ? ` (${doc.apiVersion})` : ""} is not a network policy; supported kinds: ${known}. ` +
    "A file that mixes policies with other objects (a Namespace, a Deployment) must be split: keep only the policies in the policy directories"
  );
}

function validate(raw: RawDocument): { policy?: ValidatedPolicy; problems: PolicyProblem[] } {
  const problems: PolicyProblem[] = [];
  const report = (p: Path, message: string) => problems.push(problemAt(raw.source, fieldPath(p), message));
  if (!isObject(raw.value)) {
    report(
      [],
      `expected a Kubernetes object (a mapping with apiVersion and kind), got ${Array.isArray(raw.value) ? "a list" : typeof raw.value}`,
    );
    return { problems };
  }
  const kind = raw.value.kind;
  if (typeof kind !== "string" || !(kind in SUPPORTED_KINDS)) {
    report(["kind"], unsupportedKind(raw.value));
    return { problems };
  }
  const k = kind as PolicyKind;
  const spec = SUPPORTED_KINDS[k];
  if (raw.value.apiVersion !== spec.apiVersion) {
    const got = raw.value.apiVersion === undefined ? "missing" : `unknown apiVersion ${JSON.stringify(raw.value.apiVersion)}`;
    report(["apiVersion"], `${got} for kind ${k}; expected ${spec.apiVersion}`);
    return { problems };
  }

  // Fields only the server sets: refused, with the likely cause.
  const rawMeta = isObject(raw.value.metadata) ? raw.value.metadata : {};
  for (const field of SERVER_SET_METADATA)
    if (rawMeta[field] !== undefined && rawMeta[field] !== null) report(["metadata", field], `set by the API server; ${GET_OUTPUT_HINT}`);
  if (raw.value.status !== undefined && raw.value.status !== null)
    report(["status"], `set by the API server (and not a field of ${k} on create); ${GET_OUTPUT_HINT}`);
  if (problems.length > 0) return { problems };

  // What the API server decodes: nulls absent, structs zero-valued, generated metadata tidied.
  const shape = k === "NetworkPolicy" ? NETWORK_POLICY_SHAPE : CILIUM_SHAPE;
  const doc = withoutNulls(raw.value, k === "NetworkPolicy" ? shape : "value") as Record<string, unknown>;
  const meta = tidyMetadata(isObject(doc.metadata) ? doc.metadata : {});
  doc.metadata = meta;
  if (k === "NetworkPolicy") {
    const npSpec = isObject(doc.spec) ? doc.spec : doc.spec === undefined ? {} : doc.spec;
    if (isObject(npSpec) && npSpec.podSelector === undefined) npSpec.podSelector = {};
    doc.spec = npSpec;
  }

  // The directory's namespace, as `kubectl apply -n` uses it.
  if (spec.namespaced && raw.defaultNamespace !== undefined) {
    if (meta.namespace === undefined) meta.namespace = raw.defaultNamespace;
    else if (meta.namespace !== raw.defaultNamespace) {
      report(
        ["metadata", "namespace"],
        `${JSON.stringify(meta.namespace)} differs from the directory's namespace "${raw.defaultNamespace}" (as \`kubectl apply -n ${raw.defaultNamespace}\` refuses it); remove metadata.namespace or move the file`,
      );
    }
  }

  checkShape(doc, shape, [], report);
  const unknownFields = problems.length > 0;

  const name = meta.name;
  if (typeof name !== "string") {
    const why =
      meta.generateName !== undefined
        ? "generateName alone is not enough: Terraform needs a stable name; set metadata.name"
        : "every policy needs a name";
    report(["metadata", "name"], `missing: ${why}`);
  }
  checkDns1123Subdomain(name, ["metadata", "name"], report);
  const namespace = meta.namespace;
  if (spec.namespaced) {
    if (namespace === undefined) {
      report(
        ["metadata", "namespace"],
        `missing: a ${k} must name its namespace (it is never defaulted). Add metadata.namespace, or give the directory a namespace: ` +
          'directories: [{ path: "DIR", namespace: "NS" }] (CILIUM_POLICY_DIRS=DIR=NS for the dev stack)',
      );
    }
    checkDns1123Label(namespace, ["metadata", "namespace"], report);
  } else if (namespace !== undefined) {
    if (raw.defaultNamespace === undefined) report(["metadata", "namespace"], `${k} is cluster-scoped and takes no namespace`);
    else delete meta.namespace;
  }
  checkLabels(meta.labels, ["metadata", "labels"], report);
  checkAnnotations(meta.annotations, ["metadata", "annotations"], report);

  if (k === "NetworkPolicy") {
    problems.push(...schemaProblems(raw.source, doc, networkPolicySchemaErrors(doc)));
    // Unknown fields first: a typo (`podSelektor`) would otherwise also read as a missing peer.
    if (!unknownFields) checkNetworkPolicySpec(doc.spec, ["spec"], report);
  } else {
    problems.push(...schemaProblems(raw.source, doc, ciliumSchemaErrors(k, doc)));
    checkCiliumUnknownFields(k, doc, report);
  }

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

/** Validates one document; any shape the rules did not foresee is a problem too, never an exception. */
export function validateDocument(raw: RawDocument): { policy?: ValidatedPolicy; problems: PolicyProblem[] } {
  try {
    return validate(raw);
  } catch (err) {
    return {
      problems: [problemAt(raw.source, "(document)", `could not be validated (${(err as Error).message}); please report this document`)],
    };
  }
}

/** Validates every document, then refuses the same kind/namespace/name twice, naming both places. */
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

export { policyKey };
