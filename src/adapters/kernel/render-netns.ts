// The Contiv two-node design built from Linux parts, as pure data: argument lists for `ip`, `bridge`, `sysctl`
// and `nft` (docs/datapath.md §2.5–§2.7). Nothing here runs anything; exec.ts does, so every command is unit-tested
// without root. The plan is a list of objects (namespaces and devices, made once; addresses, routes, neighbours,
// FDB entries and device attributes): a new topology deletes and adds only the objects that changed.
//
// Per node namespace (Linux stands in for VPP):
//   gbe      veth to the underlay namespace: main NIC with the node IP and MAC, static neighbours for other nodes
//   loop0    bridge device = BVI of bridge domain 1 (BVI IP and MAC); learning, flooding off on its port
//   vxlan10  VXLAN device (VNI 10, UDP 4789, local = node IP, TTL 253 as VPP writes on the wire, no learning),
//            a port of loop0; per remote node a static FDB entry (BVI MAC → node IP) on the device and in
//            the bridge, a permanent neighbour (BVI IP → BVI MAC) on loop0 and a route to its pod network
//   ptap<k>  per pod, veth to the pod namespace (MAC = the TAP MAC); /32 route and permanent neighbour
//            pod IP → 00:00:00:00:00:02; no covering route for the node's own pod network (§2.5)
//   default  blackhole: VPP's FIB default drops silently (no ICMP unreachable); with a gateway (§17) a route via
//            it on gbe instead, its MAC a permanent neighbour
//   tap0     veth to the node's host namespace (`vpp1` there: the host stack's end, muted like a pod's; §17):
//            tap0's address, the host end a permanent neighbour, the host's further addresses routed via it
// Per pod namespace: eth0 with the pod IP /32 and MAC, link route to the gateway, default route via it, permanent
// neighbour gateway → TAP MAC (§2.5); optionally muted (its own stack sends nothing: the suite plays the pod).
// The underlay namespace: bridge `wire` joining every node's gbe peer (static FDB, no flooding: a frame reaches
// only the node with its destination MAC), and the helper's marker veth pair.
import { VXLAN_PORT } from '../../packet/index.ts';
import type { AdapterNode, AdapterTopology } from '../adapter.ts';
import { hostEnds } from '../host.ts';
import { addressOf, BVI_IF, GBE_IF, HOST_IF, linuxTapName, TAP0_IF, MARKER_RX, MARKER_TX, namespaceNames, POD_IF, UNDERLAY_BRIDGE, underlayPort, VXLAN_IF, type NamespaceNames } from './names.ts';

/** the outer TTL VPP puts on the wire (254 written by encap, 253 after ip4-rewrite; docs/datapath.md §6.1) */
export const VXLAN_WIRE_TTL = 253;

export type Argv = string[];

/**
 * One thing the setup creates: a namespace, a device, an address, a route, a neighbour, an FDB entry, a device
 * attribute. `key` names the kernel object (so a changed object is deleted and re-added, never duplicated);
 * sticky objects (namespaces, devices) are made once and stay until teardown, so a new topology only re-runs
 * cheap configuration commands (creating and deleting devices costs tens of milliseconds each).
 */
export interface NetObject {
  key: string;
  /** 0 namespaces, 1 devices, 2 device wiring, 3 configuration (executed phase by phase; see exec.ts) */
  phase: 0 | 1 | 2 | 3;
  add: Argv[];
  /** how to remove it when it is no longer wanted or changed (errors ignored: it may be gone already) */
  del: Argv[];
  sticky?: boolean;
  /**
   * What else the object depends on: part of its signature, so the object is re-added when that changes.
   * Neighbours depend on their device's MAC (a MAC change flushes every neighbour of the device, permanent ones
   * included: neigh_changeaddr) and address; routes and neighbours on a device depend on its address (deleting
   * a device's last address flushes its routes and neighbours: fib_disable_ip).
   */
  after?: string;
}

