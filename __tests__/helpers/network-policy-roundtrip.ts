/**
 * The two sides of the NetworkPolicy round trip, each written independently of
 * lib/policies/translate.ts:
 *
 * - `expandFromTerraform`: what the kubernetes provider sends to the API server for
 *   a synthesized `kubernetes_network_policy_v1`, after the provider's own expanders
 *   (hashicorp/terraform-provider-kubernetes, kubernetes/structure_network_policy.go:
 *   expandNetworkPolicySpec, expandNetworkPolicyIngress/Egress, expandNetworkPolicyPorts
 *   (`port` parsed with intstr.Parse, empty strings dropped, `end_port` when non-zero),
 *   expandNetworkPolicyPeer (a selector or ip_block only when its block is present),
 *   expandIPBlock, expandNetworkPolicyTypes; expandLabelSelector in structures.go),
 *   after Terraform has read the JSON (template escapes undone).
 * - `storedByApiServer`: what kube-apiserver stores for a document as written: JSON
 *   decoding (null is absent; a null item of an object list is the zero object), the
 *   defaults of SetDefaults_NetworkPolicy / SetDefaults_NetworkPolicyPort (policyTypes,
 *   protocol TCP), and encoding with omitempty (empty lists and maps dropped, `{}`
 *   selectors kept, `spec.podSelector` always present).
 */
import { unescapeTerraform } from "../../lib/shared/terraform-escape";

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown): v is any[] => Array.isArray(v) && v.length > 0;
/** Terraform's view of a block: the JSON may hold one block as an object or as a list of one. */
const block = (v: unknown): Obj | undefined => (Array.isArray(v) ? v[0] : isObj(v) ? v : undefined);
const blocks = (v: unknown): Obj[] => (Array.isArray(v) ? v : isObj(v) ? [v] : []);

/** Undoes Terraform's template escapes in every string, as Terraform does when it reads the JSON. */
function terraformRead(value: unknown): unknown {
  if (typeof value === "string") return unescapeTerraform(value);
  if (Array.isArray(value)) return value.map(terraformRead);
  if (isObj(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [unescapeTerraform(k), terraformRead(v)]));
  return value;
}

function expandLabelSelector(v: unknown): Obj {
  const s = block(v) ?? {};
  const out: Obj = {};
  if (isObj(s.match_labels) && Object.keys(s.match_labels).length > 0) out.matchLabels = { ...s.match_labels };
  if (nonEmpty(s.match_expressions)) {
    out.matchExpressions = s.match_expressions.map((e: Obj) => ({
      key: e.key,
      operator: e.operator,
      ...(nonEmpty(e.values) ? { values: [...e.values] } : {}),
    }));
  }
  return out;
}

function expandPorts(list: Obj[]): Obj[] {
  return list.map((p) => {
    const out: Obj = {};
    if (typeof p.port === "string" && p.port.length > 0) out.port = /^\d+$/.test(p.port) ? Number(p.port) : p.port; // intstr.Parse
    if (p.protocol !== undefined && p.protocol !== "") out.protocol = p.protocol;
    if (typeof p.end_port === "number" && p.end_port !== 0) out.endPort = p.end_port;
    return out;
  });
}

function expandPeers(list: Obj[]): Obj[] {
  return list.map((p) => {
    const out: Obj = {};
    const ip = block(p.ip_block);
    if (ip) out.ipBlock = { ...(ip.cidr ? { cidr: ip.cidr } : {}), ...(nonEmpty(ip.except) ? { except: [...ip.except] } : {}) };
    if (block(p.namespace_selector)) out.namespaceSelector = expandLabelSelector(p.namespace_selector);
    if (block(p.pod_selector)) out.podSelector = expandLabelSelector(p.pod_selector);
    return out;
  });
}

function expandRules(list: Obj[], peers: "from" | "to"): Obj[] {
  return list.map((r) => {
    const out: Obj = {};
    if (nonEmpty(r.ports)) out.ports = expandPorts(r.ports);
    if (nonEmpty(r[peers])) out[peers] = expandPeers(r[peers]);
    return out;
  });
}

/** The NetworkPolicy the provider would send for one synthesized resource. */
export function expandFromTerraform(resource: Obj): Obj {
  const r = terraformRead(resource) as Obj;
  const meta = block(r.metadata) ?? {};
  const spec = block(r.spec) ?? {};
  const ingress = blocks(spec.ingress);
  const egress = blocks(spec.egress);
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: {
      name: meta.name,
      namespace: meta.namespace,
      ...(isObj(meta.labels) ? { labels: meta.labels } : {}),
      ...(isObj(meta.annotations) ? { annotations: meta.annotations } : {}),
    },
    spec: {
      podSelector: expandLabelSelector(spec.pod_selector),
      ...(ingress.length > 0 ? { ingress: expandRules(ingress, "from") } : {}),
      ...(egress.length > 0 ? { egress: expandRules(egress, "to") } : {}),
      policyTypes: [...(spec.policy_types ?? [])],
    },
  };
}

