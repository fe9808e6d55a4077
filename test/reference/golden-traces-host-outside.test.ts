// The host and outside flows' traces of Contiv's developer guide (contiv/vpp 9f521b2eb docs/dev-guide/packet-flow/
// POD_TO_HOST.md, HOST_TO_POD.md, POD_TO_INTERNET.md; test/fixtures/traces/<flow>.<request|response>.txt): the model,
// configured as examples/flows/<flow>.json pins the documents' setups, reproduces each block record by record and
// field by field, masking only the volatile fields of docs/datapath.md §11.6 (docs/datapath.md §17.6).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { Simulation, type PacketResult } from '../../src/reference/simulate.ts';
import { diffTraces } from '../../src/trace/diff.ts';
import { VOLATILE_18_01 } from '../../src/trace/masks.ts';
import { parseTrace } from '../../src/trace/parse.ts';
import type { TraceRecord } from '../../src/trace/records.ts';
import { renderRecord } from '../../src/trace/render.ts';
import { loadExample } from '../support/scenarios.ts';

const TRACES = join(import.meta.dirname, '..', 'fixtures', 'traces');

function run(flow: string): PacketResult[] {
  const sim = new Simulation(loadExample(join('flows', `${flow}.json`)), 'vpp-18.01-contiv');
  return sim.scenario.packets.map((p, i) => sim.inject(p, i));
}

const results = new Map(['pod-to-host', 'host-to-pod', 'pod-to-outside'].map((f) => [f, run(f)]));

/**
 * HOST_TO_POD.md's response block lacks its first record's header line (`<time>: virtio-input`): the parser reports
 * the two orphan lines and the comparison starts at the second record.
 */
const HEADLESS = new Set(['host-to-pod.response']);

const BLOCKS = [...results].flatMap(([flow, packets]) =>
  (['request', 'response'] as const).map((kind, i) => ({ name: `${flow}.${kind}`, records: packets[i]!.traces[0]!.records, nodes: packets[i]!.traces.length })),
);

describe('golden traces of the host and outside flows (vpp-18.01-contiv)', () => {
  test.each(BLOCKS)('$name', ({ name, records, nodes }) => {
    const parsed = parseTrace(readFileSync(join(TRACES, `${name}.txt`), 'utf8'));
    let model: TraceRecord[] = records;
    if (HEADLESS.has(name)) {
      expect(parsed.diagnostics.map((d) => d.line)).toEqual([2, 3]);
      expect(records[0]!.node).toBe('virtio-input');
      model = records.slice(1);
    } else expect(parsed.diagnostics).toEqual([]);
    expect(parsed.captures).toHaveLength(1);
    expect(nodes).toBe(1);
    const expected = parsed.captures[0]!;
    const diff = diffTraces(expected, { records: model }, VOLATILE_18_01);
    console.log(`golden "${name}": ${expected.records.length} records, ${diff.maskedFields} field comparisons masked (docs/datapath.md §11.6)`);
    expect(diff.first).toBeUndefined();
    expect(diff.equal).toBe(true);
    expect(model.map((r) => r.node)).toEqual(expected.records.map((r) => r.node));
    expect(model.map((r) => renderRecord(r, 'vpp-18.01').length)).toEqual(expected.records.map((r) => renderRecord(r, 'vpp-18.01').length));
  });

  test('the outcomes: to the host, to the pod, out to the gateway and back', () => {
    const kinds = (f: string): string[] => results.get(f)!.map((p) => p.outcomes.map((o) => o.kind).join());
    expect(kinds('pod-to-host')).toEqual(['host', 'delivered']);
    expect(kinds('host-to-pod')).toEqual(['delivered', 'host']);
    expect(kinds('pod-to-outside')).toEqual(['outside', 'delivered']);
  });

  test('an unmasked difference is caught: the SNAT port off by one fails the outside comparison', () => {
    const parsed = parseTrace(readFileSync(join(TRACES, 'pod-to-outside.request.txt'), 'utf8'));
    const broken = structuredClone(results.get('pod-to-outside')![0]!.traces[0]!.records);
    const rec = broken.find((r) => r.node === 'GigabitEthernet0/8/0-output')!;
    if (rec.body.kind !== 'interface-output' || !rec.body.ip?.l4 || !('srcPort' in rec.body.ip.l4)) throw new Error('no L4 header in the output record');
    rec.body.ip.l4.srcPort += 1;
    const diff = diffTraces(parsed.captures[0]!, { records: broken }, VOLATILE_18_01);
    expect(diff.equal).toBe(false);
    expect(diff.first).toMatchObject({ node: 'GigabitEthernet0/8/0-output' });
  });
});
