import { readFileSync } from "node:fs";
import * as path from "node:path";
import Ajv from "ajv";
import { TerraformStack, Testing } from "cdktf";
import { parse } from "yaml";
import { CiliumRelease, type CiliumReleaseProps, DEFAULT_CILIUM_VERSION, TALOS_PRESET } from "../lib";
import { onlyResource, synthStack } from "./helpers/synth";

function release(props: CiliumReleaseProps = {}) {
  const json = synthStack((s) => new CiliumRelease(s, "cilium", props));
  const r = onlyResource(json, "helm_release");
  return { resource: r, values: parse((r.values as string[])[0]) as Record<string, any> };
}

function refusal(props: CiliumReleaseProps): string {
  const stack = new TerraformStack(Testing.app(), "test");
  try {
    new CiliumRelease(stack, "cilium", props);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected CiliumRelease to refuse these props");
}

test("synthesizes one pinned helm_release of Cilium (snapshot)", () => {
  const { resource } = release({ talos: true, operatorReplicas: 1 });
  expect(resource).toMatchSnapshot();
});

test("release settings have the documented defaults", () => {
  const { resource } = release();
  expect(resource).toMatchObject({
    name: "cilium",
    repository: "https://helm.cilium.io",
    chart: "cilium",
    version: DEFAULT_CILIUM_VERSION,
    namespace: "kube-system",
    wait: true,
    timeout: 600,
    atomic: false,
    cleanup_on_fail: true,
    max_history: 10,
  });
  expect(DEFAULT_CILIUM_VERSION).toMatch(/^1\.\d+\.\d+$/);
});

test("the Talos preset writes the values Talos documents", () => {
  const { values } = release({ talos: true });
  expect(values).toMatchObject({
    ipam: { mode: "kubernetes" },
    kubeProxyReplacement: true,
    k8sServiceHost: "localhost",
    k8sServicePort: 7445,
    cgroup: { autoMount: { enabled: false }, hostRoot: "/sys/fs/cgroup" },
    policyEnforcementMode: "default",
  });
  expect(values.securityContext.capabilities.ciliumAgent).toEqual([
    "CHOWN",
    "KILL",
    "NET_ADMIN",
    "NET_RAW",
    "IPC_LOCK",
    "SYS_ADMIN",
    "SYS_RESOURCE",
    "DAC_OVERRIDE",
    "FOWNER",
    "SETGID",
    "SETUID",
  ]);
  expect(values.securityContext.capabilities.cleanCiliumState).toEqual(["NET_ADMIN", "SYS_ADMIN", "SYS_RESOURCE"]);
  expect(JSON.stringify(values)).not.toContain("SYS_MODULE");
});

test("without the preset only the enforcement mode is written", () => {
  expect(release().values).toEqual({ policyEnforcementMode: "default" });
});

test("merge order: preset < typed props < values escape hatch; lists are replaced; null removes", () => {
  const { values } = release({
    talos: true,
    k8sServicePort: 7446,
    policyEnforcementMode: "always",
    values: {
      k8sServicePort: 7447,
      hubble: { relay: { enabled: true } },
      cgroup: { autoMount: { enabled: false } },
      securityContext: { capabilities: { cleanCiliumState: ["NET_ADMIN"] } },
      ipam: null,
    },
  });
  expect(values.k8sServicePort).toBe(7447);
  expect(values.policyEnforcementMode).toBe("always");
  expect(values.hubble).toEqual({ relay: { enabled: true } });
  expect(values.cgroup).toEqual({ autoMount: { enabled: false }, hostRoot: "/sys/fs/cgroup" });
  expect(values.securityContext.capabilities.cleanCiliumState).toEqual(["NET_ADMIN"]);
  expect(values.securityContext.capabilities.ciliumAgent).toHaveLength(11);
  expect(values).not.toHaveProperty("ipam");
});

test("values YAML is deterministic: key order of the input does not matter", () => {
  const a = release({ values: { b: 1, a: { y: 1, x: 2 } } }).resource.values;
  const b = release({ values: { a: { x: 2, y: 1 }, b: 1 } }).resource.values;
  expect(a).toEqual(b);
});

describe("refusals at synth", () => {
  test('policyEnforcementMode "never" without the acknowledgement', () => {
    expect(refusal({ policyEnforcementMode: "never" })).toMatch(
      /"never" turns off every network policy.*allowPolicyEnforcementNever: true/,
    );
  });

  test('"never" through the values escape hatch is refused the same way', () => {
    expect(refusal({ values: { policyEnforcementMode: "never" } })).toMatch(/allowPolicyEnforcementNever/);
  });

  test('"never" with allowPolicyEnforcementNever is accepted', () => {
    expect(release({ policyEnforcementMode: "never", allowPolicyEnforcementNever: true }).values.policyEnforcementMode).toBe("never");
  });

  test("an unknown enforcement mode", () => {
    expect(refusal({ policyEnforcementMode: "sometimes" as never })).toMatch(
      /policyEnforcementMode "sometimes" is not one of default, always, never/,
    );
  });

  test.each(["^1.18", "~1.19.0", "1.x", "1.19", "latest", ""])("a non-exact version %p", (version) => {
    expect(refusal({ version })).toMatch(/is not an exact chart version; pin one, e.g. version: "1\.\d+\.\d+"/);
  });

  test("exact versions, prereleases included, are accepted", () => {
    expect(release({ version: "1.18.4" }).resource.version).toBe("1.18.4");
    expect(release({ version: "1.20.0-rc.1" }).resource.version).toBe("1.20.0-rc.1");
  });

  test("Talos preset with a non-localhost k8sServiceHost, as a prop or in values", () => {
    expect(refusal({ talos: true, k8sServiceHost: "10.0.0.1" })).toMatch(
      /KubePrism on localhost; k8sServiceHost "10.0.0.1" would bypass it/,
    );
    expect(refusal({ talos: true, values: { k8sServiceHost: "api.example.com" } })).toMatch(/k8sServiceHost "api.example.com"/);
  });

  test("Talos preset with SYS_MODULE put back", () => {
    expect(refusal({ talos: true, values: { securityContext: { capabilities: { ciliumAgent: ["NET_ADMIN", "SYS_MODULE"] } } } })).toMatch(
      /capabilities.ciliumAgent includes SYS_MODULE/,
    );
  });

  test("kube-proxy replacement without an API server address", () => {
    expect(refusal({ kubeProxyReplacement: true })).toMatch(/kubeProxyReplacement needs k8sServiceHost/);
  });

  test("every problem is reported at once", () => {
    const message = refusal({ version: "^1", policyEnforcementMode: "never", namespace: "Kube_System" });
    expect(message).toMatch(/3 problem\(s\)/);
  });
});

test("exposes what other constructs need", () => {
  const stack = new TerraformStack(Testing.app(), "test");
  const r = new CiliumRelease(stack, "cilium", { talos: true, namespace: "cilium-system" });
  expect(r.namespace).toBe("cilium-system");
  expect(r.chartVersion).toBe(DEFAULT_CILIUM_VERSION);
  expect(r.release.terraformResourceType).toBe("helm_release");
  expect(r.valuesHash).toMatch(/^[0-9a-f]{64}$/);
  expect(r.policyEnforcementMode).toBe("default");
});

// Cilium's chart values schema, vendored in schemas/cilium (see its README for provenance).
describe("every key the construct writes exists in Cilium's values schema", () => {
  const schemaPath = path.resolve(__dirname, "..", "schemas", "cilium", "values.schema.json");

  const load = () => JSON.parse(readFileSync(schemaPath, "utf8")) as Record<string, any>;

  function missingKeys(values: unknown, schema: Record<string, any>, at: string[] = []): string[] {
    if (values === null || typeof values !== "object" || Array.isArray(values)) return [];
    const props = schema.properties as Record<string, any> | undefined;
    return Object.entries(values).flatMap(([key, value]) => {
      const sub = props?.[key];
      if (!sub) return [[...at, key].join(".")];
      return missingKeys(value, sub, [...at, key]);
    });
  }

  const written = { ...TALOS_PRESET, policyEnforcementMode: "default", operator: { replicas: 1 } };

  test("the typed values and the Talos preset", () => {
    expect(missingKeys(written, load())).toEqual([]);
  });

  test("the rendered values validate against the schema (ajv, draft-07)", () => {
    const validate = new Ajv({ strict: false, allErrors: true }).compile(load());
    const { values } = release({ talos: true, operatorReplicas: 1, policyEnforcementMode: "always" });
    expect(validate(values) ? [] : validate.errors).toEqual([]);
  });

  test("the check detects a key the chart does not know", () => {
    expect(missingKeys({ kubeProxyReplacment: true, cgroup: { hostRoot: "/x", autoMunt: {} } }, load())).toEqual([
      "kubeProxyReplacment",
      "cgroup.autoMunt",
    ]);
  });
});
