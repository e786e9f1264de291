/**
 * The Cilium chart pin of each supported line: the newest patch of the line tagged in
 * cilium/cilium and published as a chart on https://helm.cilium.io. Renovate updates each
 * within its line (renovate.json: one regex manager per line, patch updates only); the
 * other facts of a line are in lines.ts. README, docs/, help, the schema README and the
 * TSDoc `@default` of `CiliumReleaseOptions.version` follow the default through `npm run docs`.
 */
/** A supported Cilium minor line: the keys of `CILIUM_PINS`, which must pin each. */
export type CiliumLine = "1.19" | "1.20";

export const CILIUM_PINS: { readonly [line in CiliumLine]: string } = {
  "1.19": "1.19.8",
  "1.20": "1.20.2",
};

/** The line an app without `version` installs. */
export const DEFAULT_CILIUM_LINE: CiliumLine = "1.20";

/** The Cilium chart version pinned by default: the pin of the default line (`DEFAULT_CILIUM_LINE`). */
export const DEFAULT_CILIUM_VERSION: string = CILIUM_PINS[DEFAULT_CILIUM_LINE];
