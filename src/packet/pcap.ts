// Classic libpcap capture files (not pcapng): pure, byte-exact encode and decode of the global
// header and records, microsecond and nanosecond precision, either byte order (docs/architecture.md §4).
//
// Format: pcap-savefile(5) and draft-ietf-opsawg-pcap. Every field is written in the byte order
// the magic number was written in; a reader recognises the order by how the magic comes out.
//
//  Global header, 24 bytes
//   0 magic_number  u32  0xa1b2c3d4 (µs timestamps) or 0xa1b23c4d (ns timestamps)
//   4 version_major u16  2
//   6 version_minor u16  4
//   8 thiszone      i32  UTC offset of the timestamps; always 0 in practice
//  12 sigfigs       u32  timestamp accuracy; always 0 in practice
//  16 snaplen       u32  no record stores more than this many bytes
//  20 network       u32  link type (LINKTYPE_ETHERNET = 1); callers decide what they accept
//
//  Record, 16 + incl_len bytes
//   0 ts_sec   u32  seconds since the epoch
//   4 ts_frac  u32  micro- or nanoseconds within the second, per the magic
//   8 incl_len u32  bytes stored in this file (≤ snaplen)
//  12 orig_len u32  bytes the frame had on the wire (≥ incl_len when truncated by snaplen)
//  16 data     incl_len bytes

export const LINKTYPE_ETHERNET = 1;
export const PCAP_MAGIC_MICRO = 0xa1b2c3d4;
export const PCAP_MAGIC_NANO = 0xa1b23c4d;
/** First four bytes of a pcapng Section Header Block; same in both byte orders. */
export const PCAPNG_MAGIC = 0x0a0d0d0a;
export const PCAP_VERSION_MAJOR = 2;
export const PCAP_VERSION_MINOR = 4;
export const PCAP_HEADER_LEN = 24;
export const PCAP_RECORD_HEADER_LEN = 16;
/** libpcap's MAXIMUM_SNAPLEN: tcpdump's and text2pcap's default. */
export const DEFAULT_SNAPLEN = 262144;
/**
 * Sanity bound on one record, like libpcap's per-link-type maximum: a larger incl_len means the
 * file is corrupt, and trusting it would make a reader allocate or skip gigabytes.
 */
export const MAX_RECORD_LEN = 256 * 1024 * 1024;

// The magics as a big-endian read sees them in a little-endian file.
const PCAP_MAGIC_MICRO_SWAPPED = 0xd4c3b2a1;
const PCAP_MAGIC_NANO_SWAPPED = 0x4d3cb2a1;
const U32_MAX = 0xffffffff;
const MICROS_PER_SEC = 1_000_000;
const NANOS_PER_SEC = 1_000_000_000;

export type TimestampPrecision = 'micro' | 'nano';

export interface PcapRecord {
  tsSec: number;
  /** Microseconds or nanoseconds within the second, per the file's precision. */
  tsFrac: number;
  data: Uint8Array;
  /** Length on the wire; defaults to data.length. Decoded records always carry it. */
  origLen?: number;
}

export interface PcapHeader {
  precision: TimestampPrecision;
  littleEndian: boolean;
  versionMajor: number;
  versionMinor: number;
  snaplen: number;
  linktype: number;
  thiszone: number;
  sigfigs: number;
}

export interface EncodeOptions {
  /** Default 'micro'. */
  precision?: TimestampPrecision;
  /** Default DEFAULT_SNAPLEN (262144); longer frames are stored truncated. */
  snaplen?: number;
  /** Default LINKTYPE_ETHERNET. */
  linktype?: number;
  /** Default true: what libpcap writes on x86 and ARM hosts. */
  littleEndian?: boolean;
}

export interface PcapError {
  /** Byte offset in the file where the offending structure (header or record) starts. */
  offset: number;
  /** 'header', 'magic', 'record[i].header', 'record[i].incl_len', 'record[i].data' (or 'file' from pcap-file.ts). */
  field: string;
  message: string;
}

export type PcapDecodeResult =
  | { ok: true; header: PcapHeader; records: PcapRecord[] }
  | { ok: false; header?: PcapHeader; records: PcapRecord[]; error: PcapError };

/**
 * Writer options after defaults and validation, bound once. encodePcap and the streaming file
 * writer both encode through it, so their output is byte-identical by construction.
 */
export class PcapEncoder {
  readonly precision: TimestampPrecision;
  readonly snaplen: number;
  readonly linktype: number;
  readonly littleEndian: boolean;
  private readonly fracLimit: number;

