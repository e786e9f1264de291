// The engine's suites once more, with the semantics of the supported line that is not the default
// (the suites themselves run with the default line): every rule they test holds on both lines, and
// what differs between the lines is tested in lines.test.ts. builders.ts `check` reads the line
// from this global before the suites register their tests. A second run of three suites, so
// `npm run test:e2e`.
import { DEFAULT_CILIUM_LINE, SUPPORTED_CILIUM_LINES } from "../../lib/cilium/lines";

const others = SUPPORTED_CILIUM_LINES.filter((line) => line !== DEFAULT_CILIUM_LINE);
if (others.length !== 1) throw new Error(`expected one line beside the default, got ${others.join(", ")}: run the suites per line`);
(globalThis as { pathsSuiteLine?: string }).pathsSuiteLine = others[0];
require("./isolation.test");
require("./peers-ports.test");
require("./interface.test");

test("the suites above decided with that line", () => {
  const { CILIUM_LINES } = require("../../lib/cilium/lines") as typeof import("../../lib/cilium/lines");
  const { check, client, webhook } = require("./builders") as typeof import("./builders");
  const said = check([], client, webhook, 443).explanation.some((l) => l.startsWith(`assumed (Cilium ${others[0]})`));
  expect(said).toBe(CILIUM_LINES[others[0]].clusterNetworkPolicy);
});
