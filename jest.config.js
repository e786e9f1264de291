const path = require("node:path");

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  // The packaging test installs from the registry cache and takes ~10 s: `npm run test:package`.
  testPathIgnorePatterns: ["/node_modules/", "/__tests__/packaging/"],
  transform: {
    "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } }],
  },
  // Not in the temp directory: a test run leaves nothing there.
  cacheDirectory: path.join(__dirname, "node_modules", ".cache", "jest"),
  globalSetup: "<rootDir>/scripts/jest-global-setup.js",
  globalTeardown: "<rootDir>/scripts/jest-global-teardown.js",
  setupFilesAfterEnv: ["<rootDir>/__tests__/jest.setup.ts"],
  snapshotSerializers: ["<rootDir>/__tests__/helpers/mask-asset-hash.js"],
  reporters: ["default", "<rootDir>/scripts/summary-reporter.js"],
  maxWorkers: 3,
  // End-to-end check runs are few and bounded (helpers/run-cli.ts runs at most 3 at once).
  maxConcurrency: 8,
  testTimeout: 30000,
};