  constructor(opts: EncodeOptions = {}) {
    this.precision = opts.precision ?? 'micro';
    this.snaplen = opts.snaplen ?? DEFAULT_SNAPLEN;
    this.linktype = opts.linktype ?? LINKTYPE_ETHERNET;
    this.littleEndian = opts.littleEndian ?? true;
    if (this.precision !== 'micro' && this.precision !== 'nano') {
      throw new RangeError(`pcap options: precision must be 'micro' or 'nano', got ${String(this.precision)}`);
    }
    if (!isU32(this.snaplen) || this.snaplen === 0) {
      throw new RangeError(`pcap options: snaplen must be an integer in 1..${U32_MAX}, got ${this.snaplen}`);
    }
    if (!isU32(this.linktype)) {
      throw new RangeError(`pcap options: linktype must be an integer in 0..${U32_MAX}, got ${this.linktype}`);
    }
    this.fracLimit = this.precision === 'nano' ? NANOS_PER_SEC : MICROS_PER_SEC;
  }

  /** The 24-byte global header. */
  header(): Uint8Array {
    const out = new Uint8Array(PCAP_HEADER_LEN);
    const le = this.littleEndian;
    putU32(out, 0, this.precision === 'nano' ? PCAP_MAGIC_NANO : PCAP_MAGIC_MICRO, le);
    putU16(out, 4, PCAP_VERSION_MAJOR, le);
    putU16(out, 6, PCAP_VERSION_MINOR, le);
    // Bytes 8..15 stay zero: thiszone 0 (timestamps are UTC) and sigfigs 0, as every writer does.
    putU32(out, 16, this.snaplen, le);
    putU32(out, 20, this.linktype, le);
    return out;
  }

  /** Checks rec (index only labels the error) and returns its encoded size: 16 + stored bytes. */
  sizeOf(rec: PcapRecord, index: number): number {
    return PCAP_RECORD_HEADER_LEN + this.checkRecord(rec, index);
  }

  /**
   * Checks rec and writes it into target at offset; the caller provides sizeOf(rec) bytes of
   * room. Returns the offset just after the record.
   */
  writeRecordAt(rec: PcapRecord, index: number, target: Uint8Array, offset: number): number {
    const inclLen = this.checkRecord(rec, index);
    const le = this.littleEndian;
    const data = rec.data;
    putU32(target, offset, rec.tsSec, le);
    putU32(target, offset + 4, rec.tsFrac, le);
    putU32(target, offset + 8, inclLen, le);
    putU32(target, offset + 12, rec.origLen ?? data.length, le);
    // Skip the subarray allocation in the common, untruncated case.
    target.set(inclLen === data.length ? data : data.subarray(0, inclLen), offset + PCAP_RECORD_HEADER_LEN);
    return offset + PCAP_RECORD_HEADER_LEN + inclLen;
  }

  /**
   * A whole file in one buffer (`npm run bench` wants ≥ 20× scapy's wrpcap). The first pass
   * checks every record, sums the sizes and keeps the header fields in a flat array; the second
   * fills one allocation. Reading each scattered record object only once roughly halved the time
   * against checking it again while writing.
   */
  encodeAll(records: readonly PcapRecord[]): Uint8Array {
    const n = records.length;
    const fields = new Uint32Array(n * 4); // ts_sec, ts_frac, incl_len, orig_len per record
    const payloads: Uint8Array[] = new Array<Uint8Array>(n);
    let total = PCAP_HEADER_LEN;
    for (let i = 0; i < n; i++) {
      const rec = records[i]!;
      const inclLen = this.checkRecord(rec, i);
      const data = rec.data;
      fields[4 * i] = rec.tsSec;
      fields[4 * i + 1] = rec.tsFrac;
      fields[4 * i + 2] = inclLen;
      fields[4 * i + 3] = rec.origLen ?? data.length;
      payloads[i] = inclLen === data.length ? data : data.subarray(0, inclLen);
      total += PCAP_RECORD_HEADER_LEN + inclLen;
    }
    const out = new Uint8Array(total);
    out.set(this.header(), 0);
    const le = this.littleEndian;
    let offset = PCAP_HEADER_LEN;
    for (let i = 0; i < n; i++) {
      const payload = payloads[i]!;
      putU32(out, offset, fields[4 * i]!, le);
      putU32(out, offset + 4, fields[4 * i + 1]!, le);
      putU32(out, offset + 8, fields[4 * i + 2]!, le);
      putU32(out, offset + 12, fields[4 * i + 3]!, le);
      out.set(payload, offset + PCAP_RECORD_HEADER_LEN);
      offset += PCAP_RECORD_HEADER_LEN + payload.length;
    }
    return out;
  }

