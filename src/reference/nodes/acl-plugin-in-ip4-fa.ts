// acl-plugin-in-ip4-fa: the input ACL of an L3 interface (Reflective ACL in Contiv: permit+reflect any),
// docs/datapath.md §8, seed steps q1/SN-q5, q13, q16. Uses: sessions, the RX interface's input ACLs.
// Sets: a session on permit+reflect. Next: the next ip4-unicast feature, or error-drop.
// Models V:src/plugins/acl/fa_node.c (acl_fa_node_fn, is_input=1, is_l2=0).
import type { NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';
import { ACL_ERRORS, aclProcess } from './acl-common.ts';
import { nextInputFeature } from './features.ts';

export const aclPluginInIp4Fa: NodeDef<NodeName> = {
  name: 'acl-plugin-in-ip4-fa',
  nexts: ['nat44-out2in', 'nat44-in2out', 'ip4-lookup', 'ip4-sv-reassembly-feature', 'nat-pre-out2in', 'nat44-classify', 'error-drop'],
  errors: ACL_ERRORS,
  process(buf, ctx) {
    return aclProcess<NodeName>(buf, ctx, { node: 'acl-plugin-in-ip4-fa', isInput: true, l3: 0, next: nextInputFeature(ctx.vpp, buf.rx, 'acl-plugin-in-ip4-fa', buf.data) });
  },
};
