// The cluster as the model sees it: nodes with their interfaces (names, sw_if_index, MACs, addresses) and
// pods with IPs. Values VPP assigns by history are derived deterministically unless the scenario pins them.
import { ip4, ip4ToString, mac } from '../../packet/index.ts';
import type { NodeSpec, PodSpec } from '../scenario.ts';
import {
  bviMac,
  hostInterconnect,
  makeIpam,
  natLoopbackIp,
  nodeIp,
  nodePodNetwork,
  podGatewayIp,
  podVppIfIp,
  PodIpAllocator,
  vxlanBviIp,
  type Cidr,
  type Ipam,
  type IpamConfig,
} from './ipam.ts';
import { resolveNeighbours, type ResolvedNeighbour } from './neighbours.ts';

export const POD_MAC = 0x000000000002; // every pod's eth0 (docs/datapath.md §2.1)
export const DEFAULT_GBE_NAME = 'GigabitEthernet0/8/0';
export const VXLAN_VNI = 10;
export const VXLAN_BD_ID = 1;

export type InterfaceKind = 'gbe' | 'tap0' | 'loop0' | 'vxlan' | 'pod';

/**
 * The driver of an interface: its input node, its TX node's trace and how the interface is named. Contiv's
 * are dpdk (main NIC) and virtio (TAP v2 pods and tap0); a podflow lab uses af_packet for the main NIC and
 * packet-generator interfaces for pods and for tap0 (named tap0 in the model: the lab's pg0, docs/datapath.md §17.8). memif is accepted and walks like virtio until a lab shows its trace.
 */
export type InterfaceDriver = 'dpdk' | 'virtio' | 'af_packet' | 'packet-generator' | 'memif' | 'loopback' | 'vxlan';

export interface Interface {
  kind: InterfaceKind;
  /** absent: the Contiv default of the kind (gbe dpdk, pod virtio, loop0/tap0 loopback/virtio, vxlan) */
  driver?: InterfaceDriver;
  name: string;
  swIfIndex: number;
  hwIfIndex: number;
  mac?: number;
  /** addresses with prefix length (the /32 of a pod TAP only puts it into L3 mode) */
  addresses: Cidr[];
  /** pod TAPs: the pod's name */
  pod?: string;
  /** VXLAN tunnels: the remote node ID and `vxlan_tunnel<instance>` */
  remoteNode?: number;
  tunnelInstance?: number;
}

export interface Pod {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  ip: number;
  nodeId: number;
  serviceEndpoint: boolean;
  containerPorts: { name?: string; port: number; protocol: 'TCP' | 'UDP' | 'SCTP' }[];
  tap: Interface;
}

export interface Node {
  id: number;
  name: string;
  ip: Cidr; // main NIC address
  gbe: Interface;
  tap0: Interface;
  loop0: Interface;
  /** by remote node ID */
  tunnels: Map<number, Interface>;
  pods: Pod[];
  podNetwork: Cidr;
  gateway: number;
  natLoopback: number;
  bviIp: Cidr;
  bviMac: number;
  interfaces: Interface[];
  /** neighbours the scenario states already resolved (static ARP entries, neighbours.ts) */
  resolvedNeighbours?: ResolvedNeighbour[];
  /** the host end of tap0 (`vpp1`, 172.30.<id>.2): the next hop of every route to the host stack (docs/datapath.md §17.1) */
  hostEnd: number;
  /** the host stack's other addresses (`routesToHost`, §17.1); the first is the management IP (§17.3) */
  hostIps: number[];
  /** the host end's MAC as VPP learned it by ARP; absent: not learned (the first packet waits at ip4-arp) */
  hostMac?: number;
  /** the main NIC's default gateway (Contiv's node config `gateway`) with its learned MAC (§17.4) */
  defaultGateway?: { ip: number; mac: number };
  /** dynamic SNAT ports in allocation order (pinned for a trace, §17.4) */
  natPorts?: number[];
}

export interface Topology {
  ipam: Ipam;
  nodes: Node[];
  nodeById: Map<number, Node>;
  podByName: Map<string, Pod>;
  podByIp: Map<number, Pod>;
}

/** A deterministic 32-bit hash (FNV-1a) of text, for derived MACs. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Derived VPP-side TAP MAC `02:fe:xx:xx:xx:xx` (Contiv draws bytes 2–5 at random; here a hash of node and pod IP). */
export function derivedTapMac(nodeId: number, podIp: number): number {
  return 0x02fe00000000 + hash32(`tap:${nodeId}:${ip4ToString(podIp)}`);
}

/** Derived main NIC MAC `08:00:27:00:00:<id>` (the seed's NICs are VirtualBox ones). */
export function derivedGbeMac(nodeId: number): number {
  return 0x080027000000 + nodeId;
}

export class TopologyError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'TopologyError';
  }
}

