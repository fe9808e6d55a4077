// fast-check arbitraries for well-formed Ethernet frames as layer lists: plain TCP/UDP/ICMP/ARP,
// 802.1Q, VXLAN-encapsulated frames, and odd ones (IP options, fragments, bad checksums, VNI > 255).
// Every frame decodes back to the same structure: raw payloads only follow unbound types.
import fc from 'fast-check';
import type { ArpLayer, EthernetLayer, IcmpLayer, Ipv4Layer, Layer, RawLayer, TcpLayer, UdpLayer, VxlanLayer } from '../packet/types.ts';
import { VXLAN_FLAG_I, VXLAN_PORT } from '../packet/vxlan.ts';

export interface FrameConstraints {
  /** largest payload after the innermost header (default 64) */
  maxPayload?: number;
  /** probability-ish weight of explicit (usually wrong) checksums, 0 = never (default 1 in 8) */
  badChecksumWeight?: number;
  /** allow VXLAN encapsulation (default true) */
  vxlan?: boolean;
}

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const macArb = fc.integer({ min: 0, max: 0xffffffffffff });
const ipArb = fc.oneof(u32, fc.constantFrom(0x0a01010c, 0x0a01020d, 0xc0a81001, 0xc0a81002, 0, 0xffffffff));
const portArb = fc.oneof(u16, fc.constantFrom(0, 53, VXLAN_PORT, 8080, 60996, 65535));

function bytes(min: number, max: number): fc.Arbitrary<Uint8Array> {
  return fc.uint8Array({ minLength: min, maxLength: max });
}

/** Option bytes of a length that is a multiple of 4 (so the computed IHL/data offset covers them exactly). */
function optionBytes(maxWords: number): fc.Arbitrary<Uint8Array | undefined> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: maxWords }).chain((w) => bytes(w * 4, w * 4)) },
  );
}

function maybeChecksum(weight: number): fc.Arbitrary<number | undefined> {
  if (weight <= 0) return fc.constant(undefined);
  return fc.oneof({ weight: 8 - Math.min(weight, 7), arbitrary: fc.constant(undefined) }, { weight: Math.min(weight, 7), arbitrary: u16 });
}

function payload(max: number): fc.Arbitrary<RawLayer[]> {
  return bytes(0, max).map((data) => (data.length === 0 ? [] : [{ kind: 'raw', data }]));
}

export function ethernetArb(type?: number): fc.Arbitrary<EthernetLayer> {
  return fc.record({ dst: macArb, src: macArb }).map(({ dst, src }) => {
    const l: EthernetLayer = { kind: 'ethernet', dst, src };
    if (type !== undefined) l.type = type;
    return l;
  });
}

function ipv4Arb(c: Required<FrameConstraints>, opts: { protocol?: number; fragment: boolean }): fc.Arbitrary<Ipv4Layer> {
  return fc
    .record({
      tos: u8,
      id: u16,
      df: fc.boolean(),
      evil: fc.boolean(),
      ttl: fc.oneof(u8, fc.constantFrom(0, 1, 2, 64, 255)),
      src: ipArb,
      dst: ipArb,
      options: optionBytes(10),
      checksum: maybeChecksum(c.badChecksumWeight),
      fragOffset: fc.integer({ min: 0, max: 0x1fff }),
      mf: fc.boolean(),
    })
    .map((r) => {
      const l: Ipv4Layer = { kind: 'ipv4', tos: r.tos, id: r.id, ttl: r.ttl, src: r.src, dst: r.dst, flags: (r.evil ? 4 : 0) | (r.df ? 2 : 0), fragOffset: 0 };
      if (opts.fragment) {
        // a fragment: MF set, or a non-zero offset, or both
        l.fragOffset = r.mf && r.fragOffset === 0 ? 0 : Math.max(1, r.fragOffset);
        l.flags = (l.flags ?? 0) | (r.mf || l.fragOffset === 0 ? 1 : 0);
      }
      if (r.options) l.options = r.options;
      if (r.checksum !== undefined) l.checksum = r.checksum;
      if (opts.protocol !== undefined) l.protocol = opts.protocol;
      return l;
    });
}

