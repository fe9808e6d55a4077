// UDP header (RFC 768). A computed checksum of 0 is sent as 0xffff; an explicit 0 means "no checksum"
// (what VPP's vxlan4-encap writes, docs/datapath.md §6.1).
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-------------------------------+-------------------------------+
//  |          Source Port          |       Destination Port        |
//  +-------------------------------+-------------------------------+
//  |            Length             |           Checksum            |
//  +-------------------------------+-------------------------------+
// Bytes after `length` inside the IP payload are kept in `padding`.
import { readU16, writeU16 } from './addr.ts';
import { boundValue, checkField, type LayerCodec } from './codec.ts';
import { l4Checksum } from './checksum.ts';
import { truncationError, type DecodeError, type FieldSpec, type LayerDecode, type UdpLayer } from './types.ts';

export const UDP_HEADER_LEN = 8;

const FIELDS: readonly FieldSpec[] = [
  { name: 'srcPort', offset: 0, size: 2 },
  { name: 'dstPort', offset: 2, size: 2 },
  { name: 'length', offset: 4, size: 2 },
  { name: 'checksum', offset: 6, size: 2 },
];

export const udp: LayerCodec<UdpLayer> = {
  kind: 'udp',
  fields: FIELDS,
  decode(buf, off, end, ctx) {
    const available = end - off;
    if (available < UDP_HEADER_LEN) return { fatal: truncationError('udp', FIELDS, off, available, UDP_HEADER_LEN) };
    const dstPort = readU16(buf, off + 2);
    const length = readU16(buf, off + 4);
    const layer: UdpLayer = { kind: 'udp', srcPort: readU16(buf, off), dstPort, length, checksum: readU16(buf, off + 6) };
    if (length < UDP_HEADER_LEN) {
      return { fatal: { layer: 'udp', field: 'length', offset: off + 4, message: `udp length ${length} is below the header length 8` } };
    }
    let payloadEnd = end;
    let error: DecodeError | undefined;
    if (length <= available) {
      payloadEnd = off + length;
      if (length < available) layer.padding = buf.subarray(payloadEnd, end);
    } else if (!ctx.quoted) {
      error = { layer: 'udp', field: 'length', offset: off + 4, message: `udp datagram truncated: length ${length}, ${available} bytes present`, truncated: true };
    }
    const result: LayerDecode<UdpLayer> = { layer, payloadStart: off + UDP_HEADER_LEN, payloadEnd, next: ctx.bindings.kindByUdpPort.get(dstPort) ?? null };
    if (error) result.error = error;
    return result;
  },
  headerLength() {
    return UDP_HEADER_LEN;
  },
  write(l, buf, off, payloadLen, ctx) {
    writeU16(buf, off, checkField('udp', 'srcPort', l.srcPort, 16));
    const dstPort = l.dstPort ?? boundValue(ctx.bindings.udpPortByKind, 'udp', 'dstPort', ctx.next);
    writeU16(buf, off + 2, checkField('udp', 'dstPort', dstPort, 16));
    const length = UDP_HEADER_LEN + payloadLen;
    writeU16(buf, off + 4, checkField('udp', 'length', l.length ?? length, 16));
    buf[off + 6] = 0;
    buf[off + 7] = 0;
    let checksum = l.checksum;
    if (checksum === undefined) {
      const ip = ctx.parent?.kind === 'ipv4' ? ctx.parent : undefined;
      checksum = ip ? l4Checksum(buf, off, off + length, off + 6, ip.src, ip.dst, 17) : 0;
      if (ip && checksum === 0) checksum = 0xffff;
    }
    writeU16(buf, off + 6, checkField('udp', 'checksum', checksum, 16));
  },
  summary(l) {
    return `UDP: ${l.srcPort} -> ${l.dstPort ?? 0}`;
  },
};
