// Traffic from a pod to a host outside the cluster leaves its node on the main NIC towards the default gateway,
// source-NATed to the node IP (Contiv's dynamic SNAT in NAT44's output feature), and the outside host's reply,
// sent back to the node IP, returns to the pod that sent the request with the addresses it used
// (docs/datapath.md §17; P18). Policies still decide: the client's egress policies, in its node's Global ACL on
// the main NIC, may deny it — then nothing leaves.
import fc from 'fast-check';
import { encodePacket, ip4, ip4ToString, mac, VXLAN_PORT } from '../packet/index.ts';
import { clusterArb } from '../generators/cluster.ts';
import { withNodeStacks } from '../generators/services.ts';
import { contivFormula, firstPacket, replyPacket } from '../policy/contiv/semantics.ts';
import type { Cluster, Connection } from '../policy/types.ts';
import { configureCase } from './harness.ts';
import { adapterTopology } from './resolve.ts';
import { tupleOf, tupleText } from './service-harness.ts';
import { claim, verdictOf, type Claim, type ClaimMessages, type PropertyDef } from './types.ts';

/** Hosts outside the cluster: TEST-NET-3 (RFC 5737), never a cluster address. */
export const OUTSIDE_NET = '203.0.113.';

export interface OutsideConnectionSpec {
  client: number;
  /** 203.0.113.<10 + host> */
  host: number;
  protocol: 'TCP' | 'UDP';
  port: number;
  sport: number;
}

export interface OutsideCase {
  cluster: Cluster;
  connections: OutsideConnectionSpec[];
}

export function outsideCaseArb(): fc.Arbitrary<OutsideCase> {
  const conn = fc
    .tuple(fc.nat(), fc.nat(200), fc.constantFrom('TCP' as const, 'UDP' as const), fc.constantFrom(53, 80, 443, 8080), fc.integer({ min: 1024, max: 65535 }))
    .map(([client, host, protocol, port, sport]) => ({ client, host, protocol, port, sport }));
  return fc.tuple(clusterArb({ minPods: 1, maxPods: 6, maxPolicies: 2, topology: 'varied' }), fc.array(conn, { minLength: 1, maxLength: 4 })).map(([cluster, connections]) => ({ cluster, connections }));
}

const CLAIMS: ClaimMessages = {
  'did-not-leave': (c) => `${c.connection}: allowed by the client's egress policies, but nothing left ${c.point} for the gateway`,
  'left-though-denied': (c) => `${c.connection}: denied by the client's egress policies, yet it left on ${c.point}`,
  'left-twice': (c) => `${c.connection}: the request left ${c.received} on ${c.point}`,
  'not-source-nated': (c) => `${c.connection}: it left ${c.point} from ${c.received}, expected the node IP ${c.expected}`,
  'wrong-gateway': (c) => `${c.connection}: it left ${c.point} to MAC ${c.received}, the gateway is ${c.expected}`,
  'destination-changed': (c) => `${c.connection}: it left ${c.point} to ${c.received}, expected ${c.expected}`,
  'reply-lost': (c) => `${c.connection}: the outside host's reply to ${c.expected} never reached the pod`,
  'reply-not-untranslated': (c) => `${c.connection}: the pod got the reply as ${c.received}, expected ${c.expected}`,
};

