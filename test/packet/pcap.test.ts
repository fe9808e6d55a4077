// Codec tests for the pcap core: golden bytes, round trips, error offsets on malformed input, writer
// validation, timestamps. Real-tool interop: pcap-interop.test.ts; file wrappers: pcap-file.test.ts.
import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  decodePcap,
  encodePcap,
  encodePcapHeader,
  encodePcapRecord,
  timestampFor,
  DEFAULT_SNAPLEN,
  LINKTYPE_ETHERNET,
  MAX_RECORD_LEN,
  PCAP_MAGIC_MICRO,
  PCAP_MAGIC_NANO,
  type EncodeOptions,
  type PcapDecodeResult,
  type PcapRecord,
  type TimestampPrecision,
} from '../../src/packet/pcap.ts';

/** '0a 0b' → bytes; whitespace is ignored so golden dumps can be laid out by field. */
function hex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, '');
  return Uint8Array.from(clean.match(/../g) ?? [], (h) => parseInt(h, 16));
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** What decodePcap must give back for a record we wrote with the given snaplen. */
function expectedRecord(rec: PcapRecord, snaplen: number): PcapRecord {
  return {
    tsSec: rec.tsSec,
    tsFrac: rec.tsFrac,
    data: rec.data.subarray(0, Math.min(rec.data.length, snaplen)),
    origLen: rec.origLen ?? rec.data.length,
  };
}

const FIELD_PATTERN = /^(header|magic|record\[(\d+)\]\.(header|incl_len|data))$/;

/**
 * Invariants of any decode result, valid input or garbage: records are views into `bytes`, and
 * a record error sits exactly where the records decoded before it end.
 */
function checkDecodeInvariants(bytes: Uint8Array, result: PcapDecodeResult): void {
  let end = 24;
  for (const rec of result.records) {
    expect(rec.data.buffer).toBe(bytes.buffer);
    expect(rec.data.byteOffset).toBe(bytes.byteOffset + end + 16);
    end += 16 + rec.data.length;
  }
  if (result.ok) {
    expect(end).toBe(bytes.length);
    return;
  }
  const { offset, field } = result.error;
  const m = FIELD_PATTERN.exec(field);
  expect(m, `unexpected field name ${field}`).not.toBeNull();
  expect(offset).toBeGreaterThanOrEqual(0);
  expect(offset).toBeLessThanOrEqual(bytes.length);
  if (m![2] !== undefined) {
    expect(Number(m![2])).toBe(result.records.length);
    expect(result.header).toBeDefined();
    expect(offset).toBe(end);
  } else {
    expect(offset).toBe(0);
    expect(result.records).toEqual([]);
  }
}

