// IPv4 header (RFC 791) with options, flags and fragments; checksum computed unless given.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-------+-------+---------------+-------------------------------+
//  |Version|  IHL  |      TOS      |          Total Length         |
//  +-------+-------+---------------+-----+-------------------------+
//  |         Identification        |Flags|     Fragment Offset     |
//  +---------------+---------------+-----+-------------------------+
//  |      TTL      |   Protocol    |        Header Checksum        |
//  +---------------+---------------+-------------------------------+
//  |                        Source Address                         |
//  +---------------------------------------------------------------+
//  |                      Destination Address                      |
//  +---------------------------------------------------------------+
//  |                    Options (IHL > 5) ...                      |
//  +---------------------------------------------------------------+
// Flags: bit 0 (0b100) reserved, DF (0b010), MF (0b001). Fragment offset in 8-byte units.
// A non-first fragment, or a first fragment with MF, carries raw payload: podflow does not reassemble.
// Bytes beyond Total Length inside the frame are the Ethernet trailer, kept in `padding`.
import { ip4ToString, readU16, readU32, writeU16, writeU32 } from './addr.ts';
import { boundValue, checkField, type LayerCodec } from './codec.ts';
import { ipv4HeaderChecksum } from './checksum.ts';
import { truncationError, type DecodeError, type FieldSpec, type Ipv4Layer, type LayerDecode } from './types.ts';

export const IPV4_MIN_HEADER_LEN = 20;
export const IPV4_FLAG_RESERVED = 0b100;
export const IPV4_FLAG_DF = 0b010;
export const IPV4_FLAG_MF = 0b001;

const FIELDS: readonly FieldSpec[] = [
  { name: 'version', offset: 0, size: 1 },
  { name: 'tos', offset: 1, size: 1 },
  { name: 'totalLength', offset: 2, size: 2 },
  { name: 'id', offset: 4, size: 2 },
  { name: 'flags', offset: 6, size: 2 },
  { name: 'ttl', offset: 8, size: 1 },
  { name: 'protocol', offset: 9, size: 1 },
  { name: 'checksum', offset: 10, size: 2 },
  { name: 'src', offset: 12, size: 4 },
  { name: 'dst', offset: 16, size: 4 },
];

/** VPP's protocol names in `TCP: a -> b` lines (format_ip_protocol); unknown ones print as `unknown N`. */
export function ipProtocolName(proto: number): string {
  switch (proto) {
    case 1:
      return 'ICMP';
    case 2:
      return 'IGMP';
    case 6:
      return 'TCP';
    case 17:
      return 'UDP';
    case 47:
      return 'GRE';
    case 50:
      return 'IPSEC_ESP';
    case 51:
      return 'IPSEC_AH';
    case 89:
      return 'OSPF';
    case 132:
      return 'SCTP';
    default:
      return `unknown ${proto}`;
  }
}

function ipv4HeaderLen(l: Ipv4Layer): number {
  // A malformed explicit IHL below 5 still occupies the 20 fixed bytes on the wire.
  if (l.ihl !== undefined) return Math.max(IPV4_MIN_HEADER_LEN, checkField('ipv4', 'ihl', l.ihl, 4) * 4);
  const opt = l.options?.length ?? 0;
  return IPV4_MIN_HEADER_LEN + Math.ceil(opt / 4) * 4;
}

/** Is this a fragment whose payload is not a whole L4 message? */
export function isFragment(l: Ipv4Layer): boolean {
  return (l.fragOffset ?? 0) !== 0 || ((l.flags ?? 0) & IPV4_FLAG_MF) !== 0;
}

