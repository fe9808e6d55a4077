// VXLAN traffic is never source-NATed: on the wire the outer source is the sending node's IP, the outer UDP
// source port is the flow hash of the inner frame, and the inner addresses are the pods' own (seed q11, q14;
// docs/datapath.md §6.4, §9; P12).
import { ip4, ip4ToString, readU16 } from '../packet/index.ts';
import { l2FlowHash, vxlanSourcePort } from '../reference/flow-hash.ts';
import type { Capture } from '../adapters/adapter.ts';
import { clusterCaseArb, exchangeFacts, exchangeOf, runClusterCase, type ClusterCase, type SentConnection } from './harness.ts';
import { connectionWire, findLayer, layersOf } from './common.ts';
import { claim, verdictOf, type Claim, type ClaimFacts, type ClaimMessages, type PropertyDef } from './types.ts';

const CLAIMS: ClaimMessages = {
  'not-vxlan': (c) => `${c.connection}: a frame on ${c.point} is not VXLAN over IPv4/UDP`,
  'outer-source-nated': (c) => `${c.connection}: outer source ${c.received} on ${c.point} is not a node IP (source-NATed)`,
  'outer-source-port': (c) => `${c.connection}: outer UDP source port ${c.received} on ${c.point}, the flow hash gives ${c.expected}`,
  'inner-addresses-changed': (c) => `${c.connection}: inner addresses changed on ${c.point} (${c.received}, expected ${c.expected})`,
};

/** The facts naming a wire frame of a connection (built only for a claim: this is per frame on the wire). */
function wireAt(s: SentConnection, w: Capture): Omit<ClaimFacts, 'code'> {
  return { ...exchangeFacts(s, exchangeOf(s, w.packet)), packet: w.packet, point: w.point };
}

/** What is wrong with one VXLAN frame on the wire, if anything: facts for a claim of the caller's (codes of CLAIMS). */
export function vxlanFrameProblems(w: Capture, nodeIps: ReadonlySet<number>, innerIps: ReadonlySet<number>): Omit<ClaimFacts, 'point' | 'packet' | 'connection'>[] {
  const out: Omit<ClaimFacts, 'point' | 'packet' | 'connection'>[] = [];
  const outer = findLayer(layersOf(w), 'ipv4');
  if (!outer || outer.protocol !== 17 || w.data.length < 64) {
    out.push({ code: 'not-vxlan', layer: 'outer ipv4', field: 'protocol', expected: 'UDP/VXLAN', received: outer ? `protocol ${outer.protocol}, ${w.data.length} bytes` : 'not IPv4' });
    return out;
  }
  if (!nodeIps.has(outer.src)) out.push({ code: 'outer-source-nated', layer: 'outer ipv4', field: 'src', expected: 'a node IP', received: ip4ToString(outer.src) });
  const inner = w.data.subarray(50);
  const want = vxlanSourcePort(l2FlowHash(inner));
  const sport = readU16(w.data, 34);
  if (sport !== want) out.push({ code: 'outer-source-port', layer: 'outer udp', field: 'srcPort', expected: String(want), received: String(sport) });
  const innerIp = findLayer(layersOf({ ...w, data: inner }), 'ipv4');
  if (!innerIp || !innerIps.has(innerIp.src) || !innerIps.has(innerIp.dst)) {
    out.push({ code: 'inner-addresses-changed', layer: 'inner ipv4', field: 'src/dst', expected: [...innerIps].map(ip4ToString).join(' and '), received: innerIp ? `${ip4ToString(innerIp.src)} -> ${ip4ToString(innerIp.dst)}` : 'no inner IPv4' });
  }
  return out;
}

export const vxlanNeverSourceNated: PropertyDef<ClusterCase> = {
  id: 'vxlan-never-source-nated',
  description: 'encapsulated traffic leaves with the node IP and the flow-hash source port, inner addresses untouched',
  seedSteps: ['q11', 'q14', 'I11', 'P12'],
  claims: CLAIMS,
  arbitrary: () => clusterCaseArb(),
  async check(c, adapter) {
    const run = await runClusterCase(c, adapter);
    const nodeIps = new Set(run.rendered.topology.nodes.map((n) => n.ip.network));
    const claims: Claim[] = [];
    for (const s of run.sent) {
      const podIps = new Set([s.connection.src, s.connection.dst].map((e) => ('pod' in e ? run.rendered.podByKey.get(e.pod)!.ip : ip4(e.ip))));
      for (const w of connectionWire(s)) for (const p of vxlanFrameProblems(w, nodeIps, podIps)) claims.push(claim(CLAIMS, { ...p, ...wireAt(s, w) }));
    }
    return verdictOf(claims);
  },
};
