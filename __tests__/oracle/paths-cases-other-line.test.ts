// The engine's suites run with the supported line that is not the default
// (__tests__/paths/other-line.heavy.test.ts), each analyzePath case decided once more by that line's
// oracle (cases.ts). lines.test.ts, which names both lines itself, runs in paths-cases.test.ts.
import { decideRecorded } from "./cases";

jest.mock("../../lib/analyze-path", () => require("./cases").recordingAnalyzePath());

require("../paths/other-line.heavy.test");

decideRecorded("__tests__/paths/ with the other line (other-line.heavy.test.ts)");
