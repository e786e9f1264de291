/**
 * The parts of the Kubernetes API server's NetworkPolicy validation
 * (k8s.io/kubernetes pkg/apis/networking/validation, apimachinery's
 * validation helpers) that the OpenAPI schema does not carry, so schema
 * validation alone would let them through to `terraform apply`.
 * CIDR parsing and containment use ipaddr.js.
 */
import * as ipaddr from "ipaddr.js";
import { isDns1123Label, isDns1123Subdomain } from "../shared/k8s-names";
import { isObject } from "../shared/stable-json";

export type Path = ReadonlyArray<string | number>;
export type Report = (path: Path, message: string) => void;

const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

export function validateDns1123Subdomain(value: unknown, path: Path, report: Report): void {
  if (typeof value !== "string") return;
  if (!isDns1123Subdomain(value)) {
    report(
      path,
      `"${value}" is not a valid name: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (at most 253 characters)`,
    );
  }
}

export function validateDns1123Label(value: unknown, path: Path, report: Report): void {
  if (typeof value !== "string") return;
  if (!isDns1123Label(value)) {
    report(
      path,
      `"${value}" is not a valid namespace: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (at most 63 characters)`,
    );
  }
}

/** Label and annotation keys: `[prefix/]name`. */
export function validateQualifiedName(key: string, path: Path, report: Report): void {
  const slash = key.lastIndexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const badPrefix = prefix !== undefined && !isDns1123Subdomain(prefix);
  if (badPrefix || name.length === 0 || name.length > 63 || !QUALIFIED_NAME_PART.test(name)) {
    report(
      path,
      `"${key}" is not a valid label key: an optional DNS subdomain prefix and '/', then a name of at most 63 alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric character`,
    );
  }
}

export function validateLabelValue(value: unknown, path: Path, report: Report): void {
  if (typeof value !== "string") return;
  if (value.length > 63 || !LABEL_VALUE.test(value)) {
    report(
      path,
      `"${value}" is not a valid label value: at most 63 alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric character`,
    );
  }
}

/**
 * kube-apiserver decodes ObjectMeta's labels and annotations as map[string]string before any
 * validation or schema (a CRD's schema does not describe metadata), so anything else is refused
 * with a 400: `json: cannot unmarshal array into Go struct field ObjectMeta.labels of type
 * map[string]string`. A null value stays allowed: Go's decoder leaves it the empty string.
 * NetworkPolicy's own schema checks this already; the Cilium kinds' CRDs say nothing of metadata.
 */
export function validateStringMap(map: unknown, path: Path, report: Report): void {
  if (map === undefined || map === null) return;
  if (!isObject(map)) {
    report(path, `must be a map of strings, not ${Array.isArray(map) ? "a list" : typeof map}`);
    return;
  }
  for (const [key, value] of Object.entries(map)) {
    if (value !== null && typeof value !== "string") {
      const type = Array.isArray(value) ? "a list" : typeof value === "object" ? "a map" : typeof value;
      report([...path, key], `must be a string, not ${type} (quote it)`);
    }
  }
}

export function validateLabels(labels: unknown, path: Path, report: Report): void {
  if (!isObject(labels)) return;
  for (const [key, value] of Object.entries(labels)) {
    validateQualifiedName(key, [...path, key], report);
    validateLabelValue(value, [...path, key], report);
  }
}

/** The API server's limit on all annotations of one object together (TotalAnnotationSizeLimitB). */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/**
 * Annotations as apimachinery's ValidateAnnotations checks them: each key is a
 * qualified name once lower-cased (the prefix is a DNS subdomain, matched
 * case-insensitively), and keys plus values take at most 256 KiB.
 */
export function validateAnnotations(annotations: unknown, path: Path, report: Report): void {
  if (!isObject(annotations)) return;
  let size = 0;
  for (const [key, value] of Object.entries(annotations)) {
    validateQualifiedName(key.toLowerCase(), [...path, key], report);
    size += Buffer.byteLength(key) + (typeof value === "string" ? Buffer.byteLength(value) : 0);
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) {
    report(path, `annotations take ${size} bytes; the API server allows at most ${TOTAL_ANNOTATION_SIZE_LIMIT} (256 KiB) per object`);
  }
}

const SELECTOR_OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist"];

/** metav1.LabelSelector: label syntax and operator/values consistency. */
export function validateLabelSelector(selector: unknown, path: Path, report: Report): void {
  if (!isObject(selector)) return;
  validateLabels(selector.matchLabels, [...path, "matchLabels"], report);
  const expressions = selector.matchExpressions;
  if (!Array.isArray(expressions)) return;
  expressions.forEach((expr, i) => {
    if (!isObject(expr)) return;
    const at = [...path, "matchExpressions", i];
    if (typeof expr.key === "string") validateQualifiedName(expr.key, [...at, "key"], report);
    const values = Array.isArray(expr.values) ? expr.values : [];
    const op = expr.operator;
    if (typeof op !== "string" || !SELECTOR_OPERATORS.includes(op)) {
      report([...at, "operator"], `"${String(op)}" is not a valid selector operator; use one of ${SELECTOR_OPERATORS.join(", ")}`);
    } else if ((op === "In" || op === "NotIn") && values.length === 0) {
      report([...at, "values"], `must be non-empty when operator is ${op}`);
    } else if ((op === "Exists" || op === "DoesNotExist") && values.length > 0) {
      report([...at, "values"], `must be empty when operator is ${op}`);
    }
    values.forEach((v, j) => {
      validateLabelValue(v, [...at, "values", j], report);
    });
  });
}

