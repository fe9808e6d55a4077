// ip4-drop: the drop DPO of a destination without a route (DATAPATH.md §4.8, §14 q3: no VPP route covers the
// pod subnet, so an unallocated pod IP or an unknown node's pods end here unless a default route exists).
// Next: error-drop. Models V:src/vnet/ip/ip4_forward.c (ip4_drop, "ip4 adjacency drop").
import { toDrop, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';

export const ip4Drop: NodeDef<NodeName> = {
  name: 'ip4-drop',
  nexts: ['error-drop'],
  errors: { adjacencyDrop: 'ip4 adjacency drop' },
  process(buf) {
    return toDrop(buf, 'ip4-drop', 'ip4 adjacency drop');
  },
};
