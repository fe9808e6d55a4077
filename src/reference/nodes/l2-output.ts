// l2-output: sends a bridged frame to its member interface; split horizon drops a frame from SHG 1 to SHG 1
// (a node never relays between two other nodes, docs/datapath.md §2.7). The trace prints frame bytes 12–23.
// Next: vxlan4-encap (the only non-BVI members are tunnels), error-drop. Models V:src/vnet/l2/l2_output.c.
import { readMac } from '../../packet/index.ts';
import { result, toDrop, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';

const ERRORS = { shg: 'L2 output shg drops' } as const;

export const l2Output: NodeDef<NodeName> = {
  name: 'l2-output',
  nexts: ['vxlan4-encap', 'error-drop'],
  errors: ERRORS,
  process(buf, { vpp }) {
    const f = buf.data;
    const trace = [{ kind: 'l2-output' as const, swIfIndex: buf.tx, dst: readMac(f, 0), src: readMac(f, 6), data: f.slice(12, 24) }];
    const member = vpp.bd.members.get(buf.tx);
    if (member && buf.shg !== 0 && member.shg === buf.shg) return toDrop(buf, 'l2-output', ERRORS.shg, trace);
    return result('vxlan4-encap', buf, trace);
  },
};
