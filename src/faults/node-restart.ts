// A node's data path restarted (the VPP process killed and started again) and configured again by the agent.
import type { FaultDef } from './types.ts';

/**
 * VPP keeps no state across a restart: the process starts with the main NIC only, and the agent (Contiv's resync)
 * configures the node again — interfaces, bridge domain, tunnels, neighbours, L2 FIB, routes, NAT44 (§2.5–§2.7,
 * §3.2) — and applies the ACLs last rendered (§10.9). Every acl-plugin session (§8.4) and NAT44 session (§9) of the
 * node is gone, so a packet of a connection opened before meets the rules again on that node (the model says what
 * passes); the other nodes keep theirs. New connections get the policy verdict.
 */
export const nodeRestart: FaultDef = {
  id: 'node-restart',
  description: "a node's data path restarted and configured again (same configuration, the ACLs last applied)",
  vpp: 'VPP killed and started again, `create host-interface name <nic>`, then the node configuration and the ACLs as setup and apply send them',
  during: 'the node forwards nothing',
  after: "configuration as before; every ACL and NAT session of that node gone, the other nodes' kept",
  cites: ['§2.5', '§2.7', '§8.4', '§9', '§10.9'],
};
