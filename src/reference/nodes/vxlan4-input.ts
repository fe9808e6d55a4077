// vxlan4-input: decapsulation (docs/datapath.md §6.6, seed q15): flags must be exactly 0x08; the tunnel is found by
// (outer source, VNI) and the outer destination must be the tunnel's source. The inner frame enters bridge
// domain 1 with RX = the tunnel (SHG 1). The outer UDP checksum is not verified.
// Next: l2-input, error-drop. Models V:src/vnet/vxlan/decap.c.
import { readU32, VXLAN_FLAG_I } from '../../packet/index.ts';
import { advanceBuf, result, toDrop, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';

const ERRORS = { badFlags: 'packets with bad flags field in vxlan header', noTunnel: 'no such tunnel packets', short: 'packet too short for vxlan' } as const;

export const vxlan4Input: NodeDef<NodeName> = {
  name: 'vxlan4-input',
  nexts: ['l2-input', 'error-drop'],
  errors: ERRORS,
  process(buf, { vpp }) {
    const ip = buf.data; // the outer IPv4 header, as ip4-udp-lookup left it
    if (ip.length < 36 + 14) return toDrop(buf, 'vxlan4-input', ERRORS.short);
    const vni = readU32(ip, 32) >>> 8;
    if (ip[28] !== VXLAN_FLAG_I) return toDrop(buf, 'vxlan4-input', ERRORS.badFlags, [{ kind: 'vxlan4-input-error', vni }]);
    const src = readU32(ip, 12);
    const dst = readU32(ip, 16);
    const tunnel = vpp.tunnels.find((t) => t.dst === src && t.vni === vni && t.src === dst);
    if (!tunnel) return toDrop(buf, 'vxlan4-input', ERRORS.noTunnel, [{ kind: 'vxlan4-input-error', vni }]);
    const inner = advanceBuf(buf, 36);
    inner.rx = tunnel.iface.swIfIndex;
    inner.shg = 1;
    inner.bdIndex = vpp.bd.id;
    return result(
      'l2-input',
      inner,
      [{ kind: 'vxlan4-input', tunnel: tunnel.iface.tunnelInstance ?? 0, vni, next: 1, error: 0 }],
    );
  },
};
