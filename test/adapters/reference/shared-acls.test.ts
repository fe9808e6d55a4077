// The reference adapter takes the model's own ACL configuration from the adapter form's MODEL_ACLS link instead
// of parsing the rendered rules back from text: the copy must be exactly what the parse gives.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { copyAclConfig } from '../../../src/adapters/reference/reference-adapter.ts';
import { clusterCaseArb, adapterAcls } from '../../../src/properties/harness.ts';
import { renderCluster } from '../../../src/policy/contiv/render.ts';
import { aclConfigFromSpec } from '../../../src/reference/state/vpp.ts';
import { MODEL_ACLS } from '../../../src/reference/topology/topology.ts';

describe('reference adapter with linked model ACLs', () => {
  it('links the model configuration without making it part of the data', () => {
    const c = fc.sample(clusterCaseArb(), { seed: 3, numRuns: 1 })[0]!;
    const r = renderCluster(c.cluster);
    const acls = adapterAcls(r);
    expect(Object.keys(acls)).toEqual(r.nodes.map((n) => String(n.id)));
    expect((acls as unknown as Record<symbol, { topology: unknown }>)[MODEL_ACLS]!.topology).toBe(r.topology);
  });

  it('copies exactly what aclConfigFromSpec parses from the adapter form (key order included)', () => {
    fc.assert(
      fc.property(clusterCaseArb({ maxPolicies: 6 }), fc.constantFrom({}, { ignoreIpBlockExcept: true }, { noNatLoopbackPermit: true }, { noGlobalTable: true }), (c, faults) => {
        const r = renderCluster(c.cluster, faults);
        const acls = adapterAcls(r);
        for (const n of r.nodes) {
          const node = r.topology.nodeById.get(n.id)!;
          const parsed = aclConfigFromSpec(acls[String(n.id)], node, 'acls', new Map(node.interfaces.map((i) => [i.name, i])));
          const copied = copyAclConfig(n.config);
          expect(copied).toStrictEqual(parsed);
          expect(JSON.stringify([...copied.acls.values()])).toBe(JSON.stringify([...parsed.acls.values()]));
          expect([...copied.input.keys()]).toEqual([...parsed.input.keys()]);
          expect([...copied.output.keys()]).toEqual([...parsed.output.keys()]);
          // Fresh objects: hooks that edit a configured VPP's ACLs never reach the rendering.
          for (const [i, a] of copied.acls) expect(a).not.toBe(n.config.acls.get(i));
        }
      }),
      { seed: 21, numRuns: 300 },
    );
  });
});
