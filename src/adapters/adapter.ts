// The one interface every data path under test implements (docs/architecture.md §7): the reference model, Linux network
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
  /**
   * The node's host stack (docs/datapath.md §17): the host end of tap0 (`172.30.<id>.2/24`) and its MAC, and the
   * host's other addresses VPP routes to it via tap0 (a management IP, when the node has one)
   */
  host?: { ip: string; mac: string; addresses: string[] };
  /** the default gateway on the main NIC's network, where traffic leaving the cluster goes (§17); absent: none */
  gateway?: { ip: string; mac: string };
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

/**
 * Services as Contiv renders them on each node (docs/datapath.md §16), by node ID like AdapterAclConfig: NAT44
 * static mappings with load balancing (one per external address and port: the ClusterIP, and for a NodePort each
 * node's IP), all `out2in-only` and `self-twice-nat`; the twice-NAT pool (the node's NAT loopback); and the
 * interfaces marked `in` because a service endpoint lies behind them (pod TAPs, tap0, loop0).
 */
export interface AdapterServiceConfig {
  [nodeId: string]: {
    mappings: {
      /** `namespace/name` of the Service (Contiv's DNAT instance label) */
      service: string;
      protocol: 'TCP' | 'UDP';
      external: { ip: string; port: number };
      /** the endpoints with their weight on this node (Contiv: 1 each unless a local weight is set) */
      locals: { ip: string; port: number; probability: number }[];
    }[];
    /** the twice-NAT pool (the NAT loopback, e.g. 10.1.1.254) */
    twiceNatPool: string;
    /** VPP interface names marked NAT44 `in` besides `out` (backends) */
    inInterfaces: string[];
  };
}

/**
 * Where a packet is injected: a pod's eth0, a node's wire (another node or a host outside the cluster sends it),
 * or a node's host stack (the host end of tap0 sends it, docs/datapath.md §17).
 */
export type InjectionSource = { pod: string } | { node: number; wire: true } | { node: number; host: true };

export interface Injection {
  /** index of the packet in its scenario */
  packet: number;
  /** virtual time, seconds */
  at: number;
  from: InjectionSource;
  frame: Uint8Array;
}

/**
 * Capture points: `pod:<name>:tx`, `pod:<name>:rx`, `node:<id>:wire`, and `node:<id>:host` (frames the host stack
 * sends to VPP over tap0 or receives from it, docs/datapath.md §17).
 */
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
  /**
   * per packet and node: `show trace` records, when the adapter can trace (typed loosely: adapters parse text);
   * `path`, when the adapter knows it, is every graph node the packet went through in order, spelled as the
   * traces spell them — also the nodes that print no record (the reference model's walk, for coverage)
   */
  traces?: Map<number, { nodeId: number; records: unknown[]; path?: string[] }[]>;
}

export type PacketFate =
  | { kind: 'delivered'; nodeId: number; pod: string; frame: Uint8Array }
  | { kind: 'host'; nodeId: number }
  /** left the cluster: sent on a node's wire towards the default gateway (docs/datapath.md §17) */
  | { kind: 'outside'; nodeId: number; frame: Uint8Array }
  | { kind: 'dropped'; nodeId: number; node: string; error: string }
  | { kind: 'lost'; nodeId: number; reason: string };

/**
 * A fault the nemesis makes happen to a running data path (issue 13; catalogue and the model's meaning of each in
 * src/faults/). Plain, resolved data: node IDs, pod names, ACL tables. Every fault completes within the call (an
 * interface taken down is up again when fault() returns), so traffic afterwards meets the data path after it.
 */
