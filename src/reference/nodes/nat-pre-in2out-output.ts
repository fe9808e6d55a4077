// nat-pre-in2out-output: NAT44-ED's handoff on the output arc of an interface with the output feature (current
// VPP; V:src/plugins/nat/nat44-ed/nat44_ed.c). Next indices masked; the arc's next index is the feature after
// NAT on the interface's output arc: the output ACL when one is attached (13 on a VPP 26.06 lab), else the
// interface's output (12). Next: nat44-in2out-output.
import { hasAcls } from '../state/vpp.ts';
import { result, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';

export const natPreIn2outOutput: NodeDef<NodeName> = {
  name: 'nat-pre-in2out-output',
  nexts: ['nat44-in2out-output'],
  errors: {},
  process(buf, { vpp }) {
    const arcNextIndex = hasAcls(vpp, buf.tx, false) ? 13 : 12;
    return result('nat44-in2out-output', buf, [{ kind: 'nat-pre', direction: 'in2out', nextIndex: 4, arcNextIndex }]);
  },
};
