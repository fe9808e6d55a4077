// acl-plugin sessions over virtual time (docs/datapath.md §8.4–§8.5): a TCP session that saw only SYN and SYN-ACK
// stays transient (120 s); once SYN+ACK are seen on both sides it is established (24 h); UDP idles after 600 s.
// After expiry the next response-direction packet is judged by the output ACL's rules again.
import { describe, expect, test } from 'vitest';
import { ip4, type Layer } from '../../src/packet/index.ts';
import { simulate } from '../../src/reference/simulate.ts';
import { TWO_ISOLATED, withPackets } from '../support/scenarios.ts';

const A = ip4('10.1.1.2');
const B = ip4('10.1.1.3');
const seg = (from: number, to: number, sp: number, dp: number, flags: number): Layer[] => [{ kind: 'ipv4', src: from, dst: to }, { kind: 'tcp', srcPort: sp, dstPort: dp, flags }];
const SYN = { from: 'a', layers: seg(A, B, 40000, 8080, 0x02), at: 0 };
const SYN_ACK = { from: 'b', layers: seg(B, A, 8080, 40000, 0x12), at: 0.001 };
const ACK = { from: 'a', layers: seg(A, B, 40000, 8080, 0x10), at: 0.002 };
const dataFromB = (at: number) => ({ from: 'b', layers: seg(B, A, 8080, 40000, 0x18), at });

function outcomes(packets: { from: string; layers: Layer[]; at: number }[]): string[] {
  return simulate(withPackets(TWO_ISOLATED, packets)).packets.map((p) => p.outcomes[0]!.kind);
}

describe('session timeouts', () => {
  test('a half-open connection (no ACK from a) stays transient: data from b passes at 119 s, is denied after 120 s', () => {
    expect(outcomes([SYN, SYN_ACK, dataFromB(119)])).toEqual(['delivered', 'delivered', 'delivered']);
    expect(outcomes([SYN, SYN_ACK, dataFromB(121)])).toEqual(['delivered', 'delivered', 'dropped']);
  });

  test('after the ACK the session is established and outlives the transient timeout', () => {
    expect(outcomes([SYN, SYN_ACK, ACK, dataFromB(121)])).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
    expect(outcomes([SYN, SYN_ACK, ACK, dataFromB(86_400 + 1)])).toEqual(['delivered', 'delivered', 'delivered', 'dropped']);
  });

  test('the ACK that establishes the session prints the class change in trace_bits (0x80010201)', () => {
    const r = simulate(withPackets(TWO_ISOLATED, [SYN, SYN_ACK, ACK]));
    const acl = r.packets[2]!.traces[0]!.records.find((x) => x.node === 'acl-plugin-in-ip4-fa')!;
    expect(acl.body).toMatchObject({ action: 3, traceBits: 0x80010201 });
  });

  test('a hit refreshes the idle timer: traffic every 100 s keeps a transient session alive', () => {
    expect(outcomes([SYN, SYN_ACK, dataFromB(100), dataFromB(200), dataFromB(300)])).toEqual(['delivered', 'delivered', 'delivered', 'delivered', 'delivered']);
  });

  test('the timeouts are scenario settings', () => {
    const short = { ...TWO_ISOLATED, sessions: { tcpTransient: 5 } };
    expect(simulate(withPackets(short, [SYN, SYN_ACK, dataFromB(6)])).packets.map((p) => p.outcomes[0]!.kind)).toEqual(['delivered', 'delivered', 'dropped']);
  });

  test('a full session table refuses to reflect: the request is dropped with "too many sessions to add new"', () => {
    const tiny = { ...TWO_ISOLATED, sessions: { maxEntries: 1 } };
    const udp = (sp: number): Layer[] => [{ kind: 'ipv4', src: A, dst: B }, { kind: 'udp', srcPort: sp, dstPort: 53 }];
    const r = simulate(withPackets(tiny, [{ from: 'a', layers: udp(1), at: 0 }, { from: 'a', layers: udp(2), at: 1 }]));
    expect(r.packets[1]!.outcomes[0]).toMatchObject({ kind: 'dropped', node: 'acl-plugin-in-ip4-fa', error: 'too many sessions to add new' });
  });
});
