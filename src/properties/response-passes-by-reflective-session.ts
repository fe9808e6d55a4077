// Every response of an allowed connection is delivered, whatever the policies in the response direction say:
// it passes by the sessions the Reflective ACLs created for the request (seed r3, r5, r7, r9; docs/datapath.md §5
// response rule). ICMP is excluded: VPP 18.01 judges echo replies by rules (D8).
import { clusterCaseArb, exchangeFacts, runClusterCase, type ClusterCase } from './harness.ts';
import { delivered } from './common.ts';
import { claim, verdictOf, type Claim, type ClaimMessages, type PropertyDef } from './types.ts';

const CLAIMS: ClaimMessages = {
  'response-not-delivered': (c) => `${c.connection}: the request arrived but the response was not delivered${c.received && c.received !== 'not delivered' ? ` (${c.received})` : ''}`,
};

export const responsePassesByReflectiveSession: PropertyDef<ClusterCase> = {
  id: 'response-passes-by-reflective-session',
  description: 'the response of an allowed connection is delivered through reflective sessions, whatever the policies',
  seedSteps: ['r3', 'r5', 'r7', 'r9', 'I14'],
  claims: CLAIMS,
  arbitrary: () => clusterCaseArb(),
  async check(c, adapter) {
    const run = await runClusterCase(c, adapter);
    const claims: Claim[] = [];
    for (const s of run.sent) {
      if (!s.reply || s.connection.protocol === 'ICMP') continue;
      const client = 'pod' in s.connection.src ? s.connection.src.pod : '';
      if (!delivered(s.reply, client)) {
        const fate = s.reply.outcomes?.get(s.replyPacket!)?.[0];
        const received = fate && fate.kind === 'dropped' ? `dropped on node ${fate.nodeId} by ${fate.node}: ${fate.error}` : 'not delivered';
        claims.push(claim(CLAIMS, { code: 'response-not-delivered', ...exchangeFacts(s, 'reply'), point: `pod:${client}:rx`, layer: 'delivery', expected: 'delivered', received }));
      }
    }
    return verdictOf(claims);
  },
};
