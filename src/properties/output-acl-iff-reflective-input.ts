// Pairing (docs/datapath.md §5, P1): an interface has an output policy ACL iff it has the Reflective ACL on input.
// It is what makes responses pass (a response leaves where its request entered); checked on the rendering.
import { clusterArb } from '../generators/cluster.ts';
import { renderCluster, REFLECTION_TAG } from '../policy/contiv/render.ts';
import type { Cluster } from '../policy/types.ts';
import { claim, verdictOf, type Claim, type ClaimMessages, type PropertyDef } from './types.ts';

const CLAIMS: ClaimMessages = {
  pairing: (c) => `${c.point}: ${c.received} (expected ${c.expected})`,
};

export const outputAclIffReflectiveInput: PropertyDef<Cluster> = {
  id: 'output-acl-iff-reflective-input',
  description: 'every interface with an output policy ACL has the Reflective ACL on input, and only those',
  seedSteps: ['P1', 'SN-q5', 'q5', 'q16'],
  claims: CLAIMS,
  arbitrary: () => clusterArb(),
  async check(cluster) {
    const r = renderCluster(cluster);
    const claims: Claim[] = [];
    for (const n of r.nodes) {
      const reflection = n.acls.find((a) => a.tag === REFLECTION_TAG)?.index;
      for (const a of n.attach) {
        const hasOut = a.output.length > 0;
        const hasReflect = reflection !== undefined && a.input.includes(reflection);
        if (hasOut !== hasReflect) claims.push(claim(CLAIMS, { code: 'pairing', point: `node ${n.id} ${a.interface}`, layer: 'acl', field: 'attachments', expected: 'output ACL iff Reflective ACL on input', received: hasOut ? 'output ACL without Reflective ACL' : 'Reflective ACL without output ACL' }));
      }
    }
    return verdictOf(claims);
  },
};
