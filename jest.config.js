const path = require("node:path");

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  // `npm test` is the in-process suite, and a fast one. Tests that run real processes (the
  // shipped check, kubectl, terraform, synth from copies of the project) are in
  // __tests__/e2e/, and tests that start servers (the check against its stand-in API
  // server, the repository's scripts) are `*.e2e.test.ts` beside the capability they test,
  // and heavy in-process work (property-based and generated corpora) is `*.heavy.test.ts`:
  // all are `npm run test:e2e` (jest.e2e.config.js). The packaging test is `npm run test:package`;
  // the tests against a real kube-apiserver are `npm run test:cluster` (jest.cluster.config.js).
  // The engine against Cilium's Go code is `npm run test:oracle` (jest.oracle.config.js).
  // README's test command and .ci/run run all five.
  testPathIgnorePatterns: [
    "/node_modules/",
    "/__tests__/e2e/",
    "/__tests__/packaging/",
    "/__tests__/cluster/",
    "/__tests__/oracle/",
    "\\.e2e\\.test\\.ts$",
    "\\.heavy\\.test\\.ts$",
  ],
  transform: {
    "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } }],
  },
  // Not in the temp directory: a test run leaves nothing there.
  cacheDirectory: path.join(__dirname, "node_modules", ".cache", "jest"),
  globalSetup: "<rootDir>/scripts/jest-global-setup.js",
  globalTeardown: "<rootDir>/scripts/jest-global-teardown.js",
  setupFilesAfterEnv: ["<rootDir>/__tests__/jest.setup.ts"],
  // cdktf loads archiver for ARCHIVE assets, which nothing here makes (see the stub).
  moduleNameMapper: { "^archiver$": "<rootDir>/__tests__/helpers/archiver-stub.js" },
  snapshotSerializers: ["<rootDir>/__tests__/helpers/mask-asset-hash.js"],
  reporters: ["default", "<rootDir>/scripts/summary-reporter.js"],
  // Two workers on two cores. Jest would run a run of few, fast files in its own process
  // (one core); setting a worker memory limit keeps the workers (a recycle at 1 GB never happens here).
  maxWorkers: 2,
  workerIdleMemoryLimit: "1GB",
  // At the end jest asks each worker to exit and force-exits one that has not after this long,
  // warning of a leak. On two cores kept busy by other processes a worker with nothing open
  // took longer than jest's 500 ms to get the CPU to exit; a real leak still gets the warning.
  workerGracefulExitTimeout: 5000,
  // End-to-end check runs are few and bounded (helpers/run-cli.ts runs at most 3 at once).
  maxConcurrency: 8,
  testTimeout: 30000,
};