function tcpArb(c: Required<FrameConstraints>): fc.Arbitrary<Layer[]> {
  return fc
    .record({
      srcPort: portArb,
      dstPort: portArb,
      seq: u32,
      ack: u32,
      flags: fc.oneof(fc.integer({ min: 0, max: 0x1ff }), fc.constantFrom(0x02, 0x12, 0x10, 0x11, 0x04, 0x18)),
      window: u16,
      urgent: u16,
      reserved: fc.integer({ min: 0, max: 7 }),
      options: optionBytes(10),
      checksum: maybeChecksum(c.badChecksumWeight),
      payload: payload(c.maxPayload),
    })
    .map((r) => {
      const l: TcpLayer = { kind: 'tcp', srcPort: r.srcPort, dstPort: r.dstPort, seq: r.seq, ack: r.ack, flags: r.flags, window: r.window, urgent: r.urgent, reserved: r.reserved };
      if (r.options) l.options = r.options;
      if (r.checksum !== undefined) l.checksum = r.checksum;
      return [l, ...r.payload];
    });
}

function udpArb(c: Required<FrameConstraints>): fc.Arbitrary<Layer[]> {
  return fc
    .record({
      srcPort: portArb,
      dstPort: portArb.filter((p) => p !== VXLAN_PORT),
      checksum: fc.oneof(maybeChecksum(c.badChecksumWeight), fc.constant(0)),
      payload: payload(c.maxPayload),
    })
    .map((r) => {
      const l: UdpLayer = { kind: 'udp', srcPort: r.srcPort, dstPort: r.dstPort };
      if (r.checksum !== undefined) l.checksum = r.checksum;
      return [l, ...r.payload];
    });
}

function icmpArb(c: Required<FrameConstraints>): fc.Arbitrary<Layer[]> {
  const echo = fc
    .record({ type: fc.constantFrom(0, 8), id: u16, seq: u16, checksum: maybeChecksum(c.badChecksumWeight), payload: payload(c.maxPayload) })
    .map((r) => {
      const l: IcmpLayer = { kind: 'icmp', type: r.type, code: 0, id: r.id, seq: r.seq };
      if (r.checksum !== undefined) l.checksum = r.checksum;
      return [l, ...r.payload] as Layer[];
    });
  // An error quoting the offending header and the first 8 bytes of its payload (RFC 792).
  const error = fc
    .record({
      type: fc.constantFrom(3, 11),
      code: fc.integer({ min: 0, max: 15 }),
      quoted: ipv4Arb({ ...c, badChecksumWeight: 0 }, { fragment: false }),
      udp: fc.boolean(),
      origLen: fc.integer({ min: 28, max: 1500 }),
      l4: bytes(8, 8),
      srcPort: portArb,
      dstPort: portArb.filter((p) => p !== VXLAN_PORT),
    })
    .map((r) => {
      const quoted: Ipv4Layer = { ...r.quoted, totalLength: Math.max(r.origLen, 20 + (r.quoted.options?.length ?? 0) + 8), protocol: r.udp ? 17 : 6 };
      const l4: Layer = r.udp
        ? { kind: 'udp', srcPort: r.srcPort, dstPort: r.dstPort, length: quoted.totalLength! - 20 - (quoted.options?.length ?? 0), checksum: 0 }
        : { kind: 'raw', data: r.l4 };
      return [{ kind: 'icmp', type: r.type, code: r.code, id: 0, seq: 0 } as IcmpLayer, quoted, l4];
    });
  return fc.oneof(echo, error);
}

