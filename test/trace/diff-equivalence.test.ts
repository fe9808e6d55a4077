// diff.ts's field walk was rewritten for speed (it is most of trace-equals-model's time): it must give exactly
// what the walk before it gave (diff-before.ts, kept verbatim) — the same fields in the same order, and the same
// diff with the same first divergence and masked-field count — on the seed's real traces and on model traces of
// both profiles and of a lab's drivers, compared with themselves, with each other and with other packets' traces.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ReferenceAdapter } from '../../src/adapters/reference/reference-adapter.ts';
import { clusterCaseArb, runClusterCase } from '../../src/properties/harness.ts';
import { bodyFields, diffTraces, MASK_SETS, SYNTHETIC_INPUTS, type PacketTrace, type TraceMask, type TraceRecord } from '../../src/trace/index.ts';
import { CURRENT_VOLATILE_VALUES, L2_RESULT_INDICES } from '../../src/properties/trace-equals-model.ts';
import * as before from './diff-before.ts';
import { FIXTURE_FILES, parsedFixture } from './fixtures.ts';

const MASKS: readonly (readonly TraceMask[])[] = [...Object.values(MASK_SETS), [SYNTHETIC_INPUTS], [CURRENT_VOLATILE_VALUES, L2_RESULT_INDICES]];

/** Every packet trace the model prints for a few generated cases (both profiles, Contiv's and a lab's drivers). */
async function modelTraces(): Promise<PacketTrace[]> {
  const out: PacketTrace[] = [];
  const adapters = [new ReferenceAdapter(), new ReferenceAdapter({ profile: 'vpp-current' }), new ReferenceAdapter({ profile: 'vpp-current', drivers: { nic: 'af_packet', pod: 'packet-generator' } })];
  for (const c of fc.sample(clusterCaseArb(), { seed: 5, numRuns: 40 }))
    for (const a of adapters) {
      const run = await runClusterCase(c, a);
      for (const s of run.sent) for (const o of [s.request, s.reply]) for (const list of o?.traces?.values() ?? []) for (const t of list) out.push({ records: t.records as TraceRecord[] });
    }
  return out;
}

describe('the faster trace diff', () => {
  test('gives exactly the fields and diffs the walk before it gave', async () => {
    const real = FIXTURE_FILES.flatMap((f) => parsedFixture(f).captures);
    const model = await modelTraces();
    const all = [...real, ...model];
    expect(model.length).toBeGreaterThan(200);
    let records = 0;
    for (const t of all)
      for (const r of t.records) {
        expect(bodyFields(r.body)).toStrictEqual(before.bodyFields(r.body));
        records++;
      }
    expect(records).toBeGreaterThan(2000);
    // Pairs: each trace with itself, with the next one (another packet, often another path) and with one a
    // third of the list further (a model trace against a real one, another profile's, another driver's).
    let differing = 0;
    for (let i = 0; i < all.length; i++)
      for (const j of [i, (i + 1) % all.length, (i + Math.floor(all.length / 3)) % all.length])
        for (const masks of MASKS) {
          const got = diffTraces(all[i]!, all[j]!, masks);
          expect(got).toStrictEqual(before.diffTraces(all[i]!, all[j]!, masks));
          if (!got.equal) differing++;
        }
    // the comparison saw differences, not only equal traces
    expect(differing).toBeGreaterThan(500);
  });
});
