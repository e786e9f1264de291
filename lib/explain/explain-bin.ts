#!/usr/bin/env node
// The `cilium-explain` bin (package.json) and `npm run explain`: see explain.ts; the `diff` and
// `matrix` subcommands: see reachability-cli.ts.
import { explainMain } from "./explain";
import { diffMain, matrixMain } from "./reachability-cli";

const [command, ...rest] = process.argv.slice(2);
const out = (text: string) => process.stdout.write(text);
const err = (text: string) => process.stderr.write(text);
process.exitCode =
  command === "diff"
    ? diffMain(rest, out, err)
    : command === "matrix"
      ? matrixMain(rest, out, err)
      : explainMain(process.argv.slice(2), out, err);
