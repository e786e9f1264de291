/**
 * A seeded generator of policy documents for the cluster suite: valid documents of the three
 * kinds (NetworkPolicy, CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy), each changed by one
 * or two mutations of the classes the API server judges: unknown and misspelled fields, nulls,
 * wrong types, patterns, list uniqueness, limits, metadata, `status` and server-owned fields.
 * Same seed, same documents: a disagreement found once is found again.
 */

/** mulberry32: a small, well-known 32-bit PRNG; enough to spread mutations, and reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const MUTATIONS = [
  "unknown-field",
  "misspelled-field",
  "null",
  "wrong-type",
  "pattern",
  "duplicate-list-entry",
  "limit",
  "metadata",
  "status",
  "server-owned-field",
] as const;
export type Mutation = (typeof MUTATIONS)[number];

export interface Variation {
  readonly id: number;
  readonly kind: string;
  readonly mutations: readonly string[];
  readonly document: Record<string, unknown>;
}

/** The namespace the generated namespaced documents live in (the test creates it). */
export const VARIATION_NAMESPACE = "variations";

function bases(name: string): Record<string, Record<string, unknown>> {
  return {
    NetworkPolicy: {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name, namespace: VARIATION_NAMESPACE, labels: { app: "db" } },
      spec: {
        podSelector: { matchLabels: { app: "db" } },
        policyTypes: ["Ingress", "Egress"],
        ingress: [
          {
            from: [
              { podSelector: { matchLabels: { app: "api" } } },
              { ipBlock: { cidr: "10.0.0.0/8", except: ["10.1.0.0/16"] } },
              { namespaceSelector: { matchExpressions: [{ key: "team", operator: "In", values: ["a", "b"] }] } },
            ],
            ports: [
              { protocol: "TCP", port: 5432 },
              { protocol: "TCP", port: "http" },
              { protocol: "TCP", port: 8000, endPort: 8080 },
            ],
          },
        ],
        egress: [{ to: [{ ipBlock: { cidr: "fd00::/8" } }], ports: [{ protocol: "UDP", port: 53 }] }],
      },
    },
    CiliumNetworkPolicy: {
      apiVersion: "cilium.io/v2",
      kind: "CiliumNetworkPolicy",
      metadata: { name, namespace: VARIATION_NAMESPACE, labels: { app: "db" } },
      spec: {
        endpointSelector: { matchLabels: { app: "db" } },
        ingress: [
          {
            fromEndpoints: [{ matchLabels: { app: "api" } }],
            toPorts: [{ ports: [{ port: "5432", protocol: "TCP" }] }],
          },
        ],
        egress: [
          { toCIDR: ["10.0.0.0/8"] },
          { toFQDNs: [{ matchName: "example.com" }], toPorts: [{ ports: [{ port: "443", protocol: "TCP" }] }] },
          { toEntities: ["kube-apiserver"] },
        ],
      },
    },
    CiliumClusterwideNetworkPolicy: {
      apiVersion: "cilium.io/v2",
      kind: "CiliumClusterwideNetworkPolicy",
      metadata: { name, labels: { app: "db" } },
      spec: {
        endpointSelector: { matchExpressions: [{ key: "app", operator: "Exists" }] },
        ingress: [{ fromEntities: ["cluster"], toPorts: [{ ports: [{ port: "8080", endPort: 8090, protocol: "TCP" }] }] }],
        egress: [{ toCIDRSet: [{ cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] }] }],
      },
    },
  };
}

type Json = unknown;
type Container = Record<string, Json> | Json[];

/** Every object or array inside `doc` with the path to it (the document itself included). */
function containers(doc: Json, at: (string | number)[] = []): Array<{ path: (string | number)[]; node: Container }> {
  if (doc === null || typeof doc !== "object") return [];
  const here = [{ path: at, node: doc as Container }];
  const children = Array.isArray(doc)
    ? doc.flatMap((v, i) => containers(v, [...at, i]))
    : Object.entries(doc).flatMap(([k, v]) => containers(v, [...at, k]));
  return [...here, ...children];
}

