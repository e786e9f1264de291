/**
 * The Cilium chart pin of each supported line: the newest patch of the line tagged in
 * cilium/cilium and published as a chart on https://helm.cilium.io. Renovate updates each
 * within its line (renovate.json: one regex manager per line, patch updates only); the
 * other facts of a line are in lines.ts. README, docs/, help, the schema README and the
 * TSDoc `@default` of `CiliumReleaseOptions.version` follow the default through `npm run docs`.
 */
export const CILIUM_PINS = {
  "1.19": "1.19.8",
  "1.20": "1.20.2",
} as const;

/** A supported Cilium minor line. */
export type CiliumLine = keyof typeof CILIUM_PINS;

/** The line an app without `version` installs. */
export const DEFAULT_CILIUM_LINE: CiliumLine = "1.20";

/** The Cilium chart version pinned by default: the pin of {@link DEFAULT_CILIUM_LINE}. */
export const DEFAULT_CILIUM_VERSION: string = CILIUM_PINS[DEFAULT_CILIUM_LINE];