export const outsideLeavesWithNodeIp: PropertyDef<OutsideCase> = {
  id: 'outside-leaves-with-node-ip',
  description: 'traffic to outside the cluster leaves with the node IP towards the gateway, and its reply returns to the pod',
  seedSteps: ['§17', 'P18'],
  claims: CLAIMS,
  arbitrary: outsideCaseArb,
  async check(c, adapter) {
    if (!adapter.capabilities.services) return { status: 'unknown', reason: `adapter ${adapter.name} does not carry traffic to the outside (capabilities.services)` };
    const { correct, given } = await configureCase(withNodeStacks(c.cluster), adapter);
    const topology = given.topology;
    const nodes = adapterTopology(topology).nodes;
    const pods = topology.nodes.flatMap((n) => n.pods);
    if (pods.length === 0) return { status: 'unknown', reason: 'the cluster has no pod' };
    const claims: Claim[] = [];
    let packet = 0;
    let checked = 0;
    for (const spec of c.connections) {
      const client = pods[spec.client % pods.length]!;
      const node = topology.nodeById.get(client.nodeId)!;
      const gw = nodes.find((n) => n.id === node.id)!.gateway;
      if (!gw) return { status: 'unknown', reason: `node ${node.id} has no default gateway` };
      const outside = ip4(`${OUTSIDE_NET}${10 + spec.host}`);
      const conn: Connection = { src: { pod: client.name }, dst: { ip: ip4ToString(outside) }, protocol: spec.protocol, port: spec.port };
      const what = `${client.name} -> ${ip4ToString(outside)} ${spec.protocol}/${spec.port}`;
      const expected = contivFormula(correct, conn);
      await adapter.reset();
      const requestPacket = packet++;
      const frame = encodePacket([{ kind: 'ethernet', dst: client.tap.mac!, src: 0x000000000002 }, ...firstPacket(conn, client.ip, outside, spec.sport)]);
      const obs = await adapter.inject([{ packet: requestPacket, at: requestPacket * 0.001, from: { pod: client.name }, frame }]);
      const point = `node:${node.id}:wire`;
      const facts = { connection: what, protocol: spec.protocol, exchange: 'request' as const, packet: requestPacket, point };
      // Frames leaving for the outside: on the client node's wire, plain IPv4 (not VXLAN) to the outside host.
      const left = obs.captures.filter((x) => {
        if (x.packet !== requestPacket || x.point !== point) return false;
        const t = tupleOf(x.data);
        return t !== undefined && t.dst === outside && !(t.proto === 17 && t.dport === VXLAN_PORT);
      });
      if (expected === 'deny') {
        if (left.length > 0) claims.push(claim(CLAIMS, { code: 'left-though-denied', ...facts, layer: 'acl', expected: 'deny', received: 'left' }));
        continue;
      }
      checked++;
      if (left.length === 0) {
        claims.push(claim(CLAIMS, { code: 'did-not-leave', ...facts, layer: 'delivery', expected: 'allow', received: 'nothing left' }));
        continue;
      }
      if (left.length > 1) claims.push(claim(CLAIMS, { code: 'left-twice', ...facts, layer: 'delivery', expected: 'once', received: `${left.length} times` }));
      const out = left[0]!;
      const t = tupleOf(out.data)!;
      const dstMac = Array.from(out.data.subarray(0, 6), (b) => b.toString(16).padStart(2, '0')).join(':');
      if (dstMac !== gw.mac.toLowerCase()) claims.push(claim(CLAIMS, { code: 'wrong-gateway', ...facts, layer: 'ethernet', field: 'dst', expected: gw.mac, received: dstMac }));
      if (t.src !== node.ip.network) claims.push(claim(CLAIMS, { code: 'not-source-nated', ...facts, layer: 'ipv4', field: 'src', expected: ip4ToString(node.ip.network), received: ip4ToString(t.src) }));
      if (t.dport !== spec.port) claims.push(claim(CLAIMS, { code: 'destination-changed', ...facts, layer: spec.protocol.toLowerCase(), field: 'dstPort', expected: `${ip4ToString(outside)}:${spec.port}`, received: tupleText(t) }));
      // The outside host answers the address and port it saw, through the gateway.
      const replyPacketIndex = packet++;
      const reply = encodePacket([{ kind: 'ethernet', dst: node.gbe.mac!, src: mac(gw.mac) }, ...replyPacket({ ...conn, port: t.dport }, t.src, t.dst, t.sport)]);
      const back = await adapter.inject([{ packet: replyPacketIndex, at: replyPacketIndex * 0.001, from: { node: node.id, wire: true }, frame: reply }]);
      const rx = `pod:${client.name}:rx`;
      const got = back.captures.filter((x) => x.packet === replyPacketIndex && x.point === rx);
      const rfacts = { connection: what, protocol: spec.protocol, exchange: 'reply' as const, packet: replyPacketIndex, point: rx };
      const want = `${ip4ToString(outside)}:${spec.port} -> ${ip4ToString(client.ip)}:${spec.sport}`;
      if (got.length === 0) claims.push(claim(CLAIMS, { code: 'reply-lost', ...rfacts, layer: 'delivery', expected: `${ip4ToString(t.src)}:${t.sport}`, received: 'not delivered' }));
      for (const g of got) {
        const rt = tupleOf(g.data);
        const text = rt ? tupleText(rt) : 'not IPv4';
        if (text !== want) claims.push(claim(CLAIMS, { code: 'reply-not-untranslated', ...rfacts, layer: 'ipv4', expected: want, received: text }));
      }
    }
    if (checked === 0 && claims.length === 0) return { status: 'unknown', reason: 'every connection was denied by policy (nothing left to check)' };
    return verdictOf(claims);
  },
};
