// The first packet of a fresh connection between two pods (same node or across nodes, TCP/UDP/ICMP/SCTP) is
// delivered iff the contiv semantics — the decision formula over Contiv's rendered tables (docs/datapath.md §5) —
// allows it. Seed: q3 (client egress on the client's node), q18 / SN-q8 (server ingress on the server's node).
import { clusterCaseArb, exchangeFacts, runClusterCase, type ClusterCase } from './harness.ts';
import { delivered } from './common.ts';
import { claim, verdictOf, type Claim, type ClaimMessages, type PropertyDef } from './types.ts';

const CLAIMS: ClaimMessages = {
  'verdict-differs': (c) => `${c.connection}: the data path says ${c.received}, the policy semantics ${c.expected}`,
};

export const connectionVerdictEqualsPolicy: PropertyDef<ClusterCase> = {
  id: 'connection-verdict-equals-policy',
  description: 'a fresh connection\'s first packet is delivered iff Contiv\'s policy semantics allows it',
  seedSteps: ['q3', 'q18', 'SN-q8'],
  claims: CLAIMS,
  arbitrary: () => clusterCaseArb(),
  async check(c, adapter) {
    const run = await runClusterCase(c, adapter);
    const claims: Claim[] = [];
    for (const s of run.sent) {
      const server = 'pod' in s.connection.dst ? s.connection.dst.pod : '';
      const got = delivered(s.request, server) ? 'allow' : 'deny';
      if (got !== s.expected) claims.push(claim(CLAIMS, { code: 'verdict-differs', ...exchangeFacts(s, 'request'), point: `pod:${server}:rx`, layer: 'delivery', expected: s.expected, received: got }));
    }
    return verdictOf(claims);
  },
};
