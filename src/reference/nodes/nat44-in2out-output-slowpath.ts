// nat44-in2out-output-slowpath: a static mapping by local address, exact (addr, proto, port) first, then
// address-only (docs/datapath.md §9). The VXLAN outer packet's source port is a flow hash, so the address-only
// identity of the node IP matches: a session, and the packet "translated" to itself (addresses and ports
// kept, UDP checksum forced to 0, buffer flag `nated`). Without an identity mapping the packet is SNATed to
// the pool (the node IP) with a dynamic port — the fault the "no SNAT of VXLAN" invariant exists for.
// Next: interface-output. Models F:src/plugins/nat/in2out.c slow path (snat_static_mapping_match).
import { readU16, writeU16 } from '../../packet/index.ts';
import { mappingByLocal } from '../state/nat.ts';
import { result, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';
import { nextOutputFeature } from './features.ts';
import { in2outKey, natedBuf, natTuple } from './nat-common.ts';
import { dynamicDetail, dynamicSnat } from './nat-snat.ts';

export const nat44In2outOutputSlowpath: NodeDef<NodeName> = {
  name: 'nat44-in2out-output-slowpath',
  nexts: ['interface-output', 'acl-plugin-out-ip4-fa'],
  errors: {},
  process(buf, { vpp }) {
    const traceName = vpp.profile.natNodeNames['nat44-in2out-output-slowpath'];
    const label = vpp.profile.natTraceLabels.in2outSlow;
    const t = natTuple(buf.data, 14);
    const m = mappingByLocal(vpp.nat, t.src, t.proto, t.sport);
    if (vpp.profile.natEndpointDependent) {
      // NAT44-ED: an identity mapping matches without a session and without touching the packet.
      const after = nextOutputFeature(vpp, buf.tx, 'nat44-in2out-output');
      if (m?.identity) return result(after, buf, [{ kind: 'nat44-in2out', label, swIfIndex: buf.rx, nextIndex: 12, session: -1 }], traceName);
      const r = dynamicSnat(buf.data, 14, t, vpp);
      return result(after, natedBuf(buf, r.data), [{ kind: 'nat44-in2out', label, swIfIndex: buf.rx, nextIndex: 12, session: r.index, ed: dynamicDetail(r.session, t, 'in2out-slow') }], traceName, r.effects);
    }
    if (m?.identity) {
      const index = vpp.natSessions.peekIndex();
      let data = buf.data;
      if (t.proto === 17) {
        const ihl = (data[14]! & 0x0f) * 4;
        const csumOff = 14 + ihl + 6;
        if (readU16(data, csumOff) !== 0) {
          data = Uint8Array.from(data);
          writeU16(data, csumOff, 0);
        }
      }
      return result('interface-output', natedBuf(buf, data), [{ kind: 'nat44-in2out', label, swIfIndex: buf.rx, nextIndex: 0, session: index }], traceName, [{ kind: 'nat-session-add', key: in2outKey(t) }]);
    }
    const r = dynamicSnat(buf.data, 14, t, vpp);
    return result('interface-output', natedBuf(buf, r.data), [{ kind: 'nat44-in2out', label, swIfIndex: buf.rx, nextIndex: 0, session: r.index }], traceName, r.effects);
  },
};
