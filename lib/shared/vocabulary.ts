/**
 * The words more than one folder speaks: a path's protocol and Cilium's policy enforcement modes
 * (a verdict's words, and the other Cilium settings' words, are lib/paths/types.ts'). Each is a literal union (the type the public API names) and, beside it, the same
 * words as a list for code that checks input at run time; `listOf` makes the compiler refuse a
 * list that misses or adds a word, so the two cannot drift. Every other file imports these;
 * `__tests__/architecture/vocabulary.test.ts` refuses a second spelling of a union elsewhere in lib/.
 * No imports: the check's bundle and the path engine use these too.
 */

/** The members of the union `T` as a list; a list that misses one or adds another does not compile. */
export function listOf<T extends string>() {
  return <const L extends readonly T[]>(list: L & ([T] extends [L[number]] ? unknown : { missing: Exclude<T, L[number]> })): readonly T[] =>
    list;
}

/**
 * A protocol a path or a port rule names. Cilium's `L4Proto` (cilium/cilium v1.20.2,
 * pkg/policy/api/l4.go) also has `ICMP`, `ICMPv6`, `VRRP`, `IGMP` and `ANY`; a path is decided for
 * one of the three a Kubernetes NetworkPolicy port can name.
 */
export type PathProtocol = "TCP" | "UDP" | "SCTP";
/** {@link PathProtocol}'s words, in that order. */
export const PATH_PROTOCOLS = listOf<PathProtocol>()(["TCP", "UDP", "SCTP"]);

/**
 * Cilium's policy enforcement mode: the agent option `enable-policy` and the chart value
 * `policyEnforcementMode` (cilium/cilium v1.20.2, pkg/option/constants.go: `DefaultEnforcement`,
 * `AlwaysEnforce`, `NeverEnforce`).
 */
export type PolicyEnforcementMode = "default" | "always" | "never";
/** {@link PolicyEnforcementMode}'s words, in that order. */
export const POLICY_ENFORCEMENT_MODES = listOf<PolicyEnforcementMode>()(["default", "always", "never"]);