export type Fault =
  /** every reflective ACL session of a node forgotten (`clear acl-plugin sessions`) */
  | { id: 'acl-sessions-cleared'; node: number }
  /** every NAT44 session of a node forgotten (NAT44-ED: `clear nat44 sessions`) */
  | { id: 'nat-sessions-cleared'; node: number }
  /** the ACL configuration last applied, applied again unchanged on every node (an agent resync that changes nothing) */
  | { id: 'acl-resync' }
  /** the ACL configuration replaced in place by another rendering (a policy update as Contiv's renderer applies it) */
  | { id: 'acl-replaced'; acls: AdapterAclConfig }
  /** a pod's TAP (the data path's side of its link) set down, then up again */
  | { id: 'tap-flap'; node: number; pod: string }
  /** a pod deleted and added again with the same name, IP, TAP and labels (CNI DEL then ADD) */
  | { id: 'pod-replaced'; node: number; pod: string }
  /** a node's loop0 (the BVI) or main NIC set down, then up again */
  | { id: 'link-flap'; node: number; link: 'loop0' | 'main-nic' }
  /** a node's data path restarted and configured again (same configuration, the ACLs last applied): every session gone */
  | { id: 'node-restart'; node: number }
  /**
   * netem on the underlay side of a node's link (frames towards that node lost, duplicated or delayed so that
   * they overtake each other) until a later call with `healed` removes it; the one fault that stays after its call
   */
  | { id: 'wire-impaired'; node: number; impairment: WireImpairment }
  /** `seconds` pass with no traffic (real adapters wait; set up with short session timeouts, see IDLE_SESSIONS) */
  | { id: 'idle-timeout'; seconds: number }
  /** one configured item of a node removed (`restore: false`) or configured again as the agent's resync would (`restore: true`) */
  | { id: 'config-drift'; node: number; item: DriftItem; restore: boolean };

/** What netem does to a node's underlay link (`healed`: nothing any more). */
export type WireImpairment = 'drop' | 'duplicate' | 'reorder' | 'healed';

export type FaultId = Fault['id'];

/** Configuration as a data path reports it: `node <id> <what>` → its lines, sorted (Adapter.configState). */
export type ConfigState = Record<string, string[]>;

/** The keys and lines where two states differ: `key`, the first line only in `a` and the first only in `b`. */
export function configStateDiff(a: ConfigState, b: ConfigState): { key: string; onlyA?: string; onlyB?: string }[] {
  const out: { key: string; onlyA?: string; onlyB?: string }[] = [];
  for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    const [x, y] = [a[key] ?? [], b[key] ?? []];
    const [sx, sy] = [new Set(x), new Set(y)];
    const onlyA = x.find((l) => !sy.has(l));
    const onlyB = y.find((l) => !sx.has(l));
    if (onlyA !== undefined || onlyB !== undefined) out.push({ key, ...(onlyA !== undefined ? { onlyA } : {}), ...(onlyB !== undefined ? { onlyB } : {}) });
  }
  return out;
}

/**
 * Session tables as a data path reports them (Adapter.sessionState): `node <id> acl` (reflective ACL sessions) and
 * `node <id> nat44` (NAT44 sessions) → session key → what the session holds besides its key, every timer, counter and
 * index left out. Keys and values are the one text form every adapter writes (SESSION_FORMS), so tables compare key
 * for key.
 */
export type SessionState = Record<string, Record<string, string>>;

/**
 * The text forms of SessionState, for adapters to follow (a test pins each adapter's to them):
 * - acl key: `<interface> <proto> <src>:<p0> -> <dst>:<p1>`, the session's own key (acl_make_5tuple_session_key:
 *   a packet's order on input, mirrored on output; ICMP type and code as p0, p1); value: `tcp flags out 0x<hex> in
 *   0x<hex>` for TCP (tcp_flags_seen per side), `-` otherwise
 * - nat44 key: `<PROTO> in <addr>:<port> out <addr>:<port> ext <addr>:<port>` (inside, outside and external host;
 *   `?` where the data path does not know); value: `static|dynamic translation[, forwarding-bypass][, load-balancing][, twice-nat]`
 */
export const SESSION_FORMS = {
  aclKey: /^\S+ \d+ \d+\.\d+\.\d+\.\d+:\d+ -> \d+\.\d+\.\d+\.\d+:\d+$/,
  aclValue: /^(-|tcp flags out 0x[0-9a-f]+ in 0x[0-9a-f]+)$/,
  natKey: /^\S+ in (\S+) out (\S+) ext (\S+)$/,
  natValue: /^(static|dynamic) translation(, (forwarding-bypass|load-balancing|twice-nat))*$/,
} as const;

