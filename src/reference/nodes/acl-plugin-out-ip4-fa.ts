// acl-plugin-out-ip4-fa: the output ACL of an L3 interface: a pod's local table on its TAP, the Global ACL on
// loop0 / the main NIC / tap0 (docs/datapath.md §3.1, §8; seed q3, q10, q18, r3). Uses: sessions (mirrored key),
// the TX interface's output ACLs; the frame already carries the rewrite, the IP header is at 14.
// Next: nat44-in2out-output or <ifc>-output, or error-drop. Models V:src/plugins/acl/fa_node.c (is_input=0).
import type { NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';
import { ACL_ERRORS, aclProcess } from './acl-common.ts';
import { nextOutputFeature } from './features.ts';

export const aclPluginOutIp4Fa: NodeDef<NodeName> = {
  name: 'acl-plugin-out-ip4-fa',
  nexts: ['nat44-in2out-output', 'interface-output', 'error-drop'],
  errors: ACL_ERRORS,
  process(buf, ctx) {
    return aclProcess<NodeName>(buf, ctx, { node: 'acl-plugin-out-ip4-fa', isInput: false, l3: 14, next: nextOutputFeature(ctx.vpp, buf.tx, 'acl-plugin-out-ip4-fa') });
  },
};
