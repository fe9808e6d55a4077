// Round-trip and robustness properties of the packet codec, plus precise errors for malformed frames.
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { frameArb } from '../../src/generators/frame.ts';
import { decodePacket, encodePacket, fromHex, ip4, summarizePacket, type Layer } from '../../src/packet/index.ts';

const SEED = 20261127;

/** Every field x sets explicitly has the same value in y (computed fields are filled in by decoding). */
function explicitFieldsKept(x: readonly Layer[], y: readonly Layer[]): void {
  expect(y.map((l) => l.kind)).toEqual(x.map((l) => l.kind));
  x.forEach((lx, i) => {
    const ly = y[i] as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(lx)) {
      if (v === undefined) continue;
      if (v instanceof Uint8Array) expect(Array.from(ly[k] as Uint8Array), `${lx.kind}.${k}`).toEqual(Array.from(v));
      else expect(ly[k], `${lx.kind}.${k}`).toBe(v);
    }
  });
}

describe('round trips', () => {
  test.prop([frameArb()], { seed: SEED, numRuns: 2000 })('decode(encode(x)) keeps every explicit field and the layer structure', (x) => {
    const bytes = encodePacket(x);
    const r = decodePacket(bytes);
    expect(r.ok ? null : r.error).toBeNull();
    explicitFieldsKept(x, r.layers);
  });

  test.prop([frameArb()], { seed: SEED + 1, numRuns: 2000 })('encode(decode(b)) equals b for well-formed b', (x) => {
    const b = encodePacket(x);
    const r = decodePacket(b);
    expect(Buffer.from(encodePacket(r.layers)).equals(Buffer.from(b))).toBe(true);
  });
});

describe('decoding never throws', () => {
  test.prop([fc.uint8Array({ maxLength: 200 })], { seed: SEED + 2, numRuns: 3000 })('on random bytes', (b) => {
    const r = decodePacket(b);
    const covered = r.layers.length > 0 || b.length === 0;
    expect(covered).toBe(true);
    summarizePacket(r.layers);
    if (!r.ok) {
      expect(r.error.offset).toBeGreaterThanOrEqual(0);
      expect(r.error.offset).toBeLessThanOrEqual(b.length);
    }
  });

  test.prop([frameArb(), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), fc.nat()], { seed: SEED + 3, numRuns: 2000 })(
    'on mutated and truncated frames',
    (x, flips, cut) => {
      const b = encodePacket(x);
      for (const [pos, v] of flips) if (b.length > 0) b[pos % b.length] = v;
      const truncated = b.subarray(0, b.length === 0 ? 0 : cut % (b.length + 1));
      for (const bytes of [b, truncated]) {
        const r = decodePacket(bytes);
        summarizePacket(r.layers);
        if (!r.ok) expect(r.error.offset).toBeLessThanOrEqual(bytes.length);
      }
    },
  );
});

