/**
 * One parsed document -> a validated policy, or problems naming its file, document
 * and field. What the API server (and `kubectl --validate=strict`) refuses is
 * refused; what it accepts is accepted and means the same (normalize.ts); what it
 * stores is what is synthesized: fields it drops on create are left out, each with a
 * warning (warnings.ts). The kinds and what judges each are in kinds.ts.
 */
import { type CiliumLine, DEFAULT_CILIUM_LINE } from "../cilium/lines";
import { NetworkPolicy as NetworkPolicyModel } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { isObject, jsonByteLengthUpTo } from "../shared/stable-json";
import { didYouMean } from "../shared/suggest";
import {
  type CiliumKind,
  policyValidatorBundle,
  type SchemaError,
  unknownFields,
  unknownFieldHint,
  validateCrdValues,
  withoutServerNulls,
} from "./crd-schema";
import type { CiliumPolicyDocument, NetworkPolicyDocument } from "./documents";
import { type PolicyIdentity, policyKey } from "./identity";
import { isPolicyKind, POLICY_KINDS, type PolicyKind, SUPPORTED_KINDS } from "./kinds";
import {
  validateAnnotations,
  validateDns1123Label,
  validateDns1123Subdomain,
  validateLabels,
  validateStringMap,
  validateNetworkPolicySpec,
  type Path,
} from "./kubernetes-rules";
import type { RawDocument } from "./load";
import { type Shape, type ShapeNode, tidyMetadata, withoutNulls } from "./normalize";
import { type DocumentSource, fieldFromPointer, fieldPath, type PolicyProblem, problemAt } from "./problems";
import { ciliumPolicyWarnings, type PolicyWarning, type PolicyWarningNotice } from "./warnings";

/** How a construct gives a directory's documents their namespace (cilium-explain says it with its own flag instead). */
export const DIRECTORY_NAMESPACE_FIX = 'directories: [{ path: "DIR", namespace: "NS" }] (CILIUM_POLICY_DIRS=DIR=NS for the dev stack)';

export { type PolicyKind, SUPPORTED_KINDS };

/** What every validated policy carries: its identity and where it was read. */
export interface ValidatedBase extends PolicyIdentity {
  readonly source: DocumentSource;
}
/** A NetworkPolicy that passed validation. */
export interface ValidatedNetworkPolicy extends ValidatedBase {
  readonly kind: "NetworkPolicy";
  readonly apiVersion: "networking.k8s.io/v1";
  readonly namespace: string;
  /** The document as the API server would read it: nulls absent, generated metadata tidied, the directory's namespace filled in. */
  readonly manifest: NetworkPolicyDocument;
}
/** A CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy that passed validation. */
export interface ValidatedCiliumPolicy extends ValidatedBase {
  readonly kind: CiliumKind;
  readonly apiVersion: "cilium.io/v2";
  /** The document as kube-apiserver stores it before its defaults: nulls it drops absent, server-set fields and status left out. */
  readonly manifest: CiliumPolicyDocument;
}
/** A policy document that passed validation, with its typed document. */
export type ValidatedPolicy = ValidatedNetworkPolicy | ValidatedCiliumPolicy;

export interface ValidateResult {
  readonly policies: ValidatedPolicy[];
  readonly problems: PolicyProblem[];
  readonly warnings: PolicyWarningNotice[];
}

/** The outcome for one document. @internal */
export interface DocumentResult {
  readonly policy?: ValidatedPolicy;
  readonly problems: PolicyProblem[];
  readonly warnings: PolicyWarningNotice[];
}

// ---- shapes: strict fields (kubectl --validate=strict) and null handling -------------------------
// The fields of networking.k8s.io/v1 NetworkPolicy (all of them: kubernetes_network_policy_v1
// carries every one). A key outside this shape is a typo (`ingres`); it is refused, never dropped.
const SELECTOR: Shape = { matchLabels: "map", matchExpressions: [{ key: "value", operator: "value", values: ["value"] }] };
const PEER: Shape = { podSelector: SELECTOR, namespaceSelector: SELECTOR, ipBlock: { cidr: "value", except: ["value"] } };
const PORT: Shape = { protocol: "value", port: "value", endPort: "value" };
/** What a policy's metadata may hold on create (kubernetes_network_policy_v1 and kubernetes_manifest carry these). */
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

