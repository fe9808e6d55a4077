// Encapsulated traffic (VXLAN, UDP/4789 node to node) is always permitted by every ACL on the node
// interfaces: the Global ACL on the sender's main NIC and the Reflective ACL on the receiver's (seed q10, q13;
// P3). Black-box: an allowed cross-node request reaches the receiver's wire and pod; with traces, no ACL
// record on an outer VXLAN packet says deny.
import { VXLAN_PORT } from '../packet/index.ts';
import { clusterCaseArb, exchangeFacts, runClusterCase, type ClusterCase } from './harness.ts';
import { delivered, exchanges } from './common.ts';
import { claim, verdictOf, type Claim, type ClaimMessages, type PropertyDef } from './types.ts';

interface AclLike {
  kind: 'acl';
  action: number;
  tuple: { proto: number; port1: number };
}

const CLAIMS: ClaimMessages = {
  'acl-denied-encap': (c) => `${c.connection}: ${c.field} on ${c.point} denied an encapsulated packet`,
  'not-delivered': (c) => `${c.connection}: allowed by policy, not delivered`,
};

export const encapsulatedTrafficAlwaysPermitted: PropertyDef<ClusterCase> = {
  id: 'encapsulated-traffic-always-permitted',
  description: 'no ACL on a node interface ever denies VXLAN between nodes',
  seedSteps: ['q10', 'q13', 'I10', 'P3'],
  claims: CLAIMS,
  arbitrary: () => clusterCaseArb(),
  async check(c, adapter) {
    const run = await runClusterCase(c, adapter);
    const claims: Claim[] = [];
    for (const s of run.sent) {
      for (const [i, { obs, packet: pkt }] of exchanges(s).entries()) {
        for (const t of obs.traces?.get(pkt) ?? []) {
          for (const r of t.records as { node: string; body: unknown }[]) {
            const b = r.body as AclLike;
            if (b?.kind === 'acl' && b.tuple.proto === 17 && b.tuple.port1 === VXLAN_PORT && b.action === 0) {
              claims.push(claim(CLAIMS, { code: 'acl-denied-encap', ...exchangeFacts(s, i === 0 ? 'request' : 'reply'), packet: pkt, point: `node:${t.nodeId}`, layer: 'acl', field: r.node, expected: 'permit', received: 'deny' }));
            }
          }
        }
      }
      const server = 'pod' in s.connection.dst ? s.connection.dst.pod : '';
      if (s.expected === 'allow' && !delivered(s.request, server)) {
        claims.push(claim(CLAIMS, { code: 'not-delivered', ...exchangeFacts(s, 'request'), point: `pod:${server}:rx`, layer: 'delivery', expected: 'delivered', received: 'not delivered' }));
      }
    }
    return verdictOf(claims);
  },
};
