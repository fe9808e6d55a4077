// Dynamic SNAT on today's VPP (docs/datapath.md §17.7): a VPP 26.06 lab's traces of a pod's SYN leaving the cluster
// through NAT44-ED and of the SYN-ACK coming back (test/fixtures/traces/vpp-26.06/outside-*.txt, set up as
// outside.scenario.json says) against the model in profile vpp-current, record by record with the masks of
// VOLATILE_LAB. The reply was sent by the lab's packet generator on the main NIC (a `pg-input` record); the model
// receives a wire frame on the af_packet NIC (`af-packet-input`, and an ethernet-input record without the pg frame's
// flags): the comparison of the reply starts at ip4-input.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { decodePacket, findLayer, ip4ToString } from '../../src/packet/index.ts';
import { parseScenario } from '../../src/reference/scenario.ts';
import { Simulation } from '../../src/reference/simulate.ts';
import { diffTraces } from '../../src/trace/diff.ts';
import { VOLATILE_LAB } from '../../src/trace/masks.ts';
import { parseTrace } from '../../src/trace/parse.ts';
import type { PacketTrace } from '../../src/trace/records.ts';
import { renderRecord } from '../../src/trace/render.ts';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'traces', 'vpp-26.06');
const scenario = parseScenario(JSON.parse(readFileSync(join(DIR, 'outside.scenario.json'), 'utf8')), 'outside.scenario.json');
const sim = new Simulation(scenario, 'vpp-current');
const syn = sim.inject(scenario.packets[0]!, 0);
const synAck = sim.inject(scenario.packets[1]!, 1);

function lab(file: string): PacketTrace {
  const parsed = parseTrace(readFileSync(join(DIR, file), 'utf8'));
  expect(parsed.diagnostics).toEqual([]);
  expect(parsed.captures).toHaveLength(1);
  return parsed.captures[0]!;
}

describe('golden traces of VPP 26.06: dynamic SNAT to the node IP and back (NAT44-ED)', () => {
  test.each([
    { name: 'outside-syn.node1', result: syn, skip: 0 },
    { name: 'outside-syn-ack.node1', result: synAck, skip: 2 },
  ])('$name', ({ name, result, skip }) => {
    const full = lab(`${name}.txt`);
    expect(result.traces).toHaveLength(1);
    const expected: PacketTrace = { ...full, records: full.records.slice(skip) };
    const model = result.traces[0]!.records.slice(skip);
    if (skip) expect([full.records.slice(0, 2).map((r) => r.node), result.traces[0]!.records.slice(0, 2).map((r) => r.node)]).toEqual([['pg-input', 'ethernet-input'], ['af-packet-input', 'ethernet-input']]);
    const diff = diffTraces(expected, { records: model }, VOLATILE_LAB);
    console.log(`golden 26.06 "${name}": ${expected.records.length} records, ${diff.maskedFields} field comparisons masked`);
    expect(diff.first).toBeUndefined();
    expect(diff.equal).toBe(true);
    expect(model.map((r) => r.node)).toEqual(expected.records.map((r) => r.node));
    expect(model.map((r) => renderRecord(r, 'vpp-current').length)).toEqual(expected.records.map((r) => renderRecord(r, 'vpp-current').length));
  });

  test('NAT44-ED keeps the source port; the reply reaches the pod untranslated back', () => {
    const out = syn.outcomes[0]!;
    expect(out.kind).toBe('outside');
    const l = decodePacket((out as { frame: Uint8Array }).frame).layers;
    expect(ip4ToString(findLayer(l, 'ipv4')!.src)).toBe('192.168.16.1');
    expect(findLayer(l, 'tcp')!.srcPort).toBe(41084);
    expect(synAck.outcomes[0]).toMatchObject({ kind: 'delivered', pod: 'default/client' });
  });

  test('an unmasked difference is caught: the out2in rewrite naming the wrong inside address fails', () => {
    const full = lab('outside-syn-ack.node1.txt');
    const broken = structuredClone(synAck.traces[0]!.records.slice(2));
    const rec = broken.find((r) => r.body.kind === 'nat44-out2in')!;
    if (rec.body.kind !== 'nat44-out2in' || !rec.body.ed?.translation) throw new Error('no translation detail');
    rec.body.ed.translation.o2if = rec.body.ed.translation.o2if.replace('daddr 10.1.1.2', 'daddr 10.1.1.3');
    const diff = diffTraces({ ...full, records: full.records.slice(2) }, { records: broken }, VOLATILE_LAB);
    expect(diff.equal).toBe(false);
  });
});
