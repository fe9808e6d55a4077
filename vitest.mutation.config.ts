// The vitest config Stryker uses (stryker.config.mjs): only the catalogue mutation test, so the invariant
// catalogue — not the unit tests — must kill the reference model's mutants. Not used by `npm test`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/mutation/catalogue.mutation.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
