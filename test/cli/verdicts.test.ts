// Verdicts podflow's users can trust unattended: failures are structured claims; a known divergence excuses a
// claim by its facts (never by wording) and the check goes on; every case is counted as checked or unknown;
// a property with nothing checked or too many unknowns is unknown, and so is a run made only of unknowns.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AdapterUnavailable, type Adapter, type KnownDivergence } from '../../src/adapters/adapter.ts';
import { runProperty } from '../../src/cli/fuzz-runner.ts';
import { mergeRuns } from '../../src/cli/merge.ts';
import { overallVerdict, type PropertyResult, type RunResult } from '../../src/cli/results.ts';
import { claim, verdictOf, VALID, type ClaimMessages, type PropertyDef } from '../../src/properties/types.ts';

const CLAIMS: ClaimMessages = {
  'outer-source-port': (c) => `${c.connection}: outer UDP source port ${c.received}, the flow hash gives ${c.expected}`,
  other: (c) => `${c.connection}: something else broke`,
};

const divergence: KnownDivergence = {
  id: 'outer-port',
  property: 'p',
  field: 'outer udp.srcPort',
  reason: 'another hash',
  match: { code: 'outer-source-port' },
  example: { code: 'outer-source-port', connection: 'a -> b', received: '1', expected: '2' },
};

function adapterWith(divergences: KnownDivergence[], inject: Adapter['inject'] = async () => ({ captures: [] })): Adapter {
  const nothing = async (): Promise<void> => {};
  return { name: 'stub', capabilities: { traces: false, dropReasons: false, virtualTime: false, knownDivergences: divergences }, setup: nothing, apply: nothing, reset: nothing, teardown: nothing, inject };
}

// Even numbers show the divergence (first); multiples of 7 also fail otherwise (second claim of the same case).
const property: PropertyDef<number> = {
  id: 'p',
  description: 'a property for the runner test',
  seedSteps: ['test'],
  claims: CLAIMS,
  arbitrary: () => fc.integer({ min: 0, max: 1000 }),
  async check(n) {
    const claims = [];
    if (n % 2 === 0) claims.push(claim(CLAIMS, { code: 'outer-source-port', connection: `case ${n}`, received: String(n), expected: '1' }));
    if (n % 7 === 0) claims.push(claim(CLAIMS, { code: 'other', connection: `case ${n}` }));
    return verdictOf(claims);
  },
};

const run = (p: PropertyDef<number>, a: Adapter, runs = 50, extra = {}): Promise<PropertyResult> => runProperty(p, a, { seed: 3, runs, chunk: 25, interrupted: () => false, ...extra });

describe('claims and known divergences in the fuzz runner', () => {
  it('counts excused claims per divergence and keeps the property valid', async () => {
    const onlyEvenNot7: PropertyDef<number> = { ...property, arbitrary: () => fc.integer({ min: 0, max: 500 }).map((n) => n * 2).filter((n) => n % 7 !== 0) };
    const r = await run(onlyEvenNot7, adapterWith([divergence]));
    expect(r).toMatchObject({ verdict: 'valid', runs: 50, checked: 50, valid: 50, invalid: 0, unknown: 0, knownDivergences: { 'outer-port': 50 }, counterexamples: [] });
  });

  it('goes on past an excused claim: a later failure of the same case is reported, the excused one listed apart', async () => {
    const r = await run(property, adapterWith([divergence]), 200);
    expect(r.verdict).toBe('invalid');
    const cx = r.counterexamples[0]!;
    expect(cx.claims.map((c) => c.code)).toEqual(['other']);
    // fast-check shrinks to 0, which is even and a multiple of 7: both claims, one excused
    expect(cx.case).toBe(0);
    expect(cx.excused).toEqual([{ divergence: 'outer-port', claim: expect.objectContaining({ code: 'outer-source-port' }) }]);
    expect(cx.details).toBe('case 0: something else broke');
    expect(r.invalid).toBe(1);
    expect(r.checked).toBe(r.valid! + r.invalid!);
  });

  it('fails on the diverging claim when the adapter declares nothing, with every claim of the case', async () => {
    const r = await run(property, adapterWith([]));
    expect(r.verdict).toBe('invalid');
    expect(r.knownDivergences).toBeUndefined();
    expect(r.counterexamples[0]!.claims.map((c) => c.code)).toEqual(['outer-source-port', 'other']);
    expect(r.counterexamples[0]!.details).toBe('case 0: outer UDP source port 0, the flow hash gives 1 (and 1 more failure in this case)');
  });

  it('a divergence matches facts, not wording: another code with the same words is not excused', async () => {
    const sameWords: ClaimMessages = { 'outer-source-port': CLAIMS['outer-source-port']!, impostor: CLAIMS['outer-source-port']! };
    const p: PropertyDef<number> = { ...property, claims: sameWords, arbitrary: () => fc.constant(2), check: async (n) => verdictOf([claim(sameWords, { code: 'impostor', connection: `case ${n}`, received: '2', expected: '1' })]) };
    const r = await run(p, adapterWith([divergence]), 5);
    expect(r.verdict).toBe('invalid');
  });

  it('adds the counts of shards when runs are merged', () => {
    const base = { id: 'p', description: 'd', seedSteps: ['x'], runs: 10, verdict: 'valid' as const, timeMs: 1, unknownReasons: [], counterexamples: [], coverage: {} };
    const info = { runId: 'r', seed: 1, adapter: 'stub', options: {} } as never;
    const { result } = mergeRuns([
      { dir: 'a', result: { info, properties: [{ ...base, checked: 9, valid: 9, invalid: 0, unknown: 1, unknownByReason: { 'lab busy': 1 }, knownDivergences: { 'outer-port': 3 } }] }, files: [] },
      { dir: 'b', result: { info, properties: [{ ...base, checked: 8, valid: 8, invalid: 0, unknown: 2, unknownByReason: { 'lab busy': 1, timeout: 1 }, knownDivergences: { 'outer-port': 4, other: 1 } }] }, files: [] },
    ] as never);
    expect(result.properties[0]!.knownDivergences).toEqual({ 'outer-port': 7, other: 1 });
    expect(result.properties[0]).toMatchObject({ runs: 20, checked: 17, valid: 17, invalid: 0, unknown: 3, unknownByReason: { 'lab busy': 2, timeout: 1 } });
  });
});

