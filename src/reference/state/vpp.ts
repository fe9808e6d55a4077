// One VPP instance of the model: the configuration Contiv installs on a node (docs/datapath.md §2.5–§2.7, §3)
// plus the state that packets change (ACL and NAT sessions, error counters).
import { VXLAN_PORT } from '../../packet/index.ts';
import type { NodeAclSpec, Scenario } from '../scenario.ts';
import { hostInterconnect, parseCidr } from '../topology/ipam.ts';
import { driverOf, POD_MAC, VXLAN_BD_ID, VXLAN_VNI, type Interface, type Node, type Topology } from '../topology/topology.ts';
import type { Profile } from '../profiles.ts';
import { SHARED_BUFFER_MEMORY, type BufferMemory } from './buffers.ts';
import { AclSessionTable, DEFAULT_SESSION_MAX, DEFAULT_SESSION_TIMEOUTS, type Acl, type AclRule } from './acl.ts';
import { Fib, NeighborTable } from './fib.ts';
import { BridgeDomain } from './l2.ts';
import { NatSessionTable, type NatConfig } from './nat.ts';
import { renderServices } from '../services.ts';
import { configureServiceNat, serviceNatFromPlain, serviceNatOf } from '../nodes/nat-dnat.ts';

export interface VxlanTunnel {
  iface: Interface;
  src: number;
  dst: number;
  vni: number;
  remoteNode: number;
}

export interface AclConfig {
  acls: Map<number, Acl>;
  input: Map<number, number[]>;
  output: Map<number, number[]>;
}

export interface VppInstance {
  node: Node;
  topology: Topology;
  profile: Profile;
  ifBySw: Map<number, Interface>;
  ifByName: Map<string, Interface>;
  fib: Fib;
  neighbors: NeighborTable;
  bd: BridgeDomain;
  tunnels: VxlanTunnel[];
  acl: AclConfig;
  aclSessions: AclSessionTable;
  nat: NatConfig;
  natSessions: NatSessionTable;
  /** L3 MTU per sw_if_index (docs/datapath.md §7.3: a model parameter) */
  mtu: Map<number, number>;
  /** `<node>: <error string>` → count */
  counters: Map<string, number>;
  /** where nodes get the bytes of frames they build (memory, not state: see buffers.ts) */
  buffers: BufferMemory;
}

export class ConfigError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'ConfigError';
  }
}

function toAclRule(r: NodeAclSpec['tables'][number]['rules'][number], path: string): AclRule {
  const action = r.action === 'deny' ? 0 : r.action === 'permit' ? 1 : 2;
  const rule: AclRule = { action, proto: r.proto, sport: r.sport, dport: r.dport };
  try {
    if (r.src) rule.src = parseCidr(r.src);
    if (r.dst) rule.dst = parseCidr(r.dst);
  } catch (e) {
    throw new ConfigError(path, (e as Error).message);
  }
  if (r.sport[0] > r.sport[1] || r.dport[0] > r.dport[1]) throw new ConfigError(path, 'a port range has lo > hi');
  return rule;
}

/** ACL tables and attachments of one node from the scenario's raw form. */
export function aclConfigFromSpec(spec: NodeAclSpec | undefined, node: Node, path: string, ifByName: Map<string, Interface>): AclConfig {
  const cfg: AclConfig = { acls: new Map(), input: new Map(), output: new Map() };
  if (!spec) return cfg;
  spec.tables.forEach((t, i) => {
    if (cfg.acls.has(t.index)) throw new ConfigError(`${path}.tables[${i}].index`, `ACL index ${t.index} appears twice on node ${node.id}`);
    const acl: Acl = { index: t.index, rules: t.rules.map((r, j) => toAclRule(r, `${path}.tables[${i}].rules[${j}]`)) };
    if (t.tag !== undefined) acl.tag = t.tag;
    cfg.acls.set(t.index, acl);
  });
  spec.attach.forEach((a, i) => {
    const iface = ifByName.get(a.interface);
    if (!iface) throw new ConfigError(`${path}.attach[${i}].interface`, `node ${node.id} has no interface '${a.interface}' (has: ${[...ifByName.keys()].join(', ')})`);
    if (iface.kind === 'vxlan') throw new ConfigError(`${path}.attach[${i}].interface`, 'VXLAN tunnel interfaces never carry ACLs in Contiv (docs/datapath.md §3.1)');
    for (const [dir, list] of [['input', a.input], ['output', a.output]] as const) {
      for (const idx of list) if (!cfg.acls.has(idx)) throw new ConfigError(`${path}.attach[${i}].${dir}`, `ACL ${idx} is not defined on node ${node.id}`);
      if (list.length > 0) (dir === 'input' ? cfg.input : cfg.output).set(iface.swIfIndex, [...list]);
    }
  });
  return cfg;
}

