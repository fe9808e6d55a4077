// What malformed or unexpected frames meet, end to end on the seed topology (docs/datapath.md §4.8, §6.6, §7.4):
// each ends where VPP would end it, with the reason VPP would count.
import { describe, expect, test } from 'vitest';
import { encodePacket, ip4, mac, type Layer } from '../../src/packet/index.ts';
import type { ScenarioPacket } from '../../src/reference/scenario.ts';
import { Simulation } from '../../src/reference/simulate.ts';
import { loadExample } from '../support/scenarios.ts';

const CLIENT = ip4('10.1.1.12');
const SERVER = ip4('10.1.2.13');
const TAP11_MAC = mac('02:fe:69:99:eb:9d');
const POD_MAC = mac('00:00:00:00:00:02');

function fromClient(layers: Layer[]): ScenarioPacket {
  return { at: 1, from: { pod: 'client' }, bytes: encodePacket(layers[0]!.kind === 'ethernet' ? layers : [{ kind: 'ethernet', dst: TAP11_MAC, src: POD_MAC }, ...layers]) };
}

function outer(vni: number, flags = 0x08): ScenarioPacket {
  const inner: Layer[] = [{ kind: 'ethernet', dst: mac('1a:2b:3c:4d:5e:02'), src: mac('1a:2b:3c:4d:5e:01') }, { kind: 'ipv4', src: CLIENT, dst: SERVER, ttl: 63 }, { kind: 'udp', srcPort: 1, dstPort: 2 }];
  return {
    at: 1,
    from: { node: 2, wire: true },
    bytes: encodePacket([{ kind: 'ethernet', dst: mac('08:00:27:a2:a4:50'), src: mac('08:00:27:72:95:8d') }, { kind: 'ipv4', src: ip4('192.168.16.1'), dst: ip4('192.168.16.2'), ttl: 253 }, { kind: 'udp', srcPort: 50000, checksum: 0 }, { kind: 'vxlan', vni, flags }, ...inner]),
  };
}

const tcp = (over: Partial<Extract<Layer, { kind: 'ipv4' }>> = {}): Layer[] => [{ kind: 'ipv4', src: CLIENT, dst: SERVER, ...over }, { kind: 'tcp', srcPort: 40000, dstPort: 8080, flags: 2 }];

const CASES: [string, ScenarioPacket, Record<string, unknown>][] = [
  ['a truncated IPv4 header', fromClient([{ kind: 'ethernet', dst: TAP11_MAC, src: POD_MAC, type: 0x0800 }, { kind: 'raw', data: new Uint8Array(10).fill(0x45) }]), { kind: 'dropped', node: 'ip4-input', error: 'ip4 length < 20 bytes' }],
  ['an IPv6 frame', fromClient([{ kind: 'ethernet', dst: TAP11_MAC, src: POD_MAC, type: 0x86dd }, { kind: 'raw', data: new Uint8Array(40) }]), { kind: 'dropped', node: 'ethernet-input', error: 'unknown ethernet type' }],
  ['an ARP request for the virtual gateway', fromClient([{ kind: 'ethernet', dst: 0xffffffffffff, src: POD_MAC }, { kind: 'arp', op: 1, sha: POD_MAC, spa: CLIENT, tha: 0, tpa: ip4('10.1.1.1') }]), { kind: 'dropped', node: 'arp-input', error: 'IP4 destination address not local to subnet' }],
  ['a bad IP header checksum', fromClient(tcp({ checksum: 0xbad0 })), { kind: 'dropped', node: 'ip4-input', error: 'bad ip4 checksum' }],
  ['IP options', fromClient(tcp({ options: Uint8Array.of(1, 1, 1, 0) })), { kind: 'dropped', node: 'ip4-input', error: 'ip4 options present' }],
  ['an unallocated pod IP on another node (no covering route)', fromClient(tcp({ dst: ip4('10.1.7.7') })), { kind: 'dropped', node: 'ip4-drop', error: 'ip4 adjacency drop' }],
  ['TTL 2 across nodes (expires on the server node)', fromClient(tcp({ ttl: 2 })), { kind: 'delivered', pod: 'client' }],
  ['a frame to another MAC than the TAP', fromClient([{ kind: 'ethernet', dst: mac('02:fe:00:00:00:09'), src: POD_MAC }, ...tcp()]), { kind: 'dropped', node: 'ethernet-input', error: 'l3 mac mismatch' }],
  ['VXLAN with the wrong VNI on the wire', outer(11), { kind: 'dropped', node: 'vxlan4-input', error: 'no such tunnel packets' }],
  ['VXLAN with flags other than 0x08', outer(10, 0x88), { kind: 'dropped', node: 'vxlan4-input', error: 'packets with bad flags field in vxlan header' }],
];

describe('unexpected frames end where VPP ends them', () => {
  test.each(CASES)('%s', (_name, packet, expected) => {
    const sim = new Simulation(loadExample('seed-pod-to-pod-different-nodes.json'));
    const r = sim.inject(packet, 0);
    expect(r.outcomes[0]).toMatchObject(expected);
  });

  test('an expired TTL is answered with ICMP time exceeded from the server node\'s loop0 address', () => {
    const sim = new Simulation(loadExample('seed-pod-to-pod-different-nodes.json'));
    const r = sim.inject(fromClient(tcp({ ttl: 2 })), 0);
    const back = r.outcomes[0]!;
    expect(r.traces.map((t) => t.nodeId)).toEqual([1, 2, 1]);
    expect(r.traces[1]!.records.map((x) => x.node)).toContain('ip4-icmp-error');
    if (back.kind !== 'delivered') throw new Error('expected delivery');
    expect(Array.from(back.frame.subarray(26, 30))).toEqual([192, 168, 30, 2]);
    expect([back.frame[34], back.frame[35]]).toEqual([11, 0]);
  });

  test('a non-first fragment matches ACL rules on addresses and protocol alone and crosses the nodes', () => {
    const sim = new Simulation(loadExample('seed-pod-to-pod-different-nodes.json'));
    const frag: Layer[] = [{ kind: 'ipv4', src: CLIENT, dst: SERVER, protocol: 6, fragOffset: 100 }, { kind: 'raw', data: new Uint8Array(16) }];
    const r = sim.inject(fromClient(frag), 0);
    expect(r.outcomes[0]).toMatchObject({ kind: 'delivered', pod: 'server' });
    const acl = r.traces[0]!.records.find((x) => x.node === 'acl-plugin-out-ip4-fa')!;
    expect(acl.body).toMatchObject({ matchAcl: 2, matchRule: 3, tuple: { nonFirstFragment: true, l4Valid: false } });
  });
});