describe('golden bytes', () => {
  // Hand-computed from pcap-savefile(5): 1_700_000_000 = 0x6553f100, 123_456 = 0x0001e240,
  // 999_999_999 = 0x3b9ac9ff, 262_144 = 0x00040000.
  const MICRO_LE = hex(`
    d4c3b2a1 0200 0400 00000000 00000000 00000400 01000000
    00f15365 40e20100 04000000 04000000 deadbeef`);
  const NANO_BE_TRUNCATED = hex(`
    a1b23c4d 0002 0004 00000000 00000000 00000004 00000001
    00000001 3b9ac9ff 00000004 00000006 01020304`);

  test('encodes a microsecond little-endian file with default snaplen and linktype', () => {
    const rec = { tsSec: 1_700_000_000, tsFrac: 123_456, data: hex('deadbeef') };
    expect(encodePcap([rec])).toEqual(MICRO_LE);
    expect(concat([encodePcapHeader(), encodePcapRecord(rec)])).toEqual(MICRO_LE);
  });

  test('encodes a nanosecond big-endian file, truncating data to snaplen and keeping orig_len', () => {
    const opts: EncodeOptions = { precision: 'nano', littleEndian: false, snaplen: 4 };
    const rec = { tsSec: 1, tsFrac: 999_999_999, data: hex('010203040506') };
    expect(encodePcap([rec], opts)).toEqual(NANO_BE_TRUNCATED);
    expect(concat([encodePcapHeader(opts), encodePcapRecord(rec, opts)])).toEqual(NANO_BE_TRUNCATED);
  });

  test('decodes the golden files field by field', () => {
    expect(decodePcap(MICRO_LE)).toEqual({
      ok: true,
      header: {
        precision: 'micro', littleEndian: true, versionMajor: 2, versionMinor: 4,
        snaplen: DEFAULT_SNAPLEN, linktype: LINKTYPE_ETHERNET, thiszone: 0, sigfigs: 0,
      },
      records: [{ tsSec: 1_700_000_000, tsFrac: 123_456, data: hex('deadbeef'), origLen: 4 }],
    });
    expect(decodePcap(NANO_BE_TRUNCATED)).toEqual({
      ok: true,
      header: {
        precision: 'nano', littleEndian: false, versionMajor: 2, versionMinor: 4,
        snaplen: 4, linktype: 1, thiszone: 0, sigfigs: 0,
      },
      records: [{ tsSec: 1, tsFrac: 999_999_999, data: hex('01020304'), origLen: 6 }],
    });
  });

  test('accepts all four magic byte sequences and reports precision and byte order', () => {
    const cases: [string, TimestampPrecision, boolean][] = [
      ['a1b2c3d4', 'micro', false],
      ['d4c3b2a1', 'micro', true],
      ['a1b23c4d', 'nano', false],
      ['4d3cb2a1', 'nano', true],
    ];
    for (const [magic, precision, littleEndian] of cases) {
      const bytes = encodePcapHeader({ precision, littleEndian });
      expect(bytes.subarray(0, 4)).toEqual(hex(magic));
      const r = decodePcap(bytes);
      expect(r.ok && r.header.precision === precision && r.header.littleEndian === littleEndian).toBe(true);
    }
    expect(PCAP_MAGIC_MICRO).toBe(0xa1b2c3d4);
    expect(PCAP_MAGIC_NANO).toBe(0xa1b23c4d);
  });

  test('returns thiszone, sigfigs, version and an unusual linktype as found, without error', () => {
    // thiszone -3600 = 0xfffff1f0; linktype 228 = LINKTYPE_IPV4.
    const bytes = hex('a1b2c3d4 0002 0003 fffff1f0 00000006 0000ffff 000000e4');
    expect(decodePcap(bytes)).toEqual({
      ok: true,
      header: {
        precision: 'micro', littleEndian: false, versionMajor: 2, versionMinor: 3,
        snaplen: 65535, linktype: 228, thiszone: -3600, sigfigs: 6,
      },
      records: [],
    });
  });

  test('decodes a file that sits at a non-zero offset inside a larger buffer, returning views', () => {
    const file = encodePcap([{ tsSec: 7, tsFrac: 8, data: hex('0102') }], { littleEndian: false });
    const outer = new Uint8Array(file.length + 5);
    outer.set(file, 3);
    const bytes = outer.subarray(3, 3 + file.length);
    const r = decodePcap(bytes);
    expect(r.ok).toBe(true);
    expect(r.records[0]!.data).toEqual(hex('0102'));
    expect(r.records[0]!.data.buffer).toBe(outer.buffer);
    expect(r.records[0]!.data.byteOffset).toBe(3 + 24 + 16);
  });
});

// ---------------------------------------------------------------------------------------------

const precisionArb = fc.constantFrom<TimestampPrecision | undefined>(undefined, 'micro', 'nano');

/** Options and records that fit them; tsFrac's range depends on the precision. */
const pcapCaseArb = precisionArb.chain((precision) =>
  fc.record({
    opts: fc.record(
      {
        precision: fc.constant(precision),
        littleEndian: fc.boolean(),
        // Small snaplens force truncation; the default and u32 max cover the other end.
        snaplen: fc.oneof(fc.integer({ min: 1, max: 64 }), fc.constant(DEFAULT_SNAPLEN), fc.constant(0xffffffff)),
        linktype: fc.oneof(fc.constant(LINKTYPE_ETHERNET), fc.integer({ min: 0, max: 0xffffffff })),
      },
      { requiredKeys: ['precision'] },
    ),
    records: fc.array(
      fc.record(
        {
          tsSec: fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.constantFrom(0, 0xffffffff)),
          tsFrac: fc.integer({ min: 0, max: precision === 'nano' ? 999_999_999 : 999_999 }),
          data: fc.uint8Array({ maxLength: 200 }),
          origLen: fc.integer({ min: 0, max: 0xffffffff }),
        },
        { requiredKeys: ['tsSec', 'tsFrac', 'data'] },
      ),
      { maxLength: 8 },
    ),
  }),
);