describe('errors name the layer, the field and the byte offset', () => {
  const syn = encodePacket([
    { kind: 'ethernet', dst: 2, src: 1 },
    { kind: 'ipv4', src: ip4('10.1.1.12'), dst: ip4('10.1.2.13') },
    { kind: 'tcp', srcPort: 1, dstPort: 2, flags: 2 },
  ]);

  test('a frame cut inside the Ethernet header', () => {
    const r = decodePacket(syn.subarray(0, 13));
    expect(r).toMatchObject({ ok: false, truncated: true, error: { layer: 'ethernet', field: 'type', offset: 12 } });
  });

  test('a frame cut inside the IPv4 addresses', () => {
    const r = decodePacket(syn.subarray(0, 14 + 14));
    expect(r).toMatchObject({ ok: false, truncated: true, error: { layer: 'ipv4', field: 'src', offset: 26 } });
  });

  test('a frame cut inside the TCP header names the field', () => {
    const r = decodePacket(syn.subarray(0, 34 + 15));
    // the IP total length promises 40 bytes: that error comes first, from the outer layer
    expect(r).toMatchObject({ ok: false, error: { layer: 'ipv4', field: 'totalLength', offset: 16 } });
  });

  test('an IPv4 version other than 4', () => {
    const b = Uint8Array.from(syn);
    b[14] = 0x65;
    expect(decodePacket(b)).toMatchObject({ ok: false, truncated: false, error: { layer: 'ipv4', field: 'version', offset: 14 } });
  });

  test('an IHL below 5 and a total length below the header', () => {
    const b = Uint8Array.from(syn);
    b[14] = 0x44;
    expect(decodePacket(b)).toMatchObject({ ok: false, error: { layer: 'ipv4', field: 'ihl', offset: 14 } });
    const c = Uint8Array.from(syn);
    c[16] = 0;
    c[17] = 10;
    expect(decodePacket(c)).toMatchObject({ ok: false, error: { layer: 'ipv4', field: 'totalLength', offset: 16 } });
  });

  test('a TCP data offset below 5', () => {
    const b = Uint8Array.from(syn);
    b[34 + 12] = 0x40;
    expect(decodePacket(b)).toMatchObject({ ok: false, error: { layer: 'tcp', field: 'dataOffset', offset: 46 } });
  });

  test('a UDP length below 8', () => {
    const b = encodePacket([{ kind: 'ethernet', dst: 2, src: 1 }, { kind: 'ipv4', src: 1, dst: 2 }, { kind: 'udp', srcPort: 1, dstPort: 2, length: 4 }]);
    expect(decodePacket(b)).toMatchObject({ ok: false, error: { layer: 'udp', field: 'length', offset: 38 } });
  });

  test('an ARP with a hardware length other than 6', () => {
    const b = fromHex('ffffffffffff0000000000010806 0001 0800 08 04 0001');
    expect(decodePacket(b)).toMatchObject({ ok: false, error: { layer: 'arp', field: 'hlen', offset: 18 } });
  });

  test('a VXLAN packet whose inner frame is cut', () => {
    const b = encodePacket([
      { kind: 'ethernet', dst: 2, src: 1 },
      { kind: 'ipv4', src: 1, dst: 2 },
      { kind: 'udp', srcPort: 5, checksum: 0 },
      { kind: 'vxlan', vni: 10 },
      { kind: 'raw', data: new Uint8Array(6) },
    ]);
    expect(decodePacket(b)).toMatchObject({ ok: false, truncated: true, error: { layer: 'ethernet', field: 'src', offset: 56 } });
  });
});

describe('encoding', () => {
  test('an out-of-range field is a clear error', () => {
    expect(() => encodePacket([{ kind: 'ethernet', dst: 1, src: 2 }, { kind: 'ipv4', src: 1, dst: 2, ttl: 256 }, { kind: 'raw', data: new Uint8Array(1) }])).toThrow(/ipv4\.ttl = 256 does not fit in 8 bits/);
  });

  test('an undefined type field with nothing to bind to is a clear error', () => {
    expect(() => encodePacket([{ kind: 'ethernet', dst: 1, src: 2 }, { kind: 'raw', data: new Uint8Array(4) }])).toThrow(/ethernet\.type is undefined/);
  });

  test('an explicit value always wins over the computed one', () => {
    const b = encodePacket([
      { kind: 'ethernet', dst: 1, src: 2, type: 0x0800 },
      { kind: 'ipv4', src: 1, dst: 2, totalLength: 999, checksum: 0xbeef, protocol: 17 },
      { kind: 'udp', srcPort: 1, dstPort: 2, length: 3, checksum: 0x1234 },
    ]);
    expect(Array.from(b.subarray(16, 18))).toEqual([0x03, 0xe7]);
    expect(Array.from(b.subarray(24, 26))).toEqual([0xbe, 0xef]);
    expect(Array.from(b.subarray(38, 42))).toEqual([0x00, 0x03, 0x12, 0x34]);
  });

  test('summaries read like VPP trace lines', () => {
    const layers = decodePacket(encodePacket([
      { kind: 'ethernet', dst: 0x1a2b3c4d5e02, src: 0x1a2b3c4d5e01 },
      { kind: 'ipv4', src: ip4('10.1.1.12'), dst: ip4('10.1.2.13') },
      { kind: 'tcp', srcPort: 60996, dstPort: 8080 },
    ])).layers;
    expect(summarizePacket(layers)).toEqual(['IP4: 1a:2b:3c:4d:5e:01 -> 1a:2b:3c:4d:5e:02', 'TCP: 10.1.1.12 -> 10.1.2.13', 'TCP: 60996 -> 8080']);
  });
});
