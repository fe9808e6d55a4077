// nat-pre-in2out-output: NAT44-ED's handoff on the output arc of an interface with the output feature (current
// VPP; V:src/plugins/nat/nat44-ed/nat44_ed.c). Next indices masked. Next: nat44-in2out-output.
import { result, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';

export const natPreIn2outOutput: NodeDef<NodeName> = {
  name: 'nat-pre-in2out-output',
  nexts: ['nat44-in2out-output'],
  errors: {},
  process(buf) {
    return result('nat44-in2out-output', buf, [{ kind: 'nat-pre', direction: 'in2out', nextIndex: 4, arcNextIndex: 12 }]);
  },
};
