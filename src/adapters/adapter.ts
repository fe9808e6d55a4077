// The one interface every data path under test implements (STYLE.md §7): the reference model, Linux network
// namespaces, a VPP lab. Everything crossing it is plain data — resolved addresses, ACL tables, frames — so an
// adapter needs nothing of the model. A check that cannot get an answer from an adapter says "unknown".
import { readFileSync } from 'node:fs';
import { pcapRecordsByPoint, type PcapRecord } from '../packet/pcap.ts';

/** A topology with every address resolved (the caller runs IPAM); names are the VPP interface names. */
export interface AdapterTopology {
  nodes: AdapterNode[];
  /** Contiv IPAM settings that differ from the defaults (CIDRs and prefix lengths, as in contiv-vpp.yaml) */
  ipam?: { podSubnetCidr?: string; podNetworkPrefixLen?: number; nodeInterconnectCidr?: string; vxlanCidr?: string };
}

export interface AdapterNode {
  id: number;
  name: string;
  /** main NIC address with prefix, e.g. 192.168.16.1/24 */
  nodeIp: string;
  gbe: { name: string; mac: string };
  /** loop0, the BVI of bridge domain 1 */
  bvi: { ip: string; mac: string };
  vni: number;
  pods: AdapterPod[];
  /** this node's pod network (`10.1.<id>.0/24` with the defaults), as IPAM computed it; adapters route remote nodes' pods by it */
  podSubnet?: string;
}

export interface AdapterPod {
  name: string;
  ip: string;
  /** the pod's eth0 MAC (00:00:00:00:00:02 in Contiv) */
  mac: string;
  /** the VPP side of the pod's link; `ip` is its own /32 address (10.2.1.x in Contiv's L3 mode), when known */
  tap: { name: string; mac: string; ip?: string };
  gateway: string;
}

/** ACL configuration per node ID, in the scenario's raw form (tables of rules and attachments by interface). */
export interface AdapterAclConfig {
  [nodeId: string]: {
    tables: { index: number; tag?: string; rules: { action: 'deny' | 'permit' | 'permit+reflect'; src?: string; dst?: string; proto: number; sport: [number, number]; dport: [number, number] }[] }[];
    attach: { interface: string; input: number[]; output: number[] }[];
  };
}

export interface Injection {
  /** index of the packet in its scenario */
  packet: number;
  /** virtual time, seconds */
  at: number;
  from: { pod: string } | { node: number; wire: true };
  frame: Uint8Array;
}

/** Capture points: `pod:<name>:tx`, `pod:<name>:rx`, `node:<id>:wire`. */
export interface Capture {
  point: string;
  time: number;
  packet: number;
  data: Uint8Array;
}

export interface Observation {
  captures: Capture[];
  /** per packet, where it ended, when the adapter knows (the reference model does; a real data path may not) */
  outcomes?: Map<number, PacketFate[]>;
  /** per packet and node: `show trace` records, when the adapter can trace (typed loosely: adapters parse text) */
  traces?: Map<number, { nodeId: number; records: unknown[] }[]>;
}

export type PacketFate =
  | { kind: 'delivered'; nodeId: number; pod: string; frame: Uint8Array }
  | { kind: 'host'; nodeId: number }
  | { kind: 'dropped'; nodeId: number; node: string; error: string }
  | { kind: 'lost'; nodeId: number; reason: string };

export interface AdapterCapabilities {
  /** produces `show trace` records */
  traces: boolean;
  /** knows where a dropped packet was dropped and why */
  dropReasons: boolean;
  /** honours virtual time (session timeouts can be tested without waiting) */
  virtualTime: boolean;
  /**
   * Accepted, explained differences from the reference model (checked-in data, STYLE.md §7). Kept here because
   * capabilities travel with every wrapper of an adapter; properties may mask exactly these and nothing else.
   */
  knownDivergences?: readonly KnownDivergence[];
  /** the reference model profile this data path is compared with (default vpp-18.01-contiv), e.g. vpp-current */
  referenceProfile?: string;
}

