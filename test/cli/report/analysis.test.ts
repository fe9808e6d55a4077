// The analysis of a counterexample (report/analysis.ts), on hand-made packets: per claim what the frames at its
// capture point show, the claimed field among the differences, and when the model did what the adapter did.
import { describe, expect, test } from 'vitest';
import { decodePacket, encodePacket } from '../../../src/packet/index.ts';
import type { Claim } from '../../../src/properties/types.ts';
import { analyzeCounterexample, claimLayer, isCapturePoint, MODEL_AGREES } from '../../../src/cli/report/analysis.ts';
import { reportHtml } from '../../../src/cli/report/html.ts';
import type { CapturedFrame, CounterexampleFiles, CounterexamplePacket } from '../../../src/cli/report/types.ts';
import type { Counterexample, RunResult } from '../../../src/cli/results.ts';
import { markupProblems } from './wellformed.ts';

function frame(point: string, ttl: number): CapturedFrame {
  const data = encodePacket([
    { kind: 'ethernet', dst: 0x02fe00000001, src: 0x02fe00000002 },
    { kind: 'ipv4', src: 0x0a010102, dst: 0x0a010203, ttl },
    { kind: 'udp', srcPort: 1000, dstPort: 53 },
  ]);
  return { point, time: 0, data, layers: decodePacket(data).layers };
}

function packet(expected: CapturedFrame[], received: CapturedFrame[]): CounterexamplePacket {
  return { connection: 0, description: 'a -> b UDP/53', direction: 'request', expected: { packet: 0, traces: [], frames: expected, fates: [] }, received: { packet: 0, traces: [], frames: received, fates: [] } };
}

function cx(claims: Partial<Claim>[]): Counterexample {
  return { id: 'c1', property: 'p', adapter: 'a', seed: 1, path: '0', details: 'd', claims: claims.map((c) => ({ code: 'x', message: 'm', ...c })), packet: 0, seedSteps: [], case: {} };
}

const files = (p: CounterexamplePacket): CounterexampleFiles => ({ id: 'c1', packets: [p] });

describe('claim analysis', () => {
  test('a packet-layer claim: the field differs at its capture point', () => {
    const a = analyzeCounterexample(files(packet([frame('pod:b:rx', 63)], [frame('pod:b:rx', 64)])), cx([{ packet: 0, point: 'pod:b:rx', layer: 'ipv4', field: 'ttl' }]));
    expect(a.claims[0]).toMatchObject({ evidence: 'different', packetField: true, supported: true, field: { layer: 'ipv4', field: 'ttl', expected: 63, actual: 64 } });
    expect(a.modelAgrees).toBe(false);
  });

  test('a field the frames there do not differ in is not borne out', () => {
    const a = analyzeCounterexample(files(packet([frame('pod:b:rx', 63)], [frame('pod:b:rx', 64)])), cx([{ packet: 0, point: 'pod:b:rx', layer: 'outer udp', field: 'srcPort' }]));
    expect(a.claims[0]).toMatchObject({ evidence: 'different', supported: false });
    expect(a.claims[0]!.field).toBeUndefined();
  });

  test('delivery claims: missing where it says not delivered; the same frame means the model did the same', () => {
    const missing = analyzeCounterexample(files(packet([frame('pod:b:rx', 63)], [])), cx([{ packet: 0, point: 'pod:b:rx', layer: 'delivery', expected: 'delivered', received: 'not delivered' }]));
    expect(missing.claims[0]).toMatchObject({ evidence: 'missing', supported: true });
    const same = analyzeCounterexample(files(packet([frame('pod:b:rx', 63)], [frame('pod:b:rx', 63)])), cx([{ packet: 0, point: 'pod:b:rx', layer: 'delivery', expected: 'dropped', received: 'delivered' }]));
    expect(same.claims[0]).toMatchObject({ evidence: 'same', supported: true });
    expect(same.modelAgrees).toBe(true);
  });

  test('a place or no point, and a packet the report does not have', () => {
    const a = analyzeCounterexample(files(packet([frame('pod:b:rx', 63)], [frame('pod:b:rx', 64)])), cx([{ point: 'node 1 tap0', layer: 'acl', field: 'rules' }, {}, { packet: 7, point: 'pod:b:rx' }]));
    expect(a.claims.map((c) => c.evidence)).toEqual(['no-point', 'no-point', 'no-packet']);
    // no claim locates itself: the packets decide (they differ)
    expect(a.modelAgrees).toBe(false);
  });

  test('layer names: outer, inner, l4 and fields that name two', () => {
    expect(claimLayer({ layer: 'outer ipv4', field: 'ttl' })).toEqual({ kinds: ['ipv4'], occurrence: 'first', fields: ['ttl'] });
    expect(claimLayer({ layer: 'inner ethernet', field: 'src/dst' })).toEqual({ kinds: ['ethernet'], occurrence: 'last', fields: ['src', 'dst'] });
    expect(claimLayer({ layer: 'l4', field: 'srcPort' })?.kinds).toEqual(['tcp', 'udp', 'icmp']);
    expect(claimLayer({ layer: 'outer ipv4', field: 'length' })?.fields).toEqual(['totalLength']);
    expect(claimLayer({ layer: 'delivery', field: 'frames' })).toBeUndefined();
    expect([isCapturePoint('pod:default/pod-1:rx'), isCapturePoint('node:2:wire'), isCapturePoint('node 1 tap0'), isCapturePoint(undefined)]).toEqual([true, true, false, false]);
  });
});

describe('report.html from the analysis', () => {
  const run = (c: Counterexample, f: CounterexampleFiles): string => {
    const r: RunResult = {
      info: { runId: 'r1', seed: 1, adapter: 'a', podflowVersion: '0', nodeVersion: 'v20', options: { runs: 1, properties: ['p'], chunk: 25 }, interrupted: false },
      properties: [{ id: 'p', description: 'P', seedSteps: [], runs: 1, verdict: 'invalid', timeMs: 1, unknownReasons: [], counterexamples: [c], coverage: {} }],
    };
    return reportHtml(r, [f]);
  };

  test('a claim without a capture point: its place and field in the claims table, and the evidence row says so', () => {
    const html = run(cx([{ point: 'node 1 tap0', layer: 'acl', field: 'rules', expected: '3', received: '2', message: 'tap0 misses a rule' }]), files(packet([frame('pod:b:rx', 63)], [frame('pod:b:rx', 63)])));
    expect(html).toContain('<td>tap0 misses a rule</td><td><code>node 1 tap0</code></td><td>acl rules</td><td><code>3</code></td><td><code>2</code></td>');
    expect(html).toContain('data-evidence="no-point"');
    expect(html).toContain('node 1 tap0 is a place, not a capture point');
    // the packets were handled the same: the model did the same
    expect(html).toContain(MODEL_AGREES);
    expect(markupProblems(html, 'html')).toEqual([]);
  });
});
