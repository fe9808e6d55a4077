// Checksums: the full IPv4 header checksum, the TCP/UDP pseudo-header checksum, and VPP's incremental
// TTL-decrement update (docs/datapath.md §7.1) against full recomputation.
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { checksumErrors, decodePacket, encodePacket, internetChecksum, ipv4HeaderChecksum, vppTtlDecrementChecksum, type Ipv4Layer } from '../../src/packet/index.ts';

describe('VPP incremental TTL-decrement checksum', () => {
  test.prop([fc.record({ tos: fc.nat(255), id: fc.nat(0xffff), ttl: fc.integer({ min: 1, max: 255 }), src: fc.nat(0xffffffff), dst: fc.nat(0xffffffff), protocol: fc.nat(255), flags: fc.nat(7) })], {
    seed: 7,
    numRuns: 5000,
  })('equals a full recomputation for every valid header', (h) => {
    const header = (ttl: number): Ipv4Layer => ({ kind: 'ipv4', ...h, ttl, totalLength: 20 });
    const before = encodePacket([header(h.ttl)]);
    const after = encodePacket([header(h.ttl - 1)]);
    const n = (before[10]! << 8) | before[11]!;
    expect(vppTtlDecrementChecksum(n)).toBe((after[10]! << 8) | after[11]!);
  });

  test('0xffff after the update becomes 0x0000 (VPP quirk), and the carry wraps', () => {
    expect(vppTtlDecrementChecksum(0xfeff)).toBe(0x0000);
    expect(vppTtlDecrementChecksum(0xff00)).toBe(0x0001);
    expect(vppTtlDecrementChecksum(0x1b2b)).toBe(0x1c2b);
  });

  test('an invalid checksum stays invalid by the same difference', () => {
    const good = 0x1c2b;
    expect(vppTtlDecrementChecksum(good + 5) - vppTtlDecrementChecksum(good)).toBe(5);
  });
});

describe('full checksums', () => {
  test('RFC 1071 example', () => {
    // RFC 1071 §3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to 0xddf2, checksum 0x220d
    expect(internetChecksum(Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7))).toBe(0x220d);
  });

  test('the header checksum ignores what the checksum field holds', () => {
    const b = encodePacket([{ kind: 'ipv4', src: 0xc0a81001, dst: 0xc0a81002, ttl: 254, protocol: 17, totalLength: 110, flags: 0, id: 0 }]);
    expect(ipv4HeaderChecksum(b, 0, 20)).toBe(0x1b2b);
    b[10] = 0x12;
    expect(ipv4HeaderChecksum(b, 0, 20)).toBe(0x1b2b);
  });

  test('checksumErrors finds exactly the wrong ones', () => {
    const layers = decodePacket(
      encodePacket([
        { kind: 'ethernet', dst: 1, src: 2 },
        { kind: 'ipv4', src: 1, dst: 2, checksum: 0x1111 },
        { kind: 'udp', srcPort: 1, dstPort: 2 },
        { kind: 'raw', data: Uint8Array.of(1, 2, 3) },
      ]),
    ).layers;
    expect(checksumErrors(layers)).toEqual([{ index: 1, layer: 'ipv4', field: 'checksum', actual: 0x1111, expected: expect.any(Number) }]);
    const tcp = decodePacket(encodePacket([{ kind: 'ethernet', dst: 1, src: 2 }, { kind: 'ipv4', src: 1, dst: 2 }, { kind: 'tcp', srcPort: 1, dstPort: 2, checksum: 7 }])).layers;
    expect(checksumErrors(tcp).map((e) => e.layer)).toEqual(['tcp']);
  });

  test('a bad inner checksum inside VXLAN does not make the outer UDP checksum look wrong (found by the tshark cross-check)', () => {
    const layers = decodePacket(
      encodePacket([
        { kind: 'ethernet', dst: 1, src: 2 },
        { kind: 'ipv4', src: 1, dst: 2 },
        { kind: 'udp', srcPort: 50038 }, // computed over the inner bytes as they are
        { kind: 'vxlan', vni: 10 },
        { kind: 'ethernet', dst: 3, src: 4 },
        { kind: 'ipv4', src: 3, dst: 4, checksum: 0x0bad },
        { kind: 'udp', srcPort: 1, dstPort: 2 },
      ]),
    ).layers;
    expect(checksumErrors(layers).map((e) => [e.index, e.layer])).toEqual([[5, 'ipv4']]);
  });
});