describe('round trip', () => {
  test.prop([pcapCaseArb], { seed: 42, numRuns: 200 })(
    'decodePcap(encodePcap(records, opts)) gives back the records, truncated to snaplen',
    ({ opts, records }) => {
      const bytes = encodePcap(records, opts);
      const snaplen = opts.snaplen ?? DEFAULT_SNAPLEN;
      const result = decodePcap(bytes);
      expect(result).toEqual({
        ok: true,
        header: {
          precision: opts.precision ?? 'micro',
          littleEndian: opts.littleEndian ?? true,
          versionMajor: 2,
          versionMinor: 4,
          snaplen,
          linktype: opts.linktype ?? LINKTYPE_ETHERNET,
          thiszone: 0,
          sigfigs: 0,
        },
        records: records.map((r) => expectedRecord(r, snaplen)),
      });
      checkDecodeInvariants(bytes, result);
    },
  );

  test.prop([pcapCaseArb], { seed: 42, numRuns: 100 })(
    'encodePcap equals the header followed by each encodePcapRecord, from an array or a generator',
    ({ opts, records }) => {
      const whole = encodePcap(records, opts);
      expect(concat([encodePcapHeader(opts), ...records.map((r) => encodePcapRecord(r, opts))])).toEqual(whole);
      expect(encodePcap((function* () { yield* records; })(), opts)).toEqual(whole);
    },
  );
});

// ---------------------------------------------------------------------------------------------

