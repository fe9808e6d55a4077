// nat44-out2in-slowpath (printed nat44-ed-out2in-slowpath): current VPP's NAT44-ED slow path for a packet whose flow
// the fast path did not find. A static mapping by external address (the VXLAN and node-IP identity mappings)
// matches without a session; otherwise, forwarding on, the packet passes and a bypass session is made whose in2out
// flow is the reply's (so the reply takes the fast path). Forwarding off and nothing matched: dropped, as
// nat44-out2in. Trace: `NAT44_OUT2IN_ED_SLOW_PATH: sw_if_index <rx>, next index <n>`.
// Next: ip4-lookup, error-drop. Models V:src/plugins/nat/nat44-ed/nat44_ed_out2in.c (slow path, create_bypass_for_fwd).
import { mappingByExternal } from '../state/nat.ts';
import { result, toDrop, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';
import { natTuple } from './nat-common.ts';
import { edFlowKey, replyFlow } from './nat44-ed.ts';
import { serviceOut2in } from './nat-dnat.ts';

const ERRORS = { noTranslation: 'No translation' } as const;

export const nat44Out2inSlowpath: NodeDef<NodeName> = {
  name: 'nat44-out2in-slowpath',
  nexts: ['ip4-lookup', 'error-drop'],
  errors: ERRORS,
  process(buf, { vpp }) {
    const t = natTuple(buf.data, 0);
    const traceName = vpp.profile.natNodeNames['nat44-out2in-slowpath'];
    const label = 'NAT44_OUT2IN_ED_SLOW_PATH';
    const svc = serviceOut2in(buf, vpp, traceName, true);
    if (svc) return svc;
    if (mappingByExternal(vpp.nat, t.dst, t.proto, t.dport)) return result('ip4-lookup', buf, [{ kind: 'nat44-out2in', label, swIfIndex: buf.rx, nextIndex: 10, sessionIndex: -1 }], traceName);
    if (!vpp.nat.forwarding) return toDrop(buf, traceName, ERRORS.noTranslation, [{ kind: 'nat44-out2in', label, swIfIndex: buf.rx, nextIndex: 0, sessionIndex: -1 }], { traceName });
    const i2o = replyFlow(t);
    return result('ip4-lookup', buf, [{ kind: 'nat44-out2in', label, swIfIndex: buf.rx, nextIndex: 10, sessionIndex: -1 }], traceName, [{ kind: 'nat-session-add', key: edFlowKey(i2o), i2o }]);
  },
};
