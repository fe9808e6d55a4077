// ip4-icmp-error: answers a packet with an ICMP error (time exceeded when ip4-rewrite finds TTL ≤ 1,
// docs/datapath.md §7.2; port unreachable from ip4-udp-lookup; fragmentation needed in vpp-current). The error
// quotes the offending datagram (capped so the error fits 576 bytes); its source is the first address of
// the RX interface, its TTL 255 (§14 q8 leaves the source open: this follows V:src/vnet/ip/icmp4.c
// ip4_icmp_error, which takes the RX interface's address). Next: ip4-lookup (routed back to the sender).
import { encodePacket, readU16, readU32 } from '../../packet/index.ts';
import { copyBuf, result, SW_IF_INDEX_INVALID, toDrop, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';
import { ip4HeaderView } from '../../trace/ip4-view.ts';

const ERRORS = { noSource: 'no IPv4 address on the RX interface to send an ICMP error from' } as const;
const MAX_ERROR_LEN = 576;

export const ip4IcmpError: NodeDef<NodeName> = {
  name: 'ip4-icmp-error',
  nexts: ['ip4-lookup', 'ip4-drop', 'error-drop'],
  errors: ERRORS,
  process(buf, { vpp }) {
    const orig = buf.data;
    const err = buf.icmpError ?? { type: 11, code: 0 };
    const rx = vpp.ifBySw.get(buf.rx);
    const src = rx?.addresses[0]?.network;
    if (src === undefined) return toDrop(buf, 'ip4-icmp-error', ERRORS.noSource);
    const quoted = orig.subarray(0, Math.min(orig.length, MAX_ERROR_LEN - 28));
    const data = encodePacket(
      [
        { kind: 'ipv4', tos: 0, id: 0, flags: 0, ttl: 255, src, dst: readU32(orig, 12) },
        { kind: 'icmp', type: err.type, code: err.code, id: 0, seq: err.mtu ?? 0 },
        { kind: 'raw', data: quoted },
      ],
    );
    const out = copyBuf(buf);
    out.data = data;
    out.tx = SW_IF_INDEX_INVALID;
    out.flowHash = 0;
    out.icmpError = undefined; // answered
    if (vpp.profile.icmpErrorLocallyOriginated) out.locallyOriginated = true;
    const res = result<NodeName>(
      'ip4-lookup',
      out,
      // current VPP traces the packet it answers (a VPP 26.06 lab); the 18.01 record shows the error (docs/datapath.md §7.2)
      [{ kind: 'ip4-icmp-error', ip: vpp.profile.traceFormat === 'vpp-current' ? ip4HeaderView(orig, 0, Math.min(64, orig.length), 'vpp-current') : ip4HeaderView(data, 0, Math.min(64, data.length), vpp.profile.traceFormat) }],
    );
    // current VPP builds the error in a buffer of its own and drops the answered packet (ip4-drop; a VPP 26.06 lab)
    if (vpp.profile.icmpErrorForksOriginal) {
      // The answered packet's flow-hash word now holds the ICMP type and code in its low bytes (the error
      // parameters share it, V:src/vnet/buffer.h) over what shallow reassembly left above them: the L4 destination
      // port as stored, in network order. ip4-drop prints that word (one VPP 26.06 lab sample: 0x901f000b for
      // time exceeded of a packet to port 8080).
      const dropped = copyBuf(buf);
      const ihl = (orig[0]! & 0x0f) * 4;
      const proto = orig[9];
      const dport = (proto === 6 || proto === 17) && orig.length >= ihl + 4 ? readU16(orig, ihl + 2) : 0;
      const swapped = ((dport & 0xff) << 8) | (dport >>> 8);
      dropped.flowHash = ((swapped << 16) | ((err.code & 0xff) << 8) | (err.type & 0xff)) >>> 0;
      res.fork = { next: 'ip4-drop', buf: dropped };
    }
    return res;
  },
};