export const ipv4: LayerCodec<Ipv4Layer> = {
  kind: 'ipv4',
  fields: FIELDS,
  decode(buf, off, end, ctx) {
    const available = end - off;
    if (available < IPV4_MIN_HEADER_LEN) return { fatal: truncationError('ipv4', FIELDS, off, available, IPV4_MIN_HEADER_LEN) };
    const vihl = buf[off]!;
    const version = vihl >>> 4;
    const ihl = vihl & 0x0f;
    if (version !== 4) return { fatal: { layer: 'ipv4', field: 'version', offset: off, message: `ipv4 version ${version}, expected 4` } };
    if (ihl < 5) return { fatal: { layer: 'ipv4', field: 'ihl', offset: off, message: `ipv4 header length ${ihl * 4} bytes (IHL ${ihl}) is below 20` } };
    const headerLen = ihl * 4;
    if (available < headerLen) {
      return { fatal: { layer: 'ipv4', field: 'options', offset: off + IPV4_MIN_HEADER_LEN, message: `ipv4 header truncated: IHL ${ihl} needs ${headerLen} bytes, ${available} available`, truncated: true } };
    }
    const totalLength = readU16(buf, off + 2);
    const fl = readU16(buf, off + 6);
    const protocol = buf[off + 9]!;
    const layer: Ipv4Layer = {
      kind: 'ipv4',
      version,
      ihl,
      tos: buf[off + 1]!,
      totalLength,
      id: readU16(buf, off + 4),
      flags: fl >>> 13,
      fragOffset: fl & 0x1fff,
      ttl: buf[off + 8]!,
      protocol,
      checksum: readU16(buf, off + 10),
      src: readU32(buf, off + 12),
      dst: readU32(buf, off + 16),
    };
    if (headerLen > IPV4_MIN_HEADER_LEN) layer.options = buf.subarray(off + IPV4_MIN_HEADER_LEN, off + headerLen);
    let payloadEnd = end;
    let error: DecodeError | undefined;
    if (totalLength < headerLen) {
      return { fatal: { layer: 'ipv4', field: 'totalLength', offset: off + 2, message: `ipv4 total length ${totalLength} is below the header length ${headerLen}` } };
    } else if (totalLength <= available) {
      payloadEnd = off + totalLength;
      if (totalLength < available) layer.padding = buf.subarray(payloadEnd, end);
    } else if (!ctx.quoted) {
      // Keep decoding what is there (a snaplen-cut capture), but say the datagram is incomplete.
      error = { layer: 'ipv4', field: 'totalLength', offset: off + 2, message: `ipv4 datagram truncated: total length ${totalLength}, ${available} bytes present`, truncated: true };
    }
    const next = isFragment(layer) ? null : (ctx.bindings.kindByIpProtocol.get(protocol) ?? null);
    const result: LayerDecode<Ipv4Layer> = { layer, payloadStart: off + headerLen, payloadEnd, next };
    if (error) result.error = error;
    return result;
  },
  headerLength: ipv4HeaderLen,
  write(l, buf, off, payloadLen, ctx) {
    const headerLen = ipv4HeaderLen(l);
    const optBytes = headerLen - IPV4_MIN_HEADER_LEN;
    const ihl = l.ihl ?? headerLen / 4;
    buf[off] = (checkField('ipv4', 'version', l.version ?? 4, 4) << 4) | checkField('ipv4', 'ihl', ihl, 4);
    buf[off + 1] = checkField('ipv4', 'tos', l.tos ?? 0, 8);
    writeU16(buf, off + 2, checkField('ipv4', 'totalLength', l.totalLength ?? headerLen + payloadLen, 16));
    writeU16(buf, off + 4, checkField('ipv4', 'id', l.id ?? 0, 16));
    writeU16(buf, off + 6, (checkField('ipv4', 'flags', l.flags ?? 0, 3) << 13) | checkField('ipv4', 'fragOffset', l.fragOffset ?? 0, 13));
    buf[off + 8] = checkField('ipv4', 'ttl', l.ttl ?? 64, 8);
    const protocol = l.protocol ?? boundValue(ctx.bindings.ipProtocolByKind, 'ipv4', 'protocol', ctx.next);
    buf[off + 9] = checkField('ipv4', 'protocol', protocol, 8);
    writeU32(buf, off + 12, checkField('ipv4', 'src', l.src, 32));
    writeU32(buf, off + 16, checkField('ipv4', 'dst', l.dst, 32));
    if (optBytes > 0) {
      const opts = l.options ?? new Uint8Array(0);
      if (opts.length > optBytes) throw new RangeError(`ipv4.options has ${opts.length} bytes but ihl ${ihl} leaves room for ${optBytes}`);
      buf.set(opts, off + IPV4_MIN_HEADER_LEN);
      buf.fill(0, off + IPV4_MIN_HEADER_LEN + opts.length, off + headerLen);
    }
    buf[off + 10] = 0;
    buf[off + 11] = 0;
    const checksum = l.checksum ?? ipv4HeaderChecksum(buf, off, Math.max(headerLen, IPV4_MIN_HEADER_LEN));
    writeU16(buf, off + 10, checkField('ipv4', 'checksum', checksum, 16));
  },
  summary(l) {
    return `${ipProtocolName(l.protocol ?? 0)}: ${ip4ToString(l.src)} -> ${ip4ToString(l.dst)}`;
  },
};
