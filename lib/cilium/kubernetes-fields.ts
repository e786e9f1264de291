/**
 * Whether a chart value key is a Kubernetes pod-template field holding an object
 * or a list (`affinity`, `tolerations`, `resources`, `updateStrategy`, ...). Helm
 * charts pass such values through to the API verbatim (`toYaml`), and a chart's
 * values schema only knows the shape of their defaults, so what lies below them
 * is Kubernetes' business, not the chart schema's.
 *
 * Decided by kubernetes-models' own validators for PodSpec, Container,
 * DaemonSetSpec and DeploymentSpec, not by a list kept here: a field is an
 * object (or list) field when the validator accepts `{}` (or `[]`) there and
 * refuses a string. Loaded lazily: only an unknown chart key asks.
 */
const cache = new Map<string, boolean>();

type Validatable = { validate(): void };
type Probe = (key: string, value: unknown) => boolean;

let probes: Probe[] | undefined;

function loadProbes(): Probe[] {
  const { Pod } = require("kubernetes-models/v1/Pod") as { Pod: new (d: object) => Validatable };
  const { DaemonSet } = require("kubernetes-models/apps/v1/DaemonSet") as { DaemonSet: new (d: object) => Validatable };
  const { Deployment } = require("kubernetes-models/apps/v1/Deployment") as { Deployment: new (d: object) => Validatable };
  /** True when the model refuses the value at `pointer`. */
  const refuses = (model: Validatable, pointer: string): boolean => {
    try {
      model.validate();
      return false;
    } catch (err) {
      return ((err as { errors?: Array<{ instancePath?: string }> }).errors ?? []).some((e) => e.instancePath === pointer);
    }
  };
  const meta = { name: "probe" };
  return [
    (k, v) => !refuses(new Pod({ metadata: meta, spec: { containers: [{ name: "c" }], [k]: v } }), `/spec/${k}`),
    (k, v) => !refuses(new Pod({ metadata: meta, spec: { containers: [{ name: "c", [k]: v }] } }), `/spec/containers/0/${k}`),
    (k, v) => !refuses(new DaemonSet({ metadata: meta, spec: { selector: {}, template: {}, [k]: v } }), `/spec/${k}`),
    (k, v) => !refuses(new Deployment({ metadata: meta, spec: { selector: {}, template: {}, [k]: v } }), `/spec/${k}`),
  ];
}

export function isKubernetesObjectField(key: string): boolean {
  const known = cache.get(key);
  if (known !== undefined) return known;
  probes ??= loadProbes();
  const result = probes.some((accepts) => !accepts(key, "not-an-object") && (accepts(key, {}) || accepts(key, [])));
  cache.set(key, result);
  return result;
}
