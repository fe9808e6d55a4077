// The host, outside, cross-node and host-backend Service flows on a VPP 26.06 lab (test/fixtures/traces/vpp-26.06/<flow>.<packet>.
// node<N>.txt, made by scripts/lab-goldens-capture.ts --flows from flow-scenarios/<flow>.json; docs/datapath.md §17.8,
// §17.10): the model in profile vpp-current, with the lab's drivers (pods and tap0 packet-generator interfaces, the
// main NIC af_packet), walks every packet on every node as the lab did, record by record and field by field with the
// lab masks. The lab's tap0 is the packet-generator interface pg0; its traces are read with the model's name for it
// (tap0), as the vpp adapter reads them (modelNamesInTrace). A wire frame the lab injected with a packet-generator
// stream on the main NIC starts with pg-input where the model's af_packet NIC starts with af-packet-input: those two
// records are compared by node name only. Frames to the gateway's MAC also reach the other node's NIC on the lab's
// shared segment, which drops them (`l3 mac mismatch`): the model has no such neighbour, those captures are checked
// for that drop only.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { modelNamesInTrace } from '../../src/adapters/vpp/vpp-adapter.ts';
import { decodePacket, findLayer, ip4ToString } from '../../src/packet/index.ts';
import { parseScenario, type Scenario } from '../../src/reference/scenario.ts';
import { Simulation, type PacketResult } from '../../src/reference/simulate.ts';
import { diffTraces } from '../../src/trace/diff.ts';
import { VOLATILE_LAB } from '../../src/trace/masks.ts';
import { parseTrace } from '../../src/trace/parse.ts';
import type { PacketTrace, TraceRecord } from '../../src/trace/records.ts';
import { renderRecord } from '../../src/trace/render.ts';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'traces', 'vpp-26.06');
const LAB_NAMES = { toLab: new Map([['tap0', 'pg0']]), toModel: new Map([['pg0', 'tap0']]) };

function scenario(flow: string): Scenario {
  const f = join(DIR, 'flow-scenarios', `${flow}.json`);
  return parseScenario(JSON.parse(readFileSync(f, 'utf8')), f);
}

function lab(file: string): PacketTrace {
  const parsed = parseTrace(modelNamesInTrace(readFileSync(join(DIR, file), 'utf8'), LAB_NAMES));
  expect(parsed.diagnostics).toEqual([]);
  expect(parsed.captures).toHaveLength(1);
  return parsed.captures[0]!;
}

function run(flow: string): { sc: Scenario; results: PacketResult[] } {
  const sc = scenario(flow);
  const sim = new Simulation(sc, 'vpp-current');
  return { sc, results: sc.packets.map((p, i) => sim.inject(p, i)) };
}

/** Compares one node's lab capture with the model's walk on that node; `skip` records are compared by name only. */
function compare(file: string, model: readonly TraceRecord[] | undefined, skip = 0): void {
  const full = lab(file);
  expect(model, `${file}: the model has no walk on this node`).toBeDefined();
  expect(model!.map((r) => r.node).slice(skip)).toEqual(full.records.map((r) => r.node).slice(skip));
  const expected: PacketTrace = { ...full, records: full.records.slice(skip) };
  const diff = diffTraces(expected, { records: model!.slice(skip) }, VOLATILE_LAB);
  console.log(`golden 26.06 "${file}": ${expected.records.length} records, ${diff.maskedFields} field comparisons masked`);
  expect(diff.first).toBeUndefined();
  expect(diff.equal).toBe(true);
  expect(model!.slice(skip).map((r) => renderRecord(r, 'vpp-current').length)).toEqual(expected.records.map((r) => renderRecord(r, 'vpp-current').length));
}

const outcomes = (r: PacketResult): string[] => r.outcomes.map((o) => (o.kind === 'delivered' ? o.pod : o.kind));
const walkOn = (r: PacketResult, node: number): readonly TraceRecord[] | undefined => r.traces.find((t) => t.nodeId === node)?.records;

/** A lab capture of a frame for the gateway that reached the other node's NIC: dropped there, nothing else. */
function droppedNeighbour(file: string): void {
  const t = lab(file);
  expect(t.records.map((r) => r.node)).toEqual(['af-packet-input', 'ethernet-input', 'error-drop', 'drop']);
  expect(readFileSync(join(DIR, file), 'utf8')).toMatch(/ethernet-input: l3 mac mismatch/);
}

