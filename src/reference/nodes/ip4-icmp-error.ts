// ip4-icmp-error: answers a packet with an ICMP error (time exceeded when ip4-rewrite finds TTL ≤ 1,
// DATAPATH.md §7.2; port unreachable from ip4-udp-lookup; fragmentation needed in vpp-current). The error
// quotes the offending datagram (capped so the error fits 576 bytes); its source is the first address of
// the RX interface, its TTL 255 (§14 q8 leaves the source open: this follows V:src/vnet/ip/icmp4.c
// ip4_icmp_error, which takes the RX interface's address). Next: ip4-lookup (routed back to the sender).
import { encodePacket, readU32 } from '../../packet/index.ts';
import { copyBuf, result, SW_IF_INDEX_INVALID, toDrop, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';
import { ip4HeaderView } from '../trace/ip4-view.ts';

const ERRORS = { noSource: 'no IPv4 address on the RX interface to send an ICMP error from' } as const;
const MAX_ERROR_LEN = 576;

export const ip4IcmpError: NodeDef<NodeName> = {
  name: 'ip4-icmp-error',
  nexts: ['ip4-lookup', 'error-drop'],
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
    return result(
      'ip4-lookup',
      out,
      [{ kind: 'ip4-icmp-error', ip: ip4HeaderView(data, 0, Math.min(64, data.length), vpp.profile.traceFormat) }],
    );
  },
};
