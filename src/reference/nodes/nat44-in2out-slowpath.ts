// nat44-in2out-slowpath: snat_not_translate() lets a packet to a pod pass untranslated when forwarding is
// enabled (docs/datapath.md §9: `next index 0, session -1`). With forwarding off the model source-NATs it to the
// node IP with a dynamically allocated port (the broken setup the fuzzer's mutants explore).
// Next: ip4-lookup. Models F:src/plugins/nat/in2out.c slow path.
import { result, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';
import { natedBuf, natTuple } from './nat-common.ts';
import { dynamicSnat } from './nat-snat.ts';
import { serviceIn2out } from './nat-dnat.ts';

export const nat44In2outSlowpath: NodeDef<NodeName> = {
  name: 'nat44-in2out-slowpath',
  nexts: ['ip4-lookup'],
  errors: {},
  process(buf, { vpp }) {
    const traceName = vpp.profile.natNodeNames['nat44-in2out-slowpath'];
    const label = vpp.profile.natTraceLabels.in2outSlow;
    const next = vpp.profile.natEndpointDependent ? 10 : 0;
    const svc = serviceIn2out(buf, vpp, traceName, true);
    if (svc) return svc;
    if (vpp.nat.forwarding) return result('ip4-lookup', buf, [{ kind: 'nat44-in2out', label, swIfIndex: buf.rx, nextIndex: next, session: -1 }], traceName);
    const r = dynamicSnat(buf.data, 0, natTuple(buf.data, 0), vpp);
    return result('ip4-lookup', natedBuf(buf, r.data), [{ kind: 'nat44-in2out', label, swIfIndex: buf.rx, nextIndex: 0, session: r.index }], traceName, r.effects);
  },
};
