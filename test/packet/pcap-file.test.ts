// File wrapper tests: atomic whole-file writes, the streaming writer (byte-identical to
// encodePcap, invisible at its final path until close), and readPcapFile's error reporting.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { encodePcap, encodePcapHeader, type EncodeOptions, type PcapRecord } from '../../src/packet/pcap.ts';
import { PcapStreamWriter, readPcapFile, STREAM_CHUNK_BYTES, writePcapFileAtomic } from '../../src/packet/pcap-file.ts';

const root = mkdtempSync(join(tmpdir(), 'podflow-pcap-file-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fresh empty directory per call, so "no stray temp files" can be checked with readdirSync. */
function freshDir(): string {
  return mkdtempSync(join(root, 'case-'));
}

/**
 * Byte equality that stays fast on multi-MiB files (toEqual walks them element by element) and
 * still says where they differ.
 */
function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  if (Buffer.compare(actual, expected) === 0) return;
  let i = 0;
  while (i < actual.length && i < expected.length && actual[i] === expected[i]) i++;
  expect.fail(`files differ at byte ${i} (lengths ${actual.length} and ${expected.length})`);
}

/** Deterministic frames: frame i has length lens[i] and bytes derived from i. */
function frames(lens: readonly number[], precision: 'micro' | 'nano' = 'micro'): PcapRecord[] {
  return lens.map((len, i) => ({
    tsSec: 1_700_000_000 + i,
    tsFrac: precision === 'nano' ? (i * 123_456_789) % 1_000_000_000 : (i * 123_457) % 1_000_000,
    data: Uint8Array.from({ length: len }, (_, k) => (i * 31 + k) & 0xff),
  }));
}

describe('writePcapFileAtomic', () => {
  test('writes exactly encodePcap and leaves no temp file behind', () => {
    const d = freshDir();
    const path = join(d, 'out.pcap');
    const nano = frames([60, 1514, 0, 70], 'nano');
    const opts: EncodeOptions = { precision: 'nano', littleEndian: false, snaplen: 100 };
    writePcapFileAtomic(path, nano, opts);
    expectSameBytes(readFileSync(path), encodePcap(nano, opts));
    expect(readdirSync(d)).toEqual(['out.pcap']);
    // Replacing an existing file goes through the same temp-and-rename path.
    const recs = frames([60, 1514, 0, 70]);
    writePcapFileAtomic(path, recs);
    expectSameBytes(readFileSync(path), encodePcap(recs));
    expect(readdirSync(d)).toEqual(['out.pcap']);
  });

  test('throws on a bad record, removing its temp file and keeping the old file', () => {
    const d = freshDir();
    const path = join(d, 'out.pcap');
    writePcapFileAtomic(path, frames([60]));
    const before = readFileSync(path);
    expect(() => writePcapFileAtomic(path, [...frames([60]), { tsSec: 0, tsFrac: 1_000_000, data: new Uint8Array(1) }]))
      .toThrow(/record 1: tsFrac/);
    expect(readFileSync(path)).toEqual(before);
    expect(readdirSync(d)).toEqual(['out.pcap']);
  });
});

describe('readPcapFile', () => {
  test('reads back what was written, as plain Uint8Array views', () => {
    const path = join(freshDir(), 'a.pcap');
    const recs = frames([14, 64, 1500]);
    writePcapFileAtomic(path, recs);
    const r = readPcapFile(path);
    expect(r.ok).toBe(true);
    expect(r.records.map((x) => x.data)).toEqual(recs.map((x) => x.data));
    for (const x of r.records) expect(Object.getPrototypeOf(x.data)).toBe(Uint8Array.prototype);
  });

  test('reports a missing file as a file error naming the path', () => {
    const path = join(freshDir(), 'missing.pcap');
    const r = readPcapFile(path);
    expect(r).toMatchObject({ ok: false, records: [], error: { offset: 0, field: 'file' } });
    expect(!r.ok && r.error.message.startsWith(`${path}: `)).toBe(true);
    expect(!r.ok && r.error.message).toMatch(/ENOENT/);
  });

  test('prefixes decode errors with the path and keeps their offset and field', () => {
    const path = join(freshDir(), 'cut.pcap');
    const whole = encodePcap(frames([10, 10]));
    writeFileSync(path, whole.subarray(0, whole.length - 3));
    const r = readPcapFile(path);
    expect(r).toMatchObject({ ok: false, error: { offset: 24 + 26, field: 'record[1].data' } });
    expect(r.records).toHaveLength(1);
    expect(!r.ok && r.error.message).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: record 1 `));
  });
});

describe('PcapStreamWriter', () => {
  test('is byte-identical to encodePcap and invisible at its path until close(), across chunk flushes', () => {
    // Arrange: ~2.3 MiB of frames so several 1 MiB chunks are flushed, plus one record larger
    // than a whole chunk (allowed by a 3 MiB snaplen) and one truncated to snaplen.
    const d = freshDir();
    const path = join(d, 'stream.pcap');
    const opts: EncodeOptions = { precision: 'nano', littleEndian: false, snaplen: 3 << 20 };
    const recs = frames(Array.from({ length: 1500 }, (_, i) => 60 + ((i * 397) % 1455)), 'nano');
    recs.splice(700, 0, { tsSec: 9, tsFrac: 9, data: new Uint8Array(STREAM_CHUNK_BYTES + 5).fill(0xab) });
    recs.push({ tsSec: 10, tsFrac: 10, data: new Uint8Array((3 << 20) + 1), origLen: 123_456_789 });

    // Act
    const w = PcapStreamWriter.open(path, opts);
    for (const rec of recs) {
      w.write(rec);
      expect(existsSync(path)).toBe(false);
    }
    expect(w.count).toBe(recs.length);
    expect(readdirSync(d)).toHaveLength(1); // only the temp file
    expect(readdirSync(d)[0]).toMatch(/^stream\.pcap\.tmp-\d+-\d+$/);
    w.close();

    // Assert
    expectSameBytes(readFileSync(path), encodePcap(recs, opts));
    expect(readdirSync(d)).toEqual(['stream.pcap']);
  });

  test.prop(
    [
      fc.record({ precision: fc.constantFrom('micro' as const, 'nano' as const), littleEndian: fc.boolean(), snaplen: fc.integer({ min: 1, max: 300 }) }),
      fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 12 }),
    ],
    { seed: 42, numRuns: 30 },
  )('matches encodePcap for any options and frame sizes', (opts, lens) => {
    const path = join(freshDir(), 'p.pcap');
    const recs = frames(lens, opts.precision);
    const w = PcapStreamWriter.open(path, opts);
    for (const rec of recs) w.write(rec);
    w.close();
    expectSameBytes(readFileSync(path), encodePcap(recs, opts));
  });

  test('an empty stream is just the global header', () => {
    const path = join(freshDir(), 'empty.pcap');
    const w = PcapStreamWriter.open(path, { precision: 'nano' });
    w.close();
    expectSameBytes(readFileSync(path), encodePcapHeader({ precision: 'nano' }));
  });

  test('a rejected record is not written and the writer stays usable', () => {
    const path = join(freshDir(), 'r.pcap');
    const good = frames([20, 30]);
    const w = PcapStreamWriter.open(path);
    w.write(good[0]!);
    expect(() => w.write({ tsSec: -1, tsFrac: 0, data: new Uint8Array(1) })).toThrow(/record 1: tsSec/);
    expect(w.count).toBe(1);
    w.write(good[1]!);
    w.close();
    expectSameBytes(readFileSync(path), encodePcap(good));
  });

  test('close() twice is harmless; write() after close() throws', () => {
    const path = join(freshDir(), 'c.pcap');
    const w = PcapStreamWriter.open(path);
    w.close();
    w.close();
    expect(() => w.write(frames([1])[0]!)).toThrow(/after close/);
  });

  test('abort() removes the temp file and never creates the final file', () => {
    const d = freshDir();
    const path = join(d, 'a.pcap');
    const w = PcapStreamWriter.open(path);
    w.write(frames([100])[0]!);
    w.abort();
    w.close();
    expect(readdirSync(d)).toEqual([]);
  });

  test('bad options throw before any file is created', () => {
    const d = freshDir();
    expect(() => PcapStreamWriter.open(join(d, 'x.pcap'), { snaplen: 0 })).toThrow(RangeError);
    expect(readdirSync(d)).toEqual([]);
  });
});