/** Where two session states differ: table, key, and the value on each side (absent: no such session). */
export function sessionStateDiff(expected: SessionState, received: SessionState): { table: string; key: string; expected?: string; received?: string }[] {
  const out: { table: string; key: string; expected?: string; received?: string }[] = [];
  for (const table of [...new Set([...Object.keys(expected), ...Object.keys(received)])].sort()) {
    const [e, r] = [expected[table] ?? {}, received[table] ?? {}];
    for (const key of [...new Set([...Object.keys(e), ...Object.keys(r)])].sort()) {
      if (e[key] === r[key]) continue;
      out.push({ table, key, ...(e[key] !== undefined ? { expected: e[key] } : {}), ...(r[key] !== undefined ? { received: r[key] } : {}) });
    }
  }
  return out;
}

/**
 * One item of a node's configuration (config-drift), in the model's terms: interfaces by their VPP names
 * (`tap<N>`, `loop0`, `tap0`, `vxlan_tunnel<k>`, the main NIC), addresses and MACs as text, ACLs by their index in
 * the adapter ACL configuration. Plain data, so every adapter can find its own rendering of the item.
 */
export type DriftItem =
  /** a static neighbour: a pod's IP on its TAP (§2.5), or a remote node's BVI on loop0 (§2.7) */
  | { kind: 'static-neighbour'; interface: string; ip: string; mac: string }
  /** a static L2 FIB entry of bridge domain 1: a remote BVI's MAC on its VXLAN tunnel (§2.7) */
  | { kind: 'l2fib'; mac: string; interface: string }
  /** a route: a pod's /32 via its TAP (`interface`), or a remote node's pod network via its BVI (`via`) */
  | { kind: 'route'; prefix: string; interface?: string; via?: string }
  /** a NAT44 identity mapping of the node IP: address-only, or for one protocol and port (UDP 4789, §9) */
  | { kind: 'nat-identity'; ip: string; proto?: 'udp' | 'tcp'; port?: number }
  /** a NAT44 interface role (§3.2): inside, outside, output feature */
  | { kind: 'nat-interface'; interface: string; inside: boolean; outside: boolean; outputFeature: boolean }
  /** one ACL attached to an interface in one direction (§8.4) */
  | { kind: 'acl-attachment'; interface: string; direction: 'input' | 'output'; acl: number };

export type DriftKind = DriftItem['kind'];

/** One line naming an item, for labels and errors (`route 10.1.1.2/32 via tap1`). */
export function describeDriftItem(i: DriftItem): string {
  switch (i.kind) {
    case 'static-neighbour':
      return `static neighbour ${i.ip} ${i.mac} on ${i.interface}`;
    case 'l2fib':
      return `l2fib ${i.mac} on ${i.interface}`;
    case 'route':
      return `route ${i.prefix} via ${i.via ?? i.interface}`;
    case 'nat-identity':
      return `nat44 identity mapping ${i.ip}${i.proto ? ` ${i.proto} ${i.port}` : ''}`;
    case 'nat-interface':
      return `nat44 role of ${i.interface} (${[i.inside ? 'in' : '', i.outside ? 'out' : '', i.outputFeature ? 'output-feature' : ''].filter((x) => x).join(' ')})`;
    case 'acl-attachment':
      return `ACL ${i.acl} on ${i.interface} ${i.direction}`;
  }
}

/** Interface drivers across the adapter boundary (the model's InterfaceDriver names). */
export interface InterfaceDrivers {
  pod?: 'virtio' | 'packet-generator' | 'memif';
  /** tap0, the host interconnect (absent: virtio, Contiv's TAP v2) */
  host?: 'virtio' | 'packet-generator';
  nic?: 'dpdk' | 'af_packet';
}