/** Builds the VPP instance of one node: interfaces, FIB, neighbours, bridge domain, tunnels, NAT44, ACLs. */
export function configureNode(topology: Topology, node: Node, scenario: Pick<Scenario, 'acls' | 'sessions' | 'nat'> & { services?: Scenario['services']; serviceNat?: Scenario['serviceNat'] }, profile: Profile, aclOverride?: AclConfig): VppInstance {
  // One pass, no [key, value] pair arrays: this runs for every node of every fuzz case.
  const ifBySw = new Map<number, Interface>();
  const ifByName = new Map<string, Interface>();
  const mtu = new Map<number, number>();
  for (const i of node.interfaces) {
    ifBySw.set(i.swIfIndex, i);
    ifByName.set(i.name, i);
    mtu.set(i.swIfIndex, defaultMtuOf(i, profile));
  }
  const fib = new Fib();
  const neighbors = new NeighborTable();
  const bd = new BridgeDomain(VXLAN_BD_ID);

  // Interface addresses: connected subnets and receive /32s. As VPP does for a connected prefix shorter than /31
  // (ip4_add_interface_prefix_routes), its network and broadcast addresses are /32 drop routes: a route via
  // either never resolves (a real lab showed it: node ID 255 gets 192.168.30.255, the BVI subnet's broadcast).
  for (const iface of [node.gbe, node.tap0, node.loop0]) {
    for (const a of iface.addresses) {
      if (a.prefixLen < 32) fib.add(a.network, a.prefixLen, { kind: 'connected', swIfIndex: iface.swIfIndex }, `${iface.name} address`);
      if (a.prefixLen < 31) {
        const size = 2 ** (32 - a.prefixLen);
        const net = Math.floor(a.network / size) * size;
        for (const edge of [net, net + size - 1]) if (edge !== a.network) fib.add(edge, 32, { kind: 'drop' }, `${iface.name} ${edge === net ? 'network' : 'broadcast'} address`);
      }
      fib.add(a.network, 32, { kind: 'receive', swIfIndex: iface.swIfIndex }, `${iface.name} address`);
    }
  }
  // Per pod (CNI ADD, §2.5): TAP address /32 (L3 mode only), route podIP/32 via the TAP, static ARP to the pod MAC.
  for (const pod of node.pods) {
    for (const a of pod.tap.addresses) fib.add(a.network, 32, { kind: 'receive', swIfIndex: pod.tap.swIfIndex }, `${pod.tap.name} address`);
    fib.add(pod.ip, 32, { kind: 'attached', swIfIndex: pod.tap.swIfIndex }, `vppRouteFromRequest(${pod.name})`);
    neighbors.set(pod.tap.swIfIndex, pod.ip, POD_MAC, true);
  }
  // Bridge domain 1 with loop0 as BVI (§2.6); the BVI's own MAC forwards to L3.
  bd.addMember({ swIfIndex: node.loop0.swIfIndex, shg: 1, bvi: true });
  bd.addFibEntry(node.bviMac, node.loop0.swIfIndex);
  // Per remote node (§2.7).
  const tunnels: VxlanTunnel[] = [];
  for (const [remoteId, tun] of node.tunnels) {
    const remote = topology.nodeById.get(remoteId)!;
    tunnels.push({ iface: tun, src: node.ip.network, dst: remote.ip.network, vni: VXLAN_VNI, remoteNode: remoteId });
    bd.addMember({ swIfIndex: tun.swIfIndex, shg: 1, bvi: false });
    neighbors.set(node.loop0.swIfIndex, remote.bviIp.network, remote.bviMac, true);
    bd.addFibEntry(remote.bviMac, tun.swIfIndex);
    fib.add(remote.podNetwork.network, remote.podNetwork.prefixLen, { kind: 'recursive', nextHop: remote.bviIp.network }, `routeToOtherHostPods(${remoteId})`);
    const remoteHost = hostInterconnect(topology.ipam, remoteId).network;
    fib.add(remoteHost.network, remoteHost.prefixLen, { kind: 'recursive', nextHop: remote.bviIp.network }, `routeToOtherHostStack(${remoteId})`);
    // The remote node's management IP (its first host address), via its BVI (§17.3: routeToOtherManagementIP).
    const mgmt = remote.hostIps[0];
    if (mgmt !== undefined) fib.add(mgmt, 32, { kind: 'recursive', nextHop: remote.bviIp.network }, `routeToOtherManagementIP(${remoteId})`);
    // The underlay: the remote main NIC is a neighbour on the shared L2 segment (dynamic ARP, pre-resolved here).
    neighbors.set(node.gbe.swIfIndex, remote.ip.network, remote.gbe.mac!, false);
  }
  // The host stack (§17.1): a /32 per host address via the host end of tap0 (routesToHost); the host end's MAC
  // is learned by ARP, never static: given, it is a learned entry already there.
  for (const h of node.hostIps) fib.add(h, 32, { kind: 'attached', swIfIndex: node.tap0.swIfIndex, nextHop: node.hostEnd }, 'routesToHost');
  if (node.hostMac !== undefined) neighbors.set(node.tap0.swIfIndex, node.hostEnd, node.hostMac, false);
  // Outside the cluster (§17.4): the default route via the node config's gateway on the main NIC, its MAC learned.
  if (node.defaultGateway) {
    fib.add(0, 0, { kind: 'attached', swIfIndex: node.gbe.swIfIndex, nextHop: node.defaultGateway.ip }, 'defaultRoute');
    neighbors.set(node.gbe.swIfIndex, node.defaultGateway.ip, node.defaultGateway.mac, false);
  }
  // Neighbours the scenario states resolved (the host end of tap0, a next hop): static, like Contiv's own; set
  // last, so a stated MAC wins over the one the model would have used for the same address.
  if (node.resolvedNeighbours) for (const n of node.resolvedNeighbours) neighbors.set(n.swIfIndex, n.ip, n.mac, true);
  // NAT44 (§3.2, §9).
  const roles = new Map<number, { inside: boolean; outside: boolean; outputFeature: boolean }>();
  for (const pod of node.pods) roles.set(pod.tap.swIfIndex, { inside: pod.serviceEndpoint, outside: true, outputFeature: false });
  roles.set(node.loop0.swIfIndex, { inside: true, outside: true, outputFeature: false });
  roles.set(node.tap0.swIfIndex, { inside: true, outside: true, outputFeature: false });
  roles.set(node.gbe.swIfIndex, { inside: false, outside: true, outputFeature: true });
  const nat: NatConfig = { forwarding: scenario.nat.forwarding, roles, mappings: [], pool: [node.ip.network] };
  if (scenario.nat.vxlanIdentity) nat.mappings.push({ local: node.ip.network, external: node.ip.network, proto: 17, port: VXLAN_PORT, identity: true });
  if (scenario.nat.addressIdentity) nat.mappings.push({ local: node.ip.network, external: node.ip.network, identity: true });

  const acl = aclOverride ?? aclConfigFromSpec(scenario.acls?.[String(node.id)], node, `acls.${node.id}`, ifByName);
  const timeouts = Object.assign({}, DEFAULT_SESSION_TIMEOUTS); // not a spread: V8's slow clone path, once per node and case
  for (const k of ['udpIdle', 'tcpIdle', 'tcpTransient'] as const) if (scenario.sessions[k] !== undefined) timeouts[k] = scenario.sessions[k]!;
  const vpp: VppInstance = {
    node,
    topology,
    profile,
    ifBySw,
    ifByName,
    fib,
    neighbors,
    bd,
    tunnels,
    acl,
    aclSessions: new AclSessionTable(timeouts, scenario.sessions.maxEntries ?? DEFAULT_SESSION_MAX),
    nat,
    natSessions: new NatSessionTable(),
    mtu,
    counters: new Map(),
    buffers: SHARED_BUFFER_MEMORY,
  };
  // Services (§16): the node's load-balancing mappings, twice-NAT pool and backend TAPs, as Contiv renders them.
  const plain = scenario.serviceNat?.[String(node.id)];
  if (plain) configureServiceNat(vpp, serviceNatFromPlain(plain, vpp, `serviceNat["${node.id}"]`));
  else if (scenario.services && scenario.services.length > 0) configureServiceNat(vpp, serviceNatOf(vpp, renderServices(topology, scenario.services).get(node.id)!));
  return vpp;
}

