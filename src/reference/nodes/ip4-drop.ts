// ip4-drop: the drop DPO of a destination without a route (docs/datapath.md §4.8, §14 q3: no VPP route covers the
// pod subnet, so an unallocated pod IP or an unknown node's pods end here unless a default route exists).
// Next: error-drop. Models V:src/vnet/ip/ip4_forward.c (ip4_drop, "ip4 adjacency drop").
import { toDrop, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';
import { ip4HeaderView } from '../../trace/ip4-view.ts';

export const ip4Drop: NodeDef<NodeName> = {
  name: 'ip4-drop',
  nexts: ['error-drop'],
  errors: { adjacencyDrop: 'ip4 adjacency drop' },
  process(buf, { vpp }) {
    if (!vpp.profile.dropRecords) return toDrop(buf, 'ip4-drop', 'ip4 adjacency drop');
    // current VPP prints the lookup's result and the header, and the buffer keeps the error the last counting node
    // set (a VPP 26.06 lab: `acl-plugin-in-ip4-fa: new sessions added` for a pod's first packet to nowhere)
    const trace = [{ kind: 'ip4-header' as const, indent: 4 as const, ip: ip4HeaderView(buf.data, 0, Math.min(64, buf.data.length), vpp.profile.traceFormat), forward: { fib: 0, adj: 0, flowHash: buf.flowHash } }];
    const why = buf.lastError ?? { node: 'ip4-drop', error: 'ip4 adjacency drop' };
    return toDrop(buf, why.node, why.error, trace);
  },
};
