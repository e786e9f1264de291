#!/usr/bin/env node
// The `cilium-explain` bin (package.json) and `npm run explain`: see explain.ts.
import { explainMain } from "./explain";

process.exitCode = explainMain(
  process.argv.slice(2),
  (text) => process.stdout.write(text),
  (text) => process.stderr.write(text),
);
