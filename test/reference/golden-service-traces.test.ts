// The Service traces of Contiv's packet-flow documents (POD_TO_SERVICE_SAME_NODE.md, POD_TO_SERVICE_DIFFERENT_NODES.md,
// POD_TO_SERVICE_HOST.md; docs/datapath.md §16.6): the model's trace of each SYN and SYN-ACK equals the real one record by record and field by
// field, masking only the volatile fields of docs/datapath.md §11.6 — the DNAT in nat44-out2in, the un-translation in
// nat44-in2out's slow path, the translated addresses, ports and checksums included.
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

function run(example: string) {
  const sim = new Simulation(loadExample(example), 'vpp-18.01-contiv');
  return sim.scenario.packets.map((p, i) => sim.inject(p, i));
}

const same = run('flows/pod-to-service-same-node.json');
const cross = run('flows/pod-to-service-other-node.json');
const host = run('flows/pod-to-service-host-backend.json');

const BLOCKS = [
  { name: 'same node: SYN to the service', file: 'pod-to-service-same-node.request.txt', capture: 0, model: () => same[0]!.traces[0]! },
  { name: 'same node: SYN-ACK from the endpoint', file: 'pod-to-service-same-node.response.txt', capture: 0, model: () => same[1]!.traces[0]! },
  { name: 'other node: SYN on the client node', file: 'pod-to-service-different-nodes.request.txt', capture: 0, model: () => cross[0]!.traces[0]! },
  { name: 'other node: SYN on the endpoint node', file: 'pod-to-service-different-nodes.request.txt', capture: 1, model: () => cross[0]!.traces[1]! },
  { name: 'other node: SYN-ACK on the endpoint node', file: 'pod-to-service-different-nodes.response.txt', capture: 0, model: () => cross[1]!.traces[0]! },
  { name: 'other node: SYN-ACK on the client node', file: 'pod-to-service-different-nodes.response.txt', capture: 1, model: () => cross[1]!.traces[1]! },
  { name: 'host backend: SYN out through tap0', file: 'pod-to-service-host.request.txt', capture: 0, model: () => host[0]!.traces[0]! },
  { name: 'host backend: SYN-ACK in on tap0', file: 'pod-to-service-host.response.txt', capture: 0, model: () => host[1]!.traces[0]! },
];

describe('golden Service traces (vpp-18.01-contiv): the model reproduces Contiv’s documents', () => {
  test('every packet is delivered, across both nodes for the other-node flow', () => {
    expect([...same, ...cross].map((p) => p.outcomes.map((o) => o.kind))).toEqual([['delivered'], ['delivered'], ['delivered'], ['delivered']]);
    expect(cross.map((p) => p.traces.map((t) => t.nodeId))).toEqual([[1, 2], [2, 1]]);
    expect(host.map((p) => p.outcomes.map((o) => o.kind))).toEqual([['host'], ['delivered']]);
  });

  test.each(BLOCKS)('$name', ({ name, file, capture, model }) => {
    const expected = real(file)[capture]!;
    const m = model();
    const diff = diffTraces(expected, { records: m.records }, VOLATILE_18_01);
    console.log(`golden "${name}": ${expected.records.length} records, ${diff.maskedFields} field comparisons masked (docs/datapath.md §11.6)`);
    expect(diff.first).toBeUndefined();
    expect(diff.equal).toBe(true);
    expect(m.records.map((r) => r.node)).toEqual(expected.records.map((r) => r.node));
    expect(m.records.map((r) => renderRecord(r, 'vpp-18.01').length)).toEqual(expected.records.map((r) => renderRecord(r, 'vpp-18.01').length));
  });

  test('the DNAT is not masked away: a model without the translation fails the comparison', () => {
    const expected = real('pod-to-service-same-node.request.txt')[0]!;
    const sc = loadExample('flows/pod-to-service-same-node.json');
    const sim = new Simulation({ ...sc, services: [] }, 'vpp-18.01-contiv');
    const untranslated = sim.inject(sc.packets[0]!, 0);
    const diff = diffTraces(expected, { records: untranslated.traces[0]!.records }, VOLATILE_18_01);
    expect(diff.equal).toBe(false);
    expect(diff.first).toMatchObject({ node: 'nat44-out2in', field: 'sessionIndex', expected: 5, actual: -1 });
  });

  test('the host backend’s port is compared: an endpoint on 10.20.0.2:8081 fails at the translated destination port', () => {
    const expected = real('pod-to-service-host.request.txt')[0]!;
    const sc = structuredClone(loadExample('flows/pod-to-service-host-backend.json'));
    sc.services![0]!.endpoints[0]!.ports[0]!.port = 8081;
    const sim = new Simulation(sc, 'vpp-18.01-contiv');
    const diff = diffTraces(expected, { records: sim.inject(sc.packets[0]!, 0).traces[0]!.records }, VOLATILE_18_01);
    expect(diff.equal).toBe(false);
    expect(diff.first).toMatchObject({ node: 'ip4-lookup' });
  });

  test('a wrong checksum update fails the comparison (the TCP checksum after DNAT is compared)', () => {
    const expected = real('pod-to-service-same-node.request.txt')[0]!;
    const broken = structuredClone(same[0]!.traces[0]!.records);
    const rec = broken.find((r) => r.node === 'ip4-lookup')!;
    if (rec.body.kind === 'ip4-fib' && rec.body.ip.l4?.kind === 'tcp') rec.body.ip.l4.checksum ^= 1;
    expect(diffTraces(expected, { records: broken }, VOLATILE_18_01).equal).toBe(false);
  });
});
