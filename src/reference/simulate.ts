// simulate(scenario, profile): every packet of a scenario walked through the VPP of each node it crosses,
// with the trace of every node, every frame at each capture point (pod TAPs, each node's wire) as
// pcap-ready records, and where each packet ended: delivered to a pod, or dropped with VPP's reason.
import { encodePacket, readMac, type Layer } from '../packet/index.ts';
import { newBuf } from './node-def.ts';
import { walk, type NodeName } from './graph.ts';
import { profileByName, type Profile, type ProfileName } from './profiles.ts';
import type { Scenario, ScenarioPacket } from './scenario.ts';
import { configureNode, type AclConfig, type VppInstance } from './state/vpp.ts';
import type { NatConfig, PickBackend } from './state/nat.ts';
import { buildTopology, driverOf, POD_MAC, type Interface, type Node, type Pod, type Topology } from './topology/topology.ts';
import type { TraceRecord } from '../trace/records.ts';
import { derivedNeighbourMac } from './topology/neighbours.ts';

/**
 * Where a frame was seen: `pod:<name>:tx` (sent by the pod), `pod:<name>:rx` (delivered to it), `node:<id>:wire`,
 * `node:<id>:host` (the host stack's end of tap0: sent by the host or delivered to it, docs/datapath.md §17).
 */
export type CapturePoint = string;

export interface SimulatedFrame {
  point: CapturePoint;
  /** virtual time, seconds */
  time: number;
  data: Uint8Array;
  /** the index of the scenario packet that caused it */
  packet: number;
}

export interface NodeTrace {
  nodeId: number;
  records: TraceRecord[];
  /** model node names in order, for coverage */
  path: NodeName[];
}

export type Outcome =
  | { kind: 'delivered'; nodeId: number; pod: string; frame: Uint8Array }
  | { kind: 'host'; nodeId: number; frame: Uint8Array }
  /** sent on the node's wire to its default gateway: the packet left the cluster (docs/datapath.md §17.4) */
  | { kind: 'outside'; nodeId: number; frame: Uint8Array }
  | { kind: 'dropped'; nodeId: number; node: string; error: string }
  | { kind: 'lost'; nodeId: number; reason: string; frame: Uint8Array };

export interface PacketResult {
  index: number;
  label?: string;
  traces: NodeTrace[];
  frames: SimulatedFrame[];
  outcomes: Outcome[];
}

export interface SimulationResult {
  profile: ProfileName;
  topology: Topology;
  packets: PacketResult[];
  /** per node ID: error counters `<node>: <error>` → count */
  counters: Map<number, Map<string, number>>;
}

/** How many times one packet may cross the wire (a model or configuration loop otherwise). */
export const MAX_NODE_HOPS = 8;

export interface SimulationOptions {
  /** ACL configuration per node ID that replaces the scenario's raw tables (the policy renderer's output) */
  acls?: Map<number, AclConfig>;
  /**
   * The scenario's topology when the caller has already built it (`buildTopology` of the same nodes and IPAM
   * overrides): the fuzzer renders policies over the topology and hands it on instead of building it twice.
   * The topology is read-only to the simulation.
   */
  topology?: Topology;
  /**
   * Which backend a new Service connection gets (docs/datapath.md §16.4): an index into the mapping's locals, e.g.
   * the one a real data path chose; undefined (or no hook) keeps the model's own choice, a hash of the 5-tuple.
   */
  pickBackend?: PickBackend;
  /** the twice-NAT port of a new self-access connection (docs/datapath.md §16.5), e.g. the one a data path drew */
  twiceNatPort?: NatConfig['twiceNatPort'];
}

/** A running model of the cluster: inject packets one after another; state (sessions) carries over. */
export class Simulation {
  readonly topology: Topology;
  readonly profile: Profile;
  readonly vpps = new Map<number, VppInstance>();
  /**
   * Encoded frames of packets given as layers, per packet object: encoding was most of `inject`'s own cost, and a
   * scenario packet is data that is not edited once injected (a packet with other layers is a new object, or at
   * least a new `layers` array, which the cache compares). Weak, so packets a caller drops are not kept.
   */
  private readonly encoded = new WeakMap<ScenarioPacket, { layers: readonly Layer[]; bytes: Uint8Array }>();
  /** Capture point names, built once per pod / node rather than per frame. */
  private readonly podPointNames = new Map<string, { tx: CapturePoint; rx: CapturePoint }>();
  private readonly wirePointNames = new Map<number, CapturePoint>();
  /** Nodes by main NIC MAC, in topology order: who receives a frame put on the shared wire. */
  private readonly byGbeMac = new Map<number, Node[]>();