  /**
   * Validates a writer input and returns the number of bytes to store. Writer inputs come from
   * our own code, so a bad one is a bug worth a RangeError rather than a silently wrapped u32.
   */
  private checkRecord(rec: PcapRecord, index: number): number {
    const data = rec.data;
    if (!(data instanceof Uint8Array)) {
      throw new TypeError(`pcap record ${index}: data must be a Uint8Array`);
    }
    if (!isU32(rec.tsSec)) {
      throw new RangeError(`pcap record ${index}: tsSec must be an integer in 0..${U32_MAX}, got ${rec.tsSec}`);
    }
    const frac = rec.tsFrac;
    if (!Number.isInteger(frac) || frac < 0 || frac >= this.fracLimit) {
      const unit = this.precision === 'nano' ? 'nanoseconds' : 'microseconds';
      throw new RangeError(
        `pcap record ${index}: tsFrac must be an integer in 0..${this.fracLimit - 1} (${unit}), got ${frac}`,
      );
    }
    // An explicit origLen wins even if it is smaller than the data (docs/architecture.md §3): the fuzzer may
    // want such a file on purpose; it only has to fit the field.
    if (rec.origLen !== undefined && !isU32(rec.origLen)) {
      throw new RangeError(`pcap record ${index}: origLen must be an integer in 0..${U32_MAX}, got ${rec.origLen}`);
    }
    const inclLen = data.length > this.snaplen ? this.snaplen : data.length;
    if (inclLen > MAX_RECORD_LEN) {
      throw new RangeError(
        `pcap record ${index}: data stores ${inclLen} bytes, more than readers accept (${MAX_RECORD_LEN}); lower snaplen`,
      );
    }
    if (rec.origLen === undefined && data.length > U32_MAX) {
      throw new RangeError(`pcap record ${index}: data.length ${data.length} does not fit orig_len (u32)`);
    }
    return inclLen;
  }
}

export function encodePcap(records: Iterable<PcapRecord>, opts?: EncodeOptions): Uint8Array {
  return new PcapEncoder(opts).encodeAll(Array.isArray(records) ? (records as PcapRecord[]) : Array.from(records));
}

export function encodePcapHeader(opts?: EncodeOptions): Uint8Array {
  return new PcapEncoder(opts).header();
}

/** One record, 16 + stored bytes; `index` only labels error messages. */
export function encodePcapRecord(rec: PcapRecord, opts?: EncodeOptions, index = 0): Uint8Array {
  const enc = new PcapEncoder(opts);
  const out = new Uint8Array(enc.sizeOf(rec, index));
  enc.writeRecordAt(rec, index, out, 0);
  return out;
}

/**
 * Parses a classic pcap file. Never throws: malformed input (the fuzzer's, or a half-written
 * file) comes back as ok:false with the records decoded before the fault. Record data are
 * subarrays of `bytes`, not copies.
 */
