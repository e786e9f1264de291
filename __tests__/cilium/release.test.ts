import { readFileSync } from "node:fs";
import * as path from "node:path";
import { TerraformStack } from "cdktf";
import { parse } from "yaml";
import { CiliumRelease, type CiliumReleaseProps } from "../../lib";
import { validateCiliumValues } from "../../lib/cilium/values-schema";
import { DEFAULT_CILIUM_VERSION } from "../../lib/cilium/version";
import { onlyResource, synthStack, testApp } from "../helpers/synth";

function release(props: CiliumReleaseProps = {}) {
  const json = synthStack((s) => new CiliumRelease(s, "cilium", props));
  const r = onlyResource(json, "helm_release");
  return { resource: r, values: parse((r.values as string[])[0]) as Record<string, any> };
}

function refusal(props: CiliumReleaseProps): string {
  const stack = new TerraformStack(testApp(), "test");
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

describe("merge order: preset < typed props < values escape hatch; lists are replaced; null removes", () => {
  const merged = () =>
    release({
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
    }).values;

  test("the values escape hatch wins over a typed prop", () => {
    expect(merged().k8sServicePort).toBe(7447);
  });

  test("a typed prop wins over the preset", () => {
    expect(merged().policyEnforcementMode).toBe("always");
  });

  test("a map of the escape hatch is merged into the preset's, key by key", () => {
    expect(merged().cgroup).toEqual({ autoMount: { enabled: false }, hostRoot: "/sys/fs/cgroup" });
  });

  test("a map the preset does not set is taken as given", () => {
    expect(merged().hubble).toEqual({ relay: { enabled: true } });
  });

  test("a list replaces the preset's list; the preset's other lists stay", () => {
    const { capabilities } = merged().securityContext;
    expect({ clean: capabilities.cleanCiliumState, agent: capabilities.ciliumAgent.length }).toEqual({ clean: ["NET_ADMIN"], agent: 11 });
  });

  test("null removes the preset's key", () => {
    expect(merged()).not.toHaveProperty("ipam");
  });
});

test("values YAML is deterministic: key order of the input does not matter", () => {
  const a = release({ values: { debug: { enabled: true }, hubble: { relay: { enabled: true }, enabled: true } } }).resource.values;
  const b = release({ values: { hubble: { enabled: true, relay: { enabled: true } }, debug: { enabled: true } } }).resource.values;
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
    expect(release({ version: "1.19.2" }).resource.version).toBe("1.19.2");
    expect(release({ version: "1.20.0-rc.1" }).resource.version).toBe("1.20.0-rc.1");
  });

  test("Talos preset with a k8sServiceHost other than KubePrism's, as a prop or in values", () => {
    expect(refusal({ talos: true, k8sServiceHost: "10.0.0.1" })).toMatch(
      /KubePrism \(localhost or 127\.0\.0\.1\); k8sServiceHost "10.0.0.1" would bypass it/,
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

  test("every problem is reported at once, under the construct's path", () => {
    const message = refusal({ version: "^1", policyEnforcementMode: "never", namespace: "Kube_System" });
    expect(message).toMatch(/^test\/cilium: 3 problem\(s\); nothing was synthesized:\n {2}- /);
  });
});

describe("refusals read the merged values, whatever set them", () => {
  test("operator.replicas through values", () => {
    expect(refusal({ values: { operator: { replicas: 0 } } })).toMatch(/operator\.replicas 0 must be a whole number, 1 or more/);
    expect(refusal({ operatorReplicas: 0 })).toMatch(/operator\.replicas 0/);
  });

  test("k8sServicePort through values", () => {
    expect(refusal({ values: { k8sServicePort: 70000 } })).toMatch(/k8sServicePort 70000 must be a whole number from 1 to 65535/);
  });

  test("kube-proxy replacement through values, as the string the chart also accepts", () => {
    expect(refusal({ values: { kubeProxyReplacement: "true" } })).toMatch(/kubeProxyReplacement needs k8sServiceHost/);
  });
});

describe("the Talos preset: KubePrism and DNS", () => {
  test("KubePrism's 127.0.0.1 is accepted as well as localhost", () => {
    expect(release({ talos: true, k8sServiceHost: "127.0.0.1" }).values.k8sServiceHost).toBe("127.0.0.1");
  });

  test("sets bpf.hostLegacyRouting for Talos' forwardKubeDNSToHost (on by default)", () => {
    expect(release({ talos: true }).values.bpf).toEqual({ hostLegacyRouting: true });
    expect(release({ talos: true, talosForwardKubeDnsToHost: false }).values).not.toHaveProperty("bpf");
  });

  test("refuses the DNS trap: BPF masquerade without legacy host routing", () => {
    expect(refusal({ talos: true, values: { bpf: { masquerade: true, hostLegacyRouting: false } } })).toMatch(
      /bpf\.masquerade: true without bpf\.hostLegacyRouting: true breaks pods' DNS on Talos >= 1\.8.*talosForwardKubeDnsToHost: false/,
    );
    expect(refusal({ talos: true, values: { bpf: { masquerade: true, hostLegacyRouting: null } } })).toMatch(
      /bpf\.masquerade: true without/,
    );
  });

  test("masquerade with the preset's legacy routing, or with DNS forwarding off, is accepted", () => {
    expect(release({ talos: true, values: { bpf: { masquerade: true } } }).values.bpf).toEqual({
      hostLegacyRouting: true,
      masquerade: true,
    });
    const off = release({ talos: true, talosForwardKubeDnsToHost: false, values: { bpf: { masquerade: true, hostLegacyRouting: false } } });
    expect(off.values.bpf).toEqual({ masquerade: true, hostLegacyRouting: false });
  });
});

describe("values are checked against the chart's values schema (schemas/cilium)", () => {
  test("a typo is refused with its path and a suggestion", () => {
    const message = refusal({ values: { hubble: { relay: { enabeld: true } }, kubeProxyReplacment: false } });
    expect(message).toMatch(/values\.hubble\.relay\.enabeld: unknown key "enabeld" \(did you mean "enabled"\?\)/);
    expect(message).toMatch(/values\.kubeProxyReplacment: unknown key "kubeProxyReplacment" \(did you mean "kubeProxyReplacement"\?\)/);
    expect(message).toMatch(/allowUnknownValues: true/);
  });

  test("a wrong type or enum value is refused", () => {
    expect(refusal({ values: { hubble: { relay: { enabled: "yes" } } } })).toMatch(/values\.hubble\.relay\.enabled: must be boolean/);
    expect(refusal({ values: { identityManagementMode: "both-ways" } })).toMatch(
      /values\.identityManagementMode: must be equal to one of the allowed values \(agent, operator, both\)/,
    );
  });

  test("free-form maps accept any key: maps without properties, label maps, and Kubernetes pod fields", () => {
    const values = {
      podAnnotations: { "example.com/anything": "x" },
      extraConfig: { "any-key": "v" },
      nodeSelector: { "node-role.kubernetes.io/control-plane": "" },
      operator: { nodeSelector: { role: "infra" } },
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } },
      tolerations: [{ key: "k", operator: "Exists", effect: "NoSchedule", tolerationSeconds: 30 }],
      resources: { limits: { memory: "1Gi" } },
    };
    expect(release({ values }).values).toMatchObject(values);
  });

  test("null removes a key, as in Helm, anywhere", () => {
    expect(release({ values: { hubble: { relay: null }, debug: null } }).values).toEqual({
      policyEnforcementMode: "default",
      hubble: { relay: null },
    });
  });

  test("allowUnknownValues passes unknown keys through with a warning at synth", () => {
    const stderr = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(release({ allowUnknownValues: true, values: { newFeature: { enabled: true } } }).values.newFeature).toEqual({ enabled: true });
      expect(stderr.mock.calls.map((c) => String(c[0])).join("")).toMatch(
        /warning: test\/cilium: values\.newFeature: unknown key "newFeature"/,
      );
    } finally {
      stderr.mockRestore();
    }
    expect(refusal({ allowUnknownValues: true, values: { hubble: { relay: { enabled: "yes" } } } })).toMatch(/must be boolean/);
  });
});

