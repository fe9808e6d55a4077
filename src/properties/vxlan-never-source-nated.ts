// VXLAN traffic is never source-NATed: on the wire the outer source is the sending node's IP, the outer UDP
// source port is the flow hash of the inner frame, and the inner addresses are the pods' own (seed q11, q14;
// DATAPATH.md §6.4, §9; P12).
import { ip4, ip4ToString, readU16 } from '../packet/index.ts';
import { l2FlowHash, vxlanSourcePort } from '../reference/flow-hash.ts';
import { clusterCaseArb, describeConnection, runClusterCase, type ClusterCase } from './harness.ts';
import { connectionWire, findLayer, layersOf } from './common.ts';
import { invalid, VALID, type PropertyDef } from './types.ts';

export const vxlanNeverSourceNated: PropertyDef<ClusterCase> = {
  id: 'vxlan-never-source-nated',
  description: 'encapsulated traffic leaves with the node IP and the flow-hash source port, inner addresses untouched',
  seedSteps: ['q11', 'q14', 'I11', 'P12'],
  masks: [],
  arbitrary: () => clusterCaseArb(),
  async check(c, adapter) {
    const run = await runClusterCase(c, adapter);
    const nodeIps = new Set(run.rendered.topology.nodes.map((n) => n.ip.network));
    for (const s of run.sent) {
      const podIps = new Set([s.connection.src, s.connection.dst].map((e) => ('pod' in e ? run.rendered.podByKey.get(e.pod)!.ip : ip4(e.ip))));
      for (const w of connectionWire(s)) {
        const outer = findLayer(layersOf(w), 'ipv4');
        if (!outer || outer.protocol !== 17 || w.data.length < 64) return invalid(`${describeConnection(s.connection)}: a frame on ${w.point} is not VXLAN over IPv4/UDP`, { packet: w.packet });
        if (!nodeIps.has(outer.src)) return invalid(`${describeConnection(s.connection)}: outer source ${ip4ToString(outer.src)} on ${w.point} is not a node IP (source-NATed)`, { packet: w.packet, received: ip4ToString(outer.src) });
        const inner = w.data.subarray(50);
        const want = vxlanSourcePort(l2FlowHash(inner));
        const sport = readU16(w.data, 34);
        if (sport !== want) return invalid(`${describeConnection(s.connection)}: outer UDP source port ${sport} on ${w.point}, the flow hash gives ${want}`, { packet: w.packet, expected: String(want), received: String(sport) });
        const innerIp = findLayer(layersOf({ ...w, data: inner }), 'ipv4');
        if (!innerIp || !podIps.has(innerIp.src) || !podIps.has(innerIp.dst)) return invalid(`${describeConnection(s.connection)}: inner addresses changed on ${w.point}`, { packet: w.packet });
      }
    }
    return VALID;
  },
};