/**
 * Fields of ObjectMeta the API server sets itself and ignores on create: left out, with a
 * warning. It clears deletionTimestamp and deletionGracePeriodSeconds and fills uid,
 * creationTimestamp and selfLink (apiserver pkg/registry/rest/create.go `BeforeCreate`,
 * `FillObjectMetaSystemFields`); sets generation to 1 (registry/customresource/strategy.go
 * `PrepareForCreate`); replaces managedFields (the field manager). A null
 * `creationTimestamp` (kubectl create --dry-run output) is dropped silently (normalize.ts).
 */
const SERVER_METADATA = [
  "uid",
  "creationTimestamp",
  "generation",
  "managedFields",
  "selfLink",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
];
/** ObjectMeta fields a user may set that this module does not synthesize (Terraform owns the object). */
const OBJECT_META_NOT_CARRIED = new Set(["ownerReferences", "finalizers"]);
/**
 * A create that carries metadata.resourceVersion is refused: "resourceVersion should not be
 * set on objects to be created" (apiserver pkg/storage/errors.go ErrResourceVersionSetOnCreate,
 * returned by the etcd3 store's Create).
 */
const RESOURCE_VERSION_REFUSED =
  "set by the API server: kube-apiserver refuses a create that carries it (resourceVersion should not be set on objects to be created). " +
  "The file looks like `kubectl get -o yaml` output: delete resourceVersion (uid, creationTimestamp, generation, managedFields, selfLink and a Cilium status are left out with a warning)";

function validateShape(value: unknown, shape: ShapeNode, at: Path, report: (p: Path, m: string) => void): void {
  if (shape === "value" || shape === "map") return;
  if (Array.isArray(shape)) {
    if (Array.isArray(value)) for (const [i, item] of value.entries()) validateShape(item, shape[0], [...at, i], report);
    return;
  }
  if (!isObject(value)) return;
  const known = Object.keys(shape);
  for (const key of Object.keys(value)) {
    const sub = (shape as Shape)[key];
    if (sub !== undefined) validateShape(value[key], sub, [...at, key], report);
    else if (at.length === 1 && at[0] === "metadata" && OBJECT_META_NOT_CARRIED.has(key))
      report([...at, key], `a field of ObjectMeta that this module does not synthesize (Terraform manages the object); remove it`);
    else report([...at, key], `unknown field "${key}"${didYouMean(key, known)}; known fields here: ${known.join(", ")}`);
  }
}

// ---- NetworkPolicy schema errors -----------------------------------------------------------------
function valueAt(doc: unknown, pointer: string): unknown {
  if (pointer === "") return doc;
  return pointer
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce<unknown>((v, k) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), doc);
}

