// nat-pre-out2in: NAT44-ED's handoff on an outside-only interface's input (current VPP; V:src/plugins/nat/nat44-ed/
// nat44_ed.c, nat_pre_node_fn). Prints the out2in node's and the arc's next indices (graph construction, masked).
// Next: nat44-out2in (printed nat44-ed-out2in).
import { result, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';

export const natPreOut2in: NodeDef<NodeName> = {
  name: 'nat-pre-out2in',
  nexts: ['nat44-out2in'],
  errors: {},
  process(buf) {
    return result('nat44-out2in', buf, [{ kind: 'nat-pre', direction: 'out2in', nextIndex: 6, arcNextIndex: 10 }]);
  },
};
