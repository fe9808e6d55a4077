// VXLAN header (RFC 7348), carried in UDP to port 4789; its payload is an inner Ethernet frame.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-----------------------------------------------+
//  |R|R|R|R|I|R|R|R|                   Reserved                    |
//  +-+-+-+-+-+-+-+-+-----------------------------------------------+
//  |           VXLAN Network Identifier (VNI)      |   Reserved    |
//  +-----------------------------------------------+---------------+
// VPP's vxlan4-input accepts only flags == 0x08 (docs/datapath.md §6.6); the codec decodes any value.
import { readU32, writeU32 } from './addr.ts';
import { checkField, type LayerCodec } from './codec.ts';
import { truncationError, type FieldSpec, type VxlanLayer } from './types.ts';

/** The UDP destination port of VXLAN (IANA; VPP's ip4-udp-lookup registers it). */
export const VXLAN_PORT = 4789;
export const VXLAN_HEADER_LEN = 8;
export const VXLAN_FLAG_I = 0x08;

const FIELDS: readonly FieldSpec[] = [
  { name: 'flags', offset: 0, size: 1 },
  { name: 'reserved1', offset: 1, size: 3 },
  { name: 'vni', offset: 4, size: 3 },
  { name: 'reserved2', offset: 7, size: 1 },
];

export const vxlan: LayerCodec<VxlanLayer> = {
  kind: 'vxlan',
  fields: FIELDS,
  decode(buf, off, end) {
    const available = end - off;
    if (available < VXLAN_HEADER_LEN) return { fatal: truncationError('vxlan', FIELDS, off, available, VXLAN_HEADER_LEN) };
    const w0 = readU32(buf, off);
    const w1 = readU32(buf, off + 4);
    return {
      layer: { kind: 'vxlan', flags: w0 >>> 24, reserved1: w0 & 0xffffff, vni: w1 >>> 8, reserved2: w1 & 0xff },
      payloadStart: off + VXLAN_HEADER_LEN,
      payloadEnd: end,
      next: 'ethernet',
    };
  },
  headerLength() {
    return VXLAN_HEADER_LEN;
  },
  write(l, buf, off) {
    writeU32(buf, off, ((checkField('vxlan', 'flags', l.flags ?? VXLAN_FLAG_I, 8) << 24) | checkField('vxlan', 'reserved1', l.reserved1 ?? 0, 24)) >>> 0);
    writeU32(buf, off + 4, ((checkField('vxlan', 'vni', l.vni, 24) << 8) | checkField('vxlan', 'reserved2', l.reserved2 ?? 0, 8)) >>> 0);
  },
  summary(l) {
    return `VXLAN: flags 0x${(l.flags ?? VXLAN_FLAG_I).toString(16).padStart(2, '0')} vni ${l.vni}`;
  },
};
