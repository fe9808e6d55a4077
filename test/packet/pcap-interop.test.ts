// Cross-checks the pcap codec against tools nobody here wrote: tshark/capinfos read our files, and we
// read scapy, text2pcap, editcap and tcpdump output byte for byte. Missing tool: skip, or fail in CI.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { endianness, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import {
  decodePcap,
  encodePcap,
  type EncodeOptions,
  type PcapHeader,
  type PcapRecord,
  type TimestampPrecision,
} from '../../src/packet/pcap.ts';
import { runTool, SCAPY_PYTHON, toolGate } from '../support/external-tools.ts';

const tmp = mkdtempSync(join(tmpdir(), 'podflow-pcap-interop-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const HOST_LE = endianness() === 'LE';
const SNAPLEN = 100;
/** Frame lengths around SNAPLEN (equal, one over, far over) and the 14-byte Ethernet minimum. */
const LENS = [60, 100, 101, 1514, 14];
const ETHERTYPE_LOCAL_EXPERIMENTAL = 0x88b5;

/**
 * An Ethernet II frame between locally administered MACs with the IEEE local-experimental
 * ethertype (0x88b5), so dissectors leave the payload alone; payload bytes derive from `i`.
 */
function frame(i: number, len: number): Uint8Array {
  const f = Uint8Array.from({ length: len }, (_, k) => (i * 37 + k * 11) & 0xff);
  f.set([0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, ETHERTYPE_LOCAL_EXPERIMENTAL >> 8, ETHERTYPE_LOCAL_EXPERIMENTAL & 0xff]);
  return f;
}

/**
 * Increasing timestamps with edge fractions (0, 1, the largest) and one past 2038, so a signed
 * 32-bit ts_sec anywhere in the chain would show. `usecOnly` keeps nanoseconds at whole
 * microseconds for conversions that must drop the last three digits.
 */
function sampleRecords(precision: TimestampPrecision, opts: { usecOnly?: boolean; origLenOnFirst?: number } = {}): PcapRecord[] {
  const secs = [0, 1, 1_700_000_000, 1_700_000_000, 4_000_000_000];
  const micro = [0, 1, 123_456, 999_999, 500_000];
  const nano = opts.usecOnly === true ? micro.map((u) => u * 1000) : [0, 1, 123_456_789, 999_999_999, 500_000_001];
  return LENS.map((len, i) => ({
    tsSec: secs[i]!,
    tsFrac: precision === 'nano' ? nano[i]! : micro[i]!,
    data: frame(i, len),
    ...(i === 0 && opts.origLenOnFirst !== undefined ? { origLen: opts.origLenOnFirst } : {}),
  }));
}

function fracNanos(rec: PcapRecord, precision: TimestampPrecision): number {
  return precision === 'nano' ? rec.tsFrac : rec.tsFrac * 1000;
}

/** Seconds.nanoseconds as tshark prints frame.time_epoch. */
function epochText(rec: PcapRecord, precision: TimestampPrecision): string {
  return `${rec.tsSec}.${String(fracNanos(rec, precision)).padStart(9, '0')}`;
}

function relativeText(rec: PcapRecord, first: PcapRecord, precision: TimestampPrecision): string {
  const ns = (r: PcapRecord) => BigInt(r.tsSec) * 1_000_000_000n + BigInt(fracNanos(r, precision));
  const d = ns(rec) - ns(first);
  return `${d / 1_000_000_000n}.${String(d % 1_000_000_000n).padStart(9, '0')}`;
}

/** tshark warns about running as root on stderr; anything else there is a complaint about the file. */
function toolComplaints(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.trim() !== '' && !/Running as user "root"/.test(l));
}

function tsharkFields(path: string, fields: readonly string[]): string[][] {
  const args = ['-n', '-r', path, '-T', 'fields', '-E', 'separator=,', ...fields.flatMap((f) => ['-e', f])];
  const r = runTool('tshark', args);
  expect(toolComplaints(r.stderr), `tshark stderr for ${path}`).toEqual([]);
  return r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split(','));
}

