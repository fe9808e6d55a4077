// TCP header (RFC 793, RFC 3168 flags); options kept as raw bytes with helpers to build and parse them.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-------------------------------+-------------------------------+
//  |          Source Port          |       Destination Port        |
//  +-------------------------------+-------------------------------+
//  |                        Sequence Number                        |
//  +---------------------------------------------------------------+
//  |                     Acknowledgment Number                     |
//  +-------+-----+-+---------------+-------------------------------+
//  | Data  | Res |N|C E U A P R S F|            Window             |
//  | Offset|     |S|W C R C S S Y I|                               |
//  +-------+-----+-+---------------+-------------------------------+
//  |           Checksum            |        Urgent Pointer         |
//  +-------------------------------+-------------------------------+
//  |                    Options (Data Offset > 5)                  |
//  +---------------------------------------------------------------+
import { readU16, readU32, writeU16, writeU32 } from './addr.ts';
import { checkField, type LayerCodec } from './codec.ts';
import { l4Checksum } from './checksum.ts';
import { truncationError, type FieldSpec, type TcpLayer } from './types.ts';

export const TCP_MIN_HEADER_LEN = 20;
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;
export const TCP_NS = 0x100;

const FIELDS: readonly FieldSpec[] = [
  { name: 'srcPort', offset: 0, size: 2 },
  { name: 'dstPort', offset: 2, size: 2 },
  { name: 'seq', offset: 4, size: 4 },
  { name: 'ack', offset: 8, size: 4 },
  { name: 'dataOffset', offset: 12, size: 1 },
  { name: 'flags', offset: 13, size: 1 },
  { name: 'window', offset: 14, size: 2 },
  { name: 'checksum', offset: 16, size: 2 },
  { name: 'urgent', offset: 18, size: 2 },
];

const FLAG_NAMES = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'] as const;

/** VPP's flag list: ` NAME` for each set flag in the order FIN SYN RST PSH ACK URG ECE CWR (docs/datapath.md §11.3). */
export function tcpFlagNames(flags: number): string {
  let s = '';
  for (let i = 0; i < 8; i++) if (flags & (1 << i)) s += ` ${FLAG_NAMES[i]}`;
  return s;
}

function tcpHeaderLen(l: TcpLayer): number {
  if (l.dataOffset !== undefined) return Math.max(TCP_MIN_HEADER_LEN, checkField('tcp', 'dataOffset', l.dataOffset, 4) * 4);
  return TCP_MIN_HEADER_LEN + Math.ceil((l.options?.length ?? 0) / 4) * 4;
}

