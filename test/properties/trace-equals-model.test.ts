// trace-equals-model: the whole-trace differential holds on the model itself (both profiles), catches data-path
// mutants by the trace field they break, answers unknown for an adapter that does not trace, and its claims can be
// excused — or not — by a known divergence's facts (code, point, field).
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { excusingDivergence, type Adapter, type KnownDivergence } from '../../src/adapters/adapter.ts';
import { MutantAdapter } from '../../src/adapters/reference/mutant-adapter.ts';
import { ReferenceAdapter } from '../../src/adapters/reference/reference-adapter.ts';
import { CHECK_CONTEXT, runProperty } from '../../src/cli/fuzz-runner.ts';
import { listText } from '../../src/cli/list.ts';
import { measureShares } from '../../src/cli/results.ts';
import { PROPERTIES } from '../../src/properties/index.ts';
import { alignTraces, compareTrace, traceEqualsModel, volatileMasks, VOLATILE_MASKS } from '../../src/properties/trace-equals-model.ts';
import { clusterCaseArb, modelProfileOf, runClusterCase } from '../../src/properties/harness.ts';
import type { Claim } from '../../src/properties/types.ts';
import { mutantById } from '../../src/reference/mutants/index.ts';
import { VPP_KNOWN_DIVERGENCES } from '../../src/adapters/vpp/known-divergences.ts';
import type { TraceRecord } from '../../src/trace/records.ts';
import { CLIENT_AND_WEB } from '../support/clusters.ts';

const SEED = 4711;

/** Every claim over `runs` cases, and how many cases were valid / invalid / unknown. */
async function run(adapter: Adapter, runs = 25): Promise<{ claims: Claim[]; valid: number; invalid: number; unknown: string[] }> {
  const out = { claims: [] as Claim[], valid: 0, invalid: 0, unknown: [] as string[] };
  await fc.assert(
    fc.asyncProperty(traceEqualsModel.arbitrary(), async (c) => {
      const v = await traceEqualsModel.check(c, adapter, CHECK_CONTEXT);
      if (v.status === 'invalid') {
        out.invalid++;
        out.claims.push(...v.claims);
      } else if (v.status === 'valid') out.valid++;
      else out.unknown.push(v.reason);
    }),
    { seed: SEED, numRuns: runs },
  );
  return out;
}

describe('trace-equals-model on the reference model', () => {
  test.each(['vpp-18.01-contiv', 'vpp-current'] as const)('every case is valid on reference(%s), compared with its own profile', async (profile) => {
    const adapter = new ReferenceAdapter({ profile });
    expect(modelProfileOf(adapter)).toBe(profile);
    const r = await run(adapter);
    expect(r.claims.map((c) => c.message)).toEqual([]);
    expect(r.unknown).toEqual([]);
    expect(r.valid).toBe(25);
  });

  test('the 18.01 model and the current model are not each other: their traces differ (the check compares)', async () => {
    const current = new ReferenceAdapter({ profile: 'vpp-current', name: 'reference-current-named-otherwise' });
    // named otherwise, it is compared with the default profile, 18.01
    expect(modelProfileOf(current)).toBe('vpp-18.01-contiv');
    const r = await run(current, 5);
    expect(r.invalid).toBe(5);
    expect(r.claims.every((c) => c.code === 'trace-differs' && c.layer === 'trace')).toBe(true);
  });
});

