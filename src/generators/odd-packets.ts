// Odd single packets (docs/architecture.md §5 edge cases on purpose): TTL 0/1/2, IP options, fragments, bad checksums,
// truncated frames, non-IP, ARP (also truncated), broadcast, traffic to unknown pods, frames for another MAC,
// VLAN tags, IP version ≠ 4, oversized DF packets, unknown protocols to the node's address; and on the wire VXLAN
// with a wrong VNI, flags, UDP checksum or length, too short, or an inner frame for an unknown MAC, for the
// sending node itself, for a third node (transit, which split horizon stops), of another type (IPv6) or broadcast;
// a ping to the node's address; datagrams around the MTU (docs/datapath.md §7.3: 1500 bytes on a node, 1450 inside
// VXLAN; ± 1, with and without DF). Every drop reason of a well-formed setup is reached by some kind.
// They are built against a topology when sent (pods by index modulo count), so shrinking stays valid.
import fc from 'fast-check';

export type OddKind =
  | 'ttl'
  | 'ip-options'
  | 'fragment'
  | 'bad-ip-checksum'
  | 'bad-l4-checksum'
  | 'truncated'
  | 'non-ip'
  | 'arp'
  | 'broadcast'
  | 'unknown-pod'
  | 'wire-wrong-vni'
  | 'wire-bad-flags'
  | 'wrong-mac'
  | 'vlan'
  | 'arp-short'
  | 'bad-version'
  | 'to-node-proto'
  | 'wire-bad-udp-checksum'
  | 'wire-bad-udp-length'
  | 'wire-short-vxlan'
  | 'wire-unknown-mac'
  | 'wire-reflect'
  | 'wire-inner-ipv6'
  | 'wire-inner-broadcast'
  | 'wire-transit'
  | 'ping-node'
  | 'large';

/** Every kind, in the order the generator draws them from. */
export const ODD_KINDS: readonly OddKind[] = [
  'ttl', 'ip-options', 'fragment', 'bad-ip-checksum', 'bad-l4-checksum', 'truncated', 'non-ip', 'arp', 'broadcast', 'unknown-pod', 'wire-wrong-vni', 'wire-bad-flags',
  'wrong-mac', 'vlan', 'arp-short', 'bad-version', 'to-node-proto', 'wire-bad-udp-checksum', 'wire-bad-udp-length', 'wire-short-vxlan', 'wire-unknown-mac', 'wire-reflect', 'wire-inner-ipv6', 'wire-inner-broadcast',
  'wire-transit', 'ping-node', 'large',
];

export interface OddPacket {
  kind: OddKind;
  from: number;
  to: number;
  ttl: number;
  cut: number;
  fragOffset: number;
  vni: number;
  /** 'large': the IPv4 total length, and whether DF is set */
  size: number;
  df: boolean;
}

export const oddPacketArb: fc.Arbitrary<OddPacket> = fc.record({
  kind: fc.constantFrom<OddKind>(...ODD_KINDS),
  from: fc.nat(),
  to: fc.nat(),
  ttl: fc.constantFrom(0, 1, 2, 3),
  cut: fc.integer({ min: 1, max: 60 }),
  // 0x1000: the acl-plugin's 0x0fff mask quirk (§8.3); 1: dropped by ip4-input (§7.4)
  fragOffset: fc.oneof(fc.constantFrom(0x1000, 1), fc.integer({ min: 1, max: 0x1fff })),
  vni: fc.oneof(fc.constant(11), fc.integer({ min: 0, max: 0xffffff })),
  size: fc.constantFrom(1450, 1451, 1500, 1449, 1200),
  df: fc.boolean(),
}, { noNullPrototype: true }); // plain objects: no prototype flag drawn per value (null-prototype objects are slow in V8)