describe('honest accounting', () => {
  const valid: PropertyDef<number> = { ...property, check: async () => VALID };

  it('an adapter that cannot answer makes every case unknown, and the property unknown (nothing checked)', async () => {
    const dead: PropertyDef<number> = { ...property, check: async (_n, a) => (await a.inject([]), VALID) };
    const r = await run(dead, adapterWith([], async () => { throw new AdapterUnavailable('stub', 'node 1: no answer within 100 ms'); }));
    expect(r).toMatchObject({ verdict: 'unknown', runs: 50, checked: 0, unknown: 50, counterexamples: [] });
    expect(r.unknownByReason).toEqual({ 'stub: node 1: no answer within 100 ms': 50 });
    expect(r.unknownReasons[0]).toBe('no case could be checked (50 unknown)');
  });

  it('a crashing check is unknown with its first line, never valid', async () => {
    const crash: PropertyDef<number> = { ...property, check: async () => { throw new TypeError('x is undefined\n    at somewhere'); } };
    const r = await run(crash, adapterWith([]), 10);
    expect(r).toMatchObject({ verdict: 'unknown', checked: 0, unknown: 10 });
    expect(Object.keys(r.unknownByReason!)).toEqual(['the check crashed: TypeError: x is undefined']);
  });

  it('unknowns above --max-unknown make the property unknown; at or below it, valid', async () => {
    let k = 0;
    const some: PropertyDef<number> = { ...property, check: async () => (k++ % 5 === 0 ? { status: 'unknown', reason: 'lab busy' } : VALID) };
    k = 0;
    const strict = await run(some, adapterWith([]), 50, { maxUnknown: 0.1 });
    expect(strict).toMatchObject({ verdict: 'unknown', checked: 40, unknown: 10, unknownByReason: { 'lab busy': 10 } });
    expect(strict.unknownReasons[0]).toMatch(/10 of 50 cases unknown \(more than 10 %\)/);
    k = 0;
    expect((await run(some, adapterWith([]), 50, { maxUnknown: 0.2 })).verdict).toBe('valid');
  });

  it('a property that ran no case (deadline passed, interrupted) is unknown', async () => {
    expect(await run(valid, adapterWith([]), 50, { deadline: Date.now() - 1 })).toMatchObject({ verdict: 'unknown', runs: 0, checked: 0, unknownReasons: ['no case was checked'] });
    expect(await run(valid, adapterWith([]), 50, { interrupted: () => true })).toMatchObject({ verdict: 'unknown', runs: 0 });
  });

  it('n/a properties do not make a run unknown, but a run of only n/a or unknown properties is not valid', async () => {
    const needsClock: PropertyDef<number> = { ...valid, id: 'q', needs: { virtualTime: true } };
    const na = await run(needsClock, adapterWith([]), 10);
    expect(na).toMatchObject({ verdict: 'unknown', notApplicable: true, runs: 0, unknownReasons: ['adapter stub lacks virtualTime'] });
    const ok = await run(valid, adapterWith([]), 10);
    const info = { runId: 'r', seed: 1, adapter: 'stub', options: {} } as never;
    const r = (properties: PropertyResult[], extra = {}): RunResult => ({ info: { ...(info as object), ...extra } as never, properties });
    expect(overallVerdict(r([ok, na]))).toBe('valid');
    expect(overallVerdict(r([na]))).toBe('unknown');
    expect(overallVerdict(r([]))).toBe('unknown');
    expect(overallVerdict(r([ok, { ...na, notApplicable: undefined }]))).toBe('unknown');
    expect(overallVerdict(r([ok], { unavailable: 'nft: not found' }))).toBe('unknown');
  });
});
