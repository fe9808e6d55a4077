// Differential: the adapter under test delivers exactly what the reference model delivers, byte for byte at
// every pod, for every connection of the case. For the reference model itself this checks the behaviour its
// two profiles share (vpp-18.01-contiv vs vpp-current); ICMP replies are excluded there (D8 differs by design).
// One claim per exchange that differs (protocol and request/reply as facts: an adapter's known divergences
// excuse exactly those); declared byte masks (capabilities.knownDivergences' `mask`) blank the bytes they name
// before comparing, nothing else.
import { toHex } from '../packet/index.ts';
import type { Capture, KnownDivergence } from '../adapters/adapter.ts';
import { clusterCaseArb, exchangeFacts, runClusterCase, type ClusterCase } from './harness.ts';
import { claim, verdictOf, type Claim, type ClaimMessages, type PropertyDef } from './types.ts';

const REFERENCE_18 = 'reference(vpp-18.01-contiv)';

/** `pod:a:rx 0011…` lines → `pod:a:rx, pod:b:rx` (or `no pod`). */
const points = (lines: string | undefined): string => (lines && lines !== 'nothing' ? lines.split('\n').map((l) => l.split(' ')[0]).join(', ') : 'no pod');

const CLAIMS: ClaimMessages = {
  'differs-from-reference': (c) => `${c.connection}: the ${c.exchange} reached ${points(c.received)} on the adapter, ${points(c.expected)} on the reference${c.received !== 'nothing' && c.expected !== 'nothing' ? ' (different bytes)' : ''}`,
};

export const referenceAgreesWithAdapter: PropertyDef<ClusterCase> = {
  id: 'reference-agrees-with-adapter',
  description: 'the adapter delivers the same frames to the same pods as the reference model',
  seedSteps: ['all'],
  claims: CLAIMS,
  arbitrary: () => clusterCaseArb(),
  async check(c, adapter, ctx) {
    const other = ctx.reference(adapter.capabilities.referenceProfile ?? (adapter.name === REFERENCE_18 ? 'vpp-current' : 'vpp-18.01-contiv'));
    const [a, b] = [await runClusterCase(c, adapter), await runClusterCase(c, other)];
    const profilesOnly = adapter.name.startsWith('reference(');
    const masks: readonly KnownDivergence[] = (adapter.capabilities.knownDivergences ?? []).filter((d) => d.property === referenceAgreesWithAdapter.id && d.mask);
    const masked = (k: Capture): Uint8Array => {
      if (masks.length === 0) return k.data;
      const data = Uint8Array.from(k.data);
      for (const d of masks) if (new RegExp(d.mask!.point).test(k.point)) for (const [o, l] of d.mask!.bytes) data.fill(0, o, o + l);
      return data;
    };
    const claims: Claim[] = [];
    for (let i = 0; i < a.sent.length; i++) {
      const x = a.sent[i]!;
      const y = b.sent[i]!;
      for (const [label, ox, oy] of [['request', x.request, y.request], ['reply', x.reply, y.reply]] as const) {
        if (label === 'reply' && profilesOnly && x.connection.protocol === 'ICMP') continue;
        const rx = (o: typeof ox): string[] => (o?.captures ?? []).filter((k) => k.point.endsWith(':rx')).map((k) => `${k.point} ${toHex(masked(k))}`);
        const [fx, fy] = [rx(ox), rx(oy)];
        if (fx.join('|') !== fy.join('|')) {
          const first = fx.find((l, j) => l !== fy[j]) ?? fy.find((l, j) => l !== fx[j]);
          claims.push(claim(CLAIMS, { code: 'differs-from-reference', ...exchangeFacts(x, label), point: first!.split(' ')[0]!, layer: 'delivery', field: 'frames', expected: fy.join('\n') || 'nothing', received: fx.join('\n') || 'nothing' }));
        }
      }
    }
    return verdictOf(claims);
  },
};