/** NetworkPolicyPort: numeric port 1-65535 or an IANA service name; endPort rules. */
export function validatePort(port: unknown, path: Path, report: Report): void {
  if (!isObject(port)) return;
  const p = port.port;
  if (typeof p === "number") {
    if (!Number.isInteger(p) || p < 1 || p > 65535)
      report([...path, "port"], `${p} is out of range: must be between 1 and 65535, inclusive`);
  } else if (typeof p === "string") {
    if (p.length > 15 || !IANA_SVC_NAME.test(p) || !/[a-z]/.test(p) || p.includes("--")) {
      report(
        [...path, "port"],
        `"${p}" is neither a port number nor a valid port name (an IANA service name: at most 15 lowercase alphanumerics or '-', with at least one letter; write numbers unquoted)`,
      );
    }
  }
  const end = port.endPort;
  if (end === undefined || end === null) return;
  if (typeof end !== "number") return; // the schema reports the type
  if (p === undefined || p === null) report([...path, "endPort"], "may not be specified when port is not specified");
  else if (typeof p !== "number") report([...path, "endPort"], "may not be specified when port is a named port");
  else if (!Number.isInteger(end) || end < p || end > 65535)
    report([...path, "endPort"], `${end} must be an integer from port (${p}) to 65535`);
}

function parseCidr(value: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | undefined {
  const slash = value.indexOf("/");
  if (slash < 0) return undefined;
  const addr = value.slice(0, slash);
  const bits = value.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits)) return undefined;
  if (!ipaddr.IPv4.isValidFourPartDecimal(addr) && !(addr.includes(":") && ipaddr.IPv6.isValid(addr))) return undefined;
  try {
    return ipaddr.parseCIDR(value);
  } catch {
    return undefined;
  }
}

/** IPBlock: a valid CIDR, and every `except` a strict subset of it. */
export function validateIpBlock(block: unknown, path: Path, report: Report): void {
  if (!isObject(block) || typeof block.cidr !== "string") return;
  const cidr = parseCidr(block.cidr);
  if (!cidr) {
    report([...path, "cidr"], `"${block.cidr}" is not a valid CIDR (e.g. 10.0.0.0/8 or fd00::/8)`);
    return;
  }
  if (!Array.isArray(block.except)) return;
  block.except.forEach((e, i) => {
    if (typeof e !== "string") return;
    const ex = parseCidr(e);
    if (!ex) report([...path, "except", i], `"${e}" is not a valid CIDR`);
    else if (ex[0].kind() !== cidr[0].kind() || ex[1] <= cidr[1] || !ex[0].match(cidr)) {
      report([...path, "except", i], `"${e}" must be a strict subset of cidr ${block.cidr}`);
    }
  });
}

/** NetworkPolicyPeer: exactly one of ipBlock or selectors. */
export function validatePeer(peer: unknown, path: Path, report: Report): void {
  if (!isObject(peer)) return;
  const selectors = ["podSelector", "namespaceSelector"].filter((k) => peer[k] !== undefined && peer[k] !== null);
  const hasIpBlock = peer.ipBlock !== undefined && peer.ipBlock !== null;
  if (!hasIpBlock && selectors.length === 0) report(path, "must specify a peer: podSelector, namespaceSelector or ipBlock");
  if (hasIpBlock && selectors.length > 0) report(path, "may not specify both ipBlock and another peer");
  for (const k of selectors) validateLabelSelector(peer[k], [...path, k], report);
  if (hasIpBlock) validateIpBlock(peer.ipBlock, [...path, "ipBlock"], report);
}

/** NetworkPolicySpec rules beyond the schema. */
export function validateNetworkPolicySpec(spec: unknown, path: Path, report: Report): void {
  if (!isObject(spec)) return;
  validateLabelSelector(spec.podSelector, [...path, "podSelector"], report);
  if (Array.isArray(spec.policyTypes) && spec.policyTypes.length > 2)
    report([...path, "policyTypes"], "may not specify more than two policyTypes");
  for (const [direction, peers] of [
    ["ingress", "from"],
    ["egress", "to"],
  ] as const) {
    const rules = spec[direction];
    if (!Array.isArray(rules)) continue;
    rules.forEach((rule, i) => {
      if (!isObject(rule)) return;
      const at = [...path, direction, i];
      if (Array.isArray(rule.ports)) for (const [j, port] of rule.ports.entries()) validatePort(port, [...at, "ports", j], report);
      const list = rule[peers];
      if (Array.isArray(list)) for (const [j, peer] of list.entries()) validatePeer(peer, [...at, peers, j], report);
    });
  }
}