const FLOWS = [
  // flow, packet index, lab node, records compared by name only
  { flow: 'service-other-node', captures: [['syn', 0, 1], ['syn', 0, 2], ['syn-ack', 1, 2], ['syn-ack', 1, 1]] },
  { flow: 'pod-to-host', captures: [['syn', 0, 1], ['syn-ack', 1, 1]] },
  { flow: 'host-to-pod', captures: [['syn', 0, 1], ['syn-ack', 1, 1]] },
  { flow: 'pod-to-remote-host', captures: [['syn', 0, 1], ['syn', 0, 2], ['syn-ack', 1, 2], ['syn-ack', 1, 1]] },
  { flow: 'nodeport-outside', captures: [['syn', 0, 1, 2], ['syn-ack', 1, 1]] },
  { flow: 'egress-denied-outside', captures: [['syn', 0, 1]] },
  { flow: 'service-host-backend', captures: [['syn', 0, 1], ['syn-ack', 1, 1]] },
] as const;

describe('golden traces of VPP 26.06 (vpp-current): host, outside, cross-node and host-backend Service flows', () => {
  for (const { flow, captures } of FLOWS) {
    const { results } = run(flow);
    test.each(captures.map((c) => ({ file: `${flow}.${c[0]}.node${c[2]}.txt`, packet: c[1], node: c[2], skip: c[3] ?? 0 })))('$file', ({ file, packet, node, skip }) => {
      compare(file, walkOn(results[packet]!, node), skip);
    });
    test(`${flow}: every capture the lab left is compared or is a neighbour's drop`, () => {
      for (const [i, p] of scenario(flow).packets.entries())
        for (const node of [1, 2]) {
          const file = `${flow}.${p.label}.node${node}.txt`;
          if (!existsSync(join(DIR, file))) expect(walkOn(results[i]!, node), `${file}: the model walks node ${node}, the lab did not`).toBeUndefined();
          else if (!captures.some((c) => c[0] === p.label && c[2] === node)) droppedNeighbour(file);
        }
    });
  }

  test('the outcomes are the lab’s: delivered, to the host stack (tap0 = pg0), out of the main NIC', () => {
    expect(run('service-other-node').results.map(outcomes)).toEqual([['default/web'], ['default/client']]);
    expect(run('pod-to-host').results.map(outcomes)).toEqual([['host'], ['default/client']]);
    expect(run('host-to-pod').results.map(outcomes)).toEqual([['default/web-same'], ['host']]);
    expect(run('pod-to-remote-host').results.map(outcomes)).toEqual([['host'], ['default/client']]);
    expect(run('nodeport-outside').results.map(outcomes)).toEqual([['default/web-same'], ['outside']]);
    expect(run('service-host-backend').results.map(outcomes)).toEqual([['host'], ['default/client']]);
  });

  test('NAT before the egress ACL (findings/vpp-26.06-nat-before-egress-acl): the Global ACL sees the node IP and permits', () => {
    const { results } = run('egress-denied-outside');
    const walk = walkOn(results[0]!, 1)!.map((r) => r.node);
    expect(walk.indexOf('nat44-ed-in2out-output-slowpath')).toBeLessThan(walk.indexOf('acl-plugin-out-ip4-fa'));
    const out = results[0]!.outcomes[0]!;
    expect(out.kind).toBe('outside');
    const ip = findLayer(decodePacket((out as { frame: Uint8Array }).frame).layers, 'ipv4')!;
    expect([ip4ToString(ip.src), ip4ToString(ip.dst)]).toEqual(['192.168.16.1', '203.0.113.10']);
    const text = readFileSync(join(DIR, 'egress-denied-outside.syn.node1.txt'), 'utf8');
    expect(text).toMatch(/acl-plugin-out-ip4-fa\r?\n.*action: 1, match: acl 1 rule 25 .*\r?\n.*\r?\n.*l3 ip4 192\.168\.16\.1 -> 203\.0\.113\.10/);
    expect(text.indexOf('nat44-ed-in2out-output-slowpath')).toBeLessThan(text.indexOf('acl-plugin-out-ip4-fa'));
  });

  test('the host backend’s DNAT is compared: a model without the Service does not walk the lab’s SYN', () => {
    const sc = { ...scenario('service-host-backend'), services: [] };
    const r = new Simulation(sc, 'vpp-current').inject(sc.packets[0]!, 0);
    const expected = lab('service-host-backend.syn.node1.txt');
    const m = walkOn(r, 1);
    const same = m !== undefined && m.map((x) => x.node).join() === expected.records.map((x) => x.node).join() && diffTraces(expected, { records: [...m] }, VOLATILE_LAB).equal;
    expect(same).toBe(false);
  });

  test('the tap0 driver is compared: a model walking tap0 as Contiv’s TAP (virtio) fails on the lab’s trace', () => {
    const sc = scenario('pod-to-host');
    for (const n of sc.topology.nodes) delete (n.tap0 as { driver?: string }).driver;
    const r = new Simulation(sc, 'vpp-current').inject(sc.packets[0]!, 0);
    const expected = lab('pod-to-host.syn.node1.txt');
    expect(r.traces[0]!.records.map((x) => x.node)).not.toEqual(expected.records.map((x) => x.node));
  });
});
