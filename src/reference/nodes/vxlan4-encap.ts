// vxlan4-encap: prepends the tunnel's 36-byte IPv4/UDP/VXLAN header to the inner frame (docs/datapath.md §6):
// TOS 0, id 0, no DF, TTL 254, UDP source port from the inner frame's L2 flow hash (§6.4), UDP checksum 0,
// flags 0x08, VNI. Next: ip4-load-balance on the tunnel's path to the remote node (printed `fib` = the
// tunnel's sw_if_index; flow hash per profile). Models V:src/vnet/vxlan/encap.c (vxlan_encap_inline).
import { ipv4HeaderChecksum, readU32, VXLAN_FLAG_I, VXLAN_PORT, writeU16, writeU32 } from '../../packet/index.ts';
import { l2FlowHash, vxlanSourcePort } from '../flow-hash.ts';
import { copyBuf, result, toDrop, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';

export const VXLAN_ENCAP_TTL = 254;
const ERRORS = { noTunnel: 'no tunnel for the TX interface', unresolved: 'tunnel destination has no route' } as const;

export const vxlan4Encap: NodeDef<NodeName> = {
  name: 'vxlan4-encap',
  nexts: ['ip4-load-balance', 'ip4-rewrite', 'error-drop'],
  errors: ERRORS,
  process(buf, { vpp }) {
    const tunnel = vpp.tunnels.find((t) => t.iface.swIfIndex === buf.tx);
    if (!tunnel) return toDrop(buf, 'vxlan4-encap', ERRORS.noTunnel);
    const inner = buf.data;
    // A mutant hashes the MACs (the non-IP branch of the flow hash) instead of the IP 5-tuple.
    const hash = vpp.profile.faults?.flowHashOnMacs ? l2FlowHash(inner, 0) : l2FlowHash(inner);
    const out = vpp.buffers.alloc(36 + inner.length);
    out[0] = 0x45;
    writeU16(out, 2, inner.length + 36);
    out[8] = VXLAN_ENCAP_TTL;
    out[9] = 17;
    writeU32(out, 12, tunnel.src);
    writeU32(out, 16, tunnel.dst);
    writeU16(out, 10, ipv4HeaderChecksum(out, 0, 20));
    writeU16(out, 20, vxlanSourcePort(hash));
    writeU16(out, 22, VXLAN_PORT);
    writeU16(out, 24, inner.length + 16);
    out[28] = VXLAN_FLAG_I;
    writeU32(out, 32, (tunnel.vni << 8) >>> 0);
    out.set(inner, 36);
    const trace = [{ kind: 'vxlan4-encap' as const, tunnel: tunnel.iface.tunnelInstance ?? 0, vni: tunnel.vni }];
    const res = vpp.fib.resolve(readU32(out, 16));
    if (res.kind !== 'forward') return toDrop(buf, 'vxlan4-encap', ERRORS.unresolved, trace);
    // 18.01 prints stale L2 metadata (0x00000001) as the outer flow hash; current VPP the inner hash (§11.4).
    const flowHash = vpp.profile.outerFlowHash === 'stale-bvi-sequence' ? 1 : hash;
    const encapped = copyBuf(buf);
    encapped.data = out;
    encapped.currentData = buf.currentData - 36;
    encapped.adj = res.adjacency;
    encapped.lbDpoIdx = res.entry.dpoIdx;
    encapped.flowHash = flowHash;
    // 18.01 prints the outer lookup's load-balance step; current VPP's encap hands the packet to the tunnel's
    // adjacency (ip4-rewrite) directly (a VPP 26.06 lab).
    return result(vpp.profile.encapLoadBalanceRecord ? 'ip4-load-balance' : 'ip4-rewrite', encapped, trace);
  },
};
