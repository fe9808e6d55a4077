// nat44-classify (printed nat44-ed-classify by current VPP): on an interface that is NAT inside and outside, picks
// out2in for a packet to an outside address (pool, external side of a mapping) and in2out otherwise
// (V:src/plugins/nat/nat44-ed/nat44_ed_classify.c; classifyToOut2in). Only current VPP's walk reaches it as a
// node of its own; 18.01 decides in ip4-input's feature choice without a record. Next: nat44-in2out / nat44-out2in.
import { result, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';
import { classifyToOut2in } from '../state/nat.ts';
import { natTuple } from './nat-common.ts';

export const nat44Classify: NodeDef<NodeName> = {
  name: 'nat44-classify',
  nexts: ['nat44-in2out', 'nat44-out2in'],
  errors: {},
  process(buf, { vpp }) {
    const t = natTuple(buf.data, 0);
    const next = classifyToOut2in(vpp.nat, t.dst, t.proto, t.dport) ? 'nat44-out2in' : 'nat44-in2out';
    return result(next, buf, [{ kind: 'nat44-classify', next: vpp.profile.natNodeNames[next] }], vpp.profile.natNodeNames['nat44-classify']);
  },
};
