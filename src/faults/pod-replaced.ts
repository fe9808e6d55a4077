// A pod deleted and added again with the same name, IP and labels (CNI DEL, then ADD).
import type { FaultDef } from './types.ts';

/**
 * CNI DEL removes the pod's TAP with its route and static neighbour; the renderer detaches its ACLs, and the
 * interface's sessions go with them (§8.4). CNI ADD configures them again (§2.5) and, the labels being the same, the
 * renderer attaches the same tables (§10.7). Afterwards only that TAP's sessions are gone: new connections get the
 * policy verdict; an older connection of that pod is judged by the rules again (the model says what passes).
 */
export const podReplaced: FaultDef = {
  id: 'pod-replaced',
  description: 'a pod deleted and added again (same name, IP, TAP and labels)',
  vpp: 'CNI DEL then ADD: delete tap, then create tap, route, static neighbour, ACL attachment again (VPP lab: ACLs detached, NAT role, neighbour, route, address undone, delete packet-generator interface pg<N>, then its setup steps and ACLs again)',
  during: 'the pod is unreachable',
  after: "configuration as before; the pod TAP's sessions gone",
  cites: ['§2.5', '§8.4', '§10.7'],
};
