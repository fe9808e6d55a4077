// Mutation testing of the reference model (issue 12, item 7): StrykerJS mutates the graph nodes and the state,
// and the invariant catalogue alone must kill the mutants — vitest.mutation.config.ts runs only
// test/mutation/catalogue.mutation.test.ts, never the unit tests. `npm run mutation`; not part of `npm test` or CI.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: ['src/reference/nodes/**/*.ts', 'src/reference/state/**/*.ts'],
  // perTest: each mutant runs only the catalogue tests (property × profile) that reach its code
  coverageAnalysis: 'perTest',
  // two cores shared with others
  concurrency: 2,
  timeoutMS: 5_000,
  timeoutFactor: 2,
  // TypeScript-invalid mutants are still run (tsx strips types); a checker would cost a tsc per mutant
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  tempDirName: '.stryker-tmp',
  // Not copied into the sandbox: run output (reports/latest is a link to a folder, which Stryker cannot copy).
  ignorePatterns: ['/reports', '/corpus', '/scratch'],
  cleanTempDir: 'always',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: true, reportScoreTable: true },
  thresholds: { high: 90, low: 80, break: null },
};
