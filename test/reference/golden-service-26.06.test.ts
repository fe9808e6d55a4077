// A Service connection on a VPP 26.06 lab (test/fixtures/traces/vpp-26.06/service.*.node1.txt, scripts/lab-service-
// capture.ts; docs/datapath.md §16.5): the model (vpp-current, the lab's drivers) walks the SYN to the cluster IP and
// the backend's SYN-ACK as the lab did, record by record and field by field with the lab masks — the nat44-ed
// slow path's DNAT with both session flows, and the in2out fast path's un-translation. The model follows the
// backend the lab chose through SimulationOptions.pickBackend (read from the lab's own trace).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ip4 } from '../../src/packet/index.ts';
import { parseScenario } from '../../src/reference/scenario.ts';
import { Simulation } from '../../src/reference/simulate.ts';
import { diffTraces } from '../../src/trace/diff.ts';
import { VOLATILE_LAB } from '../../src/trace/masks.ts';
import { parseTrace } from '../../src/trace/parse.ts';
import type { PacketTrace, TraceRecord } from '../../src/trace/records.ts';
import { renderRecord } from '../../src/trace/render.ts';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'traces', 'vpp-26.06');
const file = join(DIR, 'service-scenarios', 'service.json');
const scenario = parseScenario(JSON.parse(readFileSync(file, 'utf8')), file);

function lab(name: string): PacketTrace {
  const parsed = parseTrace(readFileSync(join(DIR, `${name}.txt`), 'utf8'));
  expect(parsed.diagnostics).toEqual([]);
  expect(parsed.captures).toHaveLength(1);
  return parsed.captures[0]!;
}

/** The model's records equal the lab capture `name` under the lab masks, node for node (returns the model's records). */
function sameAsLab(name: string, model: TraceRecord[]): TraceRecord[] {
  const expected = lab(name);
  const diff = diffTraces(expected, { records: model }, VOLATILE_LAB);
  console.log(`golden 26.06 "${name}": ${expected.records.length} records, ${diff.maskedFields} field comparisons masked`);
  expect(diff.first).toBeUndefined();
  expect(model.map((r) => r.node)).toEqual(expected.records.map((r) => r.node));
  return model;
}

/** The backend in the lab's DNAT: `rewrite: daddr <ip>` of the out2in flow its slow path printed. */
function labBackend(): number {
  const rec = lab('service.syn.node1').records.find((r) => r.node === 'nat44-ed-out2in-slowpath')!;
  const o2if = rec.body.kind === 'nat44-out2in' ? rec.body.ed?.translation?.o2if : undefined;
  const m = /rewrite: daddr (\S+)/.exec(o2if ?? '');
  expect(m).not.toBeNull();
  return ip4(m![1]!);
}

describe('golden Service trace of VPP 26.06 (vpp-current)', () => {
  const backend = labBackend();
  const sim = new Simulation(scenario, 'vpp-current', { pickBackend: ({ mapping }) => mapping.locals.findIndex((l) => l.addr === backend) });
  const results = scenario.packets.map((p, i) => sim.inject(p, i));

  test('both packets stay on node 1 and are delivered, as in the lab', () => {
    expect(results.map((r) => r.traces.map((t) => t.nodeId))).toEqual([[1], [1]]);
    expect(results.map((r) => r.outcomes.map((o) => (o.kind === 'delivered' ? o.pod : o.kind)))).toEqual([['default/web-same'], ['default/client']]);
  });

  test.each([
    ['service.syn.node1', 0],
    ['service.syn-ack.node1', 1],
  ] as const)('%s', (name, packet) => {
    const model = sameAsLab(name, results[packet]!.traces[0]!.records);
    expect(model.map((r) => renderRecord(r, 'vpp-current').length)).toEqual(lab(name).records.map((r) => renderRecord(r, 'vpp-current').length));
  });

  test('the nat44-ed detail is compared: a session flow the lab did not print fails', () => {
    const expected = lab('service.syn.node1');
    const broken = structuredClone(results[0]!.traces[0]!.records);
    const rec = broken.find((r) => r.node === 'nat44-ed-out2in-slowpath')!;
    if (rec.body.kind === 'nat44-out2in' && rec.body.ed?.translation) rec.body.ed.translation.o2if = rec.body.ed.translation.o2if.replace('txfib 0 ', '');
    expect(diffTraces(expected, { records: broken }, VOLATILE_LAB).first).toMatchObject({ node: 'nat44-ed-out2in-slowpath' });
  });
});

describe('golden self-access trace of VPP 26.06 (vpp-current): self-twice-NAT', () => {
  const f = join(DIR, 'service-scenarios', 'service-self.json');
  const self = parseScenario(JSON.parse(readFileSync(f, 'utf8')), f);
  // the lab's draws, from its own trace: the backend (`rewrite: … daddr`) and the twice-NAT port (`rewrite: saddr … sport`)
  const rec = lab('service-self.syn.node1').records.find((r) => r.node === 'nat44-ed-out2in-slowpath')!;
  const o2if = rec.body.kind === 'nat44-out2in' ? (rec.body.ed?.translation?.o2if ?? '') : '';
  const m = /rewrite: saddr (\S+) sport (\d+) daddr (\S+) dport/.exec(o2if);
  const sim = new Simulation(self, 'vpp-current', {
    pickBackend: ({ mapping }) => mapping.locals.findIndex((l) => l.addr === ip4(m![3]!)),
    twiceNatPort: () => Number(m![2]),
  });
  const results = self.packets.map((p, i) => sim.inject(p, i));

  test('the lab translated both addresses: to the pod itself, from the twice-NAT pool address', () => {
    expect(m).not.toBeNull();
    expect([m![1], m![3]]).toEqual(['10.1.1.254', '10.1.1.3']);
    expect(results.map((r) => r.outcomes.map((o) => (o.kind === 'delivered' ? o.pod : o.kind)))).toEqual([['default/web-same'], ['default/web-same']]);
  });

  test.each([
    ['service-self.syn.node1', 0],
    ['service-self.syn-ack.node1', 1],
  ] as const)('%s', (name, packet) => {
    sameAsLab(name, results[packet]!.traces[0]!.records);
  });
});
