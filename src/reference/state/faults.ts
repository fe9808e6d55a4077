// The model's meaning of the nemesis's faults on the state of one VPP (issue 13; the catalogue with what is
// expected during and after each is src/faults/). Each is an operation on a configured VppInstance: which tables
// it empties, which configuration it keeps. Configuration is never a session: static and identity mappings, static
// neighbours, routes and ACL attachments survive every session clear (DATAPATH.md §8.4, §9, §2.5).
import type { VppInstance } from './vpp.ts';

/** `clear acl-plugin sessions`: every reflective session of the node goes; ACL tables and attachments stay (§8.4). */
export function clearAclSessions(vpp: VppInstance): void {
  vpp.aclSessions.clear();
}

/**
 * `clear nat44 sessions`: every NAT44 session of the node goes; the address pool, interface roles and the
 * static and identity mappings are configuration and stay, so the next VXLAN packet matches its identity mapping
 * again (§9) and pod-to-pod traffic, never translated, is not affected.
 */
export function clearNatSessions(vpp: VppInstance): void {
  vpp.natSessions.clear();
}

/** The pod TAP of a pod on this VPP (by the pod's name in the topology), or undefined. */
export function podTap(vpp: VppInstance, pod: string): number | undefined {
  return vpp.node.pods.find((p) => p.name === pod)?.tap.swIfIndex;
}

/**
 * `set interface state <tap> down`, then `up`: VPP keeps the interface's FIB entries (the pod's /32 route
 * is unresolved while down and resolves again when up), its static neighbour (§2.5 step 7), its ACL attachment
 * and its acl-plugin sessions (§8.4 lists how sessions go away: expiry, the interface's last ACL removed, a
 * clear — not link state). Once up, the state is what it was: nothing in the model changes. (The model has no
 * admin state: the fault completes before the next packet, so no packet meets the interface down.)
 */
export function flapTap(vpp: VppInstance, swIfIndex: number): void {
  if (!vpp.ifBySw.has(swIfIndex)) throw new Error(`tap-flap: node ${vpp.node.id} has no interface ${swIfIndex}`);
}

/**
 * A pod replaced (CNI DEL, then ADD with the same name, IP and labels; the scenario pins the TAP's name and
 * sw_if_index): the deleted interface takes its acl-plugin sessions with it (§8.4: its ACLs are removed first);
 * the ADD configures the TAP, route and static neighbour again (§2.5) and the policy renderer attaches the same
 * tables (same labels, same IP, §10.7), so afterwards only the sessions of that TAP are gone.
 */
export function replacePod(vpp: VppInstance, swIfIndex: number): void {
  if (!vpp.ifBySw.has(swIfIndex)) throw new Error(`pod-replaced: node ${vpp.node.id} has no interface ${swIfIndex}`);
  vpp.aclSessions.removeInterface(swIfIndex);
}
