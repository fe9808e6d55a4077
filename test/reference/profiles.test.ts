// The two behaviour profiles (docs/datapath.md §1.2): every difference that changes a verdict or the trace text
// is shown once — ICMP echo reply inversion, node names, the L2 classifier record, the ACL trace line,
// the outer flow hash, buffer lines, MTU handling.
import { describe, expect, test } from 'vitest';
import { ip4, type Layer } from '../../src/packet/index.ts';
import { Simulation, simulate } from '../../src/reference/simulate.ts';
import { renderRecord } from '../../src/trace/render.ts';
import { loadExample, TWO_ISOLATED, withPackets } from '../support/scenarios.ts';

const A = ip4('10.1.1.2');
const B = ip4('10.1.1.3');

function echo(type: 0 | 8, from: number, to: number): Layer[] {
  return [{ kind: 'ipv4', src: from, dst: to }, { kind: 'icmp', type, id: 7, seq: 1 }];
}

describe('ICMP echo across isolated pods (D8, docs/datapath.md §8.3)', () => {
  const scenario = withPackets(TWO_ISOLATED, [
    { from: 'a', layers: echo(8, A, B) },
    { from: 'b', layers: echo(0, B, A) },
  ]);

  test('vpp-18.01-contiv: the request passes, the reply is judged by a\'s rules and dropped', () => {
    const r = simulate(scenario, 'vpp-18.01-contiv');
    expect(r.packets[0]!.outcomes[0]).toMatchObject({ kind: 'delivered', pod: 'b' });
    expect(r.packets[1]!.outcomes[0]).toMatchObject({ kind: 'dropped', node: 'acl-plugin-out-ip4-fa', error: 'ACL deny packets' });
  });

  test('vpp-current: the reply hits the request\'s session (inverted type) and is delivered', () => {
    const r = simulate(scenario, 'vpp-current');
    expect(r.packets[1]!.outcomes[0]).toMatchObject({ kind: 'delivered', pod: 'a' });
    const acl = r.packets[1]!.traces[0]!.records.filter((x) => x.node === 'acl-plugin-out-ip4-fa');
    expect(acl[0]!.body).toMatchObject({ kind: 'acl', action: 3, matchAcl: -1, traceBits: 0x80000000 });
  });

  test('TCP replies pass through the reflective session in both profiles', () => {
    const tcp = withPackets(TWO_ISOLATED, [
      { from: 'a', layers: [{ kind: 'ipv4', src: A, dst: B }, { kind: 'tcp', srcPort: 40000, dstPort: 8080, flags: 0x02 }] },
      { from: 'b', layers: [{ kind: 'ipv4', src: B, dst: A }, { kind: 'tcp', srcPort: 8080, dstPort: 40000, flags: 0x12 }] },
    ]);
    for (const p of ['vpp-18.01-contiv', 'vpp-current'] as const) {
      expect(simulate(tcp, p).packets.map((x) => x.outcomes[0]!.kind)).toEqual(['delivered', 'delivered']);
    }
  });
});