  constructor(
    readonly scenario: Scenario,
    profile: Profile | ProfileName = scenario.profile ?? 'vpp-18.01-contiv',
    opts: SimulationOptions = {},
  ) {
    this.profile = typeof profile === 'string' ? profileByName(profile) : profile;
    this.topology = opts.topology ?? buildTopology(scenario.topology.nodes, scenario.ipamOverrides);
    for (const node of this.topology.nodes) this.vpps.set(node.id, configureNode(this.topology, node, scenario, this.profile, opts.acls?.get(node.id)));
    if (opts.pickBackend) for (const v of this.vpps.values()) v.nat.pickBackend = opts.pickBackend;
    if (opts.twiceNatPort) for (const v of this.vpps.values()) v.nat.twiceNatPort = opts.twiceNatPort;
    for (const node of this.topology.nodes) {
      const mac = node.gbe.mac!;
      const list = this.byGbeMac.get(mac);
      if (list) list.push(node);
      else this.byGbeMac.set(mac, [node]);
    }
  }

  private podPoints(pod: string): { tx: CapturePoint; rx: CapturePoint } {
    let p = this.podPointNames.get(pod);
    if (!p) {
      p = { tx: `pod:${pod}:tx`, rx: `pod:${pod}:rx` };
      this.podPointNames.set(pod, p);
    }
    return p;
  }

  private hostPoint(nodeId: number): CapturePoint {
    return `node:${nodeId}:host`;
  }

  private wirePoint(nodeId: number): CapturePoint {
    let p = this.wirePointNames.get(nodeId);
    if (p === undefined) {
      p = `node:${nodeId}:wire`;
      this.wirePointNames.set(nodeId, p);
    }
    return p;
  }

  /** The frame of a packet given as layers (cached per packet object, see `encoded`). */
  private packetFrame(p: ScenarioPacket, pod: Pod | undefined): Uint8Array {
    const layers = p.layers ?? [];
    const hit = this.encoded.get(p);
    if (hit && hit.layers === layers) return hit.bytes;
    const bytes = pod ? this.podFrame(pod, layers) : encodePacket(layers);
    this.encoded.set(p, { layers, bytes });
    return bytes;
  }

  /** The frame a pod sends: a frame starting at IPv4 gets the pod's Ethernet header (pod MAC → its TAP's MAC). */
  podFrame(pod: Pod, layers: readonly Layer[]): Uint8Array {
    const full: Layer[] = layers[0]?.kind === 'ethernet' ? [...layers] : [{ kind: 'ethernet', dst: pod.tap.mac!, src: POD_MAC }, ...layers];
    return encodePacket(full);
  }

  inject(p: ScenarioPacket, index: number): PacketResult {
    const result: PacketResult = { index, traces: [], frames: [], outcomes: [] };
    if (p.label !== undefined) result.label = p.label;
    let nodeId: number;
    let start: NodeName;
    let frame: Uint8Array;
    let rx: number;
    if ('pod' in p.from) {
      const pod = this.topology.podByName.get(p.from.pod)!;
      frame = p.bytes ?? this.packetFrame(p, pod);
      nodeId = pod.nodeId;
      start = inputNodeOf(pod.tap);
      rx = pod.tap.swIfIndex;
      result.frames.push({ point: this.podPoints(pod.name).tx, time: p.at, data: frame, packet: index });
    } else if ('host' in p.from) {
      // The host stack sends over tap0: the frame arrives on VPP's tap0 like a pod's on its TAP (§17).
      nodeId = p.from.node;
      const node = this.topology.nodeById.get(nodeId)!;
      const tap0 = node.tap0;
      frame = p.bytes ?? this.hostFrame(p, node);
      this.learnHostEnd(node, frame);
      start = inputNodeOf(tap0);
      rx = tap0.swIfIndex;
      result.frames.push({ point: this.hostPoint(nodeId), time: p.at, data: frame, packet: index });
    } else {
      nodeId = p.from.node;
      frame = p.bytes ?? this.packetFrame(p, undefined);
      start = inputNodeOf(this.topology.nodeById.get(nodeId)!.gbe);
      rx = this.topology.nodeById.get(nodeId)!.gbe.swIfIndex;
      result.frames.push({ point: this.wirePoint(nodeId), time: p.at, data: frame, packet: index });
    }
    for (let hop = 0; ; hop++) {
      const vpp = this.vpps.get(nodeId)!;
      const time = p.at + hop * 1e-4;
      const buf = newBuf(frame, rx);
      const w = walk(vpp, start, buf, time);
      result.traces.push({ nodeId, records: w.records, path: w.path });
      if (w.terminal === 'DROPPED') {
        result.outcomes.push({ kind: 'dropped', nodeId, node: w.buf.drop?.node ?? 'unknown', error: w.buf.drop?.error ?? 'dropped' });
        break;
      }
      const out = w.buf.data;
      const iface = vpp.ifBySw.get(w.buf.tx)!;
      if (w.terminal === 'DELIVER') {
        if (iface.kind === 'pod') {
          result.frames.push({ point: this.podPoints(iface.pod!).rx, time, data: out, packet: index });
          result.outcomes.push({ kind: 'delivered', nodeId, pod: iface.pod!, frame: out });
        } else {
          if (iface.kind === 'tap0') result.frames.push({ point: this.hostPoint(nodeId), time, data: out, packet: index });
          result.outcomes.push({ kind: 'host', nodeId, frame: out });
        }
        break;
      }
      // WIRE: the nodes share one L2 segment; the frame reaches the node whose main NIC has its destination MAC.
      result.frames.push({ point: this.wirePoint(nodeId), time, data: out, packet: index });
      const dstMac = readMac(out, 0);
      const peer = this.peerOnWire(dstMac, nodeId);
      const gateway = this.topology.nodeById.get(nodeId)!.defaultGateway;
      if (!peer && gateway !== undefined && gateway.mac === dstMac) {
        result.outcomes.push({ kind: 'outside', nodeId, frame: out });
        break;
      }
      if (!peer) {
        result.outcomes.push({ kind: 'lost', nodeId, reason: 'no node on the wire has the destination MAC', frame: out });
        break;
      }
      if (hop + 1 >= MAX_NODE_HOPS) {
        result.outcomes.push({ kind: 'lost', nodeId, reason: `crossed the wire ${MAX_NODE_HOPS} times (a loop)`, frame: out });
        break;
      }
      result.frames.push({ point: this.wirePoint(peer.id), time, data: out, packet: index });
      nodeId = peer.id;
      start = inputNodeOf(peer.gbe);
      rx = peer.gbe.swIfIndex;
      frame = out;
    }
    return result;
  }

