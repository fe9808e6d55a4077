// The model's meaning of the nemesis's faults on the state of one VPP (issue 13; the catalogue with what is
// expected during and after each is src/faults/). Each is an operation on a configured VppInstance: which tables
// it empties, which configuration it keeps. Configuration is never a session: static and identity mappings, static
// neighbours, routes and ACL attachments survive every session clear (docs/datapath.md §8.4, §9, §2.5).
import { ip4, ip4ToString, mac, macToString, VXLAN_PORT } from '../../packet/index.ts';
import type { Profile } from '../profiles.ts';
import { POD_MAC, type Interface, type Node } from '../topology/topology.ts';
import type { FibEntry } from './fib.ts';
import type { StaticMapping } from './nat.ts';
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
 * `aclSessionsClearedOn`). 18.01: an interface that keeps no ACL in either direction (docs/datapath.md §8.4). Current
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
 * configuration with the ACLs last applied (docs/datapath.md §10.9). The model's meaning: the node's instance replaced by
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

// --- config-drift: one configured item removed, then configured again as the agent's resync would ----------------

/**
 * One item of a node's configuration in plain terms (the adapters' DriftItem, adapters/adapter.ts, has the same
 * shape): interfaces by name, addresses and MACs as text, ACLs by table index.
 */
export type ConfigItem =
  | { kind: 'static-neighbour'; interface: string; ip: string; mac: string }
  | { kind: 'l2fib'; mac: string; interface: string }
  | { kind: 'route'; prefix: string; interface?: string; via?: string }
  | { kind: 'nat-identity'; ip: string; proto?: 'udp' | 'tcp'; port?: number }
  | { kind: 'nat-interface'; interface: string; inside: boolean; outside: boolean; outputFeature: boolean }
  | { kind: 'acl-attachment'; interface: string; direction: 'input' | 'output'; acl: number };

const cidrText = (c: { network: number; prefixLen: number }): string => `${ip4ToString(c.network)}/${c.prefixLen}`;

/**
 * The items config-drift may take from a node, in a fixed order: per pod its static neighbour, /32 route and NAT
 * role (§2.5, §3.2); per remote node the static neighbour and L2 FIB entry of its BVI and the route to its pod
 * network (§2.7); the NAT roles of loop0, tap0 and the main NIC and the two identity mappings (§9, as Contiv
 * configures NAT); the ACL attachments (`attach` of the node's ACL configuration, in order). Not the route to the
 * remote host interconnect (a lab has no host stack behind it) nor the underlay neighbour (learned by ARP in Contiv).
 */
export function configItems(node: Node, nodes: readonly Node[], acls?: { attach: readonly { interface: string; input: readonly number[]; output: readonly number[] }[] }): ConfigItem[] {
  const items: ConfigItem[] = [];
  for (const p of node.pods) {
    items.push({ kind: 'static-neighbour', interface: p.tap.name, ip: ip4ToString(p.ip), mac: macToString(POD_MAC) });
    items.push({ kind: 'route', prefix: `${ip4ToString(p.ip)}/32`, interface: p.tap.name });
  }
  for (const remote of [...nodes].filter((n) => n.id !== node.id).sort((a, b) => a.id - b.id)) {
    const tun = node.tunnels.get(remote.id);
    if (!tun) continue;
    items.push({ kind: 'static-neighbour', interface: node.loop0.name, ip: ip4ToString(remote.bviIp.network), mac: macToString(remote.bviMac) });
    items.push({ kind: 'l2fib', mac: macToString(remote.bviMac), interface: tun.name });
    items.push({ kind: 'route', prefix: cidrText(remote.podNetwork), via: ip4ToString(remote.bviIp.network) });
  }
  for (const p of node.pods) items.push({ kind: 'nat-interface', interface: p.tap.name, inside: p.serviceEndpoint, outside: true, outputFeature: false });
  items.push({ kind: 'nat-interface', interface: node.loop0.name, inside: true, outside: true, outputFeature: false });
  items.push({ kind: 'nat-interface', interface: node.tap0.name, inside: true, outside: true, outputFeature: false });
  items.push({ kind: 'nat-interface', interface: node.gbe.name, inside: false, outside: true, outputFeature: true });
  items.push({ kind: 'nat-identity', ip: ip4ToString(node.ip.network), proto: 'udp', port: VXLAN_PORT });
  items.push({ kind: 'nat-identity', ip: ip4ToString(node.ip.network) });
  for (const a of acls?.attach ?? []) {
    for (const acl of a.input) items.push({ kind: 'acl-attachment', interface: a.interface, direction: 'input', acl });
    for (const acl of a.output) items.push({ kind: 'acl-attachment', interface: a.interface, direction: 'output', acl });
  }
  return items;
}