/** One accepted difference between an adapter and the model: which property and field it excuses, and why. */
export interface KnownDivergence {
  id: string;
  /** the property it excuses (a property id) */
  property: string;
  /** what differs, e.g. `outer udp.srcPort`, `reply delivery (SCTP)` */
  field: string;
  reason: string;
  /** a regular expression an invalid verdict's details match when this divergence is its cause */
  details?: string;
  /** for byte comparisons: bytes to ignore in frames at capture points matching `point` (a regular expression), as [offset, length] pairs */
  mask?: { point: string; bytes: [number, number][] };
  /** for delivery differences: connections of these protocols are excused (the whole exchange) */
  protocols?: string[];
  /** which exchange is excused: the request, the reply, or both (default both) */
  exchange?: 'request' | 'reply';
}

export interface Adapter {
  readonly name: string;
  readonly capabilities: AdapterCapabilities;
  setup(topology: AdapterTopology, options?: { profile?: string; sessions?: { udpIdle?: number; tcpIdle?: number; tcpTransient?: number; maxEntries?: number } }): Promise<void>;
  apply(acls: AdapterAclConfig): Promise<void>;
  /** sends the frames in order; state (sessions) persists between calls until teardown or reset */
  inject(frames: Injection[]): Promise<Observation>;
  /**
   * Optional: pods were added or deleted on the running nodes (the nodes, their addresses and the surviving pods'
   * addresses and interfaces are unchanged). State of the surviving interfaces (sessions) persists; a deleted
   * pod's interface goes with its sessions. ACLs stay as configured until the next apply().
   */
  updateTopology?(topology: AdapterTopology): Promise<void>;
  /**
   * Optional: files that reproduce the adapter's configuration and injections since the last setup() by hand,
   * outside podflow (e.g. one vppctl script per VPP node); saved with a counterexample.
   */
  reproduction?(): { name: string; text: string }[];
  /**
   * Optional: checks, before a run starts, that the data path can be driven at all (tools installed, privileges,
   * every lab node answering). Throws AdapterUnavailable with one line saying what is missing.
   */
  preflight?(): Promise<void>;
  /** forgets sessions (ACL and NAT) so the next injection starts from fresh state */
  reset(): Promise<void>;
  teardown(): Promise<void>;
}

/**
 * Reads an adapter's checked-in known divergences (`{ "divergences": [...] }`), checking that each entry says
 * which property and field it excuses and why, and that its `details` pattern compiles.
 */
export function loadKnownDivergences(file: URL): KnownDivergence[] {
  const name = file.pathname.split('/').slice(-3).join('/');
  const raw = JSON.parse(readFileSync(file, 'utf8')) as { divergences?: KnownDivergence[] };
  if (!Array.isArray(raw.divergences)) throw new Error(`${name}: expected { "divergences": [...] }`);
  for (const [i, d] of raw.divergences.entries()) {
    for (const f of ['id', 'property', 'field', 'reason'] as const) {
      if (typeof d[f] !== 'string' || d[f] === '') throw new Error(`${name}: divergences[${i}].${f} must be a non-empty string`);
    }
    if (d.details !== undefined) new RegExp(d.details);
  }
  return raw.divergences;
}

/** The declared divergence that explains an invalid verdict of `property` with these details, if any. */
export function explainingDivergence(divergences: readonly KnownDivergence[], property: string, details: string): KnownDivergence | undefined {
  return divergences.find((d) => d.property === property && d.details !== undefined && new RegExp(d.details).test(details));
}

/** An adapter failed to answer (timed out, crashed, unreachable): checks return "unknown", never "invalid". */
export class AdapterUnavailable extends Error {
  constructor(
    readonly adapter: string,
    message: string,
  ) {
    super(`${adapter}: ${message}`);
    this.name = 'AdapterUnavailable';
  }
}

/** The captures of an observation as pcap records per capture point. */
export function capturesAsPcap(captures: readonly Capture[]): Map<string, PcapRecord[]> {
  return pcapRecordsByPoint(captures);
}
