// ip4-local: delivery to an address of this VPP (docs/datapath.md §4.4 B4): UDP goes to ip4-udp-lookup after the
// length and checksum checks; other protocols have no handler in this data path (TCP stack disabled in
// Contiv; VPP's own ICMP echo replies are not modelled and counted as such). Trace at indent 4.
// Next: ip4-udp-lookup, error-drop. Models V:src/vnet/ip/ip4_forward.c (ip4_local).
import { l4Checksum, readU16, readU32 } from '../../packet/index.ts';
import { copyBuf, result, toDrop, type NodeDef, type NodeResult } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';
import { ip4HeaderView } from '../../trace/ip4-view.ts';

const ERRORS = { unknownProtocol: 'unknown ip protocol', udpLength: 'inconsistent udp/ip lengths', udpChecksum: 'bad udp checksum', icmpNotModelled: 'ICMP to a VPP address (echo reply not modelled)' } as const;

export const ip4Local: NodeDef<NodeName> = {
  name: 'ip4-local',
  nexts: ['ip4-udp-lookup', 'error-drop'],
  errors: ERRORS,
  process(buf, { vpp }) {
    // the record's name per profile (ip4-local / ip4-receive)
    const named = (res: NodeResult<NodeName>): NodeResult<NodeName> => (vpp.profile.localNodeName === 'ip4-local' ? res : { ...res, traceName: vpp.profile.localNodeName });
    const ip = buf.data;
    const view = ip4HeaderView(ip, 0, Math.min(64, ip.length), vpp.profile.traceFormat);
    // current VPP (printed ip4-receive) first prints the FIB, the receive adjacency and the flow hash
    const trace = [vpp.profile.localNodeName === 'ip4-local' ? { kind: 'ip4-header' as const, indent: 4 as const, ip: view } : { kind: 'ip4-header' as const, indent: 4 as const, ip: view, forward: { fib: 0, adj: buf.lbDpoIdx ?? 0, flowHash: buf.flowHash } }];
    const proto = ip[9]!;
    if (proto === 1) return named(toDrop(buf, 'ip4-local', ERRORS.icmpNotModelled, trace));
    if (proto !== 17) return named(toDrop(buf, 'ip4-local', ERRORS.unknownProtocol, trace));
    const ihl = (ip[0]! & 0x0f) * 4;
    const total = readU16(ip, 2);
    const udpLen = ip.length >= ihl + 8 ? readU16(ip, ihl + 4) : 0;
    if (udpLen < 8 || ihl + udpLen > total) return named(toDrop(buf, 'ip4-local', ERRORS.udpLength, trace));
    const csum = readU16(ip, ihl + 6);
    if (csum !== 0) {
      // A computed 0 is transmitted as 0xffff (RFC 768); 0 means "no checksum".
      const computed = l4Checksum(ip, ihl, ihl + udpLen, ihl + 6, readU32(ip, 12), readU32(ip, 16), 17);
      if (csum !== (computed === 0 ? 0xffff : computed)) return named(toDrop(buf, 'ip4-local', ERRORS.udpChecksum, trace));
    }
    // The UDP checks mark the buffer: L4 checksum computed and correct, IPv4 (its flags, seen on a VPP 26.06 lab)
    const checked = copyBuf(buf);
    checked.l4ChecksumComputed = true;
    return named(result('ip4-udp-lookup', checked, trace));
  },
};