/** What a removal took that a restore puts back exactly (a FIB entry keeps its DPO index), per VPP instance. */
const removedEntries = new WeakMap<VppInstance, Map<string, FibEntry>>();

function ifaceOf(vpp: VppInstance, name: string | undefined, what: string): Interface {
  const i = name === undefined ? undefined : vpp.ifByName.get(name);
  if (!i) throw new Error(`config-drift: node ${vpp.node.id} has no interface '${name}' (${what})`);
  return i;
}

function parsePrefix(text: string): { network: number; prefixLen: number } {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(text);
  if (!m) throw new Error(`config-drift: '${text}' is not an IPv4 prefix`);
  return { network: ip4(m[1]!), prefixLen: Number(m[2]) };
}

const PROTO = { udp: 17, tcp: 6 } as const;

function sameMapping(m: StaticMapping, item: Extract<ConfigItem, { kind: 'nat-identity' }>): boolean {
  return m.identity && m.local === ip4(item.ip) && m.proto === (item.proto ? PROTO[item.proto] : undefined) && m.port === item.port;
}

/**
 * config-drift, the removal: the item goes from the node's configuration and nothing else changes, as VPP does
 * with the `del` form of the command that configured it. A static neighbour removed leaves its adjacency
 * unresolved (ip4-arp: the packet is dropped); a route removed, its destination to the next covering prefix; an
 * L2 FIB entry, its MAC unknown in the bridge domain (no flooding: dropped); an identity mapping, the node IP
 * without it (the other identity may still cover VXLAN); a NAT role, the interface without NAT features; an ACL
 * detached, the interface's list without it — and, as for any change of attachments, the interface's sessions as
 * `interfacesLosingSessions` says for the profile (§8.4). Removing what is not configured changes nothing.
 */
export function removeConfigItem(vpp: VppInstance, item: ConfigItem): void {
  const stash = removedEntries.get(vpp) ?? new Map<string, FibEntry>();
  removedEntries.set(vpp, stash);
  switch (item.kind) {
    case 'static-neighbour':
      vpp.neighbors.delete(ifaceOf(vpp, item.interface, item.kind).swIfIndex, ip4(item.ip));
      return;
    case 'l2fib': {
      const sw = ifaceOf(vpp, item.interface, item.kind).swIfIndex;
      if (vpp.bd.fib.get(mac(item.mac)) === sw) vpp.bd.removeFibEntry(mac(item.mac));
      return;
    }
    case 'route': {
      const p = parsePrefix(item.prefix);
      const e = vpp.fib.get(p.network, p.prefixLen);
      if (!e || e.path.kind === 'receive' || e.path.kind === 'connected' || e.path.kind === 'drop') return;
      stash.set(item.prefix, e);
      vpp.fib.remove(p.network, p.prefixLen);
      return;
    }
    case 'nat-identity':
      vpp.nat.mappings = vpp.nat.mappings.filter((m) => !sameMapping(m, item));
      return;
    case 'nat-interface':
      vpp.nat.roles.delete(ifaceOf(vpp, item.interface, item.kind).swIfIndex);
      return;
    case 'acl-attachment': {
      const sw = ifaceOf(vpp, item.interface, item.kind).swIfIndex;
      const before = copyAttachments(vpp.acl);
      const lists = item.direction === 'input' ? vpp.acl.input : vpp.acl.output;
      const list = (lists.get(sw) ?? []).filter((i) => i !== item.acl);
      if (list.length > 0) lists.set(sw, list);
      else lists.delete(sw);
      for (const s of interfacesLosingSessions(before, vpp.acl, vpp.profile)) vpp.aclSessions.removeInterface(s);
      return;
    }
  }
}