export function decodePcap(bytes: Uint8Array): PcapDecodeResult {
  const records: PcapRecord[] = [];
  const len = bytes.length;
  if (len < PCAP_HEADER_LEN) {
    return fail(records, undefined, 0, 'header', `file is ${len} bytes, shorter than the ${PCAP_HEADER_LEN}-byte pcap header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, len);
  const magicBE = view.getUint32(0, false);
  let precision: TimestampPrecision;
  let le: boolean;
  switch (magicBE) {
    case PCAP_MAGIC_MICRO: precision = 'micro'; le = false; break;
    case PCAP_MAGIC_MICRO_SWAPPED: precision = 'micro'; le = true; break;
    case PCAP_MAGIC_NANO: precision = 'nano'; le = false; break;
    case PCAP_MAGIC_NANO_SWAPPED: precision = 'nano'; le = true; break;
    default: {
      const hex = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
      const hint = magicBE === PCAPNG_MAGIC
        ? ' (this is a pcapng file; convert it with `editcap -F pcap in.pcapng out.pcap`)'
        : '';
      return fail(records, undefined, 0, 'magic', `magic bytes ${hex} are not a classic pcap magic number${hint}`);
    }
  }
  const header: PcapHeader = {
    precision,
    littleEndian: le,
    versionMajor: view.getUint16(4, le),
    versionMinor: view.getUint16(6, le),
    thiszone: view.getInt32(8, le),
    sigfigs: view.getUint32(12, le),
    snaplen: view.getUint32(16, le),
    linktype: view.getUint32(20, le),
  };
  let offset = PCAP_HEADER_LEN;
  for (let i = 0; offset < len; i++) {
    if (len - offset < PCAP_RECORD_HEADER_LEN) {
      return fail(records, header, offset, `record[${i}].header`,
        `record ${i} header at byte ${offset} is truncated: ${len - offset} of ${PCAP_RECORD_HEADER_LEN} bytes present`);
    }
    const inclLen = view.getUint32(offset + 8, le);
    // A record longer than the header's snaplen is read, as libpcap and Wireshark do (scapy's wrpcap writes
    // such files); only the sanity bound protects the reader from a corrupt length.
    if (inclLen > MAX_RECORD_LEN) {
      return fail(records, header, offset, `record[${i}].incl_len`,
        `record ${i} at byte ${offset}: incl_len ${inclLen} (field at byte ${offset + 8}) exceeds the ${MAX_RECORD_LEN}-byte sanity limit`);
    }
    const start = offset + PCAP_RECORD_HEADER_LEN;
    if (len - start < inclLen) {
      return fail(records, header, offset, `record[${i}].data`,
        `record ${i} at byte ${offset} is truncated: ${len - start} of ${inclLen} data bytes present`);
    }
    records.push({
      tsSec: view.getUint32(offset, le),
      tsFrac: view.getUint32(offset + 4, le),
      data: bytes.subarray(start, start + inclLen),
      origLen: view.getUint32(offset + 12, le),
    });
    offset = start + inclLen;
  }
  return { ok: true, header, records };
}

/**
 * Deterministic timestamp for scenario step `step` (docs/architecture.md §4: artefacts never read the wall
 * clock, so a corpus file is byte-stable). Default: base 0 s, 1 ms per step, microseconds.
 */
export function timestampFor(
  step: number,
  opts: { baseSec?: number; stepMicros?: number; precision?: TimestampPrecision } = {},
): { tsSec: number; tsFrac: number } {
  const baseSec = opts.baseSec ?? 0;
  const stepMicros = opts.stepMicros ?? 1000;
  if (!Number.isSafeInteger(step) || step < 0) throw new RangeError(`timestampFor: step must be a non-negative integer, got ${step}`);
  if (!Number.isSafeInteger(baseSec) || baseSec < 0) throw new RangeError(`timestampFor: baseSec must be a non-negative integer, got ${baseSec}`);
  if (!Number.isSafeInteger(stepMicros) || stepMicros < 0) throw new RangeError(`timestampFor: stepMicros must be a non-negative integer, got ${stepMicros}`);
  const micros = step * stepMicros;
  if (!Number.isSafeInteger(micros)) throw new RangeError(`timestampFor: step ${step} × ${stepMicros} µs overflows`);
  const tsSec = baseSec + Math.floor(micros / MICROS_PER_SEC);
  const fracMicros = micros % MICROS_PER_SEC;
  if (tsSec > U32_MAX) throw new RangeError(`timestampFor: step ${step} lands at ${tsSec} s, beyond the u32 ts_sec field`);
  return { tsSec, tsFrac: opts.precision === 'nano' ? fracMicros * 1000 : fracMicros };
}

function fail(
  records: PcapRecord[], header: PcapHeader | undefined, offset: number, field: string, message: string,
): PcapDecodeResult {
  const error: PcapError = { offset, field, message };
  return header === undefined ? { ok: false, records, error } : { ok: false, header, records, error };
}

// Plain byte stores: as fast as a DataView here, and they need no view object per target buffer.
// A Uint8Array store keeps the low 8 bits, so no masking is needed.
function putU32(b: Uint8Array, off: number, v: number, le: boolean): void {
  if (le) {
    b[off] = v; b[off + 1] = v >>> 8; b[off + 2] = v >>> 16; b[off + 3] = v >>> 24;
  } else {
    b[off] = v >>> 24; b[off + 1] = v >>> 16; b[off + 2] = v >>> 8; b[off + 3] = v;
  }
}

function putU16(b: Uint8Array, off: number, v: number, le: boolean): void {
  if (le) {
    b[off] = v; b[off + 1] = v >>> 8;
  } else {
    b[off] = v >>> 8; b[off + 1] = v;
  }
}

function isU32(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= U32_MAX;
}

/**
 * Groups captured frames by capture point as pcap records, timestamped from virtual time in seconds (never the
 * wall clock), so files made from a scenario are byte-stable.
 */
export function pcapRecordsByPoint(frames: Iterable<{ point: string; time: number; data: Uint8Array }>): Map<string, PcapRecord[]> {
  const out = new Map<string, PcapRecord[]>();
  for (const f of frames) {
    const us = Math.round(f.time * 1e6);
    const rec: PcapRecord = { tsSec: Math.floor(us / 1e6), tsFrac: us % 1e6, data: f.data };
    const list = out.get(f.point);
    if (list) list.push(rec);
    else out.set(f.point, [rec]);
  }
  return out;
}
