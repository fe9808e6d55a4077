// ip4-arp: an adjacency whose neighbour is unknown: VPP sends an ARP request and drops the packet
// (docs/datapath.md §2.7: Contiv installs static ARP for pods and remote BVIs, so this means a broken setup).
// Next: error-drop. Models V:src/vnet/ethernet/arp.c (ip4_arp).
import { toDrop, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';

export const ip4Arp: NodeDef<NodeName> = {
  name: 'ip4-arp',
  nexts: ['error-drop'],
  errors: { requestSent: 'ARP requests sent' },
  process(buf) {
    return toDrop(buf, 'ip4-arp', 'ARP requests sent');
  },
};
