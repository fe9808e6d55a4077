// What crosses between nodes is exactly the designed VXLAN: outer IPv4 TOS 0, id 0, no DF, TTL 253 on the wire,
// UDP to 4789 with checksum 0, lengths per docs/datapath.md §6.2, VXLAN flags 0x08 and VNI 10; the inner frame goes
// from the sender's BVI MAC to the receiver's (static ARP and L2 FIB: never ARP, never a flooded frame), and
// leaves through the tunnel to the node that hosts the destination (seed q2, q6–q8; P9–P11, P14).
import { ip4ToString, macToString, readU16, readU32, VXLAN_FLAG_I, VXLAN_PORT } from '../packet/index.ts';
import { bviMac } from '../reference/topology/ipam.ts';
import { clusterCaseArb, exchangeFacts, exchangeOf, runClusterCase, type ClusterCase } from './harness.ts';
import { connectionWire } from './common.ts';
import { claim, verdictOf, type Claim, type ClaimFacts, type ClaimMessages, type PropertyDef } from './types.ts';

const CLAIMS: ClaimMessages = {
  'wire-format': (c) => `${c.connection}: ${c.point}: ${c.layer} ${c.field} is ${c.received}, expected ${c.expected}`,
  'wrong-node': (c) => `${c.connection}: ${c.point}: the packet for ${c.expected} went to ${c.received}`,
};

const hex = (n: number): string => `0x${n.toString(16)}`;

export const vxlanWireFormat: PropertyDef<ClusterCase> = {
  id: 'vxlan-wire-format',
  description: 'frames between nodes are exact VXLAN (VNI 10) from BVI MAC to BVI MAC, to the node hosting the destination; no ARP or flood crosses',
  seedSteps: ['q2', 'q6', 'q7', 'q8', 'P9', 'P10', 'P11'],
  claims: CLAIMS,
  arbitrary: () => clusterCaseArb(),
  async check(c, adapter) {
    const run = await runClusterCase(c, adapter);
    const nodeByIp = new Map(run.rendered.topology.nodes.map((n) => [n.ip.network, n]));
    const podByIp = new Map([...run.rendered.podByKey.values()].map((p) => [p.ip, p]));
    const claims: Claim[] = [];
    for (const s of run.sent) {
      for (const w of connectionWire(s)) {
        const f = w.data;
        // facts are put together only when something is wrong (this runs for every frame on the wire)
        const bad = (layer: string, field: string, expected: string, received: string, code = 'wire-format'): void => {
          const facts: ClaimFacts = { code, ...exchangeFacts(s, exchangeOf(s, w.packet)), packet: w.packet, point: w.point, layer, field, expected, received };
          claims.push(claim(CLAIMS, facts));
        };
        if (f.length < 50 + 14 || readU16(f, 12) !== 0x0800) {
          bad('outer ethernet', 'type', '0x800 and at least 64 bytes (VXLAN)', `${f.length >= 14 ? hex(readU16(f, 12)) : 'none'}, ${f.length} bytes`);
          continue;
        }
        if (f[14] !== 0x45) bad('outer ipv4', 'version/ihl', '0x45', hex(f[14]!));
        if (f[15] !== 0) bad('outer ipv4', 'tos', '0', String(f[15]));
        if (readU16(f, 18) !== 0) bad('outer ipv4', 'id', '0', String(readU16(f, 18)));
        if (readU16(f, 20) !== 0) bad('outer ipv4', 'flags/fragment', '0 (no DF)', hex(readU16(f, 20)));
        if (f[22] !== 253) bad('outer ipv4', 'ttl', '253 (encap writes 254, ip4-rewrite makes 253)', String(f[22]));
        if (f[23] !== 17) {
          bad('outer ipv4', 'protocol', '17 (UDP)', String(f[23]));
          continue;
        }
        if (readU16(f, 36) !== VXLAN_PORT) bad('outer udp', 'dstPort', String(VXLAN_PORT), String(readU16(f, 36)));
        if (readU16(f, 40) !== 0) bad('outer udp', 'checksum', '0', hex(readU16(f, 40)));
        const inner = f.length - 50;
        if (readU16(f, 16) !== inner + 36) bad('outer ipv4', 'length', String(inner + 36), String(readU16(f, 16)));
        if (readU16(f, 38) !== inner + 16) bad('outer udp', 'length', String(inner + 16), String(readU16(f, 38)));
        if (readU32(f, 42) !== VXLAN_FLAG_I << 24) bad('vxlan', 'flags', `0x${(VXLAN_FLAG_I << 24).toString(16).padStart(8, '0')}`, hex(readU32(f, 42)));
        if (readU32(f, 46) !== 10 << 8) bad('vxlan', 'vni', '10 (reserved 0)', `${readU32(f, 46) >>> 8}${readU32(f, 46) & 0xff ? ` (reserved ${readU32(f, 46) & 0xff})` : ''}`);
        const dstNode = nodeByIp.get(readU32(f, 30));
        const srcNode = nodeByIp.get(readU32(f, 26));
        if (!srcNode) bad('outer ipv4', 'src', 'a node IP', ip4ToString(readU32(f, 26)));
        if (!dstNode) bad('outer ipv4', 'dst', 'a node IP', ip4ToString(readU32(f, 30)));
        const innerDstMac = f[50]! * 2 ** 40 + readU32(f, 51) * 256 + f[55]!;
        const innerSrcMac = f[56]! * 2 ** 40 + readU32(f, 57) * 256 + f[61]!;
        if (dstNode && innerDstMac !== bviMac(dstNode.id)) bad('inner ethernet', 'dst', `${macToString(bviMac(dstNode.id))} (BVI of node ${dstNode.id})`, macToString(innerDstMac));
        if (srcNode && innerSrcMac !== bviMac(srcNode.id)) bad('inner ethernet', 'src', `${macToString(bviMac(srcNode.id))} (BVI of node ${srcNode.id})`, macToString(innerSrcMac));
        if (readU16(f, 62) !== 0x0800) {
          bad('inner ethernet', 'type', '0x800 (IPv4; no ARP or other ethertype crosses the mesh)', hex(readU16(f, 62)));
          continue;
        }
        const host = podByIp.get(readU32(f, 50 + 14 + 16));
        if (host && dstNode && host.nodeId !== dstNode.id) bad('outer ipv4', 'dst', `node ${host.nodeId} (hosting ${ip4ToString(host.ip)})`, `node ${dstNode.id}`, 'wrong-node');
      }
    }
    return verdictOf(claims);
  },
};
