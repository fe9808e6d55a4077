// l2-input: a frame enters bridge domain 1, from the BVI (loop0-output, SHG 0 for BVI unicast) or from a VXLAN
// tunnel after decap (SHG 1), docs/datapath.md §2.7, §3.4. Broadcast and multicast would need flooding, which
// Contiv turns off: they are dropped here. With an input ACL on loop0 the L2 ACL runs next (18.01: through
// l2-input-classify). Next: l2-input-classify, acl-plugin-in-ip4-l2, l2-fwd, error-drop.
// Models V:src/vnet/l2/l2_input.c (feature bitmap reduced to the features Contiv enables).
import { readMac } from '../../packet/index.ts';
import { hasAcls } from '../state/vpp.ts';
import { copyBuf, result, toDrop, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';

const ERRORS = { drop: 'L2 input drops' } as const;

export const l2Input: NodeDef<NodeName> = {
  name: 'l2-input',
  nexts: ['l2-input-classify', 'l2-input-feat-arc', 'acl-plugin-in-ip4-l2', 'l2-fwd', 'error-drop'],
  errors: ERRORS,
  process(buf, { vpp }) {
    const f = buf.data;
    // current VPP appends the interface's L2 input features: Contiv's bridge domain forwards only, and with an L2
    // input ACL the feature arc it runs on comes first
    const current = vpp.profile.traceFormat === 'vpp-current';
    const acl = hasAcls(vpp, buf.rx, true);
    const suffix = current ? { suffix: acl ? ' [l2-input-feat-arc l2-fwd ]' : ' [l2-fwd ]' } : {};
    const trace = [{ kind: 'l2-input' as const, swIfIndex: buf.rx, dst: readMac(f, 0), src: readMac(f, 6), ...suffix }];
    const member = vpp.bd.members.get(buf.rx);
    if (!member) return toDrop(buf, 'l2-input', ERRORS.drop, trace);
    const shg = member.bvi ? 0 : member.shg;
    const out = copyBuf(buf);
    out.shg = shg;
    out.bdIndex = vpp.bd.id;
    out.l2HdrOffset = buf.currentData;
    if ((f[0]! & 1) === 1 && !vpp.bd.flood) return toDrop(out, 'l2-input', ERRORS.drop, trace);
    const isIp4 = f[12] === 0x08 && f[13] === 0x00;
    if (isIp4 && acl) {
      return result(vpp.profile.l2InputClassifyRecord ? 'l2-input-classify' : current ? 'l2-input-feat-arc' : 'acl-plugin-in-ip4-l2', out, trace);
    }
    return result('l2-fwd', out, trace);
  },
};