/**
 * config-drift, the restore: the item configured again with the very command that configured it (the agent's
 * resync), so the node's configuration is what it was freshly configured: the route with its DPO index, the
 * neighbour static, the identity mapping in its place, the ACL at its place in the interface's list (`applied`:
 * the list the configuration last applied gives that interface and direction). Sessions are state, not
 * configuration: none comes back; attaching the ACL again is a change of attachments like any other (§8.4).
 * Restoring what is configured changes nothing.
 */
export function restoreConfigItem(vpp: VppInstance, item: ConfigItem, applied?: readonly number[]): void {
  switch (item.kind) {
    case 'static-neighbour':
      vpp.neighbors.set(ifaceOf(vpp, item.interface, item.kind).swIfIndex, ip4(item.ip), mac(item.mac), true);
      return;
    case 'l2fib':
      vpp.bd.addFibEntry(mac(item.mac), ifaceOf(vpp, item.interface, item.kind).swIfIndex);
      return;
    case 'route': {
      const p = parsePrefix(item.prefix);
      if (vpp.fib.get(p.network, p.prefixLen)) return;
      const kept = removedEntries.get(vpp)?.get(item.prefix);
      removedEntries.get(vpp)?.delete(item.prefix);
      if (kept) vpp.fib.reinsert(kept);
      else if (item.via !== undefined) vpp.fib.add(p.network, p.prefixLen, { kind: 'recursive', nextHop: ip4(item.via) }, 'config-drift restore');
      else vpp.fib.add(p.network, p.prefixLen, { kind: 'attached', swIfIndex: ifaceOf(vpp, item.interface, item.kind).swIfIndex }, 'config-drift restore');
      return;
    }
    case 'nat-identity': {
      if (vpp.nat.mappings.some((m) => sameMapping(m, item))) return;
      const m: StaticMapping = { local: ip4(item.ip), external: ip4(item.ip), identity: true };
      if (item.proto) Object.assign(m, { proto: PROTO[item.proto], port: item.port });
      // configureNode's order: the (UDP, 4789) identity first, then the address-only one
      if (item.proto) vpp.nat.mappings.unshift(m);
      else vpp.nat.mappings.push(m);
      return;
    }
    case 'nat-interface':
      vpp.nat.roles.set(ifaceOf(vpp, item.interface, item.kind).swIfIndex, { inside: item.inside, outside: item.outside, outputFeature: item.outputFeature });
      return;
    case 'acl-attachment': {
      const sw = ifaceOf(vpp, item.interface, item.kind).swIfIndex;
      if (!vpp.acl.acls.has(item.acl)) throw new Error(`config-drift: node ${vpp.node.id} has no ACL ${item.acl} to attach to ${item.interface}`);
      const lists = item.direction === 'input' ? vpp.acl.input : vpp.acl.output;
      const cur = lists.get(sw) ?? [];
      if (cur.includes(item.acl)) return;
      const before = copyAttachments(vpp.acl);
      const want = applied ?? [...cur, item.acl];
      // the applied order for the ACLs now attached plus this one; anything else attached keeps its place after
      const next = want.filter((i) => i === item.acl || cur.includes(i));
      for (const i of cur) if (!next.includes(i)) next.push(i);
      lists.set(sw, next);
      for (const s of interfacesLosingSessions(before, vpp.acl, vpp.profile)) vpp.aclSessions.removeInterface(s);
      return;
    }
  }
}

function copyAttachments(a: AclConfig): AclConfig {
  return { acls: a.acls, input: new Map([...a.input].map(([k, v]) => [k, [...v]])), output: new Map([...a.output].map(([k, v]) => [k, [...v]])) };
}
