// The suite's self-test: with the default budget, every named mutant of the data path, its configuration or
// Contiv's rendering is caught by some invariant (mutation score 100%).
import { describe, expect, test } from 'vitest';
import { DEFAULT_MUTANT_RUNS, killMatrix, killMatrixText } from '../../src/cli/mutants.ts';
import { MUTANTS } from '../../src/reference/mutants/index.ts';

describe('mutants', () => {
  test(`every mutant is killed within ${DEFAULT_MUTANT_RUNS} cases per property (seed 1)`, async () => {
    const rows = await killMatrix({ runs: DEFAULT_MUTANT_RUNS, seed: 1, stopAtFirstKill: true });
    const survivors = rows.filter((r) => !r.killed).map((r) => r.mutant);
    if (survivors.length > 0) console.log(killMatrixText(rows));
    expect(survivors).toEqual([]);
    expect(rows).toHaveLength(MUTANTS.length);
  });

  test('mutant ids are unique and each has a description and a layer', () => {
    expect(new Set(MUTANTS.map((m) => m.id)).size).toBe(MUTANTS.length);
    for (const m of MUTANTS) expect(m.description.length, m.id).toBeGreaterThan(10);
  });
});
