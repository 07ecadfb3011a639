/** Jest runs TypeScript through swc (fast, no type check: `tsc --noEmit` does that in `npm test`).
 * ESM-only dependencies (@noble, @scure, ...) are transformed to CommonJS too. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/chain", "<rootDir>/modules", "<rootDir>/client", "<rootDir>/proto", "<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.(t|j|mj)s$": ["@swc/jest", { jsc: { target: "es2022", parser: { syntax: "typescript" } }, module: { type: "commonjs" } }],
  },
  transformIgnorePatterns: ["/node_modules/(?!(@noble|@scure|@cosmjs|@bufbuild)/)"],
  moduleFileExtensions: ["ts", "js", "mjs", "json", "node"],
  testTimeout: 30000,
  // Finds (or builds, once) CometBFT v0.38.25 before the e2e suites run; see test/e2e/globalSetup.ts.
  globalSetup: "<rootDir>/test/e2e/globalSetup.ts",
};
