// IEEE 802.1Q VLAN tag, following an Ethernet header whose type is 0x8100.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-----+-+-----------------------+-------------------------------+
//  | PCP |D|         VID           |        inner ethertype        |
//  +-----+-+-----------------------+-------------------------------+
import { readU16, writeU16 } from './addr.ts';
import { boundValue, checkField, type LayerCodec } from './codec.ts';
import { ethertypeName } from './ethernet.ts';
import { truncationError, type Dot1qLayer, type FieldSpec } from './types.ts';

export const DOT1Q_HEADER_LEN = 4;

const FIELDS: readonly FieldSpec[] = [
  { name: 'tci', offset: 0, size: 2 },
  { name: 'type', offset: 2, size: 2 },
];

export const dot1q: LayerCodec<Dot1qLayer> = {
  kind: 'dot1q',
  fields: FIELDS,
  decode(buf, off, end, ctx) {
    const available = end - off;
    if (available < DOT1Q_HEADER_LEN) return { fatal: truncationError('dot1q', FIELDS, off, available, DOT1Q_HEADER_LEN) };
    const tci = readU16(buf, off);
    const type = readU16(buf, off + 2);
    return {
      layer: { kind: 'dot1q', pcp: tci >>> 13, dei: (tci >>> 12) & 1, vid: tci & 0x0fff, type },
      payloadStart: off + DOT1Q_HEADER_LEN,
      payloadEnd: end,
      next: ctx.bindings.kindByEthertype.get(type) ?? null,
    };
  },
  headerLength() {
    return DOT1Q_HEADER_LEN;
  },
  write(l, buf, off, _payloadLen, ctx) {
    const tci = (checkField('dot1q', 'pcp', l.pcp ?? 0, 3) << 13) | (checkField('dot1q', 'dei', l.dei ?? 0, 1) << 12) | checkField('dot1q', 'vid', l.vid, 12);
    writeU16(buf, off, tci);
    const type = l.type ?? boundValue(ctx.bindings.ethertypeByKind, 'dot1q', 'type', ctx.next);
    writeU16(buf, off + 2, checkField('dot1q', 'type', type, 16));
  },
  summary(l) {
    return `VLAN: vid ${l.vid} pcp ${l.pcp ?? 0}${l.dei ? ' dei' : ''} type ${ethertypeName(l.type ?? 0)}`;
  },
};
