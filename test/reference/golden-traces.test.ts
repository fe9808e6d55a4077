// The six seed trace blocks (SYN and SYN-ACK on both nodes across nodes, SYN and SYN-ACK on one node):
// the model's trace equals the real one record by record and field by field, masking only the volatile
// fields of docs/datapath.md §11.6; rendered, both have the same lines per record. The masked count is printed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { Simulation } from '../../src/reference/simulate.ts';
import { diffTraces } from '../../src/trace/diff.ts';
import { VOLATILE_18_01 } from '../../src/trace/masks.ts';
import { parseTrace } from '../../src/trace/parse.ts';
import type { PacketTrace } from '../../src/trace/records.ts';
import { renderRecord } from '../../src/trace/render.ts';
import { loadExample } from '../support/scenarios.ts';

const TRACES = join(import.meta.dirname, '..', 'fixtures', 'traces');

function real(file: string): PacketTrace[] {
  const r = parseTrace(readFileSync(join(TRACES, file), 'utf8'));
  expect(r.diagnostics).toEqual([]);
  return r.captures;
}

const cross = new Simulation(loadExample('seed-pod-to-pod-different-nodes.json'));
const crossSyn = cross.inject(cross.scenario.packets[0]!, 0);
const crossSynAck = cross.inject(cross.scenario.packets[1]!, 1);
const same = new Simulation(loadExample('seed-pod-to-pod-same-node.json'));
const sameSyn = same.inject(same.scenario.packets[0]!, 0);
const sameSynAck = same.inject(same.scenario.packets[1]!, 1);

const BLOCKS = [
  { name: 'SYN on the client node (node 1)', real: () => real('pod-to-pod-different-nodes.request.txt')[0]!, model: crossSyn.traces[0]! },
  { name: 'SYN on the server node (node 2)', real: () => real('pod-to-pod-different-nodes.request.txt')[1]!, model: crossSyn.traces[1]! },
  { name: 'SYN-ACK on the server node (node 2)', real: () => real('pod-to-pod-different-nodes.response.txt')[0]!, model: crossSynAck.traces[0]! },
  { name: 'SYN-ACK on the client node (node 1)', real: () => real('pod-to-pod-different-nodes.response.txt')[1]!, model: crossSynAck.traces[1]! },
  { name: 'SYN on one node', real: () => real('pod-to-pod-same-node.request.txt')[0]!, model: sameSyn.traces[0]! },
  { name: 'SYN-ACK on one node', real: () => real('pod-to-pod-same-node.response.txt')[0]!, model: sameSynAck.traces[0]! },
];

describe('golden traces: the model reproduces the seed', () => {
  test('both cross-node packets cross both nodes and are delivered; so are the same-node ones', () => {
    expect(crossSyn.traces.map((t) => t.nodeId)).toEqual([1, 2]);
    expect(crossSynAck.traces.map((t) => t.nodeId)).toEqual([2, 1]);
    expect([crossSyn, crossSynAck, sameSyn, sameSynAck].map((p) => p.outcomes.map((o) => o.kind))).toEqual([['delivered'], ['delivered'], ['delivered'], ['delivered']]);
  });

  test.each(BLOCKS)('$name', ({ name, real: load, model }) => {
    const expected = load();
    const diff = diffTraces(expected, { records: model.records }, VOLATILE_18_01);
    console.log(`golden "${name}": ${expected.records.length} records, ${diff.maskedFields} field comparisons masked (docs/datapath.md §11.6)`);
    expect(diff.first).toBeUndefined();
    expect(diff.equal).toBe(true);
    expect(model.records.map((r) => r.node)).toEqual(expected.records.map((r) => r.node));
    // Rendered, every record has as many lines as the real one.
    expect(model.records.map((r) => renderRecord(r, 'vpp-18.01').length)).toEqual(expected.records.map((r) => renderRecord(r, 'vpp-18.01').length));
  });

  test('an unmasked difference is caught: a model TTL off by one fails the comparison', () => {
    const expected = BLOCKS[1]!.real();
    const broken = structuredClone(BLOCKS[1]!.model.records);
    const rec = broken.find((r) => r.body.kind === 'ip4-header')!;
    if (rec.body.kind === 'ip4-header') rec.body.ip.ttl += 1;
    const diff = diffTraces(expected, { records: broken }, VOLATILE_18_01);
    expect(diff.equal).toBe(false);
    expect(diff.first).toMatchObject({ node: 'ip4-input' });
  });
});