/**
 * The sw_if_index values of one node: claimed ones (an index used twice is a configuration error) and the next
 * free one. A class rather than closures inside buildTopology: tsx (esbuild keepNames) gives every named closure
 * a defineProperty call, a visible cost when a fuzz case builds a topology.
 */
class SwIfIndices {
  private readonly used = new Map<number, string>();
  private nextSw = 4;

  constructor(private readonly path: string) {}

  claim(sw: number, what: string): number {
    const other = this.used.get(sw);
    if (other) throw new TopologyError(this.path, `sw_if_index ${sw} is used by both ${other} and ${what}`);
    this.used.set(sw, what);
    return sw;
  }

  nextFree(): number {
    while (this.used.has(this.nextSw)) this.nextSw++;
    return this.nextSw;
  }
}

function buildNode(ipam: Ipam, ids: readonly number[], spec: NodeSpec, ni: number, podByName: Map<string, Pod>, podByIp: Map<number, Pod>): Node {
  const path = `topology.nodes[${ni}]`;
  const sws = new SwIfIndices(path);
  const ip = nodeIp(ipam, spec.id);
  const gbeSw = sws.claim(spec.gbe.swIfIndex ?? 1, 'the main NIC');
  const gbe: Interface = { kind: 'gbe', name: spec.gbe.name ?? DEFAULT_GBE_NAME, swIfIndex: gbeSw, hwIfIndex: spec.gbe.hwIfIndex ?? gbeSw, mac: spec.gbe.mac ? mac(spec.gbe.mac) : derivedGbeMac(spec.id), addresses: [ip] };
  if (spec.gbe.driver !== undefined) gbe.driver = spec.gbe.driver;
  const host = hostInterconnect(ipam, spec.id);
  const tap0Sw = sws.claim(spec.tap0.swIfIndex ?? 2, 'tap0');
  const tap0: Interface = { kind: 'tap0', name: 'tap0', swIfIndex: tap0Sw, hwIfIndex: spec.tap0.hwIfIndex ?? tap0Sw, mac: 0x012345678942, addresses: [{ network: host.vppEnd, prefixLen: host.network.prefixLen }] };
  if (spec.tap0.driver !== undefined) tap0.driver = spec.tap0.driver;
  const loopSw = sws.claim(spec.loop0.swIfIndex ?? 3, 'loop0');
  const bvi = vxlanBviIp(ipam, spec.id);
  const loop0: Interface = { kind: 'loop0', name: 'loop0', swIfIndex: loopSw, hwIfIndex: spec.loop0.hwIfIndex ?? loopSw, mac: bviMac(spec.id), addresses: [bvi] };
  const tunnels = new Map<number, Interface>();
  const instances = new Set<number>();
  let k = 0;
  for (const r of ids) {
    if (r === spec.id) continue;
    const pin = spec.tunnels[String(r)] ?? {};
    const sw = sws.claim(pin.swIfIndex ?? sws.nextFree(), `the tunnel to node ${r}`);
    const instance = pin.instance ?? k;
    if (instances.has(instance)) throw new TopologyError(`${path}.tunnels.${r}.instance`, `vxlan_tunnel${instance} is used twice`);
    instances.add(instance);
    tunnels.set(r, { kind: 'vxlan', name: `vxlan_tunnel${instance}`, swIfIndex: sw, hwIfIndex: sw, addresses: [], remoteNode: r, tunnelInstance: instance });
    k++;
  }
  for (const t in spec.tunnels) {
    if (!Object.hasOwn(spec.tunnels, t)) continue;
    const r = Number(t);
    if (r === spec.id || !ids.includes(r)) throw new TopologyError(`${path}.tunnels.${t}`, `there is no remote node ${t}`);
  }
  const alloc = new PodIpAllocator(ipam, spec.id);
  const podNetwork = nodePodNetwork(ipam, spec.id);
  for (let pi = 0; pi < spec.pods.length; pi++) {
    const p = spec.pods[pi]!;
    if (p.ip !== undefined) {
      try {
        alloc.reserve(ip4(p.ip));
      } catch (e) {
        throw new TopologyError(`${path}.pods[${pi}].ip`, (e as Error).message);
      }
    }
  }
  const interfaces = [gbe, tap0, loop0];
  for (const t of tunnels.values()) interfaces.push(t);
  const node: Node = {
    id: spec.id,
    name: spec.name ?? `node${spec.id}`,
    ip,
    gbe,
    tap0,
    loop0,
    tunnels,
    pods: [],
    podNetwork,
    gateway: podGatewayIp(ipam, spec.id),
    natLoopback: natLoopbackIp(ipam, spec.id),
    bviIp: bvi,
    bviMac: bviMac(spec.id),
    interfaces,
    hostEnd: host.hostEnd,
    hostIps: [],
  };
  (spec.hostIps ?? []).forEach((text, k) => {
    const a = ip4(text);
    const clash = a === host.hostEnd ? 'the host end of tap0 (routed through the connected subnet already)' : a === ip.network ? 'the node IP' : inCidr(a, podNetwork) ? "in the node's pod network" : undefined;
    if (clash) throw new TopologyError(`${path}.hostIps[${k}]`, `${text} is ${clash}`);
    node.hostIps.push(a);
  });
  if (spec.hostMac !== undefined) node.hostMac = mac(spec.hostMac);
  if (spec.gateway !== undefined) {
    const gw = ip4(spec.gateway.ip);
    if (!inCidr(gw, ip) || gw === ip.network) throw new TopologyError(`${path}.gateway.ip`, `${spec.gateway.ip} is not another address of the main NIC's subnet ${ip4ToString(ip.network)}/${ip.prefixLen}`);
    node.defaultGateway = { ip: gw, mac: mac(spec.gateway.mac) };
  }
  if (spec.natPorts !== undefined) node.natPorts = [...spec.natPorts];
  if (spec.resolvedNeighbours) node.resolvedNeighbours = resolveNeighbours(spec.resolvedNeighbours, spec.id, [tap0, loop0, gbe], host.hostEnd, (field, message) => { throw new TopologyError(`${path}.resolvedNeighbours${field}`, message); });
  const tapNames = new Set<string>();
  for (let pi = 0; pi < spec.pods.length; pi++) {
    const p: PodSpec = spec.pods[pi]!;
    let podIp: number;
    try {
      podIp = p.ip !== undefined ? ip4(p.ip) : alloc.next();
    } catch (e) {
      throw new TopologyError(`${path}.pods[${pi}]`, (e as Error).message);
    }
    const sw = sws.claim(p.tap.swIfIndex ?? sws.nextFree(), `the TAP of pod ${p.name}`);
    const name = p.tap.name ?? `tap${sw}`;
    if (tapNames.has(name)) throw new TopologyError(`${path}.pods[${pi}].tap.name`, `${name} is used twice`);
    tapNames.add(name);
    const tap: Interface = {
      kind: 'pod',
      name,
      swIfIndex: sw,
      hwIfIndex: p.tap.hwIfIndex ?? sw,
      mac: p.tap.mac ? mac(p.tap.mac) : derivedTapMac(spec.id, podIp),
      addresses: [{ network: podVppIfIp(ipam, podIp), prefixLen: 32 }],
      pod: p.name,
    };
    if (p.tap.driver !== undefined) tap.driver = p.tap.driver;
    const pod: Pod = { name: p.name, namespace: p.namespace, labels: p.labels, ip: podIp, nodeId: spec.id, serviceEndpoint: p.serviceEndpoint, containerPorts: p.containerPorts, tap };
    node.pods.push(pod);
    node.interfaces.push(tap);
    if (podByName.has(p.name)) throw new TopologyError(`${path}.pods[${pi}].name`, `pod name '${p.name}' appears twice`);
    podByName.set(p.name, pod);
    podByIp.set(podIp, pod);
  }
  return node;
}

