/**
 * Warnings about valid documents that do not do what they seem to say. They never fail
 * synth: the NetworkPolicies construct says each once (lib/shared/warn.ts: on stderr and
 * as its warning annotation), unless its id is in `NetworkPoliciesOptions.silenceWarnings`.
 */
import { isObject } from "../shared/stable-json";
import type { Path } from "./kubernetes-rules";

/** The id of a policy warning, for `NetworkPoliciesOptions.silenceWarnings`. */
export type PolicyWarning =
  | "null-peer-list"
  | "node-selector-in-namespaced-policy"
  | "namespace-dropped"
  | "status-dropped"
  | "server-metadata-dropped"
  | "no-rules"
  | "port-out-of-range"
  | "icmp-type-out-of-range";

/** Every {@link PolicyWarning}, in the order of its type. */
export const POLICY_WARNINGS: readonly PolicyWarning[] = [
  "null-peer-list",
  "node-selector-in-namespaced-policy",
  "namespace-dropped",
  "status-dropped",
  "server-metadata-dropped",
  "no-rules",
  "port-out-of-range",
  "icmp-type-out-of-range",
];

/** One warning about one field of one document. @internal */
export interface PolicyWarningNotice {
  readonly id: PolicyWarning;
  readonly file: string;
  readonly document: number;
  readonly field: string;
  readonly message: string;
}

/** How a warning reads in cdktf's output: where, what, and how to silence it. */
export function formatWarning(w: PolicyWarningNotice): string {
  return `${w.file} (document ${w.document}) ${w.field}: ${w.message} [${w.id}: silence with silenceWarnings: ["${w.id}"]]`;
}

export type Warn = (id: PolicyWarning, path: Path, message: string) => void;

const DIRECTIONS = ["ingress", "ingressDeny", "egress", "egressDeny"] as const;
/** Keys of a rule entry that are not peer lists. */
const NOT_PEERS = new Set(["toPorts", "icmps", "authentication"]);
/**
 * A port is 16 bits; Cilium's agent refuses a numeric port above it (`"99999"`). The CRD's pattern lets it through: its numeric alternative is anchored only at
 * the start (`^(...|[0-9]{1,4})|...$`), so `"99999"` matches on `"9999"`.
 */
const MAX_PORT = 65535;
/** ICMP and ICMPv6 types are 8 bits (RFC 792, RFC 4443); the CRD bounds only the strings (by pattern), not integers. */
const MAX_ICMP_TYPE = 255;

/**
 * The warnings of a Cilium policy that passed validation. `raw` is the document as
 * written (for nulls), `doc` as kube-apiserver stores it (nulls removed).
 */
export function ciliumPolicyWarnings(raw: Record<string, unknown>, doc: Record<string, unknown>, namespaced: boolean, warn: Warn): void {
  if (doc.spec === undefined && doc.specs === undefined) {
    warn(
      "no-rules",
      [],
      "has neither spec nor specs: the 1.19 CRD accepts it, but it holds no rule (Cilium refuses such a policy at admission from 1.20); add a spec",
    );
  }
  const rules: Array<[Path, unknown, unknown]> = [];
  if (doc.spec !== undefined) rules.push([["spec"], raw.spec, doc.spec]);
  if (Array.isArray(doc.specs)) for (const [i, r] of doc.specs.entries()) rules.push([["specs", i], (raw.specs as unknown[])[i], r]);
  for (const [at, writtenRule, rule] of rules) {
    if (!isObject(rule)) continue;
    if (namespaced && rule.nodeSelector !== undefined) {
      warn(
        "node-selector-in-namespaced-policy",
        [...at, "nodeSelector"],
        "nodeSelector can only be used in a CiliumClusterwideNetworkPolicy (the CRD's own description); in a CiliumNetworkPolicy it does not select nodes. Use a CiliumClusterwideNetworkPolicy for host policies",
      );
    }
    for (const direction of DIRECTIONS) {
      const written = isObject(writtenRule) ? writtenRule[direction] : undefined;
      const entries = rule[direction];
      if (!Array.isArray(entries)) continue;
      for (const [j, entry] of entries.entries()) {
        const where = [...at, direction, j];
        const writtenEntry = Array.isArray(written) ? written[j] : undefined;
        if (isObject(writtenEntry)) {
          for (const [key, value] of Object.entries(writtenEntry)) {
            if (value !== null || NOT_PEERS.has(key) || !/^(from|to)[A-Z]/.test(key)) continue;
            warn(
              "null-peer-list",
              [...where, key],
              `has no value (null): kube-apiserver drops it, and a rule left without peers (\`{}\`) selects no peer while it puts the endpoints in default deny. Write \`${key}: [{}]\` for every endpoint, or list the peers`,
            );
          }
        }
        if (!isObject(entry)) continue;
        if (Array.isArray(entry.toPorts)) {
          for (const [k, portRule] of entry.toPorts.entries()) {
            if (!isObject(portRule) || !Array.isArray(portRule.ports)) continue;
            for (const [m, port] of portRule.ports.entries()) {
              if (!isObject(port) || typeof port.port !== "string" || !/^\d+$/.test(port.port) || Number(port.port) <= MAX_PORT) continue;
              warn(
                "port-out-of-range",
                [...where, "toPorts", k, "ports", m, "port"],
                `"${port.port}" passes the CRD's pattern, but Cilium's agent refuses a port above ${MAX_PORT}, so the policy will not be enforced; use a port from 0 to ${MAX_PORT}`,
              );
            }
          }
        }
        if (Array.isArray(entry.icmps)) {
          for (const [k, icmp] of entry.icmps.entries()) {
            if (!isObject(icmp) || !Array.isArray(icmp.fields)) continue;
            for (const [m, field] of icmp.fields.entries()) {
              if (!isObject(field) || typeof field.type !== "number" || (field.type >= 0 && field.type <= MAX_ICMP_TYPE)) continue;
              warn(
                "icmp-type-out-of-range",
                [...where, "icmps", k, "fields", m, "type"],
                `${field.type} is accepted by the CRD (it does not bound integers), but an ICMP type is 0-${MAX_ICMP_TYPE}: Cilium's agent cannot enforce it`,
              );
            }
          }
        }
      }
    }
  }
}