function writeOurs(name: string, records: readonly PcapRecord[], opts: EncodeOptions): string {
  const path = join(tmp, name);
  writeFileSync(path, encodePcap(records, opts));
  return path;
}

function decodeFile(path: string): { header: PcapHeader; records: PcapRecord[]; bytes: Uint8Array } {
  const bytes = new Uint8Array(readFileSync(path));
  const r = decodePcap(bytes);
  if (!r.ok) throw new Error(`${path}: ${r.error.field} @${r.error.offset}: ${r.error.message}`);
  return { header: r.header, records: r.records, bytes };
}

/**
 * Our writer, given what we decoded, must reproduce the other tool's file byte for byte: proves
 * we agree on every header field, not only the ones we compare explicitly.
 */
function expectReencodesIdentically(path: string): void {
  const { header, records, bytes } = decodeFile(path);
  expect(header).toMatchObject({ versionMajor: 2, versionMinor: 4, thiszone: 0, sigfigs: 0 });
  const again = encodePcap(records, {
    precision: header.precision, littleEndian: header.littleEndian, snaplen: header.snaplen, linktype: header.linktype,
  });
  expect(Buffer.compare(again, bytes), `re-encoding ${path}`).toBe(0);
}

/** What a reader must see for `records` written with `snaplen`, converted to `precision`. */
function expectedRecords(records: readonly PcapRecord[], from: TimestampPrecision, to: TimestampPrecision, snaplen: number): PcapRecord[] {
  return records.map((r) => ({
    tsSec: r.tsSec,
    tsFrac: from === to ? r.tsFrac : to === 'nano' ? r.tsFrac * 1000 : r.tsFrac / 1000,
    data: r.data.subarray(0, Math.min(r.data.length, snaplen)),
    origLen: r.origLen ?? r.data.length,
  }));
}

const VARIANTS: { name: string; precision: TimestampPrecision; littleEndian: boolean }[] = [
  { name: 'micro-le', precision: 'micro', littleEndian: true },
  { name: 'micro-be', precision: 'micro', littleEndian: false },
  { name: 'nano-le', precision: 'nano', littleEndian: true },
  { name: 'nano-be', precision: 'nano', littleEndian: false },
];

// ---------------------------------------------------------------------------------------------

const tsharkGate = toolGate({ tools: ['tshark', 'capinfos'] });

/**
 * capinfos 4.0 orders ts_sec as if signed 32-bit: a record at 4e9 s (2096) counts as its start
 * time and breaks "strict time order", while tshark prints it right. Its time span is checked
 * on records before 2038 so the test checks our file rather than that quirk.
 */
function capinfosRecords(precision: TimestampPrecision): PcapRecord[] {
  return sampleRecords(precision).map((r) => (r.tsSec > 0x7fffffff ? { ...r, tsSec: 2_000_000_000 } : r));
}

