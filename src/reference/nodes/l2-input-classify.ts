// l2-input-classify: in VPP 18.01 the BVI's input ACL is reached through the L2 classifier (docs/datapath.md
// §3.4, §1.2); the table number and next are graph construction artefacts (masked in goldens).
// Next: acl-plugin-in-ip4-l2. Models V:src/vnet/classify/... l2_input_classify.c trace.
import { result, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';

export const L2_CLASSIFY_TABLE = 35;

export const l2InputClassify: NodeDef<NodeName> = {
  name: 'l2-input-classify',
  nexts: ['acl-plugin-in-ip4-l2'],
  errors: {},
  process(buf) {
    return result('acl-plugin-in-ip4-l2', buf, [{ kind: 'l2-input-classify', swIfIndex: buf.rx, table: L2_CLASSIFY_TABLE, offset: 0, next: 18 }]);
  },
};