// ---- the API server's side ----------------------------------------------------------------------

function decodeSelector(v: unknown): Obj {
  const s = isObj(v) ? v : {};
  const out: Obj = {};
  if (isObj(s.matchLabels)) out.matchLabels = Object.fromEntries(Object.entries(s.matchLabels).map(([k, x]) => [k, x ?? ""]));
  if (Array.isArray(s.matchExpressions)) {
    out.matchExpressions = s.matchExpressions.map((e: Obj | null) => {
      const x = e ?? {};
      return {
        key: x.key ?? "",
        operator: x.operator ?? "",
        ...(Array.isArray(x.values) ? { values: x.values.map((v: unknown) => v ?? "") } : {}),
      };
    });
  }
  return omitEmpty(out);
}

/** Go's `omitempty` on slices and optional fields: absent and empty lists are left out. */
function omitEmpty(o: Obj): Obj {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0)));
}

const dropEmptyMaps = (o: Obj, keys: string[]): Obj => {
  const out = { ...o };
  for (const k of keys) if (isObj(out[k]) && Object.keys(out[k]).length === 0) delete out[k];
  return out;
};

function decodePorts(list: unknown): Obj[] {
  return (Array.isArray(list) ? list : []).map((p: Obj | null) => {
    const x = p ?? {};
    return omitEmpty({
      protocol: x.protocol ?? "TCP", // SetDefaults_NetworkPolicyPort
      ...(x.port !== undefined && x.port !== null ? { port: x.port } : {}),
      ...(x.endPort !== undefined && x.endPort !== null ? { endPort: x.endPort } : {}),
    });
  });
}

function decodePeers(list: unknown): Obj[] {
  return (Array.isArray(list) ? list : []).map((p: Obj | null) => {
    const x = p ?? {};
    const out: Obj = {};
    if (isObj(x.ipBlock))
      out.ipBlock = omitEmpty({
        cidr: x.ipBlock.cidr,
        except: Array.isArray(x.ipBlock.except) ? x.ipBlock.except.map((e: unknown) => e ?? "") : undefined,
      });
    if (isObj(x.namespaceSelector)) out.namespaceSelector = dropEmptyMaps(decodeSelector(x.namespaceSelector), ["matchLabels"]);
    if (isObj(x.podSelector)) out.podSelector = dropEmptyMaps(decodeSelector(x.podSelector), ["matchLabels"]);
    return out;
  });
}

function decodeRules(list: unknown, peers: "from" | "to"): Obj[] {
  return (Array.isArray(list) ? list : []).map((r: Obj | null) => {
    const x = r ?? {};
    return omitEmpty({ ports: decodePorts(x.ports), [peers]: decodePeers(x[peers]) });
  });
}

/** What kube-apiserver stores for a NetworkPolicy document as written (YAML already parsed). */
export function storedByApiServer(doc: Obj): Obj {
  const meta = isObj(doc.metadata) ? doc.metadata : {};
  const spec = isObj(doc.spec) ? doc.spec : {};
  const ingress = decodeRules(spec.ingress, "from");
  const egress = decodeRules(spec.egress, "to");
  const declared = Array.isArray(spec.policyTypes) ? spec.policyTypes.filter((t: unknown) => t !== null) : [];
  // SetDefaults_NetworkPolicy: Ingress always, Egress when there is an egress rule.
  const policyTypes = declared.length > 0 ? declared : egress.length > 0 ? ["Ingress", "Egress"] : ["Ingress"];
  const labels =
    isObj(meta.labels) && Object.keys(meta.labels).length > 0
      ? Object.fromEntries(Object.entries(meta.labels).map(([k, v]) => [k, v ?? ""]))
      : undefined;
  const annotations =
    isObj(meta.annotations) && Object.keys(meta.annotations).length > 0
      ? Object.fromEntries(Object.entries(meta.annotations).map(([k, v]) => [k, v ?? ""]))
      : undefined;
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: omitEmpty({ name: meta.name, namespace: meta.namespace, labels, annotations }),
    spec: omitEmpty({ podSelector: dropEmptyMaps(decodeSelector(spec.podSelector), ["matchLabels"]), ingress, egress, policyTypes }),
  };
}

/** The provider's request, defaulted and encoded as the API server stores it. */
export function storedAfterTerraform(resource: Obj): Obj {
  return storedByApiServer(expandFromTerraform(resource));
}
