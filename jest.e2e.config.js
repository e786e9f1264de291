/**
 * @type {import('jest').Config} The end-to-end tests: real processes and servers. The
 * shipped check bundle as terraform runs it, kubectl as the kubeconfig reference,
 * terraform's offline configuration loading and trigger semantics, synth from copies of
 * the project (__tests__/e2e/), and the check in-process against its stand-in API server
 * (`*.e2e.test.ts` beside the capability), and the heavy in-process tests (`*.heavy.test.ts`:
 * property-based, generated corpora) that would slow `npm test` down.
 */
const base = require("./jest.config.js");
module.exports = {
  ...base,
  testPathIgnorePatterns: ["/node_modules/"],
  testMatch: ["**/__tests__/e2e/*.test.ts", "**/__tests__/**/*.e2e.test.ts", "**/__tests__/**/*.heavy.test.ts"],
  // The stand-in API servers' PKI, made once per run (npm test needs none).
  globalSetup: "<rootDir>/scripts/jest-e2e-global-setup.js",
};
