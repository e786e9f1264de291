// Bundles the webhook check (lib/check/bin.ts and @kubernetes/client-node) into one
// self-contained file, dist/check/webhook-check.js: the TerraformAsset that
// `terraform apply` runs with plain `node`, without this repo or its node_modules.
// esbuild output is deterministic for the same inputs, so the asset hash only
// changes when the check does.
import { build } from "esbuild";
import { chmodSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outfile = path.join(root, "dist", "check", "webhook-check.js");

await build({
  absWorkingDir: root,
  entryPoints: ["lib/check/bin.ts"],
  outfile,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  minify: true,
  legalComments: "eof",
  sourcemap: false,
  logLevel: "warning",
});
chmodSync(outfile, 0o755);