describe('mutants of the data path fail it with a claim naming the field', () => {
  test('ttl-not-decremented: the first divergence is a TTL field at ip4-rewrite or after', async () => {
    const r = await run(new MutantAdapter(mutantById('ttl-not-decremented')!), 10);
    expect(r.invalid).toBeGreaterThan(0);
    const first = r.claims[0]!;
    expect(first.field).toMatch(/ttl/);
    expect(first.point).toMatch(/^node:\d+:trace:\d+:[a-z0-9-]+$/);
    expect(first.message).toMatch(/packet \d+'s trace on node \d+, record \d+ \(/);
    expect(first.context).toMatch(/^records: \d+ equal, [1-9]\d* differing/);
    // every claim is about a TTL (or the checksum that follows it), never another field
    expect(new Set(r.claims.map((c) => c.field?.replace(/^.*\./, '')))).toEqual(new Set(['ttl']));
  });

  test('flow-hash-on-wrong-fields: the outer flow hash or UDP source port after vxlan4-encap differs', async () => {
    const r = await run(new MutantAdapter(mutantById('flow-hash-on-wrong-fields')!), 15);
    expect(r.invalid).toBeGreaterThan(0);
    for (const c of r.claims) expect(`${c.point} ${c.field}`).toMatch(/flowHash|srcPort|udp/);
  });
});

describe("the run's record counts (results measures)", () => {
  test('the reference against itself: every record equal (100 %); a mutant: some differing, and the share says so', async () => {
    const same = await runProperty(traceEqualsModel, new ReferenceAdapter(), { seed: 5, runs: 5, chunk: 5, interrupted: () => false });
    expect(same.verdict).toBe('valid');
    const m = same.measures!;
    expect(m['trace records equal']).toBeGreaterThan(0);
    expect(m['trace records differing']! + m['trace records only in the model']! + m['trace records only on the adapter']!).toBe(0);
    expect(m['packet traces differing']).toBe(0);
    expect(measureShares(m)).toEqual([`packet traces: 100.0 % equal (${m['packet traces equal']} of ${m['packet traces equal']})`, `trace records: 100.0 % equal (${m['trace records equal']} of ${m['trace records equal']})`]);
    const mutant = new MutantAdapter(mutantById('ttl-not-decremented')!);
    Object.assign(mutant.capabilities, { knownDivergences: [{ id: 'ttl-declared', property: 'trace-equals-model', field: 'ttl', reason: 'test', match: { code: 'trace-differs', layer: 'trace' } }] });
    const off = await runProperty(traceEqualsModel, mutant, { seed: 5, runs: 5, chunk: 5, interrupted: () => false });
    expect(off.measures!['trace records differing']).toBeGreaterThan(0);
    expect(measureShares(off.measures!)[1]).toMatch(/^trace records: \d+\.\d % equal \(\d+ of \d+\)$/);
    expect(measureShares(off.measures!)[1]).not.toMatch(/100\.0 %/);
  });
});

test('unknown (never valid) when no packet was sent: nothing was compared', async () => {
  const v = await traceEqualsModel.check({ cluster: CLIENT_AND_WEB, connections: [] }, new ReferenceAdapter(), CHECK_CONTEXT);
  expect(v).toEqual({ status: 'unknown', reason: 'no packet was traced on both sides: nothing was compared' });
});

describe('an adapter without traces', () => {
  const untraced = (): Adapter => {
    const inner = new ReferenceAdapter();
    return {
      name: 'no-traces',
      capabilities: { ...inner.capabilities, traces: false },
      setup: (t, o) => inner.setup(t, o),
      apply: (a) => inner.apply(a),
      reset: () => inner.reset(),
      teardown: () => inner.teardown(),
      inject: async (f) => {
        const o = await inner.inject(f);
        delete o.traces;
        return o;
      },
    };
  };

  test('the check answers unknown, never valid', async () => {
    const r = await run(untraced(), 3);
    expect(r.valid + r.invalid).toBe(0);
    expect(r.unknown[0]).toMatch(/does not trace/);
  });

  test('the runner reports the property unknown (not applicable) for it', async () => {
    const res = await runProperty(traceEqualsModel, untraced(), { seed: 1, runs: 5, chunk: 5, interrupted: () => false });
    expect(res.verdict).toBe('unknown');
    expect(res.notApplicable).toBe(true);
    expect(res.unknownReasons.join()).toMatch(/lacks traces/);
  });
});

describe('known divergences excuse its claims by facts', () => {
  test('a divergence naming the code, the node in the point and the field excuses the claim; another field does not', async () => {
    const r = await run(new MutantAdapter(mutantById('ttl-not-decremented')!), 5);
    const c = r.claims[0]!;
    const node = c.point!.split(':').pop()!;
    const entry = (field: string): KnownDivergence => ({
      id: 'ttl',
      property: 'trace-equals-model',
      field: 'ttl',
      reason: 'test',
      match: { code: 'trace-differs', point: `:${node}$`, field },
    });
    expect(excusingDivergence([entry(c.field!)], 'trace-equals-model', c)?.id).toBe('ttl');
    expect(excusingDivergence([entry('flowHash')], 'trace-equals-model', c)).toBeUndefined();
    expect(excusingDivergence([{ ...entry(c.field!), match: { code: 'trace-differs', point: ':pg-input$' } }], 'trace-equals-model', c)).toBeUndefined();
  });

  test("the lab's declared divergences excuse exactly their facts: SCTP's NAT44-ED records; no trace-shape entry, no TCP record", () => {
    const lab = (point: string, field: string, protocol = 'TCP'): Claim => ({ code: 'trace-differs', message: '', connection: `default/pod-0 -> default/pod-1 ${protocol}/53`, protocol, exchange: 'request', packet: 0, point, layer: 'trace', field, expected: 'a', received: 'b' });
    expect(VPP_KNOWN_DIVERGENCES.some((d) => d.id === 'current-vpp-trace-shape')).toBe(false);
    expect(VPP_KNOWN_DIVERGENCES.filter((d) => d.property === 'trace-equals-model').map((d) => d.id)).toEqual(['nat44-ed-snat-of-other-protocols-trace']);
    expect(excusingDivergence(VPP_KNOWN_DIVERGENCES, 'trace-equals-model', lab('node:2:trace:13:l2-input', 'suffix'))).toBeUndefined();
    expect(excusingDivergence(VPP_KNOWN_DIVERGENCES, 'trace-equals-model', lab('node:1:trace:7:nat44-ed-in2out', 'session', 'SCTP'))?.id).toBe('nat44-ed-snat-of-other-protocols-trace');
    expect(excusingDivergence(VPP_KNOWN_DIVERGENCES, 'trace-equals-model', lab('node:1:trace:0:pg-input', 'node'))).toBeUndefined();
    expect(excusingDivergence(VPP_KNOWN_DIVERGENCES, 'trace-equals-model', lab('node:1:trace:12:l2-input', 'swIfIndex'))).toBeUndefined();
  });

  test('through the runner: claims a divergence excuses count as it (valid); one on another field excuses nothing (invalid)', async () => {
    const withDivergence = async (match: KnownDivergence['match']) => {
      const m = new MutantAdapter(mutantById('ttl-not-decremented')!);
      Object.assign(m.capabilities, { knownDivergences: [{ id: 'ttl-declared', property: 'trace-equals-model', field: 'ttl', reason: 'test', match }] });
      return runProperty(traceEqualsModel, m, { seed: 3, runs: 5, chunk: 5, interrupted: () => false });
    };
    const excused = await withDivergence({ code: 'trace-differs', point: ':(ip4-rewrite|dpdk-input|ip4-input)$', layer: 'trace' });
    expect(excused.verdict).toBe('valid');
    expect(excused.knownDivergences?.['ttl-declared']).toBeGreaterThan(0);
    const other = await withDivergence({ code: 'trace-differs', field: 'flowHash' });
    expect(other.verdict).toBe('invalid');
    expect(other.counterexamples[0]!.claims[0]!.field).toMatch(/ttl/);
  });
});

describe('compareTrace', () => {
  const rec = (node: string, ttl = 64): TraceRecord => ({ node, timeUs: 0, body: { kind: 'vxlan4-encap', tunnel: 0, vni: ttl } });

  test('an extra record on the adapter counts once as only-adapter; the rest align and count equal', () => {
    const model = [rec('a'), rec('b'), rec('c')];
    const lab = [rec('pg-input'), rec('a'), rec('b'), rec('c')];
    const r = compareTrace(model, lab, volatileMasks('vpp-current'));
    expect(r).toMatchObject({ equal: 3, differing: 0, onlyModel: 0, onlyAdapter: 1 });
    expect(r.first).toMatchObject({ recordIndex: 0, node: 'a', field: 'node', expected: 'a', received: 'pg-input' });
  });

  test('a field differing in an aligned record counts as differing and is the first divergence', () => {
    const r = compareTrace([rec('a'), rec('b', 10)], [rec('a'), rec('b', 11)], volatileMasks('vpp-current'));
    expect(r).toMatchObject({ equal: 1, differing: 1, onlyModel: 0, onlyAdapter: 0, first: { recordIndex: 1, node: 'b', field: 'vni', expected: '10', received: '11' } });
    expect(r.records).toEqual([{ node: 'a', status: 'equal' }, { node: 'b', status: 'differing', field: 'vni' }]);
  });

  test('on real model traces, the shortcut for equal traces gives what the full alignment gives', async () => {
    const model = new ReferenceAdapter({ profile: 'vpp-current' });
    let traces = 0;
    for (const c of fc.sample(clusterCaseArb(), { seed: 31, numRuns: 40 })) {
      const run = await runClusterCase(c, model);
      for (const s of run.sent)
        for (const o of [s.request, s.reply])
          for (const list of o?.traces?.values() ?? [])
            for (const t of list) {
              const records = t.records as TraceRecord[];
              const copy = structuredClone(records);
              expect(compareTrace(records, copy, volatileMasks('vpp-current'))).toEqual(alignTraces(records, copy, volatileMasks('vpp-current')));
              traces++;
            }
    }
    expect(traces).toBeGreaterThan(100);
    // one field changed: the full alignment runs and finds it
    const r = [rec('a'), rec('b', 10)];
    expect(compareTrace(r, [rec('a'), rec('b', 12)], volatileMasks('vpp-current')).differing).toBe(1);
  });

  test('timestamps are volatile (masked), and each mask says why', () => {
    expect(compareTrace([{ ...rec('a'), timeUs: 1 }], [{ ...rec('a'), timeUs: 2 }], volatileMasks('vpp-18.01-contiv')).first).toBeUndefined();
    for (const m of VOLATILE_MASKS) expect(m.why.length, m.mask.id).toBeGreaterThan(10);
    expect(volatileMasks('vpp-18.01-contiv').every((m) => m.group === 'volatile')).toBe(true);
  });
});

test('the catalogue has it (so podflow fuzz draws it) and podflow list shows it with its need', () => {
  expect(PROPERTIES).toContain(traceEqualsModel);
  expect(listText('properties')).toMatch(/trace-equals-model +every packet's trace .*needs traces/);
});
