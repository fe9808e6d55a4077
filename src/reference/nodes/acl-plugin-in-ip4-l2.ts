// acl-plugin-in-ip4-l2: the input ACL of loop0 on the L2 path (L3 → BD through the BVI), docs/datapath.md §3.4,
// seed q5 / r5. Shares the session table with the L3 node of the same interface. Next: l2-fwd or error-drop.
// Models V:src/plugins/acl/fa_node.c (is_input=1, is_l2=1); reached via l2-input-classify in 18.01.
import type { NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';
import { ACL_ERRORS, aclProcess } from './acl-common.ts';

export const aclPluginInIp4L2: NodeDef<NodeName> = {
  name: 'acl-plugin-in-ip4-l2',
  nexts: ['l2-fwd', 'l2-input-feat-arc-end', 'error-drop'],
  errors: ACL_ERRORS,
  process(buf, ctx) {
    // current VPP: on the L2 input feature arc, whose end node hands the frame on to l2-fwd
    const next = ctx.vpp.profile.traceFormat === 'vpp-current' ? 'l2-input-feat-arc-end' : 'l2-fwd';
    return aclProcess<NodeName>(buf, ctx, { node: 'acl-plugin-in-ip4-l2', isInput: true, l3: 14, next });
  },
};