/**
 * Builds the topology. Default numbering per node (history-free): main NIC 1, tap0 2, loop0 3, one tunnel per
 * remote node in ID order from 4 (`vxlan_tunnel0…`), then the pods' TAPs in order (`tap<sw_if_index>`).
 */
export function buildTopology(specs: readonly NodeSpec[], ipamOverrides: Partial<IpamConfig> = {}): Topology {
  const ipam = makeIpam(ipamOverrides);
  const ids = specs.map((s) => s.id).sort((a, b) => a - b);
  const nodes: Node[] = [];
  const podByName = new Map<string, Pod>();
  const podByIp = new Map<number, Pod>();
  for (let ni = 0; ni < specs.length; ni++) nodes.push(buildNode(ipam, ids, specs[ni]!, ni, podByName, podByIp));
  const nodeIps = new Map<number, number>();
  for (const n of nodes) {
    const other = nodeIps.get(n.ip.network);
    if (other !== undefined) throw new TopologyError('topology.nodes', `nodes ${other} and ${n.id} get the same node IP ${ip4ToString(n.ip.network)} (node IDs alias in a narrow nodeInterconnectCidr)`);
    nodeIps.set(n.ip.network, n.id);
  }
  return { ipam, nodes, nodeById: new Map(nodes.map((n) => [n.id, n])), podByName, podByIp };
}

function inCidr(a: number, c: Cidr): boolean {
  const size = 2 ** (32 - c.prefixLen);
  return Math.floor(a / size) === Math.floor(c.network / size);
}

/** The driver an interface runs: its own, else the Contiv default of its kind. */
export function driverOf(i: Interface): InterfaceDriver {
  if (i.driver !== undefined) return i.driver;
  switch (i.kind) {
    case 'gbe':
      return 'dpdk';
    case 'pod':
    case 'tap0':
      return 'virtio';
    case 'loop0':
      return 'loopback';
    case 'vxlan':
      return 'vxlan';
  }
}
