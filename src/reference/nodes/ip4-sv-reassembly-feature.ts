// ip4-sv-reassembly-feature: shallow virtual reassembly that NAT44-ED enables on its interfaces' ip4-unicast arc
// (current VPP, profile switch svReassemblyBeforeNat; V:src/vnet/ip/reass/ip4_sv_reass.c). An unfragmented
// packet passes (`[not-fragmented]`); fragments are not modelled. Next: the NAT44-ED entry of the RX interface.
import { result, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';
import { natEdInputEntry } from './features.ts';

export const ip4SvReassemblyFeature: NodeDef<NodeName> = {
  name: 'ip4-sv-reassembly-feature',
  nexts: ['nat-pre-out2in', 'nat44-classify', 'ip4-lookup'],
  errors: {},
  process(buf, { vpp }) {
    return result(natEdInputEntry(vpp, buf.rx) ?? 'ip4-lookup', buf, [{ kind: 'ip4-sv-reassembly', status: 'not-fragmented' }]);
  },
};
