// Configuration drift and resync: one configured item of a node removed, traffic sent, then configured again.
import type { FaultDef } from './types.ts';

/**
 * Any single item the agent configured on a node goes (an operator's `del`, a half-applied transaction): a pod's
 * static neighbour or /32 route (§2.5), a remote BVI's static neighbour, L2 FIB entry or the route to its pod
 * network (§2.7, §4–6), a NAT44 interface role or identity mapping (§3.2, §9), one ACL attached to an interface
 * (§8.4). While it is gone the data path is degraded and the model says what still passes: a pod without its
 * route or neighbour is unreachable, a remote node without its L2 FIB entry too (flooding is off), VXLAN keeps
 * its identity while either mapping of the node IP remains. An ACL detached changes the interface's list, which
 * takes the interface's sessions on current VPP (profile `aclSessionsClearedOn`). The resync configures the item
 * again with the very command that configured it: afterwards the configuration is as freshly configured, and only
 * sessions lost on the way stay lost.
 */
export const configDrift: FaultDef = {
  id: 'config-drift',
  description: "one configured item of a node removed (neighbour, L2 FIB entry, route, NAT role or identity, ACL attachment), later re-applied as the agent's resync would",
  vpp: 'the del form of the command that configured it (set ip neighbor del, l2fib del, ip route del, nat44 add identity mapping … del, set interface nat44 … del, set acl-plugin interface … del); then the command itself',
  during: 'degraded: what needs the item fails as the model says (unreachable pod or node, VXLAN translated only without both identities); ACL detached: the interface loses its sessions on current VPP',
  after: 'configuration as freshly configured; new connections get the policy verdict; sessions lost on the way stay lost',
  cites: ['§2.5', '§2.7', '§4', '§4.8', '§6', '§3.2', '§9', '§8.4'],
};
