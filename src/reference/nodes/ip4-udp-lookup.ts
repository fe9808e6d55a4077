// ip4-udp-lookup: dispatch on the UDP destination port; VXLAN registers 4789 (docs/datapath.md §6.6). Another
// port has no listener: ICMP port unreachable back to the sender (ip4-icmp-error).
// Next: vxlan4-input, ip4-icmp-error. Models V:src/vnet/udp/udp_local.c.
import { readU16, VXLAN_PORT } from '../../packet/index.ts';
import { result, withIcmpError, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';

export const ip4UdpLookup: NodeDef<NodeName> = {
  name: 'ip4-udp-lookup',
  nexts: ['vxlan4-input', 'ip4-icmp-error'],
  errors: { noListener: 'no listener for dst port' },
  process(buf) {
    const ip = buf.data;
    const ihl = (ip[0]! & 0x0f) * 4;
    const srcPort = readU16(ip, ihl);
    const dstPort = readU16(ip, ihl + 2);
    const trace = [{ kind: 'ip4-udp-lookup' as const, srcPort, dstPort, noListener: dstPort !== VXLAN_PORT }];
    if (dstPort === VXLAN_PORT) return result('vxlan4-input', buf, trace);
    return result('ip4-icmp-error', withIcmpError(buf, { type: 3, code: 3 }), trace);
  },
};
