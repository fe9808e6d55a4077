// The response of a connection crosses the same nodes as the request, in reverse, through the same tunnel pair
// (outer addresses swapped) (seed r6 = q7–q9 with the roles swapped). ICMP is excluded: VPP 18.01 judges echo
// replies by rules, so a reply may legitimately stop on the server's node (D8).
import { ip4ToString, readU32 } from '../packet/index.ts';
import { clusterCaseArb, exchangeFacts, runClusterCase, type ClusterCase } from './harness.ts';
import { wireCaptures } from './common.ts';
import { claim, verdictOf, type Claim, type ClaimMessages, type PropertyDef } from './types.ts';

const CLAIMS: ClaimMessages = {
  'reply-path-asymmetric': (c) => `${c.connection}: the request ${c.expected === 'crossed' ? 'crossed' : 'did not cross'} the wire, the response ${c.received === 'crossed' ? 'did' : 'did not'}`,
  'outer-not-swapped': (c) => `${c.connection}: the response's outer addresses are not the request's swapped (${c.received}, expected ${c.expected})`,
};

export const responsePathMirrorsRequest: PropertyDef<ClusterCase> = {
  id: 'response-path-mirrors-request',
  description: 'the response crosses the same node pair as the request, outer addresses swapped',
  seedSteps: ['r6', 'r11'],
  claims: CLAIMS,
  arbitrary: () => clusterCaseArb(),
  async check(c, adapter) {
    const run = await runClusterCase(c, adapter);
    const claims: Claim[] = [];
    for (const s of run.sent) {
      if (!s.reply || s.connection.protocol === 'ICMP') continue;
      const q = wireCaptures(s.request);
      const r = wireCaptures(s.reply).filter((x) => x.packet === s.replyPacket);
      const at = exchangeFacts(s, 'reply');
      if ((q.length > 0) !== (r.length > 0)) {
        claims.push(claim(CLAIMS, { code: 'reply-path-asymmetric', ...at, point: (r[0] ?? q[0])!.point, layer: 'wire', field: 'crossed', expected: q.length ? 'crossed' : 'not crossed', received: r.length ? 'crossed' : 'not crossed' }));
        continue;
      }
      if (q.length === 0) continue;
      const [qs, qd] = [readU32(q[0]!.data, 26), readU32(q[0]!.data, 30)];
      const [rs, rd] = [readU32(r[0]!.data, 26), readU32(r[0]!.data, 30)];
      if (qs !== rd || qd !== rs) claims.push(claim(CLAIMS, { code: 'outer-not-swapped', ...at, point: r[0]!.point, layer: 'outer ipv4', field: 'src/dst', expected: `${ip4ToString(qd)} -> ${ip4ToString(qs)}`, received: `${ip4ToString(rs)} -> ${ip4ToString(rd)}` }));
    }
    return verdictOf(claims);
  },
};
