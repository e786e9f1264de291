// Every analyzePath case of the engine's own suites (__tests__/paths/) with the default line,
// decided once more by Cilium's code (cases.ts); paths-cases-other-line.test.ts does the same
// for the other supported line.
import { decideRecorded } from "./cases";

jest.mock("../../lib/analyze-path", () => require("./cases").recordingAnalyzePath());

require("../paths/isolation.test");
require("../paths/peers-ports.test");
require("../paths/interface.test");
require("../paths/lines.test");
require("../paths/node-port.test");
require("../paths/reachability.test");

decideRecorded("__tests__/paths/ (the default line)");