export interface AdapterCapabilities {
  /** produces `show trace` records */
  traces: boolean;
  /** knows where a dropped packet was dropped and why */
  dropReasons: boolean;
  /** honours virtual time (session timeouts can be tested without waiting) */
  virtualTime: boolean;
  /**
   * Accepted, explained differences from the reference model (checked-in data, docs/architecture.md §7). Kept here because
   * capabilities travel with every wrapper of an adapter; properties may mask exactly these and nothing else.
   */
  knownDivergences?: readonly KnownDivergence[];
  /** the reference model profile this data path is compared with (default vpp-18.01-contiv), e.g. vpp-current */
  referenceProfile?: string;
  /**
   * the most nodes a topology may have (a lab's node count; absent: any): a case with more is unknown, and
   * `podflow fuzz` draws the topologies it groups cases on within it
   */
  maxNodes?: number;
  /** the faults fault() can perform (absent: none); a case needing another one is unknown, never valid */
  faults?: readonly FaultId[];
  /** for config-drift: the item kinds fault() performs (absent: every kind); a drift of another kind makes the case unknown */
  driftKinds?: readonly DriftKind[];
  /**
   * The drivers of the data path's interfaces when they are not Contiv's (TAP v2 pods, a DPDK main NIC): a lab's
   * pods are packet-generator interfaces and its main NIC af_packet (or memif). They decide the input and TX
   * nodes VPP prints, so the model compared with this adapter walks the same ones.
   */
  drivers?: InterfaceDrivers;
  /**
   * renders Services (applyServices) and carries host and outside traffic (injections from a node's host stack,
   * frames to the default gateway); absent or false: a case with Services or host traffic is unknown
   */
  services?: boolean;
  /** for wire-impaired: the impairments fault() performs (absent: every one); the nemesis draws only these */
  wireImpairments?: readonly Exclude<WireImpairment, 'healed'>[];
}

/**
 * The facts of a failure a known divergence excuses: a claim (properties/types.ts) must carry every field given
 * here with the same value (`point` is a regular expression over the capture point). Facts, never wording.
 */
export interface DivergenceMatch {
  code: string;
  protocol?: string;
  exchange?: 'request' | 'reply';
  layer?: string;
  field?: string;
  /** a regular expression the claim's capture point must match */
  point?: string;
  probe?: string;
}

/** A claim as adapters see it (structurally the properties' ClaimFacts). */
export type ClaimLike = { code: string } & Partial<Record<'protocol' | 'exchange' | 'layer' | 'field' | 'point' | 'probe' | 'connection' | 'expected' | 'received', string>> & { packet?: number };

/** One accepted difference between an adapter and the model: which property and failure it excuses, and why. */
export interface KnownDivergence {
  id: string;
  /** the property it excuses (a property id) */
  property: string;
  /** what differs, e.g. `outer udp.srcPort`, `reply delivery (SCTP)` */
  field: string;
  reason: string;
  /** the failure it excuses, as claim facts; absent for documented differences no property checks */
  match?: DivergenceMatch;
  /** a claim as the property emits it when this divergence shows (a test feeds it through the property's wording) */
  example?: ClaimLike;
  /** for byte comparisons: bytes to ignore in frames at capture points matching `point` (a regular expression), as [offset, length] pairs */
  mask?: { point: string; bytes: [number, number][] };
}

export interface Adapter {
  readonly name: string;
  readonly capabilities: AdapterCapabilities;
  setup(topology: AdapterTopology, options?: { profile?: string; sessions?: { udpIdle?: number; tcpIdle?: number; tcpTransient?: number; maxEntries?: number } }): Promise<void>;
  apply(acls: AdapterAclConfig): Promise<void>;
  /**
   * Optional (capabilities.services): configures Services as given, replacing the ones configured before; an empty
   * object removes them all. Sessions of removed mappings go with them.
   */
  applyServices?(services: AdapterServiceConfig): Promise<void>;
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
  /**
   * Optional: the version of the data path under test as one line (the model's profile, `show version` of each
   * VPP node, the kernel release and nft version), for run.json; undefined when it cannot be told. Never throws.
   */
  version?(): Promise<string | undefined>;
  /**
   * Optional: performs a fault (capabilities.faults lists which) and returns when it has completed. Throws
   * AdapterUnavailable when the data path could not do it; a fault not listed is a bug in the caller.
   */
  fault?(f: Fault): Promise<void>;
  /**
   * Optional: the data path's configuration as it reports it (`show` commands on VPP, `ip`/`bridge`/`nft` in the
   * kernel's namespaces, the model's tables), by `node <id> <what>` → sorted lines, with everything that changes
   * by itself left out (counters, timers, sessions, learned entries). The nemesis compares the state after every
   * fault is healed with the state right after configuration: a healed data path reports the same.
   */
  configState?(): Promise<ConfigState>;
  /**
   * Optional: the data path's session tables now (SessionState: reflective ACL sessions and NAT44 sessions per node,
   * timers and indices left out). An adapter without it cannot be held to the model's tables (unknown, never valid).
   */
  sessionState?(): Promise<SessionState>;
  /** forgets sessions (ACL and NAT) so the next injection starts from fresh state */
  reset(): Promise<void>;
  teardown(): Promise<void>;
}