export const tcp: LayerCodec<TcpLayer> = {
  kind: 'tcp',
  fields: FIELDS,
  decode(buf, off, end) {
    const available = end - off;
    if (available < TCP_MIN_HEADER_LEN) return { fatal: truncationError('tcp', FIELDS, off, available, TCP_MIN_HEADER_LEN) };
    const dataOffset = buf[off + 12]! >>> 4;
    const headerLen = dataOffset * 4;
    if (dataOffset < 5) return { fatal: { layer: 'tcp', field: 'dataOffset', offset: off + 12, message: `tcp data offset ${dataOffset} (${headerLen} bytes) is below 5` } };
    const layer: TcpLayer = {
      kind: 'tcp',
      srcPort: readU16(buf, off),
      dstPort: readU16(buf, off + 2),
      seq: readU32(buf, off + 4),
      ack: readU32(buf, off + 8),
      dataOffset,
      reserved: (buf[off + 12]! >>> 1) & 0x07,
      flags: ((buf[off + 12]! & 1) << 8) | buf[off + 13]!,
      window: readU16(buf, off + 14),
      checksum: readU16(buf, off + 16),
      urgent: readU16(buf, off + 18),
    };
    if (available < headerLen) {
      // The fixed header is whole (a 60-byte trace dump, a snaplen cut): keep it and the options present.
      layer.options = buf.subarray(off + TCP_MIN_HEADER_LEN, end);
      return {
        layer,
        payloadStart: end,
        payloadEnd: end,
        next: null,
        error: { layer: 'tcp', field: 'options', offset: off + TCP_MIN_HEADER_LEN, message: `tcp header truncated: data offset ${dataOffset} needs ${headerLen} bytes, ${available} available`, truncated: true },
      };
    }
    if (headerLen > TCP_MIN_HEADER_LEN) layer.options = buf.subarray(off + TCP_MIN_HEADER_LEN, off + headerLen);
    return { layer, payloadStart: off + headerLen, payloadEnd: end, next: null };
  },
  headerLength: tcpHeaderLen,
  write(l, buf, off, payloadLen, ctx) {
    const headerLen = tcpHeaderLen(l);
    writeU16(buf, off, checkField('tcp', 'srcPort', l.srcPort, 16));
    writeU16(buf, off + 2, checkField('tcp', 'dstPort', l.dstPort, 16));
    writeU32(buf, off + 4, checkField('tcp', 'seq', l.seq ?? 0, 32));
    writeU32(buf, off + 8, checkField('tcp', 'ack', l.ack ?? 0, 32));
    const flags = checkField('tcp', 'flags', l.flags ?? 0, 9);
    buf[off + 12] = (checkField('tcp', 'dataOffset', l.dataOffset ?? headerLen / 4, 4) << 4) | (checkField('tcp', 'reserved', l.reserved ?? 0, 3) << 1) | (flags >>> 8);
    buf[off + 13] = flags & 0xff;
    writeU16(buf, off + 14, checkField('tcp', 'window', l.window ?? 65535, 16));
    writeU16(buf, off + 18, checkField('tcp', 'urgent', l.urgent ?? 0, 16));
    const optRoom = headerLen - TCP_MIN_HEADER_LEN;
    if (optRoom > 0) {
      const opts = l.options ?? new Uint8Array(0);
      if (opts.length > optRoom) throw new RangeError(`tcp.options has ${opts.length} bytes but the header leaves room for ${optRoom}`);
      buf.set(opts, off + TCP_MIN_HEADER_LEN);
      buf.fill(0, off + TCP_MIN_HEADER_LEN + opts.length, off + headerLen);
    }
    buf[off + 16] = 0;
    buf[off + 17] = 0;
    let checksum = l.checksum;
    if (checksum === undefined) {
      const ip = ctx.parent?.kind === 'ipv4' ? ctx.parent : undefined;
      checksum = ip ? l4Checksum(buf, off, off + headerLen + payloadLen, off + 16, ip.src, ip.dst, 6) : 0;
    }
    writeU16(buf, off + 16, checkField('tcp', 'checksum', checksum, 16));
  },
  summary(l) {
    return `TCP: ${l.srcPort} -> ${l.dstPort}`;
  },
};

/** A parsed TCP option: kind, and the bytes after kind/length (absent for EOL and NOP). */
export interface TcpOption {
  kind: number;
  data?: Uint8Array;
}

export const TCPOPT_EOL = 0;
export const TCPOPT_NOP = 1;
export const TCPOPT_MSS = 2;
export const TCPOPT_WSCALE = 3;
export const TCPOPT_SACK_PERMITTED = 4;
export const TCPOPT_TIMESTAMP = 8;

/** Builds option bytes from a list (kind 0/1 are single bytes; others kind, length, data). */
export function encodeTcpOptions(options: readonly TcpOption[]): Uint8Array {
  const parts: number[] = [];
  for (const o of options) {
    parts.push(o.kind);
    if (o.kind === TCPOPT_EOL || o.kind === TCPOPT_NOP) continue;
    const data = o.data ?? new Uint8Array(0);
    parts.push(data.length + 2, ...data);
  }
  return Uint8Array.from(parts);
}

export const tcpOption = {
  mss: (mss: number): TcpOption => ({ kind: TCPOPT_MSS, data: Uint8Array.of(mss >>> 8, mss & 0xff) }),
  sackPermitted: (): TcpOption => ({ kind: TCPOPT_SACK_PERMITTED, data: new Uint8Array(0) }),
  windowScale: (shift: number): TcpOption => ({ kind: TCPOPT_WSCALE, data: Uint8Array.of(shift) }),
  timestamp: (tsval: number, tsecr: number): TcpOption => {
    const d = new Uint8Array(8);
    writeU32(d, 0, tsval);
    writeU32(d, 4, tsecr);
    return { kind: TCPOPT_TIMESTAMP, data: d };
  },
  nop: (): TcpOption => ({ kind: TCPOPT_NOP }),
  eol: (): TcpOption => ({ kind: TCPOPT_EOL }),
};
