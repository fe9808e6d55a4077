// ICMP (RFC 792): echo request/reply, and error messages that quote the offending IPv4 header
// (destination unreachable, time exceeded, ...), whose quoted datagram decodes as an inner ipv4 layer.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +---------------+---------------+-------------------------------+
//  |     Type      |     Code      |           Checksum            |
//  +---------------+---------------+-------------------------------+
//  |  Identifier / unused          |  Sequence / unused / next MTU |
//  +-------------------------------+-------------------------------+
//  |  echo data, or the quoted IPv4 header + first 8 payload bytes |
import { readU16, writeU16 } from './addr.ts';
import { checkField, type LayerCodec } from './codec.ts';
import { internetChecksum } from './checksum.ts';
import { truncationError, type FieldSpec, type IcmpLayer } from './types.ts';

export const ICMP_HEADER_LEN = 8;
export const ICMP_ECHO_REPLY = 0;
export const ICMP_DEST_UNREACHABLE = 3;
export const ICMP_ECHO_REQUEST = 8;
export const ICMP_TIME_EXCEEDED = 11;

const FIELDS: readonly FieldSpec[] = [
  { name: 'type', offset: 0, size: 1 },
  { name: 'code', offset: 1, size: 1 },
  { name: 'checksum', offset: 2, size: 2 },
  { name: 'id', offset: 4, size: 2 },
  { name: 'seq', offset: 6, size: 2 },
];

/** VPP's ICMP type names (format_ip4_icmp_type_and_code). */
const TYPE_NAMES: Record<number, string> = {
  0: 'echo_reply',
  3: 'destination_unreachable',
  4: 'source_quench',
  5: 'redirect',
  8: 'echo_request',
  11: 'time_exceeded',
  12: 'parameter_problem',
  13: 'timestamp_request',
  14: 'timestamp_reply',
};

export function icmpTypeName(type: number): string {
  return TYPE_NAMES[type] ?? `unknown ${type}`;
}

export const icmp: LayerCodec<IcmpLayer> = {
  kind: 'icmp',
  fields: FIELDS,
  decode(buf, off, end, ctx) {
    const available = end - off;
    if (available < ICMP_HEADER_LEN) return { fatal: truncationError('icmp', FIELDS, off, available, ICMP_HEADER_LEN) };
    const type = buf[off]!;
    return {
      layer: { kind: 'icmp', type, code: buf[off + 1]!, checksum: readU16(buf, off + 2), id: readU16(buf, off + 4), seq: readU16(buf, off + 6) },
      payloadStart: off + ICMP_HEADER_LEN,
      payloadEnd: end,
      next: ctx.bindings.icmpQuoting.has(type) ? 'ipv4' : null,
    };
  },
  headerLength() {
    return ICMP_HEADER_LEN;
  },
  write(l, buf, off, payloadLen) {
    buf[off] = checkField('icmp', 'type', l.type, 8);
    buf[off + 1] = checkField('icmp', 'code', l.code ?? 0, 8);
    writeU16(buf, off + 4, checkField('icmp', 'id', l.id ?? 0, 16));
    writeU16(buf, off + 6, checkField('icmp', 'seq', l.seq ?? 0, 16));
    buf[off + 2] = 0;
    buf[off + 3] = 0;
    const checksum = l.checksum ?? internetChecksum(buf, off, off + ICMP_HEADER_LEN + payloadLen);
    writeU16(buf, off + 2, checkField('icmp', 'checksum', checksum, 16));
  },
  summary(l) {
    return `ICMP ${icmpTypeName(l.type)} code ${l.code ?? 0} checksum 0x${(l.checksum ?? 0).toString(16)}`;
  },
};
