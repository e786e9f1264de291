// The reachability matrix against the path engine over generated policies: heavy work (a
// thousand cells over ten generated policy sets), so it runs in `npm run test:e2e`.
import { validatedForAnalysis } from "../../lib/analyze-path";
import { analyzeValidatedPath, reachabilityOfValidated } from "../../lib/paths";
import type { PathPeer } from "../../lib/paths/types";
import { analyzePath, ccnp, cnp, np } from "./builders";

const matrixOf = (policies: unknown[]) => reachabilityOfValidated(validatedForAnalysis(policies), {});

// A small seeded generator (mulberry32): the same 1,000 cells on every run.
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomPolicies(next: () => number): unknown[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const apps = ["web", "db", "cache", "api"];
  const namespaces = ["shop", "billing", "ops"];
  const ports = () =>
    pick([
      [{ port: String(pick([80, 443, 5432, 8080])), protocol: pick(["TCP", "UDP"]) }],
      [{ port: "8000", endPort: 8100, protocol: "TCP" }],
      [{ port: "http", protocol: "TCP" }],
    ]);
  const out: unknown[] = [];
  for (let i = 0; i < 14; i++) {
    const ns = pick(namespaces);
    const subject = { matchLabels: { app: pick(apps) } };
    const peer = pick([
      { fromEndpoints: [{ matchLabels: { app: pick(apps) } }] },
      { fromEntities: [pick(["world", "kube-apiserver", "host", "cluster"])] },
      { fromEndpoints: [{ matchLabels: { "k8s:io.kubernetes.pod.namespace": pick(namespaces) } }] },
      {},
    ]);
    const kind = next();
    if (kind < 0.4) out.push(cnp(ns, `p${i}`, { endpointSelector: subject, ingress: [{ ...peer, toPorts: [{ ports: ports() }] }] }));
    else if (kind < 0.55)
      out.push(cnp(ns, `p${i}`, { endpointSelector: subject, ingressDeny: [{ ...peer, toPorts: [{ ports: ports() }] }] }));
    else if (kind < 0.7)
      out.push(
        cnp(ns, `p${i}`, {
          endpointSelector: subject,
          egress: [{ toEndpoints: [{ matchLabels: { app: pick(apps) } }], toPorts: [{ ports: ports() }] }],
        }),
      );
    else if (kind < 0.85)
      out.push(
        np(ns, `p${i}`, {
          podSelector: subject,
          ingress: [{ from: [{ podSelector: { matchLabels: { app: pick(apps) } } }], ports: [{ port: pick([80, 443, 5432]) }] }],
        }),
      );
    else out.push(ccnp(`p${i}`, { endpointSelector: subject, ingress: [{ fromEntities: ["cluster"], toPorts: [{ ports: ports() }] }] }));
  }
  return out;
}

// analyzePath validates its documents on every call (about 5 ms here); the cells are compared
// with its decision step over the same documents validated separately (so compiled separately),
// and the first cell of each round with analyzePath itself.
test("1,000 random cells of matrices over random policies are what analyzePath decides", () => {
  const next = random(20261206);
  let compared = 0;
  for (let round = 0; round < 10; round++) {
    const policies = randomPolicies(next);
    const matrix = matrixOf(policies);
    const separately = validatedForAnalysis(policies);
    const peers = new Map(matrix.workloads.map((w) => [w.id, w.peer]));
    for (let i = 0; i < 100; i++) {
      const cell = matrix.cells[Math.floor(next() * matrix.cells.length)];
      const port = cell.ports[0] + Math.floor(next() * (cell.ports[1] - cell.ports[0] + 1));
      const path = { from: peers.get(cell.from) as PathPeer, to: peers.get(cell.to) as PathPeer, protocol: cell.protocol, port };
      const verdict = i === 0 ? analyzePath({ policies, path }) : analyzeValidatedPath(separately, { path });
      const name = `${cell.from} -> ${cell.to} ${cell.protocol}/${port}`;
      const policy = (v: string, p: string | null | undefined) => (v === "denied" ? { policy: p ?? null } : {});
      expect({ name, verdict: cell.verdict, ...policy(cell.verdict, cell.policy) }).toEqual({
        name,
        verdict: verdict.verdict,
        ...policy(verdict.verdict, verdict.blame?.policy),
      });
      compared++;
    }
  }
  expect(compared).toBe(1000);
});
