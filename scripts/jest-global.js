// Jest globalSetup/globalTeardown: the whole run (workers and every process they
// start inherit TMPDIR) writes its temporary files below one directory, removed at
// the end, so nothing a test created outlives the run, whatever a library does.
// The test PKI (CA, server and client certificates) is made there once per run of the suites
// with stand-in servers.
const { mkdirSync, mkdtempSync, rmSync } = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const KEY = "CDKTF_CILIUM_TEST_TMPDIR";

/** The run's temporary directory, inherited by the workers and every process they start. */
const tempRoot = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "cdktf-cilium-test-"));
  process.env[KEY] = dir;
  process.env.TMPDIR = dir;
  return dir;
};

// `npm test`: no test there starts a server, so it makes no PKI (nine openssl processes).
module.exports.setup = async () => {
  tempRoot();
};

// `npm run test:e2e`: the stand-in API servers' PKI as well.
module.exports.setupWithPki = async () => {
  const dir = tempRoot();
  // TypeScript, compiled by jest's transform like the tests.
  const { makePkiFiles, PKI_ENV } = require("../__tests__/helpers/pki");
  const pki = path.join(dir, "pki");
  mkdirSync(pki);
  await makePkiFiles(pki);
  process.env[PKI_ENV] = pki;
};

module.exports.teardown = () => {
  const dir = process.env[KEY];
  if (dir) rmSync(dir, { recursive: true, force: true });
};
