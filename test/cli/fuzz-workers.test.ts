// `podflow fuzz --workers N`: every worker runs every property on its share of the chunks (fuzz-workers.ts). The
// shares together are exactly the chunks one worker runs, so with --no-steer N workers check the very cases of
// one; the same seed and worker count give the same cases; the shares' results add up to one property result.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ReferenceAdapter } from '../../src/adapters/reference/reference-adapter.ts';
import { runFuzz } from '../../src/cli/fuzz.ts';
import { runProperty } from '../../src/cli/fuzz-runner.ts';
import { mergeShares, shareRuns, workerCount } from '../../src/cli/fuzz-workers.ts';
import type { Counterexample, PropertyResult } from '../../src/cli/results.ts';
import { propertyById } from '../../src/properties/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'podflow-workers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('shareRuns', () => {
  test('the shares of a property add up to its runs, each the sizes of its own chunks', () => {
    for (const runs of [1, 24, 25, 26, 49, 50, 60, 200, 1013])
      for (const count of [1, 2, 3, 4, 7]) {
        const shares = Array.from({ length: count }, (_, index) => shareRuns(runs, 25, { index, count }));
        expect(shares.reduce((a, b) => a + b, 0), `${runs} runs, ${count} shares`).toBe(runs);
        // chunk c (size min(25, runs - 25c)) belongs to share c mod count
        const expected = Array.from({ length: count }, () => 0);
        for (let c = 0; c * 25 < runs; c++) expected[c % count]! += Math.min(25, runs - c * 25);
        expect(shares).toEqual(expected);
      }
  });

  test('60 runs in chunks of 25 on 2 workers: chunks 0 and 2 (25 + 10) and chunk 1 (25)', () => {
    expect(shareRuns(60, 25, { index: 0, count: 2 })).toBe(35);
    expect(shareRuns(60, 25, { index: 1, count: 2 })).toBe(25);
  });

  test('a time budget has no case count, and every worker has work', () => {
    expect(shareRuns(Number.MAX_SAFE_INTEGER, 25, { index: 1, count: 2 })).toBe(Number.MAX_SAFE_INTEGER);
    expect(workerCount(4, Number.MAX_SAFE_INTEGER, 25)).toBe(4);
  });

  test('no more workers than a property has chunks', () => {
    expect(workerCount(4, 30, 25)).toBe(2);
    expect(workerCount(2, 10, 25)).toBe(1);
    expect(workerCount(2, 200, 25)).toBe(2);
  });
});

function share(over: Partial<PropertyResult>): PropertyResult {
  return { id: 'p', description: 'd', seedSteps: ['s'], runs: 0, checked: 0, valid: 0, invalid: 0, unknown: 0, verdict: 'valid', timeMs: 0, unknownReasons: [], unknownByReason: {}, counterexamples: [], coverage: {}, ...over };
}

describe('mergeShares', () => {
  test('adds up counts, coverage, measures and known divergences; the time is the longest share', () => {
    const m = mergeShares(
      [
        share({ runs: 10, checked: 10, valid: 10, timeMs: 300, coverage: { a: 2, b: 1 }, measures: { 'trace records equal': 5 }, knownDivergences: { x: 1 } }),
        share({ runs: 8, checked: 8, valid: 8, timeMs: 500, coverage: { b: 3, c: 1 }, measures: { 'trace records equal': 4, 'trace records differing': 1 } }),
      ],
      0.1,
    );
    expect(m).toMatchObject({ runs: 18, checked: 18, valid: 18, invalid: 0, unknown: 0, timeMs: 500, verdict: 'valid', unknownReasons: [] });
    expect(m.coverage).toEqual({ a: 2, b: 4, c: 1 });
    expect(m.measures).toEqual({ 'trace records equal': 9, 'trace records differing': 1 });
    expect(m.knownDivergences).toEqual({ x: 1 });
  });

  test('the unknown threshold is judged on the totals, not on each share', () => {
    // share 1: 3 of 10 unknown (unknown on its own); together 3 of 30 (10 %): valid
    const a = share({ runs: 10, checked: 7, valid: 7, unknown: 3, verdict: 'unknown', unknownReasons: ['3 of 10 cases unknown (more than 10 %)', 'lab slow'], unknownByReason: { 'lab slow': 3 } });
    const b = share({ runs: 20, checked: 20, valid: 20 });
    const m = mergeShares([a, b], 0.1);
    expect(m.verdict).toBe('valid');
    expect(m.unknownReasons).toEqual(['lab slow']);
    expect(m.unknownByReason).toEqual({ 'lab slow': 3 });
    const strict = mergeShares([{ ...a, unknownReasons: ['3 of 10 cases unknown (more than 5 %)', 'lab slow'] }, b], 0.05);
    expect(strict.verdict).toBe('unknown');
    expect(strict.unknownReasons).toEqual(['3 of 30 cases unknown (more than 5 %)', 'lab slow']);
  });

  test('a counterexample in any share makes the property invalid; every distinct one is kept', () => {
    const cx = (id: string): Counterexample => ({ id, property: 'p', adapter: 'a', seed: 1, path: '0', details: id, claims: [], seedSteps: [], case: null });
    const m = mergeShares([share({ runs: 5, checked: 5, valid: 4, invalid: 1, verdict: 'invalid', counterexamples: [cx('x')] }), share({ runs: 7, checked: 7, valid: 6, invalid: 1, verdict: 'invalid', counterexamples: [cx('y'), cx('x')] })], 0.1);
    expect(m.verdict).toBe('invalid');
    expect(m.counterexamples.map((c) => c.id)).toEqual(['x', 'y']);
    expect(m.invalid).toBe(2);
  });

  test('a share that never reported (its worker failed) keeps the property from being valid, and says why', () => {
    const m = mergeShares([share({ runs: 5, checked: 5, valid: 5 })], 0.1, ['worker 2 of 2 failed: boom']);
    expect(m.verdict).toBe('unknown');
    expect(m.unknownReasons).toEqual(['worker 2 of 2 failed: boom']);
  });

  test('a property no worker could apply stays not applicable', () => {
    const na = share({ verdict: 'unknown', notApplicable: true, unknownReasons: ['adapter a lacks clock'] });
    const m = mergeShares([na, { ...na }], 0.1);
    expect(m).toMatchObject({ verdict: 'unknown', notApplicable: true, unknownReasons: ['adapter a lacks clock'] });
  });
});

