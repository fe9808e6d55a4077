// copyAclConfig (fresh maps, ACLs and rules of a parsed configuration, for hooks that edit them in place) must give
// exactly what aclConfigFromSpec parses from the adapter form.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { copyAclConfig } from '../../../src/adapters/reference/reference-adapter.ts';
import { clusterCaseArb, adapterAcls } from '../../../src/properties/harness.ts';
import { renderCluster } from '../../../src/policy/contiv/render.ts';
import { aclConfigFromSpec } from '../../../src/reference/state/vpp.ts';

describe('copied ACL configurations', () => {
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
