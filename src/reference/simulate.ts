// simulate(scenario, profile): every packet of a scenario walked through the VPP of each node it crosses,
// with the trace of every node, every frame at each capture point (pod TAPs, each node's wire) as
// pcap-ready records, and where each packet ended: delivered to a pod, or dropped with VPP's reason.
import { encodePacket, readMac, type Layer } from '../packet/index.ts';
import { SW_IF_INDEX_INVALID, type Buf } from './node-def.ts';
import { walk, type NodeName } from './graph.ts';
import { profileByName, type Profile, type ProfileName } from './profiles.ts';
import type { Scenario, ScenarioPacket } from './scenario.ts';
import { configureNode, type AclConfig, type VppInstance } from './state/vpp.ts';
import { buildTopology, POD_MAC, type Pod, type Topology } from './topology/topology.ts';
import type { TraceRecord } from './trace/records.ts';

/** Where a frame was seen: `pod:<name>:tx` (sent by the pod), `pod:<name>:rx` (delivered to it), `node:<id>:wire`. */
export type CapturePoint = string;

export interface CapturedFrame {
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
  | { kind: 'dropped'; nodeId: number; node: string; error: string }
  | { kind: 'lost'; nodeId: number; reason: string; frame: Uint8Array };

export interface PacketResult {
  index: number;
  label?: string;
  traces: NodeTrace[];
  frames: CapturedFrame[];
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
}

/** A running model of the cluster: inject packets one after another; state (sessions) carries over. */
export class Simulation {
  readonly topology: Topology;
  readonly profile: Profile;
  readonly vpps = new Map<number, VppInstance>();

  constructor(
    readonly scenario: Scenario,
    profile: Profile | ProfileName = scenario.profile ?? 'vpp-18.01-contiv',
    opts: SimulationOptions = {},
  ) {
    this.profile = typeof profile === 'string' ? profileByName(profile) : profile;
    this.topology = buildTopology(scenario.topology.nodes, scenario.ipamOverrides);
    for (const node of this.topology.nodes) this.vpps.set(node.id, configureNode(this.topology, node, scenario, this.profile, opts.acls?.get(node.id)));
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
      frame = p.bytes ?? this.podFrame(pod, p.layers ?? []);
      nodeId = pod.nodeId;
      start = 'virtio-input';
      rx = pod.tap.swIfIndex;
      result.frames.push({ point: `pod:${pod.name}:tx`, time: p.at, data: frame, packet: index });
    } else {
      nodeId = p.from.node;
      frame = p.bytes ?? encodePacket(p.layers ?? []);
      start = 'dpdk-input';
      rx = this.topology.nodeById.get(nodeId)!.gbe.swIfIndex;
      result.frames.push({ point: `node:${nodeId}:wire`, time: p.at, data: frame, packet: index });
    }
    for (let hop = 0; ; hop++) {
      const vpp = this.vpps.get(nodeId)!;
      const time = p.at + hop * 1e-4;
      const buf: Buf = { data: frame, currentData: 0, rx, tx: SW_IF_INDEX_INVALID, flowHash: 0, shg: 0, nated: false, l4ChecksumComputed: false };
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
          result.frames.push({ point: `pod:${iface.pod}:rx`, time, data: out, packet: index });
          result.outcomes.push({ kind: 'delivered', nodeId, pod: iface.pod!, frame: out });
        } else result.outcomes.push({ kind: 'host', nodeId, frame: out });
        break;
      }
      // WIRE: the nodes share one L2 segment; the frame reaches the node whose main NIC has its destination MAC.
      result.frames.push({ point: `node:${nodeId}:wire`, time, data: out, packet: index });
      const dst = readMac(out, 0);
      const peer = this.topology.nodes.find((n) => n.id !== nodeId && n.gbe.mac === dst);
      if (!peer) {
        result.outcomes.push({ kind: 'lost', nodeId, reason: 'no node on the wire has the destination MAC', frame: out });
        break;
      }
      if (hop + 1 >= MAX_NODE_HOPS) {
        result.outcomes.push({ kind: 'lost', nodeId, reason: `crossed the wire ${MAX_NODE_HOPS} times (a loop)`, frame: out });
        break;
      }
      result.frames.push({ point: `node:${peer.id}:wire`, time, data: out, packet: index });
      nodeId = peer.id;
      start = 'dpdk-input';
      rx = peer.gbe.swIfIndex;
      frame = out;
    }
    return result;
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