describe('malformed input', () => {
  test.prop([fc.uint8Array({ maxLength: 300 })], { seed: 42, numRuns: 200 })(
    'random bytes never make decodePcap throw, and errors carry consistent offsets',
    (bytes) => {
      checkDecodeInvariants(bytes, decodePcap(bytes));
    },
  );

  test.prop(
    [fc.constantFrom('a1b2c3d4', 'd4c3b2a1', 'a1b23c4d', '4d3cb2a1'), fc.uint8Array({ minLength: 20, maxLength: 300 })],
    { seed: 42, numRuns: 200 },
  )('random bytes behind a valid magic never make decodePcap throw', (magic, rest) => {
    const bytes = concat([hex(magic), rest]);
    checkDecodeInvariants(bytes, decodePcap(bytes));
  });

  test.prop(
    [
      pcapCaseArb,
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
      fc.option(fc.nat(), { nil: undefined }),
    ],
    { seed: 42, numRuns: 200 },
  )('valid files with flipped bytes or a cut tail never make decodePcap throw', ({ opts, records }, flips, cut) => {
    const bytes = encodePcap(records, opts).slice();
    for (const [pos, xor] of flips) {
      const k = pos % bytes.length;
      bytes[k] = bytes[k]! ^ xor;
    }
    const mutated = cut === undefined ? bytes : bytes.subarray(0, cut % (bytes.length + 1));
    checkDecodeInvariants(mutated, decodePcap(mutated));
  });

  test('a 3-record file cut at every byte reports the first incomplete record, by offset and part', () => {
    // Data lengths 5, 0, 7: the empty record is complete as soon as its header is.
    const records = [
      { tsSec: 1, tsFrac: 10, data: hex('0102030405') },
      { tsSec: 2, tsFrac: 20, data: new Uint8Array(0) },
      { tsSec: 3, tsFrac: 30, data: hex('0a0b0c0d0e0f10') },
    ];
    for (const precision of ['micro', 'nano'] as const) {
      for (const littleEndian of [true, false]) {
        const file = encodePcap(records, { precision, littleEndian });
        const starts = [24, 24 + 16 + 5, 24 + 16 + 5 + 16];
        const end = starts[2]! + 16 + 7;
        expect(file.length).toBe(end);
        for (let cut = 0; cut <= end; cut++) {
          const r = decodePcap(file.subarray(0, cut));
          const where = `${precision}/${littleEndian ? 'LE' : 'BE'} cut at ${cut}`;
          if (cut < 24) {
            expect(r.ok, where).toBe(false);
            expect(!r.ok && r.error, where).toMatchObject({ offset: 0, field: 'header' });
            continue;
          }
          // Index of the record that contains the cut; cut === start means a clean boundary.
          let i = starts.length - 1;
          while (starts[i]! > cut) i--;
          if (cut === end || cut === starts[i]) {
            const complete = cut === end ? 3 : i;
            expect(r.ok, where).toBe(true);
            expect(r.records, where).toEqual(records.slice(0, complete).map((x) => expectedRecord(x, DEFAULT_SNAPLEN)));
            continue;
          }
          const part = cut - starts[i]! < 16 ? 'header' : 'data';
          expect(r.ok, where).toBe(false);
          expect(!r.ok && r.error, where).toMatchObject({ offset: starts[i], field: `record[${i}].${part}` });
          expect(r.records, where).toEqual(records.slice(0, i).map((x) => expectedRecord(x, DEFAULT_SNAPLEN)));
          expect(r.header, where).toMatchObject({ precision, littleEndian });
        }
      }
    }
  });

  test('a file shorter than the global header is a header error at offset 0', () => {
    for (const bytes of [new Uint8Array(0), encodePcapHeader().subarray(0, 23)]) {
      const r = decodePcap(bytes);
      expect(r).toMatchObject({ ok: false, records: [], error: { offset: 0, field: 'header' } });
      expect(r.ok === false && r.header).toBe(undefined);
    }
  });

  test('an unknown magic is reported with its bytes in hex', () => {
    const bytes = concat([hex('deadbeef'), encodePcapHeader().subarray(4)]);
    const r = decodePcap(bytes);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({ offset: 0, field: 'magic' });
    expect(r.error.message).toContain('de ad be ef');
    expect(r.error.message).toMatch(/not a classic pcap/);
    expect(r.error.message).not.toMatch(/pcapng/);
  });

  test('a pcapng file is named as such', () => {
    // Section Header Block: type 0x0a0d0d0a, length 28, byte-order magic 0x1a2b3c4d, version 1.0.
    const shb = hex('0a0d0d0a 1c000000 4d3c2b1a 0100 0000 ffffffffffffffff 1c000000');
    const r = decodePcap(shb);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({ offset: 0, field: 'magic' });
    expect(r.error.message).toContain('0a 0d 0d 0a');
    expect(r.error.message).toMatch(/pcapng/);
  });

  test('a record longer than snaplen is read whole, as libpcap and Wireshark read it', () => {
    const good = encodePcap([{ tsSec: 1, tsFrac: 0, data: hex('aabb') }], { snaplen: 10 });
    const long = hex('02000000 00000000 0b000000 0b000000 000102030405060708090a'); // incl_len 11 > snaplen 10
    const r = decodePcap(concat([good, long]));
    expect(r.ok).toBe(true);
    expect(r.records.map((x) => x.data.length)).toEqual([2, 11]);
  });

  test('incl_len above 256 MiB is rejected even when snaplen allows it', () => {
    const header = encodePcapHeader({ snaplen: 0xffffffff, littleEndian: false });
    const rec = new Uint8Array(16);
    new DataView(rec.buffer).setUint32(8, MAX_RECORD_LEN + 1, false);
    const r = decodePcap(concat([header, rec]));
    expect(r).toMatchObject({ ok: false, error: { offset: 24, field: 'record[0].incl_len' }, records: [] });
    expect(!r.ok && r.error.message).toMatch(/sanity/);
  });
});

// ---------------------------------------------------------------------------------------------

