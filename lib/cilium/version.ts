/**
 * The Cilium chart version pinned by default: the newest patch of the newest
 * Cilium minor whose chart values schema this package vendors
 * (schemas/cilium, the 1.19 line). Renovate updates this line
 * (renovate.json); README, docs/, help, the schema README and the TSDoc `@default` of
 * `CiliumReleaseOptions.version` are kept in step by `npm run docs`.
 */
export const DEFAULT_CILIUM_VERSION = "1.19.8";
