import { readFileSync } from "node:fs";
import * as path from "node:path";
import { App, TerraformStack, Testing } from "cdktf";
import type { Construct, IConstruct } from "constructs";
import { SynthError } from "../../lib/shared/synth-error";
import { tempDir } from "./temp";

let outdir: string | undefined;
/**
 * `Testing.app()` with one output directory per test file: `Testing.synth` writes
 * nothing there, and a temporary directory per app was a fifth of the suite's time.
 */
export function testApp(): App {
  outdir ??= tempDir("cdktf.outdir-");
  return Testing.app({ outdir });
}

/** Synthesizes one fresh stack built by `build` and returns its Terraform JSON. */
export function synthStack(build: (stack: Construct) => void): TerraformJson {
  const stack = new TerraformStack(testApp(), "test");
  build(stack);
  return JSON.parse(Testing.synth(stack)) as TerraformJson;
}

/**
 * The parts of synthesized resources the tests read, by resource type (the shapes cdktf writes
 * for the provider bindings this module uses). Other types read as plain records.
 */
export interface NullResourceJson {
  readonly triggers: Record<string, string>;
  readonly provisioner: Array<{
    "local-exec": { command: string; interpreter?: string[]; environment: Record<string, string>; [key: string]: unknown };
  }>;
  readonly depends_on?: string[];
  readonly provider?: string;
  readonly [key: string]: unknown;
}
export interface HelmReleaseJson {
  readonly values: string[];
  readonly version: string;
  readonly depends_on?: string[];
  readonly provider?: string;
  readonly [key: string]: unknown;
}
/** A kubernetes_network_policy_v1 spec as the provider binding writes it (snake_case blocks). */
export interface NetworkPolicySpecJson {
  readonly pod_selector: { match_labels?: Record<string, string>; match_expressions?: Array<Record<string, unknown>> };
  readonly policy_types?: string[];
  readonly ingress: Array<{ from: Array<Record<string, unknown>>; ports: Array<Record<string, unknown>> }>;
  readonly egress?: Array<{ to?: Array<Record<string, unknown>>; ports?: Array<Record<string, unknown>> }>;
}
export interface NetworkPolicyV1Json {
  readonly metadata: { name: string; namespace: string; annotations?: Record<string, string>; [key: string]: unknown };
  readonly spec: NetworkPolicySpecJson;
  readonly depends_on?: string[];
  readonly provider?: string;
  readonly [key: string]: unknown;
}
export interface ManifestJson {
  readonly manifest: { metadata: Record<string, unknown>; [key: string]: unknown };
  readonly depends_on?: string[];
  readonly provider?: string;
  readonly [key: string]: unknown;
}
export interface ResourceJsonByType {
  null_resource: NullResourceJson;
  helm_release: HelmReleaseJson;
  kubernetes_network_policy_v1: NetworkPolicyV1Json;
  kubernetes_manifest: ManifestJson;
}
type ResourceJson<T extends string> = T extends keyof ResourceJsonByType ? ResourceJsonByType[T] : Record<string, unknown>;

/** The providers' blocks the tests read (config_path(s), config_context), by provider name. */
export interface ProviderJson {
  readonly config_path?: string;
  readonly config_paths?: string[];
  readonly config_context?: string;
  readonly alias?: string;
  readonly kubernetes?: ProviderJson;
  readonly [key: string]: unknown;
}

export interface TerraformJson {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  provider?: Record<string, ProviderJson[]>;
  [key: string]: unknown;
}

/** All resources of one type, by address name. */
export function resourcesOf<T extends string>(json: TerraformJson, type: T): Record<string, ResourceJson<T>> {
  return (json.resource?.[type] ?? {}) as Record<string, ResourceJson<T>>;
}

/** The first resource of a type (in the order cdktf wrote them). */
export function firstResource<T extends string>(json: TerraformJson, type: T): ResourceJson<T> {
  const first = Object.values(resourcesOf(json, type))[0];
  if (!first) throw new Error(`no ${type} in the synthesized stack`);
  return first;
}

/** The only resource of a type. */
export function onlyResource<T extends string>(json: TerraformJson, type: T): ResourceJson<T> {
  const all = Object.values(resourcesOf(json, type));
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0];
}

/** A provider's blocks, by provider name (`kubernetes`, `helm`, ...). */
export function providersOf(json: TerraformJson, name: string): ProviderJson[] {
  return json.provider?.[name] ?? [];
}

/** `app.synth()` into its outdir, then every stack's cdk.tf.json by stack name. */
export function synthApp(app: App): Record<string, TerraformJson> {
  app.synth();
  const manifest = JSON.parse(readFileSync(path.join(app.outdir, "manifest.json"), "utf8")) as {
    stacks: Record<string, { synthesizedStackPath: string }>;
  };
  return Object.fromEntries(
    Object.entries(manifest.stacks).map(([name, s]) => [
      name,
      JSON.parse(readFileSync(path.join(app.outdir, s.synthesizedStackPath), "utf8")),
    ]),
  );
}

/** A fresh App with its own output directory (for `synthApp`); like Testing.app, stacks need not configure every provider. */
export function freshApp(): App {
  return new App({ outdir: path.join(tempDir("cdktf.app-"), "cdktf.out"), skipValidation: true });
}

/** The warnings recorded on `scope` and below (what lib/shared/warn.ts also writes to stderr). */
export function warningsOf(scope: IConstruct): string[] {
  return scope.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data)));
}

/**
 * The synth warnings `fn` writes to stderr, one entry per warning (`warning: <construct path>:
 * ...`, continuation lines included): what a user of `node app.js` sees, where cdktf-cli's
 * annotation summary is not printed.
 */
export function printedWarnings(fn: () => unknown): string[] {
  const printed: string[] = [];
  const spy = jest.spyOn(process.stderr, "write").mockImplementation(((chunk: unknown) => {
    if (typeof chunk === "string" && chunk.startsWith("warning: ")) printed.push(chunk.replace(/\n$/, ""));
    return true;
  }) as typeof process.stderr.write);
  try {
    fn();
  } finally {
    spy.mockRestore();
  }
  return printed;
}

/** The SynthError `build` throws; any other outcome fails the test. */
export function refusalOf(build: () => unknown): SynthError {
  try {
    build();
  } catch (err) {
    if (err instanceof SynthError) return err;
    throw err;
  }
  throw new Error("expected a SynthError");
}