function networkPolicySchemaProblems(source: DocumentSource, doc: Record<string, unknown>): PolicyProblem[] {
  let errors: SchemaError[] = [];
  try {
    new NetworkPolicyModel(structuredClone(doc) as never).validate();
  } catch (err) {
    errors = (err as { errors?: SchemaError[] }).errors ?? [{ instancePath: "", message: (err as Error).message }];
  }
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

// ---- one document --------------------------------------------------------------------------------
function unsupportedKind(doc: Record<string, unknown>): string {
  const known = Object.keys(POLICY_KINDS).join(", ");
  if (doc.kind === undefined) return `missing; supported kinds: ${known}`;
  // Kubernetes' ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2, pkg/policy/k8s/cell.go at
  // v1.20.2): a network policy, which Cilium 1.20 enforces, but which this module neither validates
  // nor proves yet. Never skipped in silence: a policy directory that holds one is refused.
  if (doc.kind === "ClusterNetworkPolicy")
    return (
      `ClusterNetworkPolicy${typeof doc.apiVersion === "string" ? ` (${doc.apiVersion})` : ""} is not supported yet: this module would neither validate, prove nor create it; supported kinds: ${known}. ` +
      "Apply it outside the policy directories (Cilium enforces it from 1.20 with k8sClusterNetworkPolicy.enabled and its CRD installed), " +
      'and set assume: { policySet: "open" } on the NetworkPolicies whose proof it can change'
    );
  return (
    `${JSON.stringify(doc.kind)}${typeof doc.apiVersion === "string" ? ` (${doc.apiVersion})` : ""} is not a network policy; supported kinds: ${known}. ` +
    "A file that mixes policies with other objects (a Namespace, a Deployment) must be split: keep only the policies in the policy directories"
  );
}

interface Context {
  readonly raw: RawDocument;
  /** The Cilium line whose CRDs judge Cilium documents. */
  readonly line: CiliumLine;
  readonly report: (p: Path, message: string) => void;
  readonly warn: (id: PolicyWarning, p: Path, message: string) => void;
  readonly problems: PolicyProblem[];
}

/** ObjectMeta as kube-apiserver validates it on create: name, namespace (the directory's too), labels, annotations. */
function validateMetadata(ctx: Context, kind: PolicyKind, meta: Record<string, unknown>): { name?: string; namespace?: string } {
  const { raw, report } = ctx;
  const namespaced = POLICY_KINDS[kind].namespaced;
  // The directory's namespace, as `kubectl apply -n` uses it.
  if (namespaced && raw.defaultNamespace !== undefined) {
    if (meta.namespace === undefined) meta.namespace = raw.defaultNamespace;
    else if (meta.namespace !== raw.defaultNamespace) {
      report(
        ["metadata", "namespace"],
        `${JSON.stringify(meta.namespace)} differs from the directory's namespace "${raw.defaultNamespace}" (as \`kubectl apply -n ${raw.defaultNamespace}\` refuses it); remove metadata.namespace or move the file`,
      );
    }
  }
  const name = meta.name;
  if (typeof name !== "string") {
    const why =
      meta.generateName !== undefined
        ? "generateName alone is not enough: Terraform needs a stable name; set metadata.name"
        : "every policy needs a name";
    report(["metadata", "name"], `missing: ${why}`);
  }
  validateDns1123Subdomain(name, ["metadata", "name"], report);
  const namespace = meta.namespace;
  if (namespaced) {
    if (namespace === undefined) {
      report(
        ["metadata", "namespace"],
        `missing: a ${kind} must name its namespace (it is never defaulted). Add metadata.namespace, or give the directory a namespace: ` +
          DIRECTORY_NAMESPACE_FIX,
      );
    }
    validateDns1123Label(namespace, ["metadata", "namespace"], report);
  } else if (namespace !== undefined) {
    // kube-apiserver clears the namespace of a cluster-scoped object on create (rest.BeforeCreate);
    // kubernetes_manifest refuses it ("Cluster level resource cannot take namespace"): left out.
    ctx.warn(
      "namespace-dropped",
      ["metadata", "namespace"],
      `${kind} is cluster-scoped: kube-apiserver ignores the namespace ${JSON.stringify(namespace)}, and it is left out of the manifest; remove it`,
    );
    delete meta.namespace;
  }
  if (POLICY_KINDS[kind].schema.by !== "kubernetes") {
    validateStringMap(meta.labels, ["metadata", "labels"], report);
    validateStringMap(meta.annotations, ["metadata", "annotations"], report);
  }
  validateLabels(meta.labels, ["metadata", "labels"], report);
  validateAnnotations(meta.annotations, ["metadata", "annotations"], report);
  return {
    ...(typeof name === "string" ? { name } : {}),
    ...(namespaced && typeof namespace === "string" ? { namespace } : {}),
  };
}

function validateNetworkPolicy(ctx: Context, value: Record<string, unknown>): ValidatedNetworkPolicy | undefined {
  const { raw, report, problems } = ctx;
  // Even with no value: with fieldValidation=Strict (kubectl's default) kube-apiserver refuses
  // the key itself, `strict decoding error: unknown field "status"` (checked by the cluster suite).
  if (Object.hasOwn(value, "status"))
    report(
      ["status"],
      "set by the API server, and not a field of NetworkPolicy on create; delete it (the file looks like `kubectl get -o yaml` output)",
    );
  // What the API server decodes: nulls absent, structs zero-valued, generated metadata tidied.
  const { status: _status, ...rest } = value;
  const doc = withoutNulls(rest, NETWORK_POLICY_SHAPE) as Record<string, unknown>;
  const meta = tidyMetadata(isObject(doc.metadata) ? doc.metadata : {});
  doc.metadata = meta;
  const spec = isObject(doc.spec) ? doc.spec : doc.spec === undefined ? {} : doc.spec;
  if (isObject(spec) && spec.podSelector === undefined) spec.podSelector = {};
  doc.spec = spec;

  const before = problems.length;
  validateShape(doc, NETWORK_POLICY_SHAPE, [], report);
  const unknown = problems.length > before;
  const { name, namespace } = validateMetadata(ctx, "NetworkPolicy", meta);
  problems.push(...networkPolicySchemaProblems(raw.source, doc));
  // Unknown fields first: a typo (`podSelektor`) would otherwise also read as a missing peer.
  if (!unknown) validateNetworkPolicySpec(doc.spec, ["spec"], report);
  if (problems.length > 0 || name === undefined || namespace === undefined) return undefined;
  return {
    kind: "NetworkPolicy",
    apiVersion: "networking.k8s.io/v1",
    name,
    namespace,
    source: raw.source,
    manifest: doc as unknown as NetworkPolicyDocument,
  };
}

function validateCiliumPolicy(ctx: Context, kind: CiliumKind, value: Record<string, unknown>): ValidatedCiliumPolicy | undefined {
  const { raw, problems, line } = ctx;
  const { namespaced, root } = policyValidatorBundle(line).structure[kind];
  // Which line's CRD judged it: a document can pass one line's CRD and not the other's.
  const report = (p: Path, message: string) => ctx.report(p, `${message} [Cilium ${line} CRD]`);
  // ObjectMeta, decoded as kube-apiserver decodes it (nulls absent, null label values "").
  const meta = tidyMetadata((withoutNulls(isObject(value.metadata) ? value.metadata : {}, METADATA) as Record<string, unknown>) ?? {});
  validateShape({ metadata: meta }, { metadata: METADATA }, [], ctx.report);

  // 1. Unknown fields, null-valued keys included: refused before anything else is judged.
  const unknown = unknownFields(value, root);
  for (const { path, known } of unknown) {
    const key = String(path[path.length - 1]);
    const move = path.length === 1 && root.p?.spec?.p?.[key] !== undefined ? `; move it to spec.${key}` : "";
    const hint = move === "" ? unknownFieldHint(key, known) : undefined;
    report(
      path,
      `unknown field "${key}"${hint ? ` (did you mean "${hint}"?)` : ""}${move}; kube-apiserver refuses it (fieldValidation=Strict, kubectl's default)`,
    );
  }
  const { name, namespace } = validateMetadata(ctx, kind, meta);
  if (unknown.length > 0) return undefined;

  // 2. The nulls kube-apiserver removes. 3. Value validation (status included: see below).
  const { apiVersion: _v, kind: _k, metadata: _m, ...body } = value;
  const stored = withoutServerNulls(body, root) as Record<string, unknown>;
  const before = problems.length;
  validateCrdValues(line, kind, { ...stored, metadata: meta }, value, (path, message) =>
    report(
      path,
      path[0] === "status"
        ? `${message}; kube-apiserver drops a status on create without judging it (registry/customresource/strategy.go PrepareForCreate), but this one is not valid for the CRD: delete status`
        : message,
    ),
  );
  if (problems.length > before || name === undefined) return undefined;

  // The status kube-apiserver drops on create: validated above, left out here.
  if (stored.status !== undefined) {
    ctx.warn("status-dropped", ["status"], "set by Cilium, and dropped by kube-apiserver on create: left out of the manifest; delete it");
  }
  const { status: _s, ...rules } = stored;
  ciliumPolicyWarnings(value, rules, namespaced, ctx.warn);
  // In the order written: the same document gives the same manifest, byte for byte.
  const written: Record<string, unknown> = { apiVersion: "cilium.io/v2", kind, metadata: meta, ...rules };
  const ordered = Object.fromEntries(
    [...Object.keys(value), ...Object.keys(written)]
      .filter((k, i, all) => all.indexOf(k) === i && written[k] !== undefined)
      .map((k) => [k, written[k]]),
  );
  const manifest = ordered as unknown as CiliumPolicyDocument;
  return {
    kind,
    apiVersion: "cilium.io/v2",
    name,
    ...(namespaced ? { namespace } : {}),
    source: raw.source,
    manifest,
  };
}

function validateOne(raw: RawDocument, line: CiliumLine): DocumentResult {
  const problems: PolicyProblem[] = [];
  const warnings: PolicyWarningNotice[] = [];
  const report = (p: Path, message: string) => problems.push(problemAt(raw.source, fieldPath(p), message));
  const warn = (id: PolicyWarning, p: Path, message: string) => {
    const w = { id, file: raw.source.file, document: raw.source.document, field: fieldPath(p), message };
    if (!warnings.some((x) => x.id === w.id && x.field === w.field)) warnings.push(w);
  };
  const ctx: Context = { raw, line, report, warn, problems };
  if (!isObject(raw.value)) {
    report(
      [],
      `expected a Kubernetes object (a mapping with apiVersion and kind), got ${Array.isArray(raw.value) ? "a list" : typeof raw.value}`,
    );
    return { problems, warnings };
  }
  const kind = raw.value.kind;
  if (!isPolicyKind(kind)) {
    report(["kind"], unsupportedKind(raw.value));
    return { problems, warnings };
  }
  const descriptor = POLICY_KINDS[kind];
  if (raw.value.apiVersion !== descriptor.apiVersion) {
    const got = raw.value.apiVersion === undefined ? "missing" : `unknown apiVersion ${JSON.stringify(raw.value.apiVersion)}`;
    report(["apiVersion"], `${got} for kind ${kind}; expected ${descriptor.apiVersion}`);
    return { problems, warnings };
  }

  // `kubectl get -o yaml` residue: resourceVersion blocks a create; the rest the server sets itself.
  const value = { ...raw.value };
  if (isObject(value.metadata)) {
    const meta = { ...value.metadata };
    if (meta.resourceVersion !== undefined && meta.resourceVersion !== null)
      report(["metadata", "resourceVersion"], RESOURCE_VERSION_REFUSED);
    delete meta.resourceVersion;
    for (const field of SERVER_METADATA) {
      if (meta[field] === undefined) continue;
      if (meta[field] !== null)
        warn(
          "server-metadata-dropped",
          ["metadata", field],
          "set by the API server, which ignores it on create: left out of the resource; delete it",
        );
      delete meta[field];
    }
    value.metadata = meta;
  }

  const policy =
    descriptor.schema.by === "kubernetes" ? validateNetworkPolicy(ctx, value) : validateCiliumPolicy(ctx, kind as CiliumKind, value);
  if (problems.length > 0 || policy === undefined) return { problems, warnings: [] };
  return { policy, problems, warnings };
}

/** Which Cilium line judges the documents. */
export interface ValidateOptions {
  /** @default DEFAULT_CILIUM_LINE */
  readonly line?: CiliumLine;
}

/** Validates one document; any shape the rules did not foresee is a problem too, never an exception. */
export function validateDocument(raw: RawDocument, options: ValidateOptions = {}): DocumentResult {
  try {
    return validateOne(raw, options.line ?? DEFAULT_CILIUM_LINE);
  } catch (err) {
    return {
      problems: [problemAt(raw.source, "(document)", `could not be validated (${(err as Error).message}); please report this document`)],
      warnings: [],
    };
  }
}

/**
 * The largest document kube-apiserver can store: etcd refuses a request over its
 * --max-request-bytes, 1.5 MiB by default (etcd server/embed/config.go
 * `DefaultMaxRequestBytes = 1.5 * 1024 * 1024`); kube-apiserver's own body limit, 3 MiB
 * (k8s.io/apiserver pkg/server/config.go `MaxRequestBodyBytes`), is looser. Measured as the
 * document's JSON, as the API server sends it on.
 */
export const MAX_DOCUMENT_BYTES = 1.5 * 1024 * 1024;

/** Validates every document, then refuses the same kind/namespace/name twice, naming both places. */
export function validateDocuments(documents: readonly RawDocument[], options: ValidateOptions = {}): ValidateResult {
  const policies: ValidatedPolicy[] = [];
  const problems: PolicyProblem[] = [];
  const warnings: PolicyWarningNotice[] = [];
  const seen = new Map<string, ValidatedPolicy>();
  for (const raw of documents) {
    // Counted, not stringified: aliases to one long string could exceed V8's longest string.
    if (jsonByteLengthUpTo(raw.value, MAX_DOCUMENT_BYTES) > MAX_DOCUMENT_BYTES) {
      problems.push(
        problemAt(
          raw.source,
          "(document)",
          `more than the 1.5 MiB (${MAX_DOCUMENT_BYTES} bytes) as JSON that etcd stores in one request (its default --max-request-bytes): kube-apiserver could not store it; shorten it or split it into several policies`,
        ),
      );
      continue;
    }
    const result = validateDocument(raw, options);
    problems.push(...result.problems);
    warnings.push(...result.warnings);
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
  return { policies, problems, warnings };
}

export { policyKey };
