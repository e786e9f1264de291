// Jest globalSetup of the oracle suite: the base setup, then the oracle's binary, built
// when the cache lacks it (scripts/oracle.mjs). Its path, or why there is none, goes to
// the workers through the environment.
const { spawnSync } = require("node:child_process");
const path = require("node:path");
const base = require("./jest-global");

module.exports = async () => {
  await base.setup();
  const r = spawnSync(process.execPath, [path.join(__dirname, "oracle.mjs"), "--print-binary"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (r.status === 0) process.env.CILIUM_ORACLE_BIN = r.stdout.trim();
  else if (r.status === 2) process.env.CILIUM_ORACLE_MISSING = "Go is not installed: the oracle cannot be built";
  else throw new Error(`building the Cilium oracle failed (exit ${r.status}); its output is above`);
};
