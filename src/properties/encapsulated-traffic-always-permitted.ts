// Encapsulated traffic (VXLAN, UDP/4789 node to node) is always permitted by every ACL on the node
// interfaces: the Global ACL on the sender's main NIC and the Reflective ACL on the receiver's (seed q10, q13;
// P3). Black-box: an allowed cross-node request reaches the receiver's wire and pod; with traces, no ACL
// record on an outer VXLAN packet says deny.
import { clusterCaseArb, describeConnection, runClusterCase, type ClusterCase } from './harness.ts';
import { delivered, exchanges } from './common.ts';
import { invalid, VALID, type PropertyDef } from './types.ts';

interface AclLike {
  kind: 'acl';
  action: number;
  tuple: { proto: number; port1: number };
}

export const encapsulatedTrafficAlwaysPermitted: PropertyDef<ClusterCase> = {
  id: 'encapsulated-traffic-always-permitted',
  description: 'no ACL on a node interface ever denies VXLAN between nodes',
  seedSteps: ['q10', 'q13', 'I10', 'P3'],
  masks: [],
  arbitrary: () => clusterCaseArb(),
  async check(c, adapter) {
    const run = await runClusterCase(c, adapter);
    for (const s of run.sent) {
      for (const { obs, packet: pkt } of exchanges(s)) {
        for (const t of obs.traces?.get(pkt!) ?? []) {
          for (const r of t.records as { node: string; body: unknown }[]) {
            const b = r.body as AclLike;
            if (b?.kind === 'acl' && b.tuple.proto === 17 && b.tuple.port1 === 4789 && b.action === 0) {
              return invalid(`${describeConnection(s.connection)}: ${r.node} on node ${t.nodeId} denied an encapsulated packet`, { packet: pkt! });
            }
          }
        }
      }
      if (s.expected === 'allow' && !delivered(s.request, 'pod' in s.connection.dst ? s.connection.dst.pod : '')) {
        return invalid(`${describeConnection(s.connection)}: allowed by policy, not delivered`, { packet: s.requestPacket });
      }
    }
    return VALID;
  },
};
