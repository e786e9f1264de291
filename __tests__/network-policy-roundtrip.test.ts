// No silent change, proven: every NetworkPolicy in the fixture corpus goes through
// load -> validate -> translate -> synth, then back through the kubernetes
// provider's expanders, and must equal what kube-apiserver would store for the
// document as written (helpers/network-policy-roundtrip.ts).
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { NetworkPolicies } from "../lib";
import { listPolicyFiles } from "../lib/policies/load";
import { storedAfterTerraform, storedByApiServer } from "./helpers/network-policy-roundtrip";
import { resourcesOf, synthStack } from "./helpers/synth";

const corpus = path.join(__dirname, "fixtures", "corpus");
const shop = path.join(corpus, "shop");

/** The documents as kubectl parses them (YAML 1.1, merge keys), with the directory's namespace where they name none. */
function documentsAsWritten(dir: string, recursive: boolean, namespace?: string): Record<string, any>[] {
  return listPolicyFiles(dir, recursive).flatMap((file) =>
    parseAllDocuments(readFileSync(file, "utf8"), { version: "1.1", merge: true })
      .map((d) => d.toJS())
      .filter((d) => d !== null)
      .map((d) => (namespace && d.metadata?.namespace === undefined ? { ...d, metadata: { ...d.metadata, namespace } } : d)),
  );
}

const key = (d: Record<string, any>) => `${d.metadata.namespace}/${d.metadata.name}`;

test("the corpus holds at least 40 documents", () => {
  expect(documentsAsWritten(corpus, false).length + documentsAsWritten(shop, true, "shop").length).toBeGreaterThanOrEqual(40);
});

test("every corpus document reaches the API server as it would store the document as written", () => {
  const json = synthStack(
    (s) =>
      new NetworkPolicies(s, "p", {
        directories: [
          { path: corpus, recursive: false },
          { path: shop, namespace: "shop" },
        ],
      }),
  );
  const sent = Object.values(resourcesOf(json, "kubernetes_network_policy_v1")).map((r) => storedAfterTerraform(r));
  const expected = [...documentsAsWritten(corpus, false), ...documentsAsWritten(shop, true, "shop")].map(storedByApiServer);
  expect(Object.fromEntries(sent.map((d) => [key(d), d]))).toEqual(Object.fromEntries(expected.map((d) => [key(d), d])));
});

test("the round trip can fail: a translation that dropped endPort would be caught", () => {
  const json = synthStack((s) => new NetworkPolicies(s, "p", { directories: [{ path: corpus, recursive: false }] }));
  const resources = resourcesOf(json, "kubernetes_network_policy_v1");
  const [address] = Object.keys(resources).filter((a) => a.includes("port-range"));
  const broken = JSON.parse(JSON.stringify(resources[address]).replace(/"end_port":\d+,?/g, ""));
  const original = documentsAsWritten(corpus, false).find((d) => d.metadata.name === "port-range") as Record<string, any>;
  expect(storedAfterTerraform(broken)).not.toEqual(storedByApiServer(original));
  expect(storedAfterTerraform(resources[address])).toEqual(storedByApiServer(original));
});
