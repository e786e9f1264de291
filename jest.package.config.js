/** @type {import('jest').Config} The packaging test: npm pack -> npm install in a consumer -> synth. */
const base = require("./jest.config.js");
module.exports = {
  ...base,
  testPathIgnorePatterns: ["/node_modules/"],
  testMatch: ["**/__tests__/packaging/*.test.ts"],
  testTimeout: 300000,
};
