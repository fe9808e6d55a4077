// nat44-in2out (fast path): SNAT on inside interfaces (pod TAPs of service endpoints, loop0, tap0),
// DATAPATH.md §9, seed q17 / r10 / SN-r3. Pod-to-pod packets have no session: `next index 3` to the slow
// path, `session -1`. Next: nat44-in2out-slowpath, or ip4-lookup on a session hit.
// Models F:src/plugins/nat/in2out.c (snat_in2out_fast_path... with the fork's forwarding bypass).
import { result, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';
import { in2outKey, natedBuf, natTuple, rewriteSource } from './nat-common.ts';

export const nat44In2out: NodeDef<NodeName> = {
  name: 'nat44-in2out',
  nexts: ['nat44-in2out-slowpath', 'ip4-lookup'],
  errors: {},
  process(buf, { vpp }) {
    const t = natTuple(buf.data, 0);
    const s = vpp.natSessions.lookup(in2outKey(t));
    const traceName = vpp.profile.natNodeNames['nat44-in2out'];
    const label = vpp.profile.natTraceLabels.in2outFast;
    if (s) return result('ip4-lookup', s.to ? natedBuf(buf, rewriteSource(buf.data, 0, t, s.to.addr, s.to.port)) : buf, [{ kind: 'nat44-in2out', label, swIfIndex: buf.rx, nextIndex: 0, session: s.index }], traceName);
    return result('nat44-in2out-slowpath', buf, [{ kind: 'nat44-in2out', label, swIfIndex: buf.rx, nextIndex: 3, session: -1 }], traceName);
  },
};
