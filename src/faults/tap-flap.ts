// A pod TAP set down and up again (a link flap on the pod's interface).
import type { FaultDef } from './types.ts';

/**
 * `set interface state <tap> down`, then `up`. VPP keeps the interface's configuration across admin state: the
 * pod's /32 route (unresolved while down), its static neighbour (§2.5 steps 6–7), its ACL attachment (§3.1) and its
 * acl-plugin sessions (§8.4 lists how sessions go; link state is not among them). Once up, the data path is as
 * before: new connections get the policy verdict, open ones keep passing. (The model has no admin state; the fault
 * completes before the next packet.)
 */
export const tapFlap: FaultDef = {
  id: 'tap-flap',
  description: "a pod's TAP set down, then up again",
  vpp: 'set interface state <tap> down; set interface state <tap> up',
  during: 'packets to or from the pod are lost (not sent while down)',
  after: 'as before: route, static neighbour, ACL attachment and sessions kept',
  cites: ['§2.5', '§3.1', '§8.4'],
};
