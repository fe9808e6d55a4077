// The response of a connection crosses the same nodes as the request, in reverse, through the same tunnel pair
// (outer addresses swapped) (seed r6 = q7–q9 with the roles swapped). ICMP is excluded: VPP 18.01 judges echo
// replies by rules, so a reply may legitimately stop on the server's node (D8).
import { readU32 } from '../packet/index.ts';
import { clusterCaseArb, describeConnection, runClusterCase, type ClusterCase } from './harness.ts';
import { wireCaptures } from './common.ts';
import { invalid, VALID, type PropertyDef } from './types.ts';

export const responsePathMirrorsRequest: PropertyDef<ClusterCase> = {
  id: 'response-path-mirrors-request',
  description: 'the response crosses the same node pair as the request, outer addresses swapped',
  seedSteps: ['r6', 'r11'],
  masks: [],
  arbitrary: () => clusterCaseArb(),
  async check(c, adapter) {
    const run = await runClusterCase(c, adapter);
    for (const s of run.sent) {
      if (!s.reply || s.connection.protocol === 'ICMP') continue;
      const q = wireCaptures(s.request);
      const r = wireCaptures(s.reply).filter((x) => x.packet === s.replyPacket);
      if ((q.length > 0) !== (r.length > 0)) return invalid(`${describeConnection(s.connection)}: the request ${q.length ? 'crossed' : 'did not cross'} the wire, the response ${r.length ? 'did' : 'did not'}`, { packet: s.replyPacket! });
      if (q.length === 0) continue;
      const [qs, qd] = [readU32(q[0]!.data, 26), readU32(q[0]!.data, 30)];
      const [rs, rd] = [readU32(r[0]!.data, 26), readU32(r[0]!.data, 30)];
      if (qs !== rd || qd !== rs) return invalid(`${describeConnection(s.connection)}: the response's outer addresses are not the request's swapped`, { packet: s.replyPacket! });
    }
    return VALID;
  },
};