describe('trace text differences on the seed flow', () => {
  const old = new Simulation(loadExample('seed-pod-to-pod-different-nodes.json'), 'vpp-18.01-contiv');
  const cur = new Simulation(loadExample('seed-pod-to-pod-different-nodes.json'), 'vpp-current');
  const o = old.inject(old.scenario.packets[0]!, 0);
  const c = cur.inject(cur.scenario.packets[0]!, 0);
  const nodes = (p: typeof o, i: number): string[] => p.traces[i]!.records.map((r) => r.node);

  test('same verdict, same path through both nodes', () => {
    expect(c.outcomes).toEqual(o.outcomes);
  });

  test('NAT44 node names are the endpoint-dependent ones; no l2-input-classify record', () => {
    expect(nodes(o, 0)).toContain('nat44-in2out-output');
    expect(nodes(c, 0)).toContain('nat44-ed-in2out-output');
    expect(nodes(c, 0)).not.toContain('nat44-in2out-output');
    expect(nodes(o, 0)).toContain('l2-input-classify');
    expect(nodes(c, 0)).not.toContain('l2-input-classify');
    expect(nodes(c, 1)).toContain('nat44-ed-out2in');
  });

  test('the ACL line starts with lc_index in current VPP', () => {
    const line = (p: typeof o, fmt: 'vpp-18.01' | 'vpp-current'): string => renderRecord(p.traces[0]!.records.find((r) => r.node === 'acl-plugin-in-ip4-fa')!, fmt)[0]!;
    expect(line(o, 'vpp-18.01')).toMatch(/^ {2}acl-plugin: sw_if_index 7, next index 1, action: 2/);
    expect(line(c, 'vpp-current')).toMatch(/^ {2}acl-plugin: lc_index: 0, sw_if_index 7,/);
  });

  test('the outer lookup prints the stale 0x00000001 in 18.01 and the inner flow hash in current VPP (at ip4-rewrite: no ip4-load-balance after encap)', () => {
    const outer = (p: typeof o): unknown => p.traces[0]!.records.find((r) => r.node === 'ip4-load-balance' && r.body.kind === 'ip4-fib' && r.body.fib !== 0)!.body;
    expect(outer(o)).toMatchObject({ flowHash: 1 });
    const recs = c.traces[0]!.records;
    const afterEncap = recs.slice(recs.findIndex((r) => r.node === 'vxlan4-encap') + 1);
    expect(afterEncap[0]).toMatchObject({ node: 'ip4-rewrite', body: { flowHash: 0xc0e176c3 } });
  });

  test('buffer lines: free-list and `nated` in 18.01, no free-list and `natted` in current VPP', () => {
    const tx = (p: typeof o): unknown => p.traces[0]!.records.find((r) => r.body.kind === 'interface-tx')!.body;
    expect(tx(o)).toMatchObject({ buffer: { freeList: 0, flagWords: ['nated', 'l2-hdr-offset 0', 'l3-hdr-offset 14'] } });
    // NAT44-ED matches the VXLAN identity mapping without a session nor a translation: no `natted` (VPP 26.06 lab)
    expect(tx(c)).toMatchObject({ buffer: { flagWords: ['l2-hdr-offset 0', 'l3-hdr-offset 14'] } });
    expect((tx(c) as { buffer: object }).buffer).not.toHaveProperty('freeList');
  });
});

describe('MTU exceeded (docs/datapath.md §7.3)', () => {
  const bigFrame: Layer[] = [{ kind: 'ipv4', src: A, dst: B, flags: 2 }, { kind: 'icmp', type: 8 }, { kind: 'raw', data: new Uint8Array(1600) }];
  const open = withPackets({ version: 1, topology: TWO_ISOLATED.topology }, [{ from: 'a', layers: bigFrame }]);
  test('18.01 drops the packet whatever DF says', () => {
    expect(simulate(open, 'vpp-18.01-contiv').packets[0]!.outcomes[0]).toMatchObject({ kind: 'dropped', node: 'ip4-rewrite', error: 'ip4 MTU exceeded and DF set' });
  });
  test('current VPP answers DF with ICMP fragmentation-needed (next-hop MTU 1500) to the sender', () => {
    const out = simulate(open, 'vpp-current').packets[0]!.outcomes[0]!;
    expect(out).toMatchObject({ kind: 'delivered', pod: 'a' });
    if (out.kind === 'delivered') expect([out.frame[34], out.frame[35], (out.frame[40]! << 8) | out.frame[41]!]).toEqual([3, 4, 1500]);
  });
  test('an isolated sender never sees that ICMP error: its output ACL has no session for it and drops it', () => {
    const isolated = withPackets(TWO_ISOLATED, [{ from: 'a', layers: bigFrame }]);
    expect(simulate(isolated, 'vpp-current').packets[0]!.outcomes[0]).toMatchObject({ kind: 'dropped', node: 'acl-plugin-out-ip4-fa' });
  });
});
