// The invariant catalogue on the reference adapter (both profiles), with a pinned seed: every property holds on
// the model, but for the departures from the design the vpp-current model shares with today's VPP (its known divergences, excused as the fuzz runner excuses them); each must also fail on a deliberately broken data path (the mutants do that in the mutant tests).
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { excusingDivergence } from '../../src/adapters/adapter.ts';
import { ReferenceAdapter } from '../../src/adapters/reference/reference-adapter.ts';
import { PROPERTIES } from '../../src/properties/index.ts';
import { CHECK_CONTEXT } from '../../src/cli/fuzz-runner.ts';

const SEED = 5150;
const RUNS = 40;

describe.each(['vpp-18.01-contiv', 'vpp-current'] as const)('invariants on the reference model (%s)', (profile) => {
  test.each(PROPERTIES.map((p) => [p.id, p] as const))('%s', async (_id, p) => {
    const adapter = new ReferenceAdapter({ profile });
    const result = await fc.check(
      fc.asyncProperty(p.arbitrary(), async (c) => {
        const v = await p.check(c, adapter, CHECK_CONTEXT);
        // As the fuzz runner does: claims the adapter's known divergences excuse (vpp-current's departures from the design) are not failures.
        if (v.status === 'invalid' && v.claims.every((cl) => excusingDivergence(adapter.capabilities.knownDivergences ?? [], p.id, cl))) return true;
        if (v.status === 'invalid') throw new Error(v.details);
        return true;
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(result.failed ? `${result.counterexample ? JSON.stringify(result.counterexample).slice(0, 400) : ''} ${String(result.errorInstance ?? '')}` : null).toBeNull();
  });
});

test('every property cites seed steps and has a description', () => {
  for (const p of PROPERTIES) {
    expect(p.seedSteps.length, p.id).toBeGreaterThan(0);
    expect(p.description.length, p.id).toBeGreaterThan(10);
  }
  expect(new Set(PROPERTIES.map((p) => p.id)).size).toBe(PROPERTIES.length);
});

test('the finding is still there: on vpp-current an egress policy denying an outside host does not stop the SYN', async () => {
  const p = PROPERTIES.find((x) => x.id === 'outside-leaves-with-node-ip')!;
  const adapter = new ReferenceAdapter({ profile: 'vpp-current' });
  const codes = new Set<string>();
  await fc.assert(
    fc.asyncProperty(p.arbitrary(), async (c) => {
      const v = await p.check(c, adapter, CHECK_CONTEXT);
      if (v.status === 'invalid') for (const x of v.claims) codes.add(x.code);
    }),
    { seed: SEED, numRuns: RUNS },
  );
  expect([...codes]).toEqual(['left-though-denied']);
});
