// Pairing (DATAPATH.md §5, P1): an interface has an output policy ACL iff it has the Reflective ACL on input.
// It is what makes responses pass (a response leaves where its request entered); checked on the rendering.
import { clusterArb } from '../generators/cluster.ts';
import { renderCluster, REFLECTION_TAG } from '../policy/contiv/render.ts';
import type { Cluster } from '../policy/types.ts';
import { invalid, VALID, type PropertyDef } from './types.ts';

export const outputAclIffReflectiveInput: PropertyDef<Cluster> = {
  id: 'output-acl-iff-reflective-input',
  description: 'every interface with an output policy ACL has the Reflective ACL on input, and only those',
  seedSteps: ['P1', 'SN-q5', 'q5', 'q16'],
  masks: [],
  arbitrary: () => clusterArb(),
  async check(cluster) {
    const r = renderCluster(cluster);
    for (const n of r.nodes) {
      const reflection = n.acls.find((a) => a.tag === REFLECTION_TAG)?.index;
      for (const a of n.attach) {
        const hasOut = a.output.length > 0;
        const hasReflect = reflection !== undefined && a.input.includes(reflection);
        if (hasOut !== hasReflect) return invalid(`node ${n.id} ${a.interface}: output ACL ${hasOut ? 'present' : 'absent'} but Reflective ACL on input ${hasReflect ? 'present' : 'absent'}`);
      }
    }
    return VALID;
  },
};
