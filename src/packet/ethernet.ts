// Ethernet II header (IEEE 802.3 framing with an ethertype); no FCS, as captured by pcap and VPP traces.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-------------------------------+-------------------------------+
//  |                  destination MAC (6 bytes)                    |
//  +                               +-------------------------------+
//  |                               |       source MAC (6 bytes)    |
//  +-------------------------------+                               +
//  |                                                               |
//  +-------------------------------+-------------------------------+
//  |           ethertype           |  payload ...
//  +-------------------------------+
// ethertype < 0x0600 is an 802.3 length: the payload is then kept as raw bytes.
import { macToString, readMac, readU16, writeMac, writeU16 } from './addr.ts';
import { boundValue, checkField, checkMac, type LayerCodec } from './codec.ts';
import { truncationError, type EthernetLayer, type FieldSpec } from './types.ts';

export const ETHERNET_HEADER_LEN = 14;

const FIELDS: readonly FieldSpec[] = [
  { name: 'dst', offset: 0, size: 6 },
  { name: 'src', offset: 6, size: 6 },
  { name: 'type', offset: 12, size: 2 },
];

/** VPP's names for ethertypes in `IP4: src -> dst` lines (format_ethernet_type). */
export function ethertypeName(type: number): string {
  switch (type) {
    case 0x0800:
      return 'IP4';
    case 0x0806:
      return 'ARP';
    case 0x8100:
      return 'VLAN';
    case 0x86dd:
      return 'IP6';
    default:
      return `0x${type.toString(16).padStart(4, '0')}`;
  }
}

export const ethernet: LayerCodec<EthernetLayer> = {
  kind: 'ethernet',
  fields: FIELDS,
  decode(buf, off, end, ctx) {
    const available = end - off;
    if (available < ETHERNET_HEADER_LEN) return { fatal: truncationError('ethernet', FIELDS, off, available, ETHERNET_HEADER_LEN) };
    const type = readU16(buf, off + 12);
    return {
      layer: { kind: 'ethernet', dst: readMac(buf, off), src: readMac(buf, off + 6), type },
      payloadStart: off + ETHERNET_HEADER_LEN,
      payloadEnd: end,
      next: ctx.bindings.kindByEthertype.get(type) ?? null,
    };
  },
  headerLength() {
    return ETHERNET_HEADER_LEN;
  },
  write(l, buf, off, _payloadLen, ctx) {
    writeMac(buf, off, checkMac('ethernet', 'dst', l.dst));
    writeMac(buf, off + 6, checkMac('ethernet', 'src', l.src));
    const type = l.type ?? boundValue(ctx.bindings.ethertypeByKind, 'ethernet', 'type', ctx.next);
    writeU16(buf, off + 12, checkField('ethernet', 'type', type, 16));
  },
  summary(l) {
    return `${ethertypeName(l.type ?? 0)}: ${macToString(l.src)} -> ${macToString(l.dst)}`;
  },
};
