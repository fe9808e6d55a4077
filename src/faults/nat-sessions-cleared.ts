// Every NAT44 session of one node cleared: `clear nat44 ed sessions` on current VPP (NAT44-ED), `clear nat44 sessions`
// in the Contiv fork's 18.01.
import type { FaultDef } from './types.ts';

/**
 * Every NAT44 session of the node goes. The address pool, interface roles and the two identity mappings are
 * configuration, not sessions (docs/datapath.md §9, §3.2): the next outer VXLAN packet matches the address-only identity
 * on the sender (a new session, translated to itself) and the VXLAN identity on the receiver, and pod-to-pod packets
 * are never translated (forwarding enabled). So nothing a pod can observe changes: same verdicts, same bytes.
 */
export const natSessionsCleared: FaultDef = {
  id: 'nat-sessions-cleared',
  description: 'every NAT44 session of a node forgotten',
  vpp: 'clear nat44 ed sessions (current VPP, NAT44-ED); clear nat44 sessions (18.01)',
  during: 'nothing: the clear is atomic',
  after: 'no change a pod can see: identity mappings are configuration, VXLAN is still not source-NATed, pod-to-pod is never translated',
  cites: ['§9', '§3.2', 'I11'],
};
