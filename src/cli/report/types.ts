// The data a counterexample's report is written from, shared by the writer (write.ts), the analysis
// (analysis.ts), the page (html.ts), `podflow merge` and the corpus: no logic but the pcap file name.
import type { PcapRecord } from '../../packet/pcap.ts';
import type { Layer } from '../../packet/index.ts';
import type { Evidence } from '../../properties/evidence.ts';
import type { AdapterTopology, PacketFate } from '../../adapters/adapter.ts';
import type { TraceRecord } from '../../trace/records.ts';

export interface CounterexampleFiles {
  id: string;
  scenario?: unknown;
  policiesYaml?: string;
  expected?: Map<string, PcapRecord[]>;
  received?: Map<string, PcapRecord[]>;
  /** the topology as configured on the adapter (names, addresses) for the report's picture */
  topology?: AdapterTopology;
  /** the failing connection's packets, expected and received (every connection of the case when it cannot tell) */
  packets?: CounterexamplePacket[];
  /** files the adapter gave to reproduce the case by hand (Adapter.reproduction), by file name */
  reproduction?: { name: string; text: string }[];
  /** what the check observed (every call on the adapter and its answers) */
  evidence?: Evidence;
}

/** A frame seen at a capture point, with its decoding. */
export interface CapturedFrame {
  point: string;
  time: number;
  data: Uint8Array;
  layers: Layer[];
}

/** One packet as one data path handled it: per node (in visit order) its `show trace` records, its frames, its fate. */
export interface PacketSide {
  /** the packet's index in that run (the two runs may number differently once they diverge) */
  packet: number;
  traces: { nodeId: number; records: TraceRecord[] }[];
  frames: CapturedFrame[];
  fates: PacketFate[];
}

export interface CounterexamplePacket {
  /** index of the connection in the case's sent connections */
  connection: number;
  /** e.g. `default/pod-0 -> default/pod-1 TCP/53` */
  description: string;
  direction: 'request' | 'response';
  client?: { pod: string; nodeId?: number };
  server?: { pod: string; nodeId?: number };
  /** the reference model's handling (absent when it sent no such packet, e.g. no reply) */
  expected?: PacketSide;
  /** the adapter's handling */
  received?: PacketSide;
}

/** The file name part of a capture point (`node:1:wire` → `node-1-wire`), as in `expected-node-1-wire.pcap`. */
export function pcapName(point: string): string {
  return point.replace(/[^A-Za-z0-9._-]+/g, '-');
}