export interface NetnsOptions {
  /** pods' own stacks send nothing (default true; the lab leaves them talking so `ping` works) */
  mutePods?: boolean;
}

/**
 * sysctls per node namespace, and why:
 * - ipv4 forwarding: the node routes between TAPs, loop0 and gbe like VPP's ip4-lookup.
 * - rp_filter 0: VPP does no reverse-path check (the NAT-loopback probe arrives on gbe from a pod-network source).
 * - send_redirects 0: VPP sends no ICMP redirects.
 * - ipv6 off: nothing of the design is IPv6; stops router/neighbour solicitations appearing in captures.
 * - nf_conntrack_tcp_be_liberal 1: VPP sessions track no TCP windows; conntrack then marks no out-of-window
 *   segment invalid (a divergence otherwise, see known-divergences.json).
 * - bridge-nf-call-* 0 (when br_netfilter is loaded): bridged frames must not run the IP hooks twice.
 * - arp_ignore 1 / arp_announce 2: a node answers no ARP for addresses of other devices (VPP answers only for
 *   its interface's own address; nothing on the pod path needs ARP: every neighbour is static).
 */
export const NODE_SYSCTLS: [string, string][] = [
  ['net.ipv6.conf.all.disable_ipv6', '1'],
  ['net.ipv6.conf.default.disable_ipv6', '1'],
  ['net.ipv4.ip_forward', '1'],
  ['net.ipv4.conf.all.rp_filter', '0'],
  ['net.ipv4.conf.default.rp_filter', '0'],
  ['net.ipv4.conf.all.send_redirects', '0'],
  ['net.ipv4.conf.default.send_redirects', '0'],
  ['net.ipv4.conf.all.arp_ignore', '1'],
  ['net.ipv4.conf.all.arp_announce', '2'],
];
/** set after the first ruleset loads conntrack into the namespace (see exec.ts) */
export const NODE_CONNTRACK_SYSCTLS: [string, string][] = [['net.netfilter.nf_conntrack_tcp_be_liberal', '1']];
export const BRIDGE_NF_SYSCTLS: [string, string][] = [
  ['net.bridge.bridge-nf-call-iptables', '0'],
  ['net.bridge.bridge-nf-call-arptables', '0'],
  ['net.bridge.bridge-nf-call-ip6tables', '0'],
];
/** pods and the underlay: no IPv6 chatter, no forwarding */
export const QUIET_SYSCTLS: [string, string][] = [
  ['net.ipv6.conf.all.disable_ipv6', '1'],
  ['net.ipv6.conf.default.disable_ipv6', '1'],
  ['net.ipv4.ip_forward', '0'],
];

/** A pod's own stack is muted by dropping everything it would send (ARP and IPv4); captures see raw frames. */
export const POD_MUTE_RULESET = 'table inet podflow_mute { chain out { type filter hook output priority 0; policy drop; }; }; table arp podflow_mute { chain out { type filter hook output priority 0; policy drop; }; }';

function ip(ns: string, ...args: string[]): Argv {
  return ['ip', '-n', ns, ...args];
}

function bridge(ns: string, ...args: string[]): Argv {
  return ['bridge', '-n', ns, ...args];
}

function sysctl(ns: string, values: [string, string][]): Argv {
  return ['ip', 'netns', 'exec', ns, 'sysctl', '-q', '-w', ...values.map(([k, v]) => `${k}=${v}`)];
}

/** IPv4 as a number (no validation: callers validated the topology) */
function ipNum(s: string): number {
  return s.split('.').reduce((a, x) => a * 256 + Number(x), 0);
}

