// The reference adapter takes its configuration through the adapter interface like every other adapter: the
// resolved topology is plain data (no hidden link to the model's own), and the adapter builds the model topology
// from it, once per content — a second adapter configured with the same cluster (the model a check compares
// with) reuses it. Reuse must not change a single observed byte, outcome or trace record.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReferenceAdapter } from '../../../src/adapters/reference/reference-adapter.ts';
import { adapterAcls, clusterCaseArb, runClusterCase } from '../../../src/properties/harness.ts';
import { adapterTopology } from '../../../src/properties/resolve.ts';
import { renderCluster } from '../../../src/policy/contiv/render.ts';
import { buildTopology } from '../../../src/reference/topology/topology.ts';

describe('reference adapter configured through the adapter interface', () => {
  it('gets plain data: no hidden keys on the resolved topology or the ACLs', () => {
    for (const c of fc.sample(clusterCaseArb(), { seed: 3, numRuns: 20 })) {
      const r = renderCluster(c.cluster);
      const resolved = adapterTopology(r.topology);
      const acls = adapterAcls(r);
      for (const o of [resolved, acls]) {
        expect(Object.getOwnPropertySymbols(o)).toEqual([]);
        expect(Object.getOwnPropertyNames(o)).toEqual(Object.keys(o));
        expect(JSON.parse(JSON.stringify(o))).toEqual(o);
      }
    }
  });

  it('builds the model topology of a content once, exactly as buildTopology builds it', async () => {
    const [a, b, other] = [new ReferenceAdapter(), new ReferenceAdapter({ profile: 'vpp-current' }), new ReferenceAdapter()];
    const cases = fc.sample(clusterCaseArb(), { seed: 4, numRuns: 60 });
    for (let i = 0; i < cases.length; i++) {
      // copies of the same content in other objects (nothing known about them): built once, then reused
      const t = adapterTopology(renderCluster(cases[i]!.cluster).topology);
      await a.setup(JSON.parse(JSON.stringify(t)));
      await b.setup(JSON.parse(JSON.stringify(t)));
      expect(b.simulation.topology).toBe(a.simulation.topology);
      const s = a.simulation.scenario;
      expect(a.simulation.topology).toEqual(buildTopology(s.topology.nodes, s.ipamOverrides));
      const u = adapterTopology(renderCluster(cases[(i + 1) % cases.length]!.cluster).topology);
      await other.setup(JSON.parse(JSON.stringify(u)));
      if (JSON.stringify(u) !== JSON.stringify(t)) expect(other.simulation.topology).not.toBe(a.simulation.topology);
    }
  });

  it('observes with the renderer\'s topology and ACLs exactly what it observes building its own from the plain data', async () => {
    const known = new ReferenceAdapter();
    const plain = new ReferenceAdapter();
    // The same adapter API given copies of the plain data (the renderer knows nothing of them).
    const copying = new Proxy(plain, {
      get(target, prop, receiver) {
        if (prop === 'setup') return (t: Parameters<ReferenceAdapter['setup']>[0], o: Parameters<ReferenceAdapter['setup']>[1]) => target.setup(JSON.parse(JSON.stringify(t)), o);
        if (prop === 'apply') return (x: Parameters<ReferenceAdapter['apply']>[0]) => target.apply(JSON.parse(JSON.stringify(x)));
        return Reflect.get(target, prop, receiver);
      },
    });
    const strip = (o: unknown): unknown => JSON.parse(JSON.stringify(o, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v instanceof Map ? [...v] : v)));
    let linked = 0;
    await fc.assert(
      fc.asyncProperty(clusterCaseArb(), async (c) => {
        const [x, y] = [await runClusterCase(c, known), await runClusterCase(c, copying)];
        if (known.simulation.topology !== plain.simulation.topology) linked++;
        expect(strip(x.sent)).toEqual(strip(y.sent));
      }),
      { seed: 11, numRuns: 150 },
    );
    // most cases ran on the renderer's topology (all but those with service endpoints)
    expect(linked).toBeGreaterThan(75);
  });
});