/** Has the interface any ACL in that direction (a feature-arc check on every packet: no list is built)? */
export function hasAcls(vpp: VppInstance, swIfIndex: number, isInput: boolean): boolean {
  const list = (isInput ? vpp.acl.input : vpp.acl.output).get(swIfIndex);
  return list !== undefined && list.length > 0;
}

/** The ACLs attached to an interface in a direction, in order (missing indices were rejected at configuration). */
export function aclsOf(vpp: VppInstance, swIfIndex: number, isInput: boolean): Acl[] {
  const list = (isInput ? vpp.acl.input : vpp.acl.output).get(swIfIndex);
  const acls: Acl[] = [];
  if (list) for (const i of list) acls.push(vpp.acl.acls.get(i)!);
  return acls;
}

/**
 * An interface's L3 MTU as VPP gives it: 1500 for Contiv's DPDK NIC and TAPs (and the model's other interfaces);
 * 9000 for packet-generator and af_packet interfaces and, in current VPP, the loopback BVI (VPP's default for
 * interfaces without a device MTU; a VPP 26.06 lab's rewrites print `mtu:9000` on all three).
 */
export function defaultMtuOf(i: Interface, profile: Profile): number {
  const d = driverOf(i);
  if (d === 'loopback') return profile.loopbackMtu ?? 1500;
  return d === 'packet-generator' || d === 'af_packet' ? 9000 : 1500;
}
