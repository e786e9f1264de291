/**
 * @type {import('jest').Config} The oracle suite (npm run test:oracle): the path engine against
 * Cilium's own policy code, one oracle per supported line (test/cilium-oracle-<line>, built at
 * most once per set of versions by the global setup).
 */
const base = require("./jest.config.js");
module.exports = {
  ...base,
  testPathIgnorePatterns: ["/node_modules/"],
  testMatch: ["**/__tests__/oracle/*.test.ts"],
  globalSetup: "<rootDir>/scripts/jest-oracle-setup.js",
  // A generated run asks the engine 10,000 times (each validates its documents).
  testTimeout: 600000,
};
