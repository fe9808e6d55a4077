// ARP for IPv4 over Ethernet (RFC 826); other hardware/protocol sizes are reported as unsupported.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-------------------------------+-------------------------------+
//  |         hardware type         |         protocol type         |
//  +---------------+---------------+-------------------------------+
//  |   hw length   | proto length  |           operation           |
//  +---------------+---------------+-------------------------------+
//  |  sender hardware address (6) ... sender protocol address (4)  |
//  |  target hardware address (6) ... target protocol address (4)  |
//  +---------------------------------------------------------------+
// Bytes after the 28-byte body (Ethernet padding to 60 bytes) are kept in `padding`.
import { ip4ToString, macToString, readMac, readU16, readU32, writeMac, writeU16, writeU32 } from './addr.ts';
import { checkField, checkMac, type LayerCodec } from './codec.ts';
import { truncationError, type ArpLayer, type FieldSpec } from './types.ts';

export const ARP_LEN = 28;
export const ARP_REQUEST = 1;
export const ARP_REPLY = 2;

const FIELDS: readonly FieldSpec[] = [
  { name: 'htype', offset: 0, size: 2 },
  { name: 'ptype', offset: 2, size: 2 },
  { name: 'hlen', offset: 4, size: 1 },
  { name: 'plen', offset: 5, size: 1 },
  { name: 'op', offset: 6, size: 2 },
  { name: 'sha', offset: 8, size: 6 },
  { name: 'spa', offset: 14, size: 4 },
  { name: 'tha', offset: 18, size: 6 },
  { name: 'tpa', offset: 24, size: 4 },
];

export const arp: LayerCodec<ArpLayer> = {
  kind: 'arp',
  fields: FIELDS,
  decode(buf, off, end) {
    const available = end - off;
    if (available >= 6 && (buf[off + 4] !== 6 || buf[off + 5] !== 4)) {
      const field = buf[off + 4] !== 6 ? 'hlen' : 'plen';
      return {
        fatal: {
          layer: 'arp',
          field,
          offset: off + (field === 'hlen' ? 4 : 5),
          message: `arp ${field} ${buf[off + (field === 'hlen' ? 4 : 5)]} unsupported (only Ethernet/IPv4: hlen 6, plen 4)`,
        },
      };
    }
    if (available < ARP_LEN) return { fatal: truncationError('arp', FIELDS, off, available, ARP_LEN) };
    const layer: ArpLayer = {
      kind: 'arp',
      htype: readU16(buf, off),
      ptype: readU16(buf, off + 2),
      hlen: 6,
      plen: 4,
      op: readU16(buf, off + 6),
      sha: readMac(buf, off + 8),
      spa: readU32(buf, off + 14),
      tha: readMac(buf, off + 18),
      tpa: readU32(buf, off + 24),
    };
    if (available > ARP_LEN) layer.padding = buf.subarray(off + ARP_LEN, end);
    return { layer, payloadStart: off + ARP_LEN, payloadEnd: off + ARP_LEN, next: null };
  },
  headerLength() {
    return ARP_LEN;
  },
  write(l, buf, off) {
    writeU16(buf, off, checkField('arp', 'htype', l.htype ?? 1, 16));
    writeU16(buf, off + 2, checkField('arp', 'ptype', l.ptype ?? 0x0800, 16));
    if ((l.hlen ?? 6) !== 6 || (l.plen ?? 4) !== 4) throw new RangeError('arp: only hlen 6 / plen 4 can be encoded');
    buf[off + 4] = 6;
    buf[off + 5] = 4;
    writeU16(buf, off + 6, checkField('arp', 'op', l.op, 16));
    writeMac(buf, off + 8, checkMac('arp', 'sha', l.sha));
    writeU32(buf, off + 14, checkField('arp', 'spa', l.spa, 32));
    writeMac(buf, off + 18, checkMac('arp', 'tha', l.tha));
    writeU32(buf, off + 24, checkField('arp', 'tpa', l.tpa, 32));
  },
  summary(l) {
    const op = l.op === ARP_REQUEST ? 'request' : l.op === ARP_REPLY ? 'reply' : `op ${l.op}`;
    return `ARP: ${op} ${macToString(l.sha)}/${ip4ToString(l.spa)} -> ${macToString(l.tha)}/${ip4ToString(l.tpa)}`;
  },
};