const MATCH_KEYS = ['code', 'protocol', 'exchange', 'layer', 'field', 'point', 'probe'] as const;

/**
 * Reads an adapter's checked-in known divergences (`{ "divergences": [...] }`), checking that each entry says
 * which property and field it excuses and why, that its match names a claim code and only known facts, that its
 * point pattern compiles, and that its example claim (required with a match) is one it matches.
 */
export function loadKnownDivergences(file: URL): KnownDivergence[] {
  const name = file.pathname.split('/').slice(-3).join('/');
  const raw = JSON.parse(readFileSync(file, 'utf8')) as { divergences?: KnownDivergence[] };
  if (!Array.isArray(raw.divergences)) throw new Error(`${name}: expected { "divergences": [...] }`);
  for (const [i, d] of raw.divergences.entries()) {
    const at = `${name}: divergences[${i}]`;
    for (const f of ['id', 'property', 'field', 'reason'] as const) {
      if (typeof d[f] !== 'string' || d[f] === '') throw new Error(`${at}.${f} must be a non-empty string`);
    }
    if (d.match !== undefined) {
      if (typeof d.match !== 'object' || d.match === null || typeof d.match.code !== 'string') throw new Error(`${at}.match.code must be a claim code`);
      for (const k of Object.keys(d.match)) if (!(MATCH_KEYS as readonly string[]).includes(k)) throw new Error(`${at}.match.${k}: not a claim fact (${MATCH_KEYS.join(', ')})`);
      if (d.match.point !== undefined) new RegExp(d.match.point);
      if (d.example === undefined) throw new Error(`${at}.example: a divergence with a match carries an example claim`);
      if (!divergenceMatches(d, d.example)) throw new Error(`${at}.example does not match its own match`);
    }
    if (d.mask !== undefined) new RegExp(d.mask.point);
  }
  return raw.divergences;
}

/** Whether a divergence excuses a claim: same code and every fact the match names. */
export function divergenceMatches(d: KnownDivergence, c: ClaimLike): boolean {
  const m = d.match;
  if (!m || m.code !== c.code) return false;
  for (const k of MATCH_KEYS) {
    const want = m[k];
    if (want === undefined || k === 'code') continue;
    if (k === 'point') {
      if (c.point === undefined || !new RegExp(want).test(c.point)) return false;
    } else if (c[k] !== want) return false;
  }
  return true;
}

/** The declared divergence of `property` that excuses this claim, if any. */
export function excusingDivergence(divergences: readonly KnownDivergence[], property: string, c: ClaimLike): KnownDivergence | undefined {
  return divergences.find((d) => d.property === property && divergenceMatches(d, c));
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

/** Whether an adapter can perform a fault (fault() present and the fault listed in its capabilities). */
export function canPerform(adapter: Adapter, id: FaultId): boolean {
  return adapter.fault !== undefined && (adapter.capabilities.faults ?? []).includes(id);
}

/** Whether an adapter can perform this very fault: canPerform, and for config-drift the item's kind (capabilities.driftKinds). */
export function canPerformFault(adapter: Adapter, f: Fault): boolean {
  if (!canPerform(adapter, f.id)) return false;
  if (f.id !== 'config-drift') return true;
  const kinds = adapter.capabilities.driftKinds;
  return kinds === undefined || kinds.includes(f.item.kind);
}

/** The captures of an observation as pcap records per capture point. */
export function capturesAsPcap(captures: readonly Capture[]): Map<string, PcapRecord[]> {
  return pcapRecordsByPoint(captures);
}
