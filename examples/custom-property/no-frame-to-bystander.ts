// A property of your own: no frame of a connection is delivered to a pod other than its destination — the request
// reaches at most the server, the reply at most the client. Built on podflow's cluster case (a generated cluster,
// its policies rendered as Contiv does, connections sent one by one), so it runs on every adapter.
import { claim, clusterCaseArb, describeConnection, runClusterCase, verdictOf, type Claim, type ClaimMessages, type ClusterCase, type PropertyDef } from 'podflow/properties';

const CLAIMS: ClaimMessages = {
  'delivered-to-bystander': (c) => `${c.connection}: the ${c.exchange} was delivered to ${c.received}, not only to ${c.expected}`,
};

/** The pods an observation delivered frames to (capture points `pod:<name>:rx`). */
function receivers(captures: readonly { point: string }[]): string[] {
  return captures.flatMap((c) => /^pod:(.+):rx$/.exec(c.point)?.[1] ?? []);
}

export const noFrameToBystander: PropertyDef<ClusterCase> = {
  id: 'no-frame-to-bystander',
  description: 'no frame of a connection is delivered to a pod other than its destination',
  seedSteps: [],
  claims: CLAIMS,
  arbitrary: () => clusterCaseArb(),
  async check(c, adapter) {
    const run = await runClusterCase(c, adapter);
    const claims: Claim[] = [];
    for (const s of run.sent) {
      if (!('pod' in s.connection.src) || !('pod' in s.connection.dst)) continue;
      const exchanges = [
        { exchange: 'request' as const, obs: s.request, packet: s.requestPacket, to: s.connection.dst.pod },
        ...(s.reply ? [{ exchange: 'reply' as const, obs: s.reply, packet: s.replyPacket!, to: s.connection.src.pod }] : []),
      ];
      for (const x of exchanges) {
        for (const pod of new Set(receivers(x.obs.captures))) {
          if (pod === x.to) continue;
          claims.push(claim(CLAIMS, { code: 'delivered-to-bystander', connection: describeConnection(s.connection), protocol: s.connection.protocol, exchange: x.exchange, packet: x.packet, point: `pod:${pod}:rx`, layer: 'delivery', expected: x.to, received: pod }));
        }
      }
    }
    return verdictOf(claims);
  },
};
