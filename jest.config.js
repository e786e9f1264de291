/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } }],
  },
  maxWorkers: 2,
  // The check scenarios wait on real deadlines; they run side by side (test.concurrent).
  maxConcurrency: 20,
  testTimeout: 30000,
};
