// Jest globalSetup of the oracle suite: the base setup, then every line's oracle binary,
// built when the cache lacks it (scripts/oracle.mjs). Their paths ({"<line>": path}, JSON),
// or why there are none, go to the workers through the environment.
const { spawnSync } = require("node:child_process");
const path = require("node:path");
const base = require("./jest-global");

module.exports = async () => {
  await base.setup();
  const r = spawnSync(process.execPath, [path.join(__dirname, "oracle.mjs"), "--print-binaries"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (r.status === 0) process.env.CILIUM_ORACLE_BINS = r.stdout.trim();
  else if (r.status === 2) process.env.CILIUM_ORACLE_MISSING = "Go is not installed: the oracle cannot be built";
  else throw new Error(`building the Cilium oracles failed (exit ${r.status}); its output is above`);
};