/** Every (container, key) pair: a place a value sits. */
function slots(doc: Json): Array<{ node: Container; key: string | number; path: string }> {
  return containers(doc).flatMap(({ path, node }) =>
    (Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node)).map((key) => ({ node, key, path: [...path, key].join(".") })),
  );
}

const UNKNOWN_KEYS = ["bogus", "extra", "selector", "ports2", "x-note", "Ingress"];
const WRONG_TYPES: Json[] = [42, "42", true, [], {}, -1, 1.5, "", [null], { a: 1 }];
const BAD_STRINGS = [
  "",
  "Bad Value!",
  "-leading",
  "trailing-",
  "UPPER",
  "a".repeat(64),
  "a".repeat(254),
  "1.2.3.4/33",
  "999.0.0.0/8",
  "10.0.0.0",
  "tcp",
  "SCTP",
  "ANY",
  "http-",
  "0",
  "65536",
  "*.example.com",
  "example..com",
  "a/b/c",
  "In",
  "Exists",
  "world",
  "unknown-entity",
];
const LIMIT_NUMBERS = [0, 1, 65535, 65536, -1, 2 ** 31, 1e20];

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)];
}

function mutate(doc: Record<string, Json>, mutation: Mutation, rand: () => number): string {
  const all = slots(doc);
  const meta = doc.metadata as Record<string, Json>;
  const metaIsObject = meta !== null && typeof meta === "object" && !Array.isArray(meta);
  if ((mutation === "metadata" || mutation === "server-owned-field") && !metaIsObject) return `${mutation} (metadata is not an object)`;
  const set = (s: { node: Container; key: string | number }, v: Json) => {
    (s.node as Record<string | number, Json>)[s.key] = v;
  };
  switch (mutation) {
    case "unknown-field": {
      const objects = containers(doc).filter((c) => !Array.isArray(c.node));
      if (objects.length === 0) return `${mutation} (none)`;
      const target = pick(rand, objects);
      const key = pick(rand, UNKNOWN_KEYS);
      (target.node as Record<string, Json>)[key] = pick(rand, ["x", 1, {}, []]);
      return `${mutation} ${[...target.path, key].join(".")}`;
    }
    case "misspelled-field": {
      const keyed = all.filter((s) => typeof s.key === "string");
      if (keyed.length === 0) return `${mutation} (none)`;
      const s = pick(rand, keyed);
      const key = s.key as string;
      const i = Math.floor(rand() * key.length);
      const typo = rand() < 0.5 ? key.slice(0, i) + key.slice(i + 1) : key.slice(0, i) + key[i] + key.slice(i);
      const obj = s.node as Record<string, Json>;
      if (typo === key || typo === "") return `${mutation} (none)`;
      obj[typo] = obj[key];
      delete obj[key];
      return `${mutation} ${s.path} -> ${typo}`;
    }
    case "null": {
      if (all.length === 0) return `${mutation} (none)`;
      const s = pick(rand, all);
      set(s, null);
      return `${mutation} ${s.path}`;
    }
    case "wrong-type": {
      if (all.length === 0) return `${mutation} (none)`;
      const s = pick(rand, all);
      const v = pick(rand, WRONG_TYPES);
      set(s, v);
      return `${mutation} ${s.path} = ${JSON.stringify(v)}`;
    }
    case "pattern": {
      const strings = all.filter((s) => typeof (s.node as Record<string | number, Json>)[s.key] === "string");
      if (strings.length === 0) return `${mutation} (none)`;
      const s = pick(rand, strings);
      const v = pick(rand, BAD_STRINGS);
      set(s, v);
      return `${mutation} ${s.path} = ${JSON.stringify(v)}`;
    }
    case "duplicate-list-entry": {
      const lists = containers(doc).filter((c) => Array.isArray(c.node) && c.node.length > 0);
      if (lists.length === 0) return `${mutation} (none)`;
      const c = pick(rand, lists);
      const list = c.node as Json[];
      list.push(structuredClone(pick(rand, list)));
      return `${mutation} ${c.path.join(".")}`;
    }
    case "limit": {
      const numbers = all.filter((s) => typeof (s.node as Record<string | number, Json>)[s.key] === "number");
      const strings = all.filter((s) => typeof (s.node as Record<string | number, Json>)[s.key] === "string");
      if (numbers.length > 0 && rand() < 0.5) {
        const s = pick(rand, numbers);
        const v = pick(rand, LIMIT_NUMBERS);
        set(s, v);
        return `${mutation} ${s.path} = ${v}`;
      }
      if (strings.length === 0) return `${mutation} (none)`;
      const s = pick(rand, strings);
      const n = pick(rand, [63, 64, 253, 254, 1024]);
      set(s, "a".repeat(n));
      return `${mutation} ${s.path} = "a" x ${n}`;
    }
    case "metadata": {
      const options: Array<[string, () => void]> = [
        [
          "name uppercase",
          () => {
            meta.name = String(meta.name).toUpperCase();
          },
        ],
        [
          "name 254 characters",
          () => {
            meta.name = "a".repeat(254);
          },
        ],
        [
          "name with a dot",
          () => {
            meta.name = `${meta.name}.v2`;
          },
        ],
        [
          "generateName",
          () => {
            meta.generateName = "gen-";
          },
        ],
        [
          "generateName, no name",
          () => {
            meta.generateName = "gen-";
            delete meta.name;
          },
        ],
        [
          "no name",
          () => {
            delete meta.name;
          },
        ],
        [
          "label key with two slashes",
          () => {
            meta.labels = { "a/b/c": "x" };
          },
        ],
        [
          "label value 64 characters",
          () => {
            meta.labels = { app: "a".repeat(64) };
          },
        ],
        [
          "label value with a space",
          () => {
            meta.labels = { app: "a b" };
          },
        ],
        [
          "annotation",
          () => {
            meta.annotations = { "example.com/note": "anything: goes" };
          },
        ],
        [
          "annotation key uppercase prefix",
          () => {
            meta.annotations = { "Example.com/note": "x" };
          },
        ],
        [
          "finalizers",
          () => {
            meta.finalizers = ["example.com/keep"];
          },
        ],
        [
          "finalizer without a slash",
          () => {
            meta.finalizers = ["keep"];
          },
        ],
        [
          "labels null",
          () => {
            meta.labels = null;
          },
        ],
        [
          "labels a list",
          () => {
            meta.labels = ["app"];
          },
        ],
        [
          "namespace null",
          () => {
            meta.namespace = null;
          },
        ],
      ];
      const [what, apply] = pick(rand, options);
      apply();
      return `${mutation} ${what}`;
    }
    case "status": {
      doc.status = pick(rand, [{}, { conditions: [] }, { derivativePolicies: {} }, "ok", null]);
      return `${mutation} ${JSON.stringify(doc.status)}`;
    }
    case "server-owned-field": {
      const options: Array<[string, Json]> = [
        ["uid", "0b6a6a34-6c2b-4b6e-9d0e-6c1b8f3e2a11"],
        ["resourceVersion", "12345"],
        ["creationTimestamp", "2024-01-01T00:00:00Z"],
        ["generation", 3],
        ["selfLink", "/apis/x"],
        ["managedFields", [{ manager: "kubectl", operation: "Apply" }]],
        ["deletionTimestamp", "2024-01-01T00:00:00Z"],
        ["deletionGracePeriodSeconds", 30],
      ];
      const [key, v] = pick(rand, options);
      meta[key] = v;
      return `${mutation} metadata.${key}`;
    }
  }
}

/** `count` documents from `seed`, the three kinds in turn, one or two mutations each. */
export function generateVariations(seed: number, count: number): Variation[] {
  const rand = prng(seed);
  const kinds = ["NetworkPolicy", "CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy"];
  return Array.from({ length: count }, (_, id) => {
    const kind = kinds[id % kinds.length];
    const document = structuredClone(bases(`gen-${id}`)[kind]);
    const n = rand() < 0.7 ? 1 : 2;
    const mutations = Array.from({ length: n }, () => mutate(document, pick(rand, MUTATIONS), rand));
    return { id, kind, mutations, document };
  });
}
