// nat44-in2out-output (fast path): post-routing SNAT on the main NIC's output (docs/datapath.md §9, seed q11).
// The outer VXLAN packet's first packet misses (`next index 3, session -1`); later packets with the same
// outer source port hit the session the slow path made. The printed sw_if_index is the RX interface
// (loop0 for encapsulated traffic). Next: nat44-in2out-output-slowpath or interface-output.
// Models F:src/plugins/nat/in2out.c (output feature variant).
import { result, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';
import { nextOutputFeature } from './features.ts';
import { in2outKey, natedBuf, natTuple, rewriteSource } from './nat-common.ts';
import { edLookup, hitDetail, searchKey } from './nat44-ed.ts';
import { dynamicDetail, isDynamic, snatForward } from './nat-snat.ts';

export const nat44In2outOutput: NodeDef<NodeName> = {
  name: 'nat44-in2out-output',
  nexts: ['nat44-in2out-output-slowpath', 'interface-output', 'acl-plugin-out-ip4-fa'],
  errors: {},
  process(buf, { vpp }) {
    const t = natTuple(buf.data, 14);
    if (vpp.profile.natEndpointDependent) {
      const traceName = vpp.profile.natNodeNames['nat44-in2out-output'];
      const label = 'NAT44_IN2OUT_ED_FAST_PATH';
      const s = edLookup(vpp, t);
      const after = nextOutputFeature(vpp, buf.tx, 'nat44-in2out-output');
      if (s) return result(after, natedBuf(buf, snatForward(buf.data, 14, t, s)), [{ kind: 'nat44-in2out', label, swIfIndex: buf.rx, nextIndex: 12, session: s.index, ed: isDynamic(s) ? dynamicDetail(s, t, 'in2out-fast') : hitDetail(s, t, false) }], traceName);
      const d = vpp.natSessions.lookup(in2outKey(t));
      if (d?.to) return result(after, natedBuf(buf, rewriteSource(buf.data, 14, t, d.to.addr, d.to.port)), [{ kind: 'nat44-in2out', label, swIfIndex: buf.rx, nextIndex: 12, session: d.index, ed: { lookup: searchKey(t) } }], traceName);
      return result('nat44-in2out-output-slowpath', buf, [{ kind: 'nat44-in2out', label, swIfIndex: buf.rx, nextIndex: 5, session: -1, ed: { lookup: searchKey(t) } }], traceName);
    }
    const s = vpp.natSessions.lookup(in2outKey(t));
    const traceName = vpp.profile.natNodeNames['nat44-in2out-output'];
    const label = vpp.profile.natTraceLabels.in2outFast;
    if (s) return result('interface-output', natedBuf(buf, s.to ? rewriteSource(buf.data, 14, t, s.to.addr, s.to.port) : buf.data), [{ kind: 'nat44-in2out', label, swIfIndex: buf.rx, nextIndex: 0, session: s.index }], traceName);
    return result('nat44-in2out-output-slowpath', buf, [{ kind: 'nat44-in2out', label, swIfIndex: buf.rx, nextIndex: 3, session: -1 }], traceName);
  },
};