describe(tsharkGate.title('our files are read by tshark and capinfos'), () => {
  for (const v of VARIANTS) {
    test.skipIf(tsharkGate.skip)(`tshark sees every record of a ${v.name} file with snaplen ${SNAPLEN}: times, len, cap_len`, () => {
      tsharkGate.require();
      const recs = sampleRecords(v.precision, { origLenOnFirst: 9000 });
      const path = writeOurs(`ours-${v.name}.pcap`, recs, { ...v, snaplen: SNAPLEN });
      const rows = tsharkFields(path, ['frame.number', 'frame.time_epoch', 'frame.time_relative', 'frame.len', 'frame.cap_len', 'eth.type']);
      expect(rows).toEqual(
        recs.map((r, i) => [
          String(i + 1),
          epochText(r, v.precision),
          relativeText(r, recs[0]!, v.precision),
          String(r.origLen ?? r.data.length),
          String(Math.min(r.data.length, SNAPLEN)),
          '0x88b5',
        ]),
      );
    });
  }

  test.skipIf(tsharkGate.skip)('capinfos reports file type, link type, snaplen, count and time span of each variant', () => {
    tsharkGate.require();
    const paths = VARIANTS.map((v) => writeOurs(`capinfos-${v.name}.pcap`, capinfosRecords(v.precision), { ...v, snaplen: SNAPLEN }));
    const r = runTool('capinfos', ['-T', '-M', '-t', '-E', '-l', '-c', '-S', '-a', '-e', ...paths]);
    const [head, ...lines] = r.stdout.split('\n').filter((l) => l !== '');
    const cols = head!.split('\t');
    const rows = lines.map((l) => Object.fromEntries(l.split('\t').map((cell, i) => [cols[i], cell])));
    // capinfos prints as many fraction digits as the file's precision.
    const epoch = (rec: PcapRecord, p: TimestampPrecision) => epochText(rec, p).slice(0, p === 'nano' ? undefined : -3);
    expect(rows).toEqual(
      VARIANTS.map((v, i) => {
        const recs = capinfosRecords(v.precision);
        return {
          'File name': paths[i],
          'File type': v.precision === 'nano' ? 'nsecpcap' : 'pcap',
          'File encapsulation': 'ether',
          'Packet size limit': String(SNAPLEN),
          'Packet size limit min (inferred)': String(SNAPLEN),
          'Packet size limit max (inferred)': String(SNAPLEN),
          'Number of packets': String(recs.length),
          'Start time': epoch(recs[0]!, v.precision),
          'End time': epoch(recs[recs.length - 1]!, v.precision),
        };
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------

const text2pcapGate = toolGate({ tools: ['text2pcap'] });

/** The hex dump text2pcap reads: a UTC timestamp line, then offset + 16 bytes per line. */
function hexDump(records: readonly PcapRecord[], precision: TimestampPrecision): string {
  const out: string[] = [];
  for (const rec of records) {
    const date = new Date(rec.tsSec * 1000).toISOString().slice(0, 19).replace('T', ' ');
    out.push(`${date}.${String(rec.tsFrac).padStart(precision === 'nano' ? 9 : 6, '0')}`);
    for (let off = 0; off < rec.data.length; off += 16) {
      const bytes = Array.from(rec.data.subarray(off, off + 16), (b) => b.toString(16).padStart(2, '0'));
      out.push(`${off.toString(16).padStart(6, '0')} ${bytes.join(' ')}`);
    }
    out.push('');
  }
  return out.join('\n');
}

/** text2pcap needs timestamps strptime can take: after 1970 and before 2038 on every libc. */
function text2pcapRecords(precision: TimestampPrecision): PcapRecord[] {
  return [14, 60, 61, 1514].map((len, i) => ({
    tsSec: 1_700_000_000 + i * 3601,
    tsFrac: precision === 'nano' ? [0, 1, 123_456_789, 999_999_999][i]! : [0, 1, 123_456, 999_999][i]!,
    data: frame(i + 10, len),
  }));
}

function runText2pcap(name: string, precision: TimestampPrecision): string {
  const input = join(tmp, `${name}.txt`);
  const output = join(tmp, `${name}.pcap`);
  writeFileSync(input, hexDump(text2pcapRecords(precision), precision));
  runTool('text2pcap', ['-q', '-F', precision === 'nano' ? 'nsecpcap' : 'pcap', '-t', '%Y-%m-%d %H:%M:%S.%f', input, output], {
    env: { TZ: 'UTC' }, // -t goes through mktime, which reads local time
  });
  return output;
}

describe(text2pcapGate.title('we read text2pcap files'), () => {
  for (const precision of ['micro', 'nano'] as const) {
    test.skipIf(text2pcapGate.skip)(`reads a ${precision} text2pcap file: same bytes and timestamps, re-encodes identically`, () => {
      text2pcapGate.require();
      const path = runText2pcap(`text2pcap-${precision}`, precision);
      const { header, records } = decodeFile(path);
      expect(header).toMatchObject({ precision, littleEndian: HOST_LE, linktype: 1, snaplen: 262144 });
      const want = text2pcapRecords(precision);
      expect(records).toEqual(expectedRecords(want, precision, precision, 262144));
      expectReencodesIdentically(path);
    });
  }
});

// ---------------------------------------------------------------------------------------------

/**
 * Byte-swaps every header field of a classic pcap file (global header and each record header),
 * turning a host-order file into the other byte order without touching packet data.
 */
function swapByteOrder(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  const src = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dst = new DataView(out.buffer);
  const le = src.getUint32(0, false) === 0xd4c3b2a1 || src.getUint32(0, false) === 0x4d3cb2a1;
  const swap32 = (off: number) => dst.setUint32(off, src.getUint32(off, le), !le);
  swap32(0);
  dst.setUint16(4, src.getUint16(4, le), !le);
  dst.setUint16(6, src.getUint16(6, le), !le);
  for (const off of [8, 12, 16, 20]) swap32(off);
  for (let off = 24; off < bytes.length; off += 16 + src.getUint32(off + 8, le)) {
    for (const f of [0, 4, 8, 12]) swap32(off + f);
  }
  return out;
}

const swapGate = toolGate({ tools: ['text2pcap', 'tshark'] });

describe(swapGate.title('a big-endian file crafted by byte-swapping a text2pcap file'), () => {
  test.skipIf(swapGate.skip)('decodes to the same records, equals our big-endian writer byte for byte, and tshark agrees', () => {
    swapGate.require();
    const original = decodeFile(runText2pcap('swap-source', 'nano'));
    const swapped = swapByteOrder(original.bytes);
    const path = join(tmp, 'swapped-be.pcap');
    writeFileSync(path, swapped);

    const r = decodePcap(swapped);
    expect(r.ok && r.header).toEqual({ ...original.header, littleEndian: !original.header.littleEndian });
    expect(r.records).toEqual(original.records);
    const ours = encodePcap(original.records, { precision: 'nano', littleEndian: !HOST_LE, snaplen: original.header.snaplen });
    expect(Buffer.compare(ours, swapped)).toBe(0);
    // tshark reads the crafted file as the same packets: the swap made a valid foreign-order file.
    expect(tsharkFields(path, ['frame.time_epoch', 'frame.len'])).toEqual(
      original.records.map((x) => [epochText(x, 'nano'), String(x.data.length)]),
    );
  });
});

// ---------------------------------------------------------------------------------------------

const editcapGate = toolGate({ tools: ['editcap'] });

describe(editcapGate.title('we read editcap conversions of our files'), () => {
  const cases = [
    { from: 'micro-be', to: 'nano', format: 'nsecpcap' },
    { from: 'micro-le', to: 'nano', format: 'nsecpcap' },
    { from: 'nano-be', to: 'micro', format: 'pcap' },
    { from: 'nano-le', to: 'micro', format: 'pcap' },
  ] as const;
  for (const c of cases) {
    test.skipIf(editcapGate.skip)(`editcap -F ${c.format} of a ${c.from} file: ${c.to} timestamps, same bytes, host byte order`, () => {
      editcapGate.require();
      const v = VARIANTS.find((x) => x.name === c.from)!;
      // Whole microseconds only: going down to µs must not depend on how editcap rounds.
      const recs = sampleRecords(v.precision, { usecOnly: true, origLenOnFirst: 9000 });
      const input = writeOurs(`editcap-in-${c.from}.pcap`, recs, { ...v, snaplen: SNAPLEN });
      const output = join(tmp, `editcap-out-${c.from}-${c.format}.pcap`);
      runTool('editcap', ['-F', c.format, input, output]);
      const { header, records } = decodeFile(output);
      expect(header).toMatchObject({ precision: c.to, littleEndian: HOST_LE, snaplen: SNAPLEN, linktype: 1 });
      expect(records).toEqual(expectedRecords(recs, v.precision, c.to, SNAPLEN));
      expectReencodesIdentically(output);
    });
  }
});

// ---------------------------------------------------------------------------------------------

const tcpdumpGate = toolGate({ tools: ['tcpdump'] });

describe(tcpdumpGate.title('we read files libpcap wrote (tcpdump -r ours -w theirs)'), () => {
  for (const v of VARIANTS) {
    test.skipIf(tcpdumpGate.skip)(`tcpdump copies a ${v.name} file and we read its copy exactly`, () => {
      tcpdumpGate.require();
      const recs = sampleRecords(v.precision, { origLenOnFirst: 9000 });
      const input = writeOurs(`tcpdump-in-${v.name}.pcap`, recs, { ...v, snaplen: SNAPLEN });
      const output = join(tmp, `tcpdump-out-${v.name}.pcap`);
      // -Z root: as root, tcpdump otherwise drops to its own user and cannot write into our
      // 0700 temp dir (ignored when not root). The precision flag keeps nanoseconds.
      runTool('tcpdump', ['-Z', 'root', `--time-stamp-precision=${v.precision}`, '-r', input, '-w', output]);
      const { header, records } = decodeFile(output);
      expect(header).toMatchObject({ precision: v.precision, littleEndian: HOST_LE, snaplen: SNAPLEN, linktype: 1 });
      expect(records).toEqual(expectedRecords(recs, v.precision, v.precision, SNAPLEN));
      expectReencodesIdentically(output);
    });
  }
});

// ---------------------------------------------------------------------------------------------

const scapyGate = toolGate({ scapy: true });

/** Which optional PcapWriter arguments this scapy has (nano=True arrived in 2.4.3). */
function scapyWriterParams(): Set<string> {
  if (scapyGate.reason !== undefined) return new Set();
  const probe = runTool(SCAPY_PYTHON, [
    '-c',
    'import inspect, json\nfrom scapy.utils import PcapWriter\nprint(json.dumps(list(inspect.signature(PcapWriter.__init__).parameters)))',
  ]);
  return new Set(JSON.parse(probe.stdout) as string[]);
}
const scapyParams = scapyWriterParams();

// Reads a JSON job list and writes one pcap per job with wrpcap. Times are Decimal so scapy
// computes exact fractions instead of rounding a float.
const SCAPY_WRITER = `
import json, sys
from decimal import Decimal
from scapy.utils import wrpcap
from scapy.layers.l2 import Ether
for job in json.load(open(sys.argv[1])):
    pkts = []
    for p in job['packets']:
        pkt = Ether(bytes.fromhex(p['hex']))
        pkt.time = Decimal(p['sec']) + Decimal(p['frac']) / Decimal(10 ** (9 if job['nano'] else 6))
        pkts.append(pkt)
    wrpcap(job['out'], pkts, **job['kwargs'])
`;

let scapyRuns = 0;
function runScapyWriter(jobs: readonly { out: string; nano: boolean; kwargs: Record<string, unknown>; packets: readonly PcapRecord[] }[]): void {
  const script = join(tmp, 'scapy-writer.py');
  const jobFile = join(tmp, `scapy-jobs-${scapyRuns++}.json`);
  writeFileSync(script, SCAPY_WRITER);
  writeFileSync(jobFile, JSON.stringify(jobs.map((j) => ({
    ...j,
    packets: j.packets.map((r) => ({ hex: Buffer.from(r.data).toString('hex'), sec: String(r.tsSec), frac: String(r.tsFrac) })),
  }))));
  runTool(SCAPY_PYTHON, [script, jobFile]);
}

/**
 * scapy turns packet.time into a float before taking whole seconds (GenericPcapWriter._get_time,
 * 2.5.0), so 1_700_000_000.999999999 s comes out as 1_700_000_001 s. That record moves to 3 s,
 * where a double still resolves nanoseconds; the rest of the sample is kept.
 */
function scapyRecords(precision: TimestampPrecision): PcapRecord[] {
  return sampleRecords(precision).map((r, i) => (i === 3 ? { ...r, tsSec: 3 } : r));
}

interface ScapyJob {
  name: string;
  precision: TimestampPrecision;
  littleEndian: boolean;
  kwargs: Record<string, unknown>;
  /** Why this scapy cannot write the variant, if it cannot. */
  unsupported?: string;
}

const SCAPY_JOBS = ([
  // wrpcap's defaults: microseconds, host byte order.
  { name: 'micro-default', precision: 'micro', littleEndian: HOST_LE, kwargs: {} },
  { name: 'micro-be', precision: 'micro', littleEndian: false, kwargs: { endianness: '>' } },
  { name: 'nano-le', precision: 'nano', littleEndian: true, kwargs: { nano: true, endianness: '<' } },
  { name: 'nano-be', precision: 'nano', littleEndian: false, kwargs: { nano: true, endianness: '>' } },
] satisfies ScapyJob[]).map((job: ScapyJob): ScapyJob => {
  const missing = Object.keys(job.kwargs).filter((k) => !scapyParams.has(k));
  // Without nano=True scapy writes nanoseconds only as pcapng (PcapNgWriter), which is not
  // classic pcap, so those variants skip with the reason rather than test something else.
  // Without scapy at all the gate decides (skip, or fail under CI); no capability to report.
  return scapyGate.reason !== undefined || missing.length === 0
    ? job
    : { ...job, unsupported: `this scapy's wrpcap has no ${missing.join('/')} argument` };
});

describe(scapyGate.title(`we read files written by scapy's wrpcap (${SCAPY_PYTHON})`), () => {
  // One python start for all variants, on first use: importing scapy takes a few hundred ms.
  const scapyPath = (name: string) => join(tmp, `scapy-${name}.pcap`);
  let written = false;
  function scapyFile(name: string): string {
    if (!written) {
      runScapyWriter(SCAPY_JOBS.filter((j) => j.unsupported === undefined).map((j) => ({
        out: scapyPath(j.name),
        nano: j.precision === 'nano',
        kwargs: j.kwargs,
        packets: scapyRecords(j.precision),
      })));
      written = true;
    }
    return scapyPath(name);
  }

  for (const job of SCAPY_JOBS) {
    const title = `reads scapy's ${job.name} file: same bytes and timestamps, re-encodes identically`;
    const why = job.unsupported === undefined ? '' : ` (skipped: ${job.unsupported})`;
    if (job.unsupported !== undefined) console.warn(`[interop] skipping scapy ${job.name}: ${job.unsupported}`);
    test.skipIf(scapyGate.skip || job.unsupported !== undefined)(title + why, () => {
      scapyGate.require();
      const path = scapyFile(job.name);
      const { header, records } = decodeFile(path);
      expect(header).toMatchObject({ precision: job.precision, littleEndian: job.littleEndian, linktype: 1, snaplen: 65535 });
      expect(records).toEqual(expectedRecords(scapyRecords(job.precision), job.precision, job.precision, 65535));
      expectReencodesIdentically(path);
    });
  }

  test.skipIf(scapyGate.skip)("reads scapy's records that are longer than its declared snaplen, as libpcap does", () => {
    // wrpcap(snaplen=64) only writes 64 into the header; records keep their full length, which
    // libpcap and Wireshark read as they are.
    scapyGate.require();
    const out = join(tmp, 'scapy-snaplen.pcap');
    runScapyWriter([{ out, nano: false, kwargs: { snaplen: 64 }, packets: sampleRecords('micro').slice(0, 2) }]);
    const r = decodePcap(new Uint8Array(readFileSync(out)));
    expect(r).toMatchObject({ ok: true, header: { snaplen: 64 } });
    expect(r.records.map((x) => Array.from(x.data))).toEqual(sampleRecords('micro').slice(0, 2).map((x) => Array.from(x.data)));
  });
});