describe('runProperty on a share of the chunks', () => {
  const p = propertyById('connection-verdict-equals-policy')!;
  const run = (o: { runs: number; chunks?: { index: number; count: number }; steer: boolean }) => runProperty(p, new ReferenceAdapter(), { seed: 11, chunk: 25, interrupted: () => false, ...o });

  test('the shares of 2 workers check exactly the cases of one (--no-steer): same counts, same coverage', async () => {
    const whole = await run({ runs: 110, steer: false });
    const parts = await Promise.all([0, 1].map((index) => run({ runs: shareRuns(110, 25, { index, count: 2 }), chunks: { index, count: 2 }, steer: false })));
    expect(parts.map((x) => x.runs)).toEqual([60, 50]);
    const m = mergeShares(parts, 0.1);
    expect(m.runs).toBe(whole.runs);
    expect(m.checked).toBe(whole.checked);
    expect(m.coverage).toEqual(whole.coverage);
    // and a share is not the whole: the two shares checked different cases
    expect(parts[0]!.coverage).not.toEqual(parts[1]!.coverage);
  });

  test('steered, a share is reproducible: the same seed and share give the same cases', async () => {
    const a = await run({ runs: 100, chunks: { index: 1, count: 2 }, steer: true });
    const b = await run({ runs: 100, chunks: { index: 1, count: 2 }, steer: true });
    expect(a.runs).toBe(100);
    expect(a.coverage).toEqual(b.coverage);
  });
});

describe('podflow fuzz --workers 2 (worker threads)', () => {
  test('with --no-steer and --runs, 2 workers report per property the cases, counts and coverage of 1 worker', async () => {
    const o = { adapter: 'reference', runs: '60', seed: '5', steer: false, corpus: false as const, property: ['vxlan-wire-format', 'ttl-and-checksums', 'connection-lifecycle'] };
    const one = await runFuzz({ ...o, out: join(dir, 'one') }, () => {});
    const two = await runFuzz({ ...o, workers: '2', out: join(dir, 'two') }, () => {});
    expect(two.code).toBe(one.code);
    expect(two.result.properties.map((p) => p.id)).toEqual(o.property);
    for (const [i, p] of two.result.properties.entries()) {
      const q = one.result.properties[i]!;
      expect({ id: p.id, runs: p.runs, checked: p.checked, unknown: p.unknown, verdict: p.verdict }).toEqual({ id: q.id, runs: 60, checked: q.checked, unknown: q.unknown, verdict: q.verdict });
      expect(p.coverage, p.id).toEqual(q.coverage);
    }
    // what starting the workers cost is in run.json
    expect(two.result.info.workers).toHaveLength(2);
    for (const w of two.result.info.workers!) {
      expect(w.readyMs).toBeGreaterThanOrEqual(0);
      expect(w.firstChunkMs).toBeGreaterThanOrEqual(w.readyMs!);
    }
  });
});
