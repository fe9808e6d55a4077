// Every VPP decrements the inner TTL exactly once (1 on the same node, 2 across nodes), every IP checksum is
// valid at every capture point, and the inner L4 header and payload arrive byte-identical; only TTL, the
// header checksum and the MACs change (docs/datapath.md §7.1; P8, P13).
import { checksumErrors, decodePacket, findLayer } from '../packet/index.ts';
import { clusterCaseArb, exchangeFacts, runClusterCase, type ClusterCase } from './harness.ts';
import { exchanges } from './common.ts';
import { claim, verdictOf, type Claim, type ClaimMessages, type PropertyDef } from './types.ts';

const CLAIMS: ClaimMessages = {
  'bad-checksum': (c) => `${c.connection}: bad ${c.layer} checksum at ${c.point}`,
  ttl: (c) => `${c.connection}: TTL ${c.received} at ${c.point}, expected ${c.expected}`,
  'l4-changed': (c) => `${c.connection}: the inner L4 header or payload changed on the way (${c.point})`,
};

export const ttlAndChecksums: PropertyDef<ClusterCase> = {
  id: 'ttl-and-checksums',
  description: 'inner TTL −1 per VPP, valid checksums at every capture point, inner L4 bytes preserved end to end',
  seedSteps: ['P8', 'P13'],
  claims: CLAIMS,
  arbitrary: () => clusterCaseArb(),
  async check(c, adapter) {
    const run = await runClusterCase(c, adapter);
    const claims: Claim[] = [];
    for (const s of run.sent) {
      for (const [i, { obs, packet: pkt }] of exchanges(s).entries()) {
        const base = (): ReturnType<typeof exchangeFacts> => ({ ...exchangeFacts(s, i === 0 ? 'request' : 'reply'), packet: pkt });
        const mine = obs.captures.filter((x) => x.packet === pkt);
        for (const cap of mine) {
          for (const e of checksumErrors(decodePacket(cap.data).layers)) {
            claims.push(claim(CLAIMS, { code: 'bad-checksum', ...base(), point: cap.point, layer: e.layer, field: 'checksum', expected: 'valid', received: 'invalid' }));
          }
        }
        const tx = mine.find((x) => x.point.endsWith(':tx'));
        const rx = mine.find((x) => x.point.endsWith(':rx'));
        if (!tx || !rx) continue;
        const crossed = mine.some((x) => x.point.startsWith('node:'));
        const sent = findLayer(decodePacket(tx.data).layers, 'ipv4')!;
        const got = findLayer(decodePacket(rx.data).layers, 'ipv4')!;
        const want = sent.ttl! - (crossed ? 2 : 1);
        if (got.ttl !== want) claims.push(claim(CLAIMS, { code: 'ttl', ...base(), point: rx.point, layer: 'ipv4', field: 'ttl', expected: `${want} (${sent.ttl} sent, ${crossed ? 2 : 1} VPP hop${crossed ? 's' : ''})`, received: String(got.ttl) }));
        if (!Buffer.from(tx.data.subarray(34)).equals(Buffer.from(rx.data.subarray(34)))) claims.push(claim(CLAIMS, { code: 'l4-changed', ...base(), point: rx.point, layer: 'l4', field: 'bytes', expected: `as sent at ${tx.point}`, received: 'different bytes' }));
      }
    }
    return verdictOf(claims);
  },
};