function ipStr(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** `192.168.16.1/24` → `192.168.16.1/32` */
function host32(cidr: string): string {
  return `${addressOf(cidr)}/32`;
}

/** `192.168.16.1/24` → `192.168.16.0/24` */
export function networkOf(cidr: string): string {
  const [a, l] = cidr.split('/');
  const len = Number(l);
  const n = ipNum(a!);
  const net = len === 0 ? 0 : n - (n % 2 ** (32 - len));
  return `${ipStr(net)}/${len}`;
}

/**
 * A node's pod network: the resolved value when the caller gives it, else computed from the IPAM settings as
 * Contiv does (PodSubnetCIDR + (id << (32 − PodNetworkPrefixLen)), the id truncated to the field, §2.3).
 */
export function podSubnetOf(t: AdapterTopology, n: AdapterNode): string {
  if (n.podSubnet) return n.podSubnet;
  const cidr = t.ipam?.podSubnetCidr ?? '10.1.0.0/16';
  const len = t.ipam?.podNetworkPrefixLen ?? 24;
  const [base, plen] = cidr.split('/');
  const bits = len - Number(plen);
  const id = n.id % 2 ** bits;
  const net = (ipNum(base!) + id * 2 ** (32 - len)) % 2 ** 32;
  return `${ipStr(net)}/${len}`;
}

export function netObjects(t: AdapterTopology, names: NamespaceNames, opts: NetnsOptions = {}): NetObject[] {
  const mute = opts.mutePods ?? true;
  const out = new Map<string, NetObject>();
  const put = (o: NetObject) => {
    out.delete(o.key);
    out.set(o.key, o);
  };
  const nsObject = (name: string, sysctls: [string, string][], extra: Argv[] = []) =>
    put({ key: `ns:${name}`, phase: 0, sticky: true, add: [['ip', 'netns', 'add', name], sysctl(name, sysctls), ...extra], del: [['ip', 'netns', 'del', name]] });
  const config = (key: string, add: Argv[], del: Argv[] = [], after?: string) => put({ key, phase: 3, add, del, ...(after !== undefined ? { after } : {}) });
  // `ip neigh del` of a missing entry ends the whole `ip -batch` (iproute2 exits there); a flush never fails
  const neighDel = (ns: string, addr: string, dev: string) => ip(ns, 'neigh', 'flush', 'to', addr, 'dev', dev, 'nud', 'permanent');
  const U = names.underlay;

  nsObject(U, QUIET_SYSCTLS);
  put({
    key: `dev:${U}:wire`,
    phase: 1,
    sticky: true,
    add: [
      ip(U, 'link', 'add', 'name', UNDERLAY_BRIDGE, 'type', 'bridge', 'stp_state', '0', 'mcast_snooping', '0'),
      ip(U, 'link', 'set', 'dev', UNDERLAY_BRIDGE, 'up'),
      ip(U, 'link', 'add', 'name', MARKER_TX, 'type', 'veth', 'peer', 'name', MARKER_RX),
      ip(U, 'link', 'set', 'dev', MARKER_TX, 'up'),
      ip(U, 'link', 'set', 'dev', MARKER_RX, 'up'),
    ],
    del: [],
  });

  t.nodes.forEach((n, slot) => {
    const N = names.node(slot);
    // bridge-nf sysctls exist only when br_netfilter is loaded: `sysctl -e` ignores them otherwise
    nsObject(N, NODE_SYSCTLS, [['ip', 'netns', 'exec', N, 'sysctl', '-q', '-e', '-w', ...BRIDGE_NF_SYSCTLS.map(([k, v]) => `${k}=${v}`)]]);
    put({
      key: `dev:${N}`,
      phase: 1,
      sticky: true,
      add: [
        ip(N, 'link', 'add', 'name', GBE_IF, 'type', 'veth', 'peer', 'name', underlayPort(slot), 'netns', U),
        ip(N, 'link', 'add', 'name', BVI_IF, 'type', 'bridge', 'stp_state', '0', 'mcast_snooping', '0'),
        ip(N, 'link', 'add', 'name', VXLAN_IF, 'type', 'vxlan', 'id', String(n.vni), 'dstport', String(VXLAN_PORT), 'nolearning', 'ttl', String(VXLAN_WIRE_TTL), 'tos', '0', 'df', 'unset', 'noudpcsum'),
        ip(N, 'link', 'set', 'dev', VXLAN_IF, 'master', BVI_IF),
        ip(N, 'link', 'set', 'dev', VXLAN_IF, 'type', 'bridge_slave', 'learning', 'off', 'flood', 'off', 'mcast_flood', 'off', 'bcast_flood', 'off', 'neigh_suppress', 'off'),
        ip(N, 'link', 'set', 'dev', GBE_IF, 'up'),
        ip(N, 'link', 'set', 'dev', VXLAN_IF, 'up'),
        ip(N, 'link', 'set', 'dev', BVI_IF, 'up'),
        ip(N, 'route', 'replace', 'blackhole', 'default'),
      ],
      del: [],
    });
    // the wire delivers a frame only to the node with its destination MAC (as the model's shared segment does):
    // no learning, no flooding, a static FDB entry per node's NIC MAC
    put({
      key: `wiring:${U}:${underlayPort(slot)}`,
      phase: 2,
      sticky: true,
      add: [
        ip(U, 'link', 'set', 'dev', underlayPort(slot), 'master', UNDERLAY_BRIDGE, 'up'),
        ip(U, 'link', 'set', 'dev', underlayPort(slot), 'type', 'bridge_slave', 'learning', 'off', 'flood', 'off', 'mcast_flood', 'off', 'bcast_flood', 'off'),
      ],
      del: [],
    });
    config(`fdb:${U}:${underlayPort(slot)}`, [bridge(U, 'fdb', 'replace', n.gbe.mac, 'dev', underlayPort(slot), 'master', 'static')], [bridge(U, 'fdb', 'del', n.gbe.mac, 'dev', underlayPort(slot), 'master')]);
    config(`attr:${N}:${GBE_IF}:address`, [ip(N, 'link', 'set', 'dev', GBE_IF, 'address', n.gbe.mac)]);
    // Addresses go in as /32 plus an explicit subnet route: Linux would otherwise make the subnet's last address
    // a broadcast address, and VPP treats 192.168.16.255 (node 255) or 192.168.30.255 (its BVI) as unicast.
    config(`addr:${N}:${GBE_IF}`, [ip(N, 'addr', 'add', host32(n.nodeIp), 'dev', GBE_IF), ip(N, 'route', 'replace', networkOf(n.nodeIp), 'dev', GBE_IF, 'proto', 'kernel', 'scope', 'link', 'src', addressOf(n.nodeIp))], [ip(N, 'route', 'del', networkOf(n.nodeIp), 'dev', GBE_IF), ip(N, 'addr', 'del', host32(n.nodeIp), 'dev', GBE_IF)]);
    config(`attr:${N}:${BVI_IF}:address`, [ip(N, 'link', 'set', 'dev', BVI_IF, 'address', n.bvi.mac)]);
    config(`addr:${N}:${BVI_IF}`, [ip(N, 'addr', 'add', host32(n.bvi.ip), 'dev', BVI_IF), ip(N, 'route', 'replace', networkOf(n.bvi.ip), 'dev', BVI_IF, 'proto', 'kernel', 'scope', 'link', 'src', addressOf(n.bvi.ip))], [ip(N, 'route', 'del', networkOf(n.bvi.ip), 'dev', BVI_IF), ip(N, 'addr', 'del', host32(n.bvi.ip), 'dev', BVI_IF)]);
    config(`attr:${N}:${VXLAN_IF}:local`, [ip(N, 'link', 'set', 'dev', VXLAN_IF, 'type', 'vxlan', 'local', addressOf(n.nodeIp))]);
    for (const r of t.nodes) {
      if (r === n) continue;
      const rIp = addressOf(r.nodeIp);
      const rBvi = addressOf(r.bvi.ip);
      const sub = podSubnetOf(t, r);
      config(`neigh:${N}:${GBE_IF}:${rIp}`, [ip(N, 'neigh', 'replace', rIp, 'lladdr', r.gbe.mac, 'dev', GBE_IF, 'nud', 'permanent')], [neighDel(N, rIp, GBE_IF)], `${n.gbe.mac} ${n.nodeIp}`);
      config(`neigh:${N}:${BVI_IF}:${rBvi}`, [ip(N, 'neigh', 'replace', rBvi, 'lladdr', r.bvi.mac, 'dev', BVI_IF, 'nud', 'permanent')], [neighDel(N, rBvi, BVI_IF)], `${n.bvi.mac} ${n.bvi.ip}`);
      config(`fdb:${N}:master:${r.bvi.mac}`, [bridge(N, 'fdb', 'replace', r.bvi.mac, 'dev', VXLAN_IF, 'master', 'static')], [bridge(N, 'fdb', 'del', r.bvi.mac, 'dev', VXLAN_IF, 'master')]);
      config(`fdb:${N}:self:${r.bvi.mac}`, [bridge(N, 'fdb', 'replace', r.bvi.mac, 'dev', VXLAN_IF, 'dst', rIp, 'self', 'permanent')], [bridge(N, 'fdb', 'del', r.bvi.mac, 'dev', VXLAN_IF, 'self')]);
      config(`route:${N}:${sub}`, [ip(N, 'route', 'replace', sub, 'via', rBvi, 'dev', BVI_IF, 'onlink')], [ip(N, 'route', 'del', sub)], n.bvi.ip);
      // The remote node's host stack via its BVI, as Contiv routes it (docs/datapath.md §17.3): its host interconnect
      // network (routeToOtherHostStack) and its management IP, the first of its host addresses (routeToOtherManagementIP).
      const rh = hostEnds(r);
      const rHostNet = networkOf(`${rh.host}/${rh.prefix}`);
      config(`route:${N}:${rHostNet}`, [ip(N, 'route', 'replace', rHostNet, 'via', rBvi, 'dev', BVI_IF, 'onlink')], [ip(N, 'route', 'del', rHostNet)], n.bvi.ip);
      const mgmt = rh.addresses[0];
      if (mgmt !== undefined) {
        const prefix = mgmt.includes('/') ? mgmt : `${mgmt}/32`;
        config(`route:${N}:${prefix}`, [ip(N, 'route', 'replace', prefix, 'via', rBvi, 'dev', BVI_IF, 'onlink')], [ip(N, 'route', 'del', prefix)], n.bvi.ip);
      }
    }
    // The default gateway (§2.6, §17): the default route via it instead of the blackhole, its MAC permanent.
    if (n.gateway) {
      const gw = n.gateway;
      config(`neigh:${N}:${GBE_IF}:${gw.ip}`, [ip(N, 'neigh', 'replace', gw.ip, 'lladdr', gw.mac, 'dev', GBE_IF, 'nud', 'permanent')], [neighDel(N, gw.ip, GBE_IF)], `${n.gbe.mac} ${n.nodeIp}`);
      config(`route:${N}:default`, [ip(N, 'route', 'replace', 'default', 'via', gw.ip, 'dev', GBE_IF, 'onlink')], [ip(N, 'route', 'replace', 'blackhole', 'default')], n.nodeIp);
    }
    // The host interconnect (§17): tap0 ↔ vpp1 in the node's host namespace (the host stack, muted like a pod's).
    const H = names.host(slot);
    const h = hostEnds(n);
    nsObject(H, QUIET_SYSCTLS, mute ? [['ip', 'netns', 'exec', H, 'nft', POD_MUTE_RULESET]] : []);
    put({ key: `dev:${N}:${TAP0_IF}`, phase: 1, sticky: true, add: [ip(N, 'link', 'add', 'name', TAP0_IF, 'type', 'veth', 'peer', 'name', HOST_IF, 'netns', H), ip(N, 'link', 'set', 'dev', TAP0_IF, 'up')], del: [] });
    put({ key: `wiring:${H}:${HOST_IF}`, phase: 2, sticky: true, add: [ip(H, 'link', 'set', 'dev', HOST_IF, 'up')], del: [] });
    const hostNet = networkOf(`${h.host}/${h.prefix}`);
    config(`addr:${N}:${TAP0_IF}`, [ip(N, 'addr', 'add', host32(h.tap0), 'dev', TAP0_IF), ip(N, 'route', 'replace', hostNet, 'dev', TAP0_IF, 'proto', 'kernel', 'scope', 'link', 'src', addressOf(h.tap0))], [ip(N, 'route', 'del', hostNet, 'dev', TAP0_IF), ip(N, 'addr', 'del', host32(h.tap0), 'dev', TAP0_IF)]);
    if (h.mac) {
      config(`attr:${H}:${HOST_IF}:address`, [ip(H, 'link', 'set', 'dev', HOST_IF, 'address', h.mac)]);
      config(`neigh:${N}:${TAP0_IF}:${h.host}`, [ip(N, 'neigh', 'replace', h.host, 'lladdr', h.mac, 'dev', TAP0_IF, 'nud', 'permanent')], [neighDel(N, h.host, TAP0_IF)], h.tap0);
    }
    config(`addr:${H}:${HOST_IF}`, [ip(H, 'addr', 'add', `${h.host}/${h.prefix}`, 'dev', HOST_IF)], [ip(H, 'addr', 'del', `${h.host}/${h.prefix}`, 'dev', HOST_IF)]);
    for (const a of h.addresses) {
      const prefix = a.includes('/') ? a : `${a}/32`;
      config(`route:${N}:${prefix}`, [ip(N, 'route', 'replace', prefix, 'via', h.host, 'dev', TAP0_IF)], [ip(N, 'route', 'del', prefix)], h.tap0);
    }
  });

  t.nodes.forEach((n, slot) => {
    const N = names.node(slot);
    n.pods.forEach((p, k) => {
      const P = names.pod(slot, k);
      const tap = linuxTapName(k);
      nsObject(P, QUIET_SYSCTLS, mute ? [['ip', 'netns', 'exec', P, 'nft', POD_MUTE_RULESET]] : []);
      put({ key: `dev:${N}:${tap}`, phase: 1, sticky: true, add: [ip(N, 'link', 'add', 'name', tap, 'type', 'veth', 'peer', 'name', POD_IF, 'netns', P), ip(N, 'link', 'set', 'dev', tap, 'up')], del: [] });
      put({ key: `wiring:${P}:${POD_IF}`, phase: 2, sticky: true, add: [ip(P, 'link', 'set', 'dev', POD_IF, 'up')], del: [] });
      config(`attr:${N}:${tap}:address`, [ip(N, 'link', 'set', 'dev', tap, 'address', p.tap.mac)]);
      config(`route:${N}:${p.ip}/32`, [ip(N, 'route', 'replace', `${p.ip}/32`, 'dev', tap)], [ip(N, 'route', 'del', `${p.ip}/32`, 'dev', tap)]);
      config(`neigh:${N}:${tap}:${p.ip}`, [ip(N, 'neigh', 'replace', p.ip, 'lladdr', p.mac, 'dev', tap, 'nud', 'permanent')], [neighDel(N, p.ip, tap)], p.tap.mac);
      config(`attr:${P}:${POD_IF}:address`, [ip(P, 'link', 'set', 'dev', POD_IF, 'address', p.mac)]);
      config(`addr:${P}:${POD_IF}`, [ip(P, 'addr', 'add', `${p.ip}/32`, 'dev', POD_IF)], [ip(P, 'addr', 'del', `${p.ip}/32`, 'dev', POD_IF)]);
      config(`route:${P}:${p.gateway}/32`, [ip(P, 'route', 'replace', `${p.gateway}/32`, 'dev', POD_IF, 'scope', 'link')], [ip(P, 'route', 'del', `${p.gateway}/32`, 'dev', POD_IF)], p.ip);
      config(`route:${P}:default`, [ip(P, 'route', 'replace', 'default', 'via', p.gateway, 'dev', POD_IF)], [ip(P, 'route', 'del', 'default')], p.ip);
      config(`neigh:${P}:${POD_IF}:${p.gateway}`, [ip(P, 'neigh', 'replace', p.gateway, 'lladdr', p.tap.mac, 'dev', POD_IF, 'nud', 'permanent')], [neighDel(P, p.gateway, POD_IF)], `${p.mac} ${p.ip}`);
    });
  });
  return [...out.values()].sort((a, b) => a.phase - b.phase);
}

/** Every command that builds the topology in empty namespaces, in order. */
export function renderNetns(t: AdapterTopology, prefix: string, opts: NetnsOptions = {}): Argv[] {
  return netObjects(t, namespaceNames(prefix), opts).flatMap((o) => o.add);
}

export interface NetnsDiff {
  /** per phase, the commands that create what is new or changed */
  add: Argv[][];
  /** configuration to remove first (reverse creation order; failures ignored) */
  del: Argv[];
  /** keys of the objects added */
  changed: string[];
  /** what exists afterwards: `next` and the sticky objects of `prev` it no longer mentions (kept, unused) */
  state: NetObject[];
}

/**
 * What turns the `prev` objects into `next`: configuration that changed or went away is deleted, then new and
 * changed objects are added; sticky objects (namespaces, devices) are only ever added.
 */
export function renderNetnsDiff(prev: readonly NetObject[], next: readonly NetObject[]): NetnsDiff {
  const sig = (o: NetObject) => JSON.stringify([o.add, o.after ?? null]);
  const before = new Map(prev.map((o) => [o.key, o]));
  const after = new Map(next.map((o) => [o.key, o]));
  const del: Argv[] = [];
  for (const o of [...prev].reverse()) {
    if (o.sticky) continue;
    const n = after.get(o.key);
    if (!n || sig(n) !== sig(o)) del.push(...o.del);
  }
  const add: Argv[][] = [[], [], [], []];
  const changed: string[] = [];
  for (const o of next) {
    const p = before.get(o.key);
    if (p && (p.sticky || sig(p) === sig(o))) continue;
    changed.push(o.key);
    add[o.phase]!.push(...o.add);
  }
  const state = [...next, ...prev.filter((o) => o.sticky && !after.has(o.key))];
  return { add, del, changed, state };
}

/** A node's session timeouts (seconds), as the adapters' setup takes them. */
export interface SessionTimeoutsOption {
  udpIdle?: number;
  tcpIdle?: number;
  tcpTransient?: number;
}

/**
 * The conntrack timeout sysctls of a node namespace that play VPP's acl-plugin session timeouts (the nemesis's
 * idle-timeout sets them short): UDP idle → both UDP timeouts (unreplied, and the stream a reply made); TCP
 * transient → every state but ESTABLISHED (SYN_SENT and SYN_RECV: a half-open connection; the closing states);
 * TCP idle → ESTABLISHED (a completed handshake, as VPP's session that saw SYN and ACK both ways) and
 * `unacknowledged` (a stream with unacknowledged data would otherwise use 300 s). A timeout not given keeps the
 * namespace's value.
 */
export function conntrackTimeoutSysctls(s: SessionTimeoutsOption): [string, string][] {
  const out: [string, string][] = [];
  const put = (v: number | undefined, keys: string[]) => {
    if (v !== undefined) for (const k of keys) out.push([`net.netfilter.nf_conntrack_${k}`, String(Math.round(v))]);
  };
  put(s.udpIdle, ['udp_timeout', 'udp_timeout_stream']);
  put(s.tcpTransient, ['tcp_timeout_syn_sent', 'tcp_timeout_syn_recv', 'tcp_timeout_fin_wait', 'tcp_timeout_close_wait', 'tcp_timeout_last_ack', 'tcp_timeout_time_wait', 'tcp_timeout_close']);
  put(s.tcpIdle, ['tcp_timeout_established', 'tcp_timeout_unacknowledged']);
  return out;
}