describe('writer validation', () => {
  const ok = { tsSec: 0, tsFrac: 0, data: hex('00') };
  const cases: { name: string; bad: Partial<PcapRecord>; opts?: EncodeOptions; message: RegExp }[] = [
    { name: 'tsFrac of one second (micro)', bad: { tsFrac: 1_000_000 }, message: /record 1: tsFrac .*0\.\.999999 \(microseconds\)/ },
    { name: 'tsFrac of one second (nano)', bad: { tsFrac: 1_000_000_000 }, opts: { precision: 'nano' }, message: /record 1: tsFrac .*nanoseconds/ },
    { name: 'negative tsFrac', bad: { tsFrac: -1 }, message: /record 1: tsFrac/ },
    { name: 'fractional tsFrac', bad: { tsFrac: 1.5 }, message: /record 1: tsFrac/ },
    { name: 'NaN tsFrac', bad: { tsFrac: NaN }, message: /record 1: tsFrac/ },
    { name: 'negative tsSec', bad: { tsSec: -1 }, message: /record 1: tsSec/ },
    { name: 'tsSec past u32', bad: { tsSec: 2 ** 32 }, message: /record 1: tsSec/ },
    { name: 'fractional tsSec', bad: { tsSec: 0.5 }, message: /record 1: tsSec/ },
    { name: 'negative origLen', bad: { origLen: -1 }, message: /record 1: origLen/ },
    { name: 'origLen past u32', bad: { origLen: 2 ** 32 }, message: /record 1: origLen/ },
  ];
  for (const c of cases) {
    test(`rejects ${c.name} with a RangeError naming the record and field`, () => {
      const records = [ok, { ...ok, ...c.bad }];
      expect(() => encodePcap(records, c.opts)).toThrow(RangeError);
      expect(() => encodePcap(records, c.opts)).toThrow(c.message);
    });
  }

  test('accepts the largest fraction of each precision', () => {
    expect(() => encodePcap([{ ...ok, tsFrac: 999_999 }])).not.toThrow();
    expect(() => encodePcap([{ ...ok, tsFrac: 999_999_999 }], { precision: 'nano' })).not.toThrow();
    expect(() => encodePcap([{ ...ok, tsSec: 0xffffffff }])).not.toThrow();
  });

  test('rejects non-Uint8Array data with a TypeError', () => {
    const rec = { ...ok, data: [1, 2, 3] as unknown as Uint8Array };
    expect(() => encodePcap([ok, rec])).toThrow(TypeError);
    expect(() => encodePcapRecord(rec, {}, 9)).toThrow(/record 9: data/);
  });

  test('rejects bad options with a RangeError naming the option', () => {
    for (const snaplen of [0, -1, 1.5, 2 ** 32]) {
      expect(() => encodePcapHeader({ snaplen })).toThrow(/snaplen/);
    }
    expect(() => encodePcapHeader({ linktype: -1 })).toThrow(RangeError);
    expect(() => encodePcapHeader({ precision: 'milli' as TimestampPrecision })).toThrow(/precision/);
  });

  test('stores snaplen bytes of a long frame, with orig_len the full length or the given origLen', () => {
    const data = hex('00010203040506070809');
    const r = decodePcap(encodePcap([{ ...ok, data }, { ...ok, data, origLen: 9000 }], { snaplen: 4 }));
    expect(r.records.map((x) => [x.data.length, x.origLen])).toEqual([[4, 10], [4, 9000]]);
  });
});

describe('timestampFor', () => {
  test('maps a step to base + step × 1 ms by default', () => {
    expect(timestampFor(0)).toEqual({ tsSec: 0, tsFrac: 0 });
    expect(timestampFor(1)).toEqual({ tsSec: 0, tsFrac: 1000 });
    expect(timestampFor(999)).toEqual({ tsSec: 0, tsFrac: 999_000 });
    expect(timestampFor(1000)).toEqual({ tsSec: 1, tsFrac: 0 });
    expect(timestampFor(1500, { baseSec: 1_700_000_000 })).toEqual({ tsSec: 1_700_000_001, tsFrac: 500_000 });
  });

  test('honours stepMicros and nanosecond precision', () => {
    expect(timestampFor(1_000_001, { stepMicros: 1 })).toEqual({ tsSec: 1, tsFrac: 1 });
    expect(timestampFor(3, { stepMicros: 250_000, precision: 'nano' })).toEqual({ tsSec: 0, tsFrac: 750_000_000 });
  });

  test('produces timestamps the writer accepts, and rejects steps it cannot represent', () => {
    const recs = [0, 1, 999, 1000, 123_456].map((s) => ({ ...timestampFor(s, { baseSec: 5 }), data: new Uint8Array(1) }));
    expect(() => encodePcap(recs)).not.toThrow();
    expect(() => timestampFor(-1)).toThrow(RangeError);
    expect(() => timestampFor(1.5)).toThrow(RangeError);
    expect(() => timestampFor(1, { baseSec: 0xffffffff, stepMicros: 1_000_000 })).toThrow(/u32/);
  });
});
