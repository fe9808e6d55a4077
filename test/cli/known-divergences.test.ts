// A failure that the adapter's checked-in known divergences explain is counted per divergence, not reported;
// anything else stays a failure (STYLE.md §7).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Adapter, KnownDivergence } from '../../src/adapters/adapter.ts';
import { runProperty } from '../../src/cli/fuzz-runner.ts';
import { mergeRuns } from '../../src/cli/merge.ts';
import { invalid, VALID, type PropertyDef } from '../../src/properties/types.ts';

const divergence: KnownDivergence = { id: 'outer-port', property: 'p', field: 'outer udp.srcPort', reason: 'another hash', details: 'outer UDP source port \\d+' };

function adapterWith(divergences: KnownDivergence[]): Adapter {
  const nothing = async (): Promise<void> => {};
  return { name: 'stub', capabilities: { traces: false, dropReasons: false, virtualTime: false, knownDivergences: divergences }, setup: nothing, apply: nothing, reset: nothing, teardown: nothing, inject: async () => ({ captures: [] }) };
}

// Fails with the divergence's message for even numbers, with another message for multiples of 7.
const property: PropertyDef<number> = {
  id: 'p',
  description: 'a property for the runner test',
  seedSteps: ['test'],
  masks: [],
  arbitrary: () => fc.integer({ min: 0, max: 1000 }),
  async check(n) {
    if (n % 7 === 0 && n % 2 === 1) return invalid(`something else broke for ${n}`);
    if (n % 2 === 0) return invalid(`outer UDP source port ${n} on node:1:wire, the flow hash gives 1`);
    return VALID;
  },
};

describe('known divergences in the fuzz runner', () => {
  it('counts explained failures per divergence and keeps the property valid', async () => {
    const onlyEven: PropertyDef<number> = { ...property, arbitrary: () => fc.integer({ min: 0, max: 500 }).map((n) => n * 2) };
    const r = await runProperty(onlyEven, adapterWith([divergence]), { seed: 3, runs: 50, chunk: 25, interrupted: () => false });
    expect(r.verdict).toBe('valid');
    expect(r.knownDivergences).toEqual({ 'outer-port': 50 });
    expect(r.counterexamples).toEqual([]);
  });

  it('still fails on what no divergence explains', async () => {
    const r = await runProperty(property, adapterWith([divergence]), { seed: 3, runs: 200, chunk: 25, interrupted: () => false });
    expect(r.verdict).toBe('invalid');
    expect(r.counterexamples[0]!.details).toMatch(/something else broke/);
  });

  it('fails on the diverging field when the adapter declares nothing', async () => {
    const r = await runProperty(property, adapterWith([]), { seed: 3, runs: 50, chunk: 25, interrupted: () => false });
    expect(r.verdict).toBe('invalid');
    expect(r.knownDivergences).toBeUndefined();
  });

  it('adds the counts of shards when runs are merged', () => {
    const base = { id: 'p', description: 'd', seedSteps: ['x'], runs: 10, verdict: 'valid' as const, timeMs: 1, unknownReasons: [], counterexamples: [], coverage: {} };
    const info = { runId: 'r', seed: 1, adapter: 'stub', options: {} } as never;
    const { result } = mergeRuns([
      { dir: 'a', result: { info, properties: [{ ...base, knownDivergences: { 'outer-port': 3 } }] }, files: [] },
      { dir: 'b', result: { info, properties: [{ ...base, knownDivergences: { 'outer-port': 4, other: 1 } }] }, files: [] },
    ] as never);
    expect(result.properties[0]!.knownDivergences).toEqual({ 'outer-port': 7, other: 1 });
  });
});

describe('properties an adapter cannot answer', () => {
  it('are unknown and not applicable, and leave the run valid when everything else is', async () => {
    const { overallVerdict } = await import('../../src/cli/results.ts');
    const needsClock: PropertyDef<number> = { ...property, id: 'q', needs: { virtualTime: true } };
    const r = await runProperty(needsClock, adapterWith([]), { seed: 1, runs: 10, chunk: 10, interrupted: () => false });
    expect(r).toMatchObject({ verdict: 'unknown', notApplicable: true, runs: 0, unknownReasons: ['adapter stub lacks virtualTime'] });
    const info = { runId: 'r', seed: 1, adapter: 'stub', options: {} } as never;
    const valid = { ...r, id: 'p', verdict: 'valid' as const, notApplicable: undefined, unknownReasons: [] };
    expect(overallVerdict({ info, properties: [valid, r] })).toBe('valid');
    expect(overallVerdict({ info, properties: [valid, { ...r, notApplicable: undefined }] })).toBe('unknown');
  });
});