  /**
   * The frame the host stack sends on tap0: a frame given from IPv4 on gets the host end's Ethernet header (its
   * MAC, stated or derived, to tap0's). Cached per packet like packetFrame.
   */
  private hostFrame(p: ScenarioPacket, node: Node): Uint8Array {
    const layers = p.layers ?? [];
    const hit = this.encoded.get(p);
    if (hit && hit.layers === layers) return hit.bytes;
    const src = node.hostMac ?? derivedNeighbourMac(node.id, node.hostEnd);
    const bytes = encodePacket(layers[0]?.kind === 'ethernet' ? layers : [{ kind: 'ethernet', dst: node.tap0.mac!, src }, ...layers]);
    this.encoded.set(p, { layers, bytes });
    return bytes;
  }

  /** The frame node `nodeId`'s host stack sends for these layers (from IPv4 on: the host end's Ethernet header added). */
  hostFrameOf(nodeId: number, layers: Layer[]): Uint8Array {
    return this.hostFrame({ at: 0, from: { node: nodeId, host: true }, layers }, this.topology.nodeById.get(nodeId)!);
  }

  /**
   * Before its first frame the host resolved tap0's address by ARP, and VPP learned the host end from that request
   * (docs/datapath.md §17.1): the sender MAC of a host frame becomes the host end's learned neighbour, unless a
   * static entry (resolvedNeighbours) holds it.
   */
  private learnHostEnd(node: Node, frame: Uint8Array): void {
    if (frame.length < 14) return;
    const vpp = this.vpps.get(node.id)!;
    const sw = node.tap0.swIfIndex;
    if (vpp.neighbors.entries().some((n) => n.swIfIndex === sw && n.ip === node.hostEnd && n.isStatic)) return;
    vpp.neighbors.set(sw, node.hostEnd, readMac(frame, 6), false);
  }

  /** The first node in topology order, other than `from`, whose main NIC has the MAC. */
  private peerOnWire(mac: number, from: number): Node | undefined {
    const list = this.byGbeMac.get(mac);
    if (!list) return undefined;
    for (const n of list) if (n.id !== from) return n;
    return undefined;
  }

  counters(): Map<number, Map<string, number>> {
    return new Map([...this.vpps].map(([id, v]) => [id, new Map(v.counters)]));
  }
}

/** Runs every packet of the scenario in order on a fresh model. */
export function simulate(scenario: Scenario, profile?: Profile | ProfileName, opts: SimulationOptions = {}): SimulationResult {
  const sim = new Simulation(scenario, profile ?? scenario.profile ?? 'vpp-18.01-contiv', opts);
  const packets = scenario.packets.map((p, i) => sim.inject(p, i));
  return { profile: sim.profile.name, topology: sim.topology, packets, counters: sim.counters() };
}

/** The input node of an interface's driver: where a frame it receives starts its walk. */
export function inputNodeOf(i: Interface): NodeName {
  switch (driverOf(i)) {
    case 'packet-generator':
      return 'pg-input';
    case 'af_packet':
      return 'af-packet-input';
    case 'dpdk':
      return 'dpdk-input';
    default:
      return 'virtio-input';
  }
}
