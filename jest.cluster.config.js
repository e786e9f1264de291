/**
 * @type {import('jest').Config} The cluster suite (`npm run test:cluster`): a real
 * kube-apiserver and etcd, built from their Go modules (test/control-plane/), judge the
 * manifests we synthesize and the documents our validators accept. globalSetup builds the
 * binaries once per run (cached outside the repository, keyed by the versions) before any
 * test file starts; each file starts its own control plane (`npm run control-plane -- up`).
 * One worker: the servers need the cores more than jest does, and the real-time scenarios
 * run one at a time.
 */
const base = require("./jest.config.js");
module.exports = {
  ...base,
  testPathIgnorePatterns: ["/node_modules/"],
  testMatch: ["**/__tests__/cluster/*.test.ts"],
  globalSetup: "<rootDir>/scripts/control-plane/jest-global-setup.mjs",
  maxWorkers: 1,
  testTimeout: 180000,
};
