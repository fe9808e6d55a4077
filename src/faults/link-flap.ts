// A node's loop0 (the BVI of the VXLAN bridge domain) or main NIC set down and up again (a link flap on the node).
import type { FaultDef } from './types.ts';

/**
 * `set interface state loop0 down` (or the main NIC), then `up`. Checked on a VPP 26.06 lab with open connections,
 * `show` before, while down and after: while down the interface's connected and glean routes are withdrawn and the
 * routes through it (the remote pod networks via the remote BVI, the remote node IPs) are unresolved (drop); its
 * static neighbours (§2.7 object 3: remote BVI IPs on loop0, remote node IPs on the NIC), the static L2 FIB entries
 * of the bridge domain (§2.7 object 4), the BVI's bridge-domain membership, the ACL attachments, the acl-plugin
 * sessions (§8.4) and the NAT44 sessions and identity mappings (§9) all stay. Once up, the routes resolve again
 * through the same neighbours: the data path is as before (open connections keep passing, new ones get the policy
 * verdict). The model has no admin state: the fault completes before the next packet. Dynamic neighbours are
 * flushed when an interface goes down (checked on the same lab); in Contiv the remote node's NIC MAC is learned by
 * ARP, so there the first packet to that node after a NIC flap waits for ARP — the model pre-resolves neighbours
 * and does not lose it; the lab's neighbours are static and stay.
 */
export const linkFlap: FaultDef = {
  id: 'link-flap',
  description: "a node's loop0 (BVI) or main NIC set down, then up again",
  vpp: 'set interface state loop0 down; set interface state loop0 up (or the main NIC)',
  during: 'routes through the link unresolved: traffic between nodes is lost (not sent while down)',
  after: 'as before: static neighbours, static L2 FIB entries, bridge-domain membership, ACL attachments, ACL and NAT sessions kept (checked on VPP 26.06; dynamic neighbours are flushed and resolved again by ARP, which the model does not model)',
  cites: ['§2.6', '§2.7', '§8.4', '§9'],
};
