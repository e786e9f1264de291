// The suite of cilium-crd.test.ts once more, judged by the CRDs of the supported line that is not
// the default (cilium-crd.test.ts runs it for the default line): every test there that depends on
// the line runs for both. The suite reads the line from this global before it registers its tests.
// A second run of a whole suite, so `npm run test:e2e`; what differs between the lines is tested
// in npm test (cilium/lines.test.ts, paths/lines.test.ts).
import { DEFAULT_CILIUM_LINE, SUPPORTED_CILIUM_LINES } from "../../lib/cilium/lines";

const others = SUPPORTED_CILIUM_LINES.filter((line) => line !== DEFAULT_CILIUM_LINE);
if (others.length !== 1) throw new Error(`expected one line beside the default, got ${others.join(", ")}: run the suite per line`);
(globalThis as { crdSuiteLine?: string }).crdSuiteLine = others[0];
require("./cilium-crd.test");
