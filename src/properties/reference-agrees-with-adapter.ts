// Differential: the adapter under test delivers exactly what the reference model delivers, byte for byte at
// every pod, for every connection of the case. For the reference model itself this checks the behaviour its
// two profiles share (vpp-18.01-contiv vs vpp-current); ICMP replies are excluded there (D8 differs by design).
// An adapter's declared known divergences for this property (capabilities.knownDivergences, checked-in data)
// excuse exactly the exchanges (protocol, request/reply) and frame bytes they name, nothing else.
import { toHex } from '../packet/index.ts';
import type { Capture, KnownDivergence } from '../adapters/adapter.ts';
import { clusterCaseArb, describeConnection, runClusterCase, type ClusterCase } from './harness.ts';
import { invalid, VALID, type PropertyDef } from './types.ts';

const REFERENCE_18 = 'reference(vpp-18.01-contiv)';

export const referenceAgreesWithAdapter: PropertyDef<ClusterCase> = {
  id: 'reference-agrees-with-adapter',
  description: 'the adapter delivers the same frames to the same pods as the reference model',
  seedSteps: ['all'],
  masks: [],
  arbitrary: () => clusterCaseArb(),
  async check(c, adapter, ctx) {
    const other = ctx.reference(adapter.capabilities.referenceProfile ?? (adapter.name === REFERENCE_18 ? 'vpp-current' : 'vpp-18.01-contiv'));
    const [a, b] = [await runClusterCase(c, adapter), await runClusterCase(c, other)];
    const profilesOnly = adapter.name.startsWith('reference(');
    const excuses: readonly KnownDivergence[] = (adapter.capabilities.knownDivergences ?? []).filter((d) => d.property === referenceAgreesWithAdapter.id);
    const excused = (protocol: string, label: string) => excuses.some((d) => d.protocols?.includes(protocol) && (d.exchange === undefined || d.exchange === label));
    const masked = (k: Capture): Uint8Array => {
      const data = Uint8Array.from(k.data);
      for (const d of excuses) if (d.mask && new RegExp(d.mask.point).test(k.point)) for (const [o, l] of d.mask.bytes) data.fill(0, o, o + l);
      return data;
    };
    for (let i = 0; i < a.sent.length; i++) {
      const x = a.sent[i]!;
      const y = b.sent[i]!;
      for (const [label, ox, oy] of [['request', x.request, y.request], ['reply', x.reply, y.reply]] as const) {
        if (label === 'reply' && profilesOnly && x.connection.protocol === 'ICMP') continue;
        if (excused(x.connection.protocol, label)) continue;
        const rx = (o: typeof ox): string[] => (o?.captures ?? []).filter((k) => k.point.endsWith(':rx')).map((k) => `${k.point} ${toHex(masked(k))}`);
        const [fx, fy] = [rx(ox), rx(oy)];
        if (fx.join('|') !== fy.join('|')) {
          return invalid(`${describeConnection(x.connection)}: the ${label} reached ${fx.length ? fx.map((s) => s.split(' ')[0]).join(', ') : 'no pod'} on ${adapter.name}, ${fy.length ? fy.map((s) => s.split(' ')[0]).join(', ') : 'no pod'} on ${other.name}${fx.length && fy.length ? ' (different bytes)' : ''}`, {
            expected: fy.join('\n') || 'nothing',
            received: fx.join('\n') || 'nothing',
            packet: label === 'request' ? x.requestPacket : x.replyPacket ?? x.requestPacket,
          });
        }
      }
    }
    return VALID;
  },
};
