// The first packet of a fresh connection between two pods (same node or across nodes, TCP/UDP/ICMP/SCTP) is
// delivered iff the contiv semantics — the decision formula over Contiv's rendered tables (DATAPATH.md §5) —
// allows it. Seed: q3 (client egress on the client's node), q18 / SN-q8 (server ingress on the server's node).
import { describeConnection, clusterCaseArb, runClusterCase, type ClusterCase } from './harness.ts';
import { delivered } from './common.ts';
import { invalid, VALID, type PropertyDef } from './types.ts';

export const connectionVerdictEqualsPolicy: PropertyDef<ClusterCase> = {
  id: 'connection-verdict-equals-policy',
  description: 'a fresh connection\'s first packet is delivered iff Contiv\'s policy semantics allows it',
  seedSteps: ['q3', 'q18', 'SN-q8'],
  masks: [],
  arbitrary: () => clusterCaseArb(),
  async check(c, adapter) {
    const run = await runClusterCase(c, adapter);
    for (const s of run.sent) {
      const server = 'pod' in s.connection.dst ? s.connection.dst.pod : '';
      const got = delivered(s.request, server) ? 'allow' : 'deny';
      if (got !== s.expected) return invalid(`${describeConnection(s.connection)}: the data path says ${got}, the policy semantics ${s.expected}`, { expected: s.expected, received: got, packet: s.requestPacket });
    }
    return VALID;
  },
};
