// nat44-out2in: DNAT of packets arriving on an outside interface (pod TAPs of non-endpoints, the main NIC),
// docs/datapath.md §9, seed SN-q6 / q14. A pod destination has no mapping and passes untranslated with forwarding
// on (`session index -1`); the VXLAN outer packet matches the (node IP, UDP, 4789) identity mapping, which
// holds one session per node. Next: ip4-lookup, or error-drop when forwarding is off and nothing matches.
// Models F:src/plugins/nat/out2in.c; the trace sw_if_index is the RX interface.
import { mappingByExternal } from '../state/nat.ts';
import { result, toDrop, withIcmpError, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';
import { natTuple, out2inKey } from './nat-common.ts';
import { edLookup, hitDetail, searchKey } from './nat44-ed.ts';
import { dynamicDetail, isDynamic, snatReverse, withData } from './nat-snat.ts';
import { serviceOut2in } from './nat-dnat.ts';

const ERRORS = { noTranslation: 'No translation' } as const;

export const nat44Out2in: NodeDef<NodeName> = {
  name: 'nat44-out2in',
  nexts: ['ip4-lookup', 'nat44-out2in-slowpath', 'ip4-icmp-error', 'error-drop'],
  errors: ERRORS,
  process(buf, { vpp }) {
    const t = natTuple(buf.data, 0);
    if (vpp.profile.natEndpointDependent) {
      // NAT44-ED fast path: TTL 1 answered first (empty search key), then the packet's own flow looked up.
      const traceName = vpp.profile.natNodeNames['nat44-out2in'];
      const label = 'NAT44_OUT2IN_ED_FAST_PATH';
      if ((buf.data[8] ?? 0) <= 1) {
        return result('ip4-icmp-error', withIcmpError(buf, { type: 11, code: 0 }), [{ kind: 'nat44-out2in', label, swIfIndex: buf.rx, nextIndex: 1, sessionIndex: -1, ed: { lookup: searchKey(undefined), slowPathReason: 'no reason for slow path' } }], traceName);
      }
      const svc = serviceOut2in(buf, vpp, traceName);
      if (svc) return svc;
      const s = edLookup(vpp, t);
      // The reply of a dynamic SNAT: the destination back to the pod (docs/datapath.md §17.4); the buffer is not
      // marked natted (the pod's output prints no such flag on a VPP 26.06 lab, §17.7).
      if (isDynamic(s)) return result('ip4-lookup', withData(buf, snatReverse(buf.data, 0, t, s, vpp.profile.faults)), [{ kind: 'nat44-out2in', label, swIfIndex: buf.rx, nextIndex: 10, sessionIndex: s.index, ed: dynamicDetail(s, t, 'out2in-fast') }], traceName);
      // A bypass session's hit in out2in leaves the buffer unmarked (no `natted`: a VPP 26.06 lab).
      if (s) return result('ip4-lookup', buf, [{ kind: 'nat44-out2in', label, swIfIndex: buf.rx, nextIndex: 10, sessionIndex: s.index, ed: hitDetail(s, t, true) }], traceName);
      return result('nat44-out2in-slowpath', buf, [{ kind: 'nat44-out2in', label, swIfIndex: buf.rx, nextIndex: 7, sessionIndex: -1, ed: { lookup: searchKey(t), slowPathReason: 'slow path because lookup failed' } }], traceName);
    }
    const key = out2inKey(t);
    const traceName = vpp.profile.natNodeNames['nat44-out2in'];
    const svc = serviceOut2in(buf, vpp, traceName);
    if (svc) return svc;
    const label = vpp.profile.natTraceLabels.out2in;
    const existing = vpp.natSessions.lookup(key);
    const mapping = existing ? undefined : mappingByExternal(vpp.nat, t.dst, t.proto, t.dport);
    // The reply of a dynamic SNAT: the destination back to the pod (docs/datapath.md §17.4).
    if (isDynamic(existing)) return result('ip4-lookup', withData(buf, snatReverse(buf.data, 0, t, existing, vpp.profile.faults)), [{ kind: 'nat44-out2in', label, swIfIndex: buf.rx, nextIndex: 1, sessionIndex: existing.index }], traceName);
    if (existing || mapping) {
      // Identity mapping: a session, no rewrite.
      const index = existing ? existing.index : vpp.natSessions.peekIndex();
      return result(
        'ip4-lookup',
        buf,
        [{ kind: 'nat44-out2in', label, swIfIndex: buf.rx, nextIndex: 1, sessionIndex: index }],
        traceName,
        existing ? [] : [{ kind: 'nat-session-add', key }],
      );
    }
    const trace = [{ kind: 'nat44-out2in' as const, label, swIfIndex: buf.rx, nextIndex: vpp.nat.forwarding ? 1 : 0, sessionIndex: -1 }];
    if (!vpp.nat.forwarding) return toDrop(buf, traceName, ERRORS.noTranslation, trace, { traceName });
    return result('ip4-lookup', buf, trace, traceName);
  },
};
