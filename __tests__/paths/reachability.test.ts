// The reachability matrix (lib/paths/reachability.ts): which workloads a policy set talks
// about, and one verdict per port range of each ordered pair. That every cell is what
// analyzePath decides for the same path: reachability-random.heavy.test.ts.
import { validatedForAnalysis } from "../../lib/analyze-path";
import { type ReachabilityInput, reachabilityOfValidated } from "../../lib/paths";
import type { PathPeer } from "../../lib/paths/types";
import { cnp, np } from "./builders";

const matrixOf = (policies: unknown[], input: ReachabilityInput = {}) => reachabilityOfValidated(validatedForAnalysis(policies), input);
const ids = (policies: unknown[], input: ReachabilityInput = {}) => matrixOf(policies, input).workloads.map((w) => w.id);
const cellsOf = (policies: unknown[], from: string, to: string, protocol = "TCP") =>
  matrixOf(policies)
    .cells.filter((c) => c.from === from && c.to === to && c.protocol === protocol)
    .map(({ ports, verdict, policy }) => ({ ports, verdict, policy }));

describe("workloads", () => {
  test("a representative pod per selector: matchLabels, the first value of In, a placeholder for Exists; NotIn left out", () => {
    const p = cnp("shop", "db", {
      endpointSelector: {
        matchLabels: { app: "db" },
        matchExpressions: [
          { key: "tier", operator: "In", values: ["back", "front"] },
          { key: "team", operator: "Exists" },
          { key: "canary", operator: "NotIn", values: ["yes"] },
        ],
      },
      ingress: [{ fromEndpoints: [{ matchLabels: { app: "web" } }] }],
    });
    expect(ids([p])).toEqual(expect.arrayContaining(["shop/app=db,team=any,tier=back", "shop/app=web"]));
  });

  test("namespace selectors give the representative's namespace its labels", () => {
    const p = np("shop", "db", {
      podSelector: { matchLabels: { app: "db" } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: "a" } }, podSelector: { matchLabels: { app: "client" } } }] }],
    });
    const client = matrixOf([p]).workloads.find((w) => w.id === "any/app=client");
    expect(client?.peer).toEqual({ namespace: "any", labels: { app: "client" }, namespaceLabels: { team: "a" } });
  });

  test("one pod without labels per namespace, the four entities, and each required path's ends", () => {
    const p = np("shop", "db", { podSelector: { matchLabels: { app: "db" } }, ingress: [{}] });
    const requiredPaths = [
      {
        from: { entity: "kube-apiserver", node: "local" } as PathPeer,
        to: { namespace: "billing", labels: { app: "x" } },
        protocol: "TCP" as const,
      },
    ];
    expect(ids([p], { requiredPaths })).toEqual([
      "billing/",
      "billing/app=x",
      "host",
      "kube-apiserver",
      "kube-apiserver@local",
      "remote-node",
      "shop/",
      "shop/app=db",
      "world",
    ]);
  });

  test("declared workloads keep their names and stand for the same pods found otherwise", () => {
    const p = np("shop", "db", { podSelector: { matchLabels: { app: "db" } }, ingress: [{}] });
    const m = matrixOf([p], { workloads: [{ name: "database", namespace: "shop", labels: { app: "db" } }] });
    expect(m.workloads.map((w) => w.id)).toContain("database");
    expect(m.workloads.map((w) => w.id)).not.toContain("shop/app=db");
    expect(m.workloads.find((w) => w.id === "database")?.selectedBy).toEqual(["NetworkPolicy/shop/db"]);
  });

  test("a selector on reserved labels, or one no pod satisfies, has no representative", () => {
    const p = cnp("shop", "db", {
      endpointSelector: {
        matchExpressions: [
          { key: "app", operator: "In", values: ["db"] },
          { key: "app", operator: "NotIn", values: ["db"] },
        ],
      },
      ingress: [{ fromEndpoints: [{ matchLabels: { "reserved:host": "" } }] }],
    });
    expect(ids([p])).toEqual(["host", "kube-apiserver", "remote-node", "shop/", "world"]);
  });

  test("a declared name that is the id of other pods is refused", () => {
    expect(() => matrixOf([], { workloads: [{ name: "world", namespace: "shop", labels: {} }] })).toThrow(
      /the name "world" is also the id of another workload \(world\)/,
    );
  });

  test("two declared workloads with one name are refused", () => {
    const w = { name: "db", namespace: "shop", labels: {} };
    expect(() => matrixOf([], { workloads: [w, { ...w, namespace: "other" }] })).toThrow(/workloads\[1\]\.name "db" is used twice/);
  });
});

describe("cells", () => {
  const db = np("shop", "db", {
    podSelector: { matchLabels: { app: "db" } },
    ingress: [
      { from: [{ podSelector: { matchLabels: { app: "web" } } }], ports: [{ port: 5432 }, { port: 5433 }, { port: 6000, endPort: 6010 }] },
    ],
  });

  test("port ranges with one verdict each, adjacent ones with the same verdict and policy merged", () => {
    expect(cellsOf([db], "shop/app=web", "shop/app=db")).toEqual([
      { ports: [1, 5431], verdict: "denied", policy: "NetworkPolicy/shop/db" },
      { ports: [5432, 5433], verdict: "allowed", policy: "NetworkPolicy/shop/db" },
      { ports: [5434, 5999], verdict: "denied", policy: "NetworkPolicy/shop/db" },
      { ports: [6000, 6010], verdict: "allowed", policy: "NetworkPolicy/shop/db" },
      { ports: [6011, 65535], verdict: "denied", policy: "NetworkPolicy/shop/db" },
    ]);
  });

  test("a pair nothing isolates is one range, allowed, with no deciding policy", () => {
    expect(cellsOf([db], "shop/app=db", "shop/app=web")).toEqual([{ ports: [1, 65535], verdict: "allowed", policy: null }]);
  });

  test("unknown cells are kept (a named port)", () => {
    const named = np("shop", "db", { podSelector: {}, ingress: [{ ports: [{ port: "postgres" }] }] });
    expect(cellsOf([named], "world", "shop/")).toEqual([{ ports: [1, 65535], verdict: "unknown", policy: null }]);
  });

  test("the protocols are TCP and those the rules name", () => {
    const dns = cnp("kube-system", "dns", {
      endpointSelector: { matchLabels: { "k8s-app": "kube-dns" } },
      ingress: [{ toPorts: [{ ports: [{ port: "53", protocol: "UDP" }] }] }],
    });
    expect([...new Set(matrixOf([dns]).cells.map((c) => c.protocol))]).toEqual(["TCP", "UDP"]);
  });

  test("the same policies give the same matrix, in order", () => {
    const a = matrixOf([db]);
    expect(matrixOf([db])).toEqual(a);
    const keys = a.cells.map((c) => [c.from, c.to, c.protocol, String(c.ports[0]).padStart(5, "0")].join(" "));
    expect(keys).toEqual([...keys].sort());
  });
});
