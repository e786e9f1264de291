/**
 * `cdktf-cilium/testing`: jest matchers that decide a path from a policy set, for PR tests.
 *
 * ```ts
 * import "cdktf-cilium/testing"; // registers the matchers with jest's expect
 * expect(policies).toAllowPath({ from: { entity: "kube-apiserver" }, to: webhookPods, protocol: "TCP", port: 10250 });
 * ```
 *
 * Each matcher takes a `NetworkPolicies` construct (decided as synth decides it: over every
 * policy the app deploys to the same cluster, with the construct's Cilium settings and
 * assumptions), an array of policy documents (decided alone, with the engine's defaults), or a
 * `TerraformStack` holding exactly one `NetworkPolicies`. The failure message is the verdict's
 * explanation. `@jest/expect` (jest's own) is an optional peer dependency: the matchers register
 * with the `expect` of the running test.
 */
import { TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";
import { analyzePath } from "./analyze-path";
import type { PathPeer, PathVerdict } from "./paths";
import type { Verdict } from "./paths/types";
import type { PathProtocol } from "./shared/vocabulary";
import { NetworkPolicies } from "./policies/network-policies";

/** The path a matcher decides: a `RequiredPath` fits too (its `name` is ignored). */
export interface PathQuery {
  readonly from: PathPeer;
  readonly to: PathPeer;
  /** @default "TCP" */
  readonly protocol?: PathProtocol;
  /** The destination pod's port, after Service translation. */
  readonly port: number;
}

/** What the matchers accept. */
export type PolicySubject = NetworkPolicies | TerraformStack | readonly unknown[];

/** @internal Decides `path` for a matcher's subject; throws a TypeError for a subject it cannot decide. */
export function decideSubject(subject: unknown, path: PathQuery): PathVerdict {
  const query = { from: path.from, to: path.to, protocol: path.protocol ?? "TCP", port: path.port };
  if (Array.isArray(subject)) return analyzePath({ policies: [...subject], path: query });
  if (subject instanceof NetworkPolicies) return subject.decidePath(query);
  if (subject instanceof TerraformStack) {
    const found = subject.node.findAll().filter((c: IConstruct): c is NetworkPolicies => c instanceof NetworkPolicies);
    if (found.length !== 1) {
      const names = found.map((c) => c.node.path).join(", ");
      throw new TypeError(
        `cdktf-cilium/testing: stack ${subject.node.path} holds ${found.length} NetworkPolicies${names ? ` (${names})` : ""}; pass the one to decide over`,
      );
    }
    return found[0].decidePath(query);
  }
  throw new TypeError(
    "cdktf-cilium/testing: expected a NetworkPolicies construct, a TerraformStack holding one, or an array of policy documents",
  );
}

function describe(path: PathQuery): string {
  const peer = (p: PathPeer) => JSON.stringify(p);
  return `${peer(path.from)} -> ${peer(path.to)} ${path.protocol ?? "TCP"}/${path.port}`;
}

function report(verdict: PathVerdict): string {
  const lines = [`verdict: ${verdict.verdict}${verdict.unknownReason ? ` (${verdict.unknownReason})` : ""}`];
  if (verdict.blame) {
    lines.push(
      `blame: ${verdict.blame.direction} ${verdict.blame.kind}${verdict.blame.policy ? ` in ${verdict.blame.policy}` : ""}; isolated by ${verdict.blame.isolatedBy.join(", ") || "nothing"}`,
    );
  }
  return [...lines, ...verdict.explanation.map((step) => `  ${step}`)].join("\n");
}

function matcher(wanted: Exclude<Verdict, "unknown">) {
  // The types jest's expect.extend gives a matcher, written out: the entry names nothing of jest's.
  return function (
    this: { readonly isNot: boolean },
    received: unknown,
    path: PathQuery,
  ): { readonly pass: boolean; readonly message: () => string } {
    const verdict = decideSubject(received, path);
    const pass = verdict.verdict === wanted;
    return {
      pass,
      message: () =>
        `expected the path ${describe(path)} ${this.isNot ? "not " : ""}to be ${wanted}, but it is ${verdict.verdict}\n${report(verdict)}`,
    };
  };
}

/** `expect(subject).toAllowPath(path)`: the path is allowed (by a rule, or because nothing isolates it). */
export const toAllowPath = matcher("allowed");
/** `expect(subject).toDenyPath(path)`: the path is denied (the message names the deciding rule). */
export const toDenyPath = matcher("denied");

/** Both matchers, for `expect.extend(ciliumMatchers)` where the automatic registration does not apply. */
export const ciliumMatchers = { toAllowPath, toDenyPath };

declare global {
  namespace jest {
    interface Matchers<R> {
      /** The path is allowed over the subject's policies (cdktf-cilium/testing). */
      toAllowPath(path: PathQuery): R;
      /** The path is denied over the subject's policies (cdktf-cilium/testing). */
      toDenyPath(path: PathQuery): R;
    }
  }
}

type Extendable = { extend(matchers: Record<string, unknown>): void };
function register(): void {
  const global = (globalThis as { expect?: Extendable }).expect;
  if (global && typeof global.extend === "function") {
    global.extend(ciliumMatchers);
    return;
  }
  try {
    // jest's own expect, where the test framework has no global one (injectGlobals: false).
    const { jestExpect } = require("@jest/expect") as { jestExpect: Extendable };
    jestExpect.extend(ciliumMatchers);
  } catch {
    // No jest here: the matchers are still exported for expect.extend().
  }
}
register();
