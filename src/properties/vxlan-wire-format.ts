// What crosses between nodes is exactly the designed VXLAN: outer IPv4 TOS 0, id 0, no DF, TTL 253 on the wire,
// UDP to 4789 with checksum 0, lengths per DATAPATH.md §6.2, VXLAN flags 0x08 and VNI 10; the inner frame goes
// from the sender's BVI MAC to the receiver's (static ARP and L2 FIB: never ARP, never a flooded frame), and
// leaves through the tunnel to the node that hosts the destination (seed q2, q6–q8; P9–P11, P14).
import { ip4ToString, macToString, readU16, readU32 } from '../packet/index.ts';
import { bviMac } from '../reference/topology/ipam.ts';
import { clusterCaseArb, describeConnection, runClusterCase, type ClusterCase } from './harness.ts';
import { connectionWire } from './common.ts';
import { invalid, VALID, type PropertyDef } from './types.ts';

export const vxlanWireFormat: PropertyDef<ClusterCase> = {
  id: 'vxlan-wire-format',
  description: 'frames between nodes are exact VXLAN (VNI 10) from BVI MAC to BVI MAC, to the node hosting the destination; no ARP or flood crosses',
  seedSteps: ['q2', 'q6', 'q7', 'q8', 'P9', 'P10', 'P11'],
  masks: [],
  arbitrary: () => clusterCaseArb(),
  async check(c, adapter) {
    const run = await runClusterCase(c, adapter);
    const nodeByIp = new Map(run.rendered.topology.nodes.map((n) => [n.ip.network, n]));
    const podByIp = new Map([...run.rendered.podByKey.values()].map((p) => [p.ip, p]));
    for (const s of run.sent) {
      for (const w of connectionWire(s)) {
        const f = w.data;
        const bad = (what: string): ReturnType<typeof invalid> => invalid(`${describeConnection(s.connection)}: ${w.point}: ${what}`, { packet: w.packet });
        if (f.length < 50 + 14 || readU16(f, 12) !== 0x0800) return bad('not an IPv4 frame long enough for VXLAN');
        if (f[14] !== 0x45 || f[15] !== 0) return bad(`outer version/IHL 0x${f[14]!.toString(16)} or TOS ${f[15]} (expected 0x45, 0)`);
        if (readU16(f, 18) !== 0 || readU16(f, 20) !== 0) return bad('outer IP id or flags/fragment not 0 (no DF)');
        if (f[22] !== 253) return bad(`outer TTL ${f[22]} on the wire (encap writes 254, ip4-rewrite makes 253)`);
        if (f[23] !== 17 || readU16(f, 36) !== 4789 || readU16(f, 40) !== 0) return bad('not UDP to 4789 with checksum 0');
        const inner = f.length - 50;
        if (readU16(f, 16) !== inner + 36 || readU16(f, 38) !== inner + 16) return bad('outer IP or UDP length does not match the inner frame');
        if (f[42] !== 0x08 || readU32(f, 42) !== 0x08000000 || readU32(f, 46) !== (10 << 8)) return bad('VXLAN header is not flags 0x08, VNI 10, reserved 0');
        const dstNode = nodeByIp.get(readU32(f, 30));
        const srcNode = nodeByIp.get(readU32(f, 26));
        if (!dstNode || !srcNode) return bad(`outer addresses ${ip4ToString(readU32(f, 26))} -> ${ip4ToString(readU32(f, 30))} are not node IPs`);
        const innerDstMac = f[50]! * 2 ** 40 + readU32(f, 51) * 256 + f[55]!;
        const innerSrcMac = f[56]! * 2 ** 40 + readU32(f, 57) * 256 + f[61]!;
        if (innerDstMac !== bviMac(dstNode.id) || innerSrcMac !== bviMac(srcNode.id)) return bad(`inner MACs ${macToString(innerSrcMac)} -> ${macToString(innerDstMac)} are not the BVIs of nodes ${srcNode.id} -> ${dstNode.id}`);
        if (readU16(f, 62) !== 0x0800) return bad('the inner frame is not IPv4 (ARP or another ethertype crossed the mesh)');
        const host = podByIp.get(readU32(f, 50 + 14 + 16));
        if (host && host.nodeId !== dstNode.id) return bad(`the packet for ${ip4ToString(host.ip)} (node ${host.nodeId}) went to node ${dstNode.id}`);
      }
    }
    return VALID;
  },
};
