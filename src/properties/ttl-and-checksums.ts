// Every VPP decrements the inner TTL exactly once (1 on the same node, 2 across nodes), every IP checksum is
// valid at every capture point, and the inner L4 header and payload arrive byte-identical; only TTL, the
// header checksum and the MACs change (DATAPATH.md §7.1; P8, P13).
import { checksumErrors, decodePacket, findLayer } from '../packet/index.ts';
import { clusterCaseArb, describeConnection, runClusterCase, type ClusterCase } from './harness.ts';
import { exchanges } from './common.ts';
import { invalid, VALID, type PropertyDef } from './types.ts';

export const ttlAndChecksums: PropertyDef<ClusterCase> = {
  id: 'ttl-and-checksums',
  description: 'inner TTL −1 per VPP, valid checksums at every capture point, inner L4 bytes preserved end to end',
  seedSteps: ['P8', 'P13'],
  masks: [],
  arbitrary: () => clusterCaseArb(),
  async check(c, adapter) {
    const run = await runClusterCase(c, adapter);
    for (const s of run.sent) {
      for (const { obs, packet: pkt } of exchanges(s)) {
        const mine = obs.captures.filter((x) => x.packet === pkt);
        for (const cap of mine) {
          const errs = checksumErrors(decodePacket(cap.data).layers);
          if (errs.length > 0) return invalid(`${describeConnection(s.connection)}: bad ${errs[0]!.layer} checksum at ${cap.point}`, { packet: pkt! });
        }
        const tx = mine.find((x) => x.point.endsWith(':tx'));
        const rx = mine.find((x) => x.point.endsWith(':rx'));
        if (!tx || !rx) continue;
        const crossed = mine.some((x) => x.point.startsWith('node:'));
        const sent = findLayer(decodePacket(tx.data).layers, 'ipv4')!;
        const got = findLayer(decodePacket(rx.data).layers, 'ipv4')!;
        if (got.ttl !== sent.ttl! - (crossed ? 2 : 1)) return invalid(`${describeConnection(s.connection)}: TTL ${sent.ttl} became ${got.ttl} (${crossed ? 2 : 1} VPP hop(s))`, { packet: pkt!, expected: String(sent.ttl! - (crossed ? 2 : 1)), received: String(got.ttl) });
        if (!Buffer.from(tx.data.subarray(34)).equals(Buffer.from(rx.data.subarray(34)))) return invalid(`${describeConnection(s.connection)}: the inner L4 header or payload changed on the way`, { packet: pkt! });
      }
    }
    return VALID;
  },
};