function ipPacketArb(c: Required<FrameConstraints>, depth: number): fc.Arbitrary<Layer[]> {
  const l4 = fc.oneof(
    { weight: 4, arbitrary: fc.tuple(ipv4Arb(c, { fragment: false }), tcpArb(c)).map(([ip, rest]) => [ip, ...rest]) },
    { weight: 3, arbitrary: fc.tuple(ipv4Arb(c, { fragment: false }), udpArb(c)).map(([ip, rest]) => [ip, ...rest]) },
    { weight: 2, arbitrary: fc.tuple(ipv4Arb(c, { fragment: false }), icmpArb(c)).map(([ip, rest]) => [ip, ...rest]) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(6, 17, 1, 47), bytes(1, c.maxPayload))
        .chain(([protocol, data]) => ipv4Arb(c, { protocol, fragment: true }).map((ip) => [ip, { kind: 'raw', data } as RawLayer])),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(ipv4Arb(c, { protocol: 132, fragment: false }), bytes(0, c.maxPayload)).map(([ip, data]) => (data.length ? [ip, { kind: 'raw', data } as RawLayer] : [ip])),
    },
  );
  if (depth > 0 || !c.vxlan) return l4;
  return fc.oneof({ weight: 3, arbitrary: l4 }, { weight: 1, arbitrary: vxlanArb(c) });
}

/** An outer IPv4/UDP/VXLAN header around an inner Ethernet frame (VNI anywhere in 24 bits, odd flags sometimes). */
function vxlanArb(c: Required<FrameConstraints>): fc.Arbitrary<Layer[]> {
  return fc
    .record({
      ip: ipv4Arb(c, { fragment: false }),
      srcPort: portArb,
      vni: fc.oneof(fc.constant(10), fc.integer({ min: 0, max: 0xffffff })),
      flags: fc.oneof({ weight: 5, arbitrary: fc.constant(VXLAN_FLAG_I) }, { weight: 1, arbitrary: u8 }),
      udpChecksum: fc.oneof(fc.constant(0), maybeChecksum(c.badChecksumWeight)),
      inner: fc.tuple(ethernetArb(), ipPacketArb(c, 1)),
    })
    .map((r) => {
      const udp: UdpLayer = { kind: 'udp', srcPort: r.srcPort };
      if (r.udpChecksum !== undefined) udp.checksum = r.udpChecksum;
      const vx: VxlanLayer = { kind: 'vxlan', vni: r.vni, flags: r.flags };
      return [r.ip, udp, vx, r.inner[0], ...r.inner[1]];
    });
}

function arpArb(): fc.Arbitrary<Layer[]> {
  return fc.record({ op: fc.constantFrom(1, 2), sha: macArb, spa: ipArb, tha: macArb, tpa: ipArb, pad: fc.boolean() }).map((r) => {
    const l: ArpLayer = { kind: 'arp', op: r.op, sha: r.sha, spa: r.spa, tha: r.tha, tpa: r.tpa };
    if (r.pad) l.padding = new Uint8Array(18); // Ethernet minimum frame of 60 bytes
    return [l];
  });
}

/** A well-formed Ethernet frame as layers, outer first. */
export function frameArb(constraints: FrameConstraints = {}): fc.Arbitrary<Layer[]> {
  const c: Required<FrameConstraints> = { maxPayload: constraints.maxPayload ?? 64, badChecksumWeight: constraints.badChecksumWeight ?? 1, vxlan: constraints.vxlan ?? true };
  const typed = (layers: Layer[]): { type?: number; layers: Layer[] } => ({ layers });
  const body = fc.oneof(
    { weight: 8, arbitrary: ipPacketArb(c, 0).map(typed) },
    { weight: 1, arbitrary: arpArb().map(typed) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.record({ vid: fc.integer({ min: 0, max: 4095 }), pcp: fc.integer({ min: 0, max: 7 }), dei: fc.integer({ min: 0, max: 1 }) }), ipPacketArb({ ...c, vxlan: false }, 1))
        .map(([tag, rest]) => typed([{ kind: 'dot1q', ...tag } as Layer, ...rest])),
    },
    // An ethertype nothing binds (IPv6, LLDP) keeps its payload raw.
    { weight: 1, arbitrary: fc.record({ type: fc.constantFrom(0x86dd, 0x88cc), data: bytes(1, c.maxPayload) }).map(({ type, data }) => ({ type, layers: [{ kind: 'raw', data } as Layer] })) },
  );
  return fc.tuple(macArb, macArb, body).map(([dst, src, b]) => {
    const eth: EthernetLayer = { kind: 'ethernet', dst, src };
    if (b.type !== undefined) eth.type = b.type;
    return [eth, ...b.layers];
  });
}
