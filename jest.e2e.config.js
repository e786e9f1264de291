/**
 * @type {import('jest').Config} The end-to-end tests: real processes. The shipped check
 * bundle as terraform runs it, kubectl as the kubeconfig reference, terraform's offline
 * configuration loading and trigger semantics, and synth from copies of the project.
 */
const base = require("./jest.config.js");
module.exports = {
  ...base,
  testPathIgnorePatterns: ["/node_modules/"],
  testMatch: ["**/__tests__/e2e/*.test.ts"],
};
