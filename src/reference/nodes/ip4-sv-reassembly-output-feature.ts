// ip4-sv-reassembly-output-feature: shallow virtual reassembly on the ip4-output arc of an interface with the NAT44
// output feature (current VPP; V:src/vnet/ip/reass/ip4_sv_reass.c). `[not-fragmented]`. Next: nat-pre-in2out-output.
import { result, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';

export const ip4SvReassemblyOutputFeature: NodeDef<NodeName> = {
  name: 'ip4-sv-reassembly-output-feature',
  nexts: ['nat-pre-in2out-output'],
  errors: {},
  process(buf) {
    return result('nat-pre-in2out-output', buf, [{ kind: 'ip4-sv-reassembly', status: 'not-fragmented' }]);
  },
};
