// api/*.api.md: the API reports of the package's two entries, `cdktf-cilium` (dist/lib/index.d.ts)
// and `cdktf-cilium/testing` (dist/lib/testing.d.ts), by API Extractor with the settings of
// api-extractor.json (the one npm run docs uses for docs/api). A report lists every exported name
// with its signature, so a change to the public surface shows in review as a change to a file.
// `npm run api` builds and rewrites both reports. `--check` writes nothing: it exits 1 naming
// each report that differs from the build (the e2e suite runs it). Run after a build.
//
// The testing entry imports the main entry's types (PathPeer, NetworkPolicies, ...) without
// exporting them again; its report marks them as forgotten exports, as they are the main entry's.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { Extractor, ExtractorConfig } = createRequire(import.meta.url)("@microsoft/api-extractor");

/** Each entry of package.json's `exports` (besides package.json) and the report that records it. */
export const ENTRIES = [
  { entry: "dist/lib/index.d.ts", report: "cdktf-cilium" },
  { entry: "dist/lib/testing.d.ts", report: "cdktf-cilium-testing" },
];

/**
 * Runs API Extractor on each entry; writes the reports into `reportFolder` (api/ by default).
 * `check`: compares instead and returns the reports that differ. Throws on any warning.
 */
export function apiReports({ check = false, reportFolder = path.join(root, "api") } = {}) {
  if (!check) mkdirSync(reportFolder, { recursive: true });
  const temp = mkdtempSync(path.join(os.tmpdir(), "api-report-"));
  const stale = [];
  try {
    for (const { entry, report } of ENTRIES) {
      const base = ExtractorConfig.loadFile(path.join(root, "api-extractor.json"));
      const testing = report !== "cdktf-cilium";
      const configObject = {
        ...base,
        projectFolder: root,
        newlineKind: "lf",
        mainEntryPointFilePath: path.join(root, entry),
        apiReport: { enabled: true, reportFolder, reportTempFolder: temp, reportFileName: report },
        docModel: { enabled: false },
        messages: {
          ...base.messages,
          extractorMessageReporting: {
            ...base.messages.extractorMessageReporting,
            ...(testing ? { "ae-forgotten-export": { logLevel: "none", addToApiReportFile: true } } : {}),
          },
        },
      };
      const config = ExtractorConfig.prepare({
        configObject,
        configObjectFullPath: path.join(root, "api-extractor.json"),
        packageJsonFullPath: path.join(root, "package.json"),
      });
      const problems = [];
      const result = Extractor.invoke(config, {
        localBuild: !check,
        messageCallback: (m) => {
          // API Extractor's own console notices (among them "the report changed"): the comparison below says it once.
          if ((m.logLevel === "warning" || m.logLevel === "error") && !m.messageId.startsWith("console-"))
            problems.push(m.formatMessageWithLocation(`${root}/`));
          m.handled = true;
        },
      });
      if (problems.length > 0) throw new Error(`API Extractor (${entry}):\n${problems.join("\n")}`);
      const file = path.join(reportFolder, `${report}.api.md`);
      const produced = path.join(temp, `${report}.api.md`);
      if (check && (!existsSync(file) || readFileSync(file, "utf8") !== readFileSync(produced, "utf8")))
        stale.push(path.relative(root, file));
      if (!result.succeeded && !check) throw new Error(`API Extractor failed on ${entry}`);
    }
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
  return stale;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes("--check");
  // `--reports DIR`: compare with the reports in DIR instead of api/ (the test's negative control).
  const at = process.argv.indexOf("--reports");
  const stale = apiReports({ check, ...(at > 0 ? { reportFolder: path.resolve(process.argv[at + 1]) } : {}) });
  if (stale.length > 0) {
    console.error(`${stale.join(", ")}: the public API changed without its report; run \`npm run api\` and commit the report`);
    process.exitCode = 1;
  }
}
