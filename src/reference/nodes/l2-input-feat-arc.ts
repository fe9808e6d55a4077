// l2-input-feat-arc and l2-input-feat-arc-end (current VPP): the L2 input ACL of loop0 runs as a feature of the L2
// input feature arc, not through l2-input-classify as in 18.01 (V:src/vnet/l2/l2_in_out_feat_arc.c). The arc's
// head node starts the IPv4 feature chain (the acl-plugin's L2 node), the end node hands the frame back to the
// bridge domain's next L2 feature, l2-fwd. What they print was read off a VPP 26.06 lab with an L2 input ACL on
// the BVI: the head `head 1 feature_bitmap 20081 ethertype 800 sw_if_index <rx>`, the end `head 0 feature_bitmap
// 81 ethertype 0 sw_if_index -1` (the ACL's bit consumed, no interface recorded). Next indices are graph order.
import { result, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';

/** The L2 input feature bitmap of a BVI with an L2 input ACL, as the arc's head prints it (lab, hex) */
const BITMAP_WITH_ACL = '20081';
/** … and as its end prints it, the ACL's bit taken off */
const BITMAP_AFTER_ACL = '81';

export const l2InputFeatArc: NodeDef<NodeName> = {
  name: 'l2-input-feat-arc',
  nexts: ['acl-plugin-in-ip4-l2'],
  errors: {},
  process(buf) {
    return result('acl-plugin-in-ip4-l2', buf, [{ kind: 'l2-feat-arc', head: 1, featureBitmap: BITMAP_WITH_ACL, ethertype: '800', swIfIndex: buf.rx, nextIndex: 15 }]);
  },
};

export const l2InputFeatArcEnd: NodeDef<NodeName> = {
  name: 'l2-input-feat-arc-end',
  nexts: ['l2-fwd'],
  errors: {},
  process(buf) {
    return result('l2-fwd', buf, [{ kind: 'l2-feat-arc', head: 0, featureBitmap: BITMAP_AFTER_ACL, ethertype: '0', swIfIndex: -1, nextIndex: 5 }]);
  },
};
