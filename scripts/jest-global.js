// Jest globalSetup/globalTeardown: the whole run (workers and every process they
// start inherit TMPDIR) writes its temporary files below one directory, removed at
// the end, so nothing a test created outlives the run, whatever a library does.
// The test PKI (CA, server and client certificates) is made there once per run of the suites
// with stand-in servers.
const { accessSync, constants, mkdirSync, mkdtempSync, rmSync, statfsSync } = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const KEY = "CDKTF_CILIUM_TEST_TMPDIR";

/** The run's temporary directory, inherited by the workers and every process they start. */
const tempRoot = (base = os.tmpdir()) => {
  const dir = mkdtempSync(path.join(base, "cdktf-cilium-test-"));
  process.env[KEY] = dir;
  process.env.TMPDIR = dir;
  return dir;
};

/**
 * A memory file system with room to spare (Linux's /dev/shm), else the system's temp directory.
 * npm test writes many small files (a policy directory per test, synth outputs) and removes them
 * after each file; on a disk file system (ext4 mounted with discard here) that blocked for longer
 * than the tests ran. Only npm test uses it: it runs no process, so a noexec mount does not matter.
 */
const MEMORY_FS = "/dev/shm";
// A run peaks at a few megabytes; ten times that, so a small /dev/shm (a container's 64 MB) still serves.
const ROOM = 32 * 1024 ** 2;
const memoryOrTemp = () => {
  try {
    const { bavail, bsize } = statfsSync(MEMORY_FS);
    accessSync(MEMORY_FS, constants.W_OK);
    if (bavail * bsize >= ROOM) return MEMORY_FS;
  } catch {
    // no such file system here: the temp directory
  }
  return os.tmpdir();
};

// `npm test`: no test there starts a server, so it makes no PKI (nine openssl processes). A TMPDIR
// the caller set is kept.
module.exports.setup = async () => {
  tempRoot(process.env.TMPDIR ? os.tmpdir() : memoryOrTemp());
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
