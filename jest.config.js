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
  reporters: ["default", "<rootDir>/scripts/summary-reporter.js"],
  maxWorkers: 2,
  // The check scenarios wait on real deadlines; they run side by side (test.concurrent).
  maxConcurrency: 20,
  testTimeout: 30000,
};
