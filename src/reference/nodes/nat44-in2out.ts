// nat44-in2out (fast path): SNAT on inside interfaces (pod TAPs of service endpoints, loop0, tap0),
// docs/datapath.md §9, seed q17 / r10 / SN-r3. Pod-to-pod packets have no session: `next index 3` to the slow
// path, `session -1`. Next: nat44-in2out-slowpath, or ip4-lookup on a session hit.
// Models F:src/plugins/nat/in2out.c (snat_in2out_fast_path... with the fork's forwarding bypass).
import { result, withIcmpError, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';
import { in2outKey, natedBuf, natTuple, rewriteSource } from './nat-common.ts';
import { edLookup, hitDetail, searchKey } from './nat44-ed.ts';
import { dynamicDetail, isDynamic, snatForward } from './nat-snat.ts';
import { serviceIn2out } from './nat-dnat.ts';

export const nat44In2out: NodeDef<NodeName> = {
  name: 'nat44-in2out',
  nexts: ['nat44-in2out-slowpath', 'ip4-lookup', 'ip4-icmp-error'],
  errors: {},
  process(buf, { vpp }) {
    const t = natTuple(buf.data, 0);
    if (vpp.profile.natEndpointDependent) {
      const traceName = vpp.profile.natNodeNames['nat44-in2out'];
      const label = 'NAT44_IN2OUT_ED_FAST_PATH';
      if ((buf.data[8] ?? 0) <= 1) return result('ip4-icmp-error', withIcmpError(buf, { type: 11, code: 0 }), [{ kind: 'nat44-in2out', label, swIfIndex: buf.rx, nextIndex: 1, session: -1, ed: { lookup: searchKey(undefined) } }], traceName);
      const svc = serviceIn2out(buf, vpp, traceName, false);
      if (svc) return svc;
      const s = edLookup(vpp, t);
      if (s) return result('ip4-lookup', natedBuf(buf, snatForward(buf.data, 0, t, s)), [{ kind: 'nat44-in2out', label, swIfIndex: buf.rx, nextIndex: 10, session: s.index, ed: isDynamic(s) ? dynamicDetail(s, t, 'in2out-fast') : hitDetail(s, t, false) }], traceName);
      // A dynamic translation (a setup without forwarding) is found by its inside address and port.
      const d = vpp.natSessions.lookup(in2outKey(t));
      if (d?.to) return result('ip4-lookup', natedBuf(buf, rewriteSource(buf.data, 0, t, d.to.addr, d.to.port)), [{ kind: 'nat44-in2out', label, swIfIndex: buf.rx, nextIndex: 10, session: d.index, ed: { lookup: searchKey(t) } }], traceName);
      return result('nat44-in2out-slowpath', buf, [{ kind: 'nat44-in2out', label, swIfIndex: buf.rx, nextIndex: 3, session: -1, ed: { lookup: searchKey(t) } }], traceName);
    }
    const s = vpp.natSessions.lookup(in2outKey(t));
    const traceName = vpp.profile.natNodeNames['nat44-in2out'];
    const label = vpp.profile.natTraceLabels.in2outFast;
    if (s) return result('ip4-lookup', s.to ? natedBuf(buf, rewriteSource(buf.data, 0, t, s.to.addr, s.to.port)) : buf, [{ kind: 'nat44-in2out', label, swIfIndex: buf.rx, nextIndex: 0, session: s.index }], traceName);
    return result('nat44-in2out-slowpath', buf, [{ kind: 'nat44-in2out', label, swIfIndex: buf.rx, nextIndex: 3, session: -1 }], traceName);
  },
};
