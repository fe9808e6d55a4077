// The reference adapter reuses the model topology a resolved topology was derived from (MODEL_TOPOLOGY) instead
// of building it again: an optimisation that must not change a single observed byte, outcome or trace record.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReferenceAdapter } from '../../../src/adapters/reference/reference-adapter.ts';
import { clusterCaseArb, runClusterCase } from '../../../src/properties/harness.ts';
import { adapterTopology } from '../../../src/properties/resolve.ts';
import { renderCluster } from '../../../src/policy/contiv/render.ts';
import { MODEL_TOPOLOGY } from '../../../src/reference/topology/topology.ts';

describe('reference adapter with a linked model topology', () => {
  it('links the model topology without making it part of the data', () => {
    const c = fc.sample(clusterCaseArb(), { seed: 3, numRuns: 1 })[0]!;
    const t = renderCluster(c.cluster).topology;
    const resolved = adapterTopology(t);
    expect((resolved as unknown as Record<symbol, unknown>)[MODEL_TOPOLOGY]).toBe(t);
    expect(Object.keys(resolved)).not.toContain(String(MODEL_TOPOLOGY));
    expect(JSON.parse(JSON.stringify(resolved))).toEqual({ ...resolved });
  });

  it('observes exactly what an adapter that builds the topology itself observes', async () => {
    const linked = new ReferenceAdapter();
    const unlinked = new ReferenceAdapter();
    // The same adapter API with the link stripped (a spread copies enumerable keys only).
    const stripping = new Proxy(unlinked, {
      get(target, prop, receiver) {
        if (prop === 'setup') return (t: Parameters<ReferenceAdapter['setup']>[0], o: Parameters<ReferenceAdapter['setup']>[1]) => target.setup({ ...t }, o);
        return Reflect.get(target, prop, receiver);
      },
    });
    const strip = (o: unknown): unknown => JSON.parse(JSON.stringify(o, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v instanceof Map ? [...v] : v)));
    await fc.assert(
      fc.asyncProperty(clusterCaseArb(), async (c) => {
        const [a, b] = [await runClusterCase(c, linked), await runClusterCase(c, stripping)];
        expect(strip(a.sent)).toEqual(strip(b.sent));
      }),
      { seed: 11, numRuns: 150 },
    );
  });
});
