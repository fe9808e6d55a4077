// The invariant catalogue as the only mutant killer (issue 12, item 7): Stryker mutates the reference model's
// graph nodes and state (stryker.config.mjs), and this file — the only one vitest.mutation.config.ts includes —
// runs every property against the reference adapter on both profiles with a pinned seed and a bounded number of
// runs. A mutant is killed when a property judges the mutated model invalid, or when the model crashes on a
// generated case (an exception is a changed behaviour too). The unit tests (golden traces, node tests) are not
// run, so a mutant that only they would notice survives here and shows a hole in the catalogue.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ReferenceAdapter } from '../../src/adapters/reference/reference-adapter.ts';
import { CHECK_CONTEXT } from '../../src/cli/fuzz-runner.ts';
import { PROPERTIES } from '../../src/properties/index.ts';
import { onlyDesignFinding } from '../properties/design-findings.ts';

export const MUTATION_SEED = 1207;
/** cases per property and profile: enough to kill, small enough that one mutant run takes seconds */
export const MUTATION_RUNS = Number(process.env.PODFLOW_MUTATION_RUNS ?? 30);

describe.each(['vpp-18.01-contiv', 'vpp-current'] as const)('catalogue kills model mutants (%s)', (profile) => {
  test.each(PROPERTIES.map((p) => [p.id, p] as const))('%s', async (_id, p) => {
    const adapter = new ReferenceAdapter({ profile });
    const result = await fc.check(
      fc.asyncProperty(p.arbitrary(), async (c) => {
        const v = await p.check(c, adapter, CHECK_CONTEXT);
        // the design finding the unbroken vpp-current model shares with VPP 26.06 kills nothing (design-findings.ts)
        if (v.status === 'invalid' && !onlyDesignFinding(profile, p.id, v.claims)) throw new Error(`${p.id}: ${v.details}`);
        return true;
      }),
      // endOnFailure: no shrinking — the mutant is dead at the first invalid case, shrinking only costs time
      { seed: MUTATION_SEED, numRuns: MUTATION_RUNS, endOnFailure: true },
    );
    expect(result.failed ? `${String(result.errorInstance ?? '')}`.slice(0, 400) : null).toBeNull();
  });
});
