// The model's meaning of the nemesis's faults on the state of one VPP (issue 13; the catalogue with what is
// expected during and after each is src/faults/). Each is an operation on a configured VppInstance: which tables
// it empties, which configuration it keeps. Configuration is never a session: static and identity mappings, static
// neighbours, routes and ACL attachments survive every session clear (DATAPATH.md §8.4, §9, §2.5).
import type { Profile } from '../profiles.ts';
import type { AclConfig, VppInstance } from './vpp.ts';

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

/**
 * The interfaces whose acl-plugin sessions an ACL configuration change takes away (profile switch
 * `aclSessionsClearedOn`). 18.01: an interface that keeps no ACL in either direction (DATAPATH.md §8.4). Current
 * VPP: an interface whose set of attached ACLs changed in either direction, as `acl_interface_set_inout_acl_list`
 * clears the interface's sessions whenever an ACL is attached or detached; a table replaced in place (same index,
 * new rules) changes no attachment and keeps them. Contiv's renderer moves a pod to another table when a policy
 * update changes which policies select it, so on current VPP that pod's open connections lose their sessions.
 */
export function interfacesLosingSessions(before: AclConfig, after: AclConfig, profile: Profile): number[] {
  const sws = new Set([...before.input.keys(), ...before.output.keys()]);
  const same = (a: readonly number[] | undefined, b: readonly number[] | undefined): boolean => {
    const x = new Set(a ?? []);
    const y = new Set(b ?? []);
    return x.size === y.size && [...x].every((i) => y.has(i));
  };
  const lost: number[] = [];
  for (const sw of sws) {
    const hasAfter = (after.input.get(sw)?.length ?? 0) + (after.output.get(sw)?.length ?? 0) > 0;
    if (!hasAfter) lost.push(sw);
    else if (profile.aclSessionsClearedOn === 'acl-list-changed' && (!same(before.input.get(sw), after.input.get(sw)) || !same(before.output.get(sw), after.output.get(sw)))) lost.push(sw);
  }
  return lost.sort((a, b) => a - b);
}

/** The interface a link-flap names: loop0 (the BVI) or the main NIC (GigabitEthernet…). */
export function linkInterface(vpp: VppInstance, link: 'loop0' | 'main-nic'): number {
  return link === 'loop0' ? vpp.node.loop0.swIfIndex : vpp.node.gbe.swIfIndex;
}

/**
 * `set interface state loop0 down`, then `up` (or the main NIC). Checked on a VPP 26.06 lab with open connections
 * (`show ip neighbors`, `show l2fib verbose`, `show ip fib`, `show acl-plugin sessions`, `show nat44 sessions`,
 * `show bridge-domain 1 detail` before, while down and after): while down the interface's connected routes are
 * withdrawn and routes through it unresolved; its static neighbours, the static L2 FIB entries, the BVI's membership
 * of the bridge domain, ACL attachments, acl-plugin sessions and NAT44 sessions all stay, and once up the routes
 * resolve again. So, as for a TAP, nothing in the model changes (it has no admin state; the fault completes before
 * the next packet). One difference, checked on the same lab: VPP flushes the *dynamic* neighbours of an interface
 * set down (static ones stay). The model's neighbour for a remote node's NIC is dynamic in Contiv (ARP, which the
 * model pre-resolves, §2.7); after a flap of the main NIC Contiv's VPP resolves it again by ARP (the first packet
 * to that node waits in ip4-arp), the model keeps it resolved — it has no ARP, so it cannot lose that one packet.
 * The lab configures the neighbour static (no ARP on its wire) and keeps it, as the model does.
 */
export function flapLink(vpp: VppInstance, link: 'loop0' | 'main-nic'): void {
  const sw = linkInterface(vpp, link);
  if (!vpp.ifBySw.has(sw)) throw new Error(`link-flap: node ${vpp.node.id} has no ${link} interface`);
}

/**
 * A node restarted: VPP keeps nothing across a restart and the agent configures the node again from the same
 * configuration with the ACLs last applied (DATAPATH.md §10.9). The model's meaning: the node's instance replaced by
 * a freshly configured one (`configureNode`: no ACL or NAT sessions, no counters) whose ACL configuration is the
 * last applied; the other nodes keep their state.
 */
export function restartNode(vpps: Map<number, VppInstance>, fresh: VppInstance): void {
  if (!vpps.has(fresh.node.id)) throw new Error(`node-restart: no node ${fresh.node.id}`);
  if (fresh.aclSessions.byKey.size > 0 || fresh.natSessions.byKey.size > 0) throw new Error(`node-restart: node ${fresh.node.id}: the instance replacing it holds sessions (not freshly configured)`);
  vpps.set(fresh.node.id, fresh);
}

/**
 * Time passes with no traffic until `until` (virtual seconds): the acl-plugin's session cleaner removes every
 * session idle longer than its class's timeout (§8.5; lookups expire lazily anyway, this is what the cleaner leaves).
 * NAT44 sessions are not timed by the model: the pod path's NAT sessions are those of the VXLAN identity mappings,
 * created again (translated to themselves) by the next packet, so their expiry changes nothing a pod sees (§9).
 */
export function idleUntil(vpp: VppInstance, until: number): void {
  vpp.aclSessions.expire(until);
}