test("upgradeCompatibility is written as Cilium's value; a malformed one is refused", () => {
  expect(release({ upgradeCompatibility: "1.18" }).values.upgradeCompatibility).toBe("1.18");
  expect(refusal({ upgradeCompatibility: "1.18.3" })).toMatch(
    /upgradeCompatibility "1\.18\.3" must be the Cilium minor version you upgrade from/,
  );
});

test("exposes what other constructs need", () => {
  const stack = new TerraformStack(testApp(), "test");
  const r = new CiliumRelease(stack, "cilium", { talos: true, namespace: "cilium-system" });
  expect(r.namespace).toBe("cilium-system");
  expect(r.chartVersion).toBe(DEFAULT_CILIUM_VERSION);
  expect(r.helmRelease.terraformResourceType).toBe("helm_release");
  expect(r.valuesHash).toMatch(/^[0-9a-f]{64}$/);
  expect(r.policyEnforcementMode).toBe("default");
});

// The Cilium pin has one home, lib/cilium/version.ts: Renovate updates that line,
// README and help follow it (npm run docs), snapshots are the only other copies.
describe("the pin: one home (lib/cilium/version.ts), README, help and Renovate follow it", () => {
  const root = path.join(__dirname, "..", "..");
  const read = (file: string) => readFileSync(path.join(root, file), "utf8");

  test("the pin is an exact 1.x.y release", () => {
    expect(DEFAULT_CILIUM_VERSION).toMatch(/^1\.\d+\.\d+$/);
  });

  test("a renovate.json regex manager matches the default pin's line and captures the pinned version", () => {
    const file = "lib/cilium/version.ts";
    const managers = JSON.parse(read("renovate.json")).customManagers as Array<{ managerFilePatterns: string[]; matchStrings: string[] }>;
    for (const manager of managers) {
      expect(new RegExp(manager.managerFilePatterns[0].slice(1, -1)).test(file)).toBe(true);
      expect(manager).toMatchObject({
        datasourceTemplate: "helm",
        registryUrlTemplate: "https://helm.cilium.io",
        depNameTemplate: "cilium",
      });
    }
    const captured = managers.flatMap((m) =>
      [...read(file).matchAll(new RegExp(m.matchStrings[0], "g"))].map((x) => x.groups?.currentValue),
    );
    expect(captured.filter((v) => v === DEFAULT_CILIUM_VERSION)).toHaveLength(1);
  });

  test("the TSDoc @default of the version prop shows the pin, in the source and in the shipped .d.ts", () => {
    const stated = `@default DEFAULT_CILIUM_VERSION ("${DEFAULT_CILIUM_VERSION}")`;
    expect(read("lib/cilium/release.ts")).toContain(stated);
    expect(read("dist/lib/cilium/release.d.ts")).toContain(stated);
  });

  test("the vendored schema's README names the pin it is compared with", () => {
    expect(read("schemas/cilium/README.md")).toContain(`chart \`${DEFAULT_CILIUM_VERSION}\``);
  });
});

test("validateCiliumValues names an unknown key with its closest known one", () => {
  const problems = validateCiliumValues({ hubble: { relay: { enabeld: true } } });
  expect(problems).toEqual([
    { path: "hubble.relay.enabeld", message: 'unknown key "enabeld" (did you mean "enabled"?)', unknownKey: true },
  ]);
});
