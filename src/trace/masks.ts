// Named masks for golden trace comparisons: the volatile fields of docs/datapath.md §11.6 as data. A mask says,
// for one field comparison (node, field path, both values), whether the comparison is skipped.
// Field paths are those of diff.ts: body fields without a prefix (`ip.ttl`, `tuple.swIfIndex`,
// `bytes.eth.src`, `pktInfo[5].swIfIndex`), and the record-level `node` and `timeUs`.
import type { PacketTrace, TraceBody, TraceRecord } from './records.ts';

export type FieldValue = string | number | boolean | undefined;

/** One field comparison, as a mask sees it. */
export interface MaskSite {
  /** the expected record's node */
  node: string;
  /** the expected record's body kind */
  kind: TraceBody['kind'];
  field: string;
  expected: FieldValue;
  actual: FieldValue;
  recordIndex: number;
  expectedRecord: TraceRecord;
  actualRecord: TraceRecord;
  expectedTrace: PacketTrace;
}

export interface TraceMask {
  id: string;
  description: string;
  /** `volatile`: varies between runs of the same VPP (§11.6); `synthetic`: copied from synthetic inputs */
  group: 'volatile' | 'synthetic';
  applies(site: MaskSite): boolean;
}

const both = (site: MaskSite, pred: (v: FieldValue) => boolean): boolean => pred(site.expected) && pred(site.actual);
const notMinusOne = (v: FieldValue): boolean => typeof v === 'number' && v !== -1;
const nonNegative = (v: FieldValue): boolean => typeof v === 'number' && v >= 0;

function afterVxlanEncap(site: MaskSite): boolean {
  const records = site.expectedTrace.records;
  for (let i = 0; i < site.recordIndex && i < records.length; i++) if (records[i]!.node === 'vxlan4-encap') return true;
  return false;
}

function aclMatch(rec: TraceRecord): number | undefined {
  return rec.body.kind === 'acl' ? rec.body.matchAcl : undefined;
}

/** Bridge-domain BVI MACs (`1a:2b:3c:4d:5e:xx`) and the pod-side MAC are configuration, never masked. */
export function isStableMac(m: string): boolean {
  return m.startsWith('1a:2b:3c:4d:5e:') || m === '00:00:00:00:00:02';
}

/** VPP side of a pod TAP: random `02:fe:…` MACs (docs/datapath.md §2.4). */
export function isPodTapMac(m: string): boolean {
  return m.startsWith('02:fe:');
}

/** Records whose MACs belong to a physical NIC (GbE): DPDK rx/tx and output/rewrite on an `…Ethernet…` interface. */
function isGbeRecord(rec: TraceRecord): boolean {
  const b = rec.body;
  if (b.kind === 'dpdk-input' || b.kind === 'interface-tx') return true;
  if (b.kind === 'interface-output' || b.kind === 'ip4-rewrite') return /Ethernet/.test(b.ifName);
  return false;
}

const MAC_FIELD = /(^|\.)(src|dst)$/;
const MAC_TEXT = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

function volatileMac(v: FieldValue, gbe: boolean): boolean {
  if (typeof v !== 'string' || !MAC_TEXT.test(v) || isStableMac(v)) return false;
  return isPodTapMac(v) || gbe;
}

/** tapN / vxlan_tunnelN with the number blanked. */
const normalizeIfName = (s: string): string => s.replace(/\b(tap|vxlan_tunnel)\d+/g, '$1#');

export const TIMESTAMPS: TraceMask = {
  id: 'timestamps',
  description: 'record header timestamps: time since VPP start',
  group: 'volatile',
  applies: (s) => s.field === 'timeUs',
};

export const BUFFER_VALUES: TraceMask = {
  id: 'buffer-values',
  description: 'buffer index, trace index/handle, mbuf phys_addr, data_off and port: buffer allocation and DPDK',
  group: 'volatile',
  applies: (s) => /^buffer\.(index|trace)$|^mbuf\.(physAddr|dataOff|port)$/.test(s.field),
};

export const ACL_SESSION_INDEX: TraceMask = {
  id: 'acl-session-index',
  description: '`acl -1 rule N`: the ACL session pool index of a session hit (history)',
  group: 'volatile',
  applies: (s) => s.field === 'matchRule' && aclMatch(s.expectedRecord) === -1 && aclMatch(s.actualRecord) === -1 && both(s, notMinusOne),
};

export const NAT_SESSION_INDEX: TraceMask = {
  id: 'nat-session-index',
  description: 'NAT44 `session N` / `session index N` other than -1, and the ED search-key session/thread (history)',
  group: 'volatile',
  applies: (s) => (/^(session|sessionIndex)$/.test(s.field) && both(s, notMinusOne)) || /^ed\.lookup\.(sessionIndex|threadIndex)$/.test(s.field),
};

export const INTERFACE_INDICES: TraceMask = {
  id: 'interface-indices',
  description: 'sw_if_index, hw_if_index, tx_sw_if_index, lsb16 and the sw_if_index parts of `pkt info` (interface creation order)',
  group: 'volatile',
  applies: (s) => /(^|\.)(swIfIndex|hwIfIndex|txSwIfIndex|lsb16)$/.test(s.field) || /^pktInfo\[4\]\.lsb16$|^pktInfo\[5\]\.swIfIndex$/.test(s.field),
};

export const INTERFACE_NAMES: TraceMask = {
  id: 'interface-names',
  description: 'tapN / vxlan_tunnelN numbers and the node and interface names derived from them (creation order)',
  group: 'volatile',
  applies: (s) => {
    if (s.field === 'tunnel') return true;
    if (s.field !== 'node' && s.field !== 'ifName') return false;
    if (typeof s.expected !== 'string' || typeof s.actual !== 'string') return false;
    const e = normalizeIfName(s.expected);
    return e !== s.expected && e === normalizeIfName(s.actual);
  },
};

export const ACL_INDICES: TraceMask = {
  id: 'acl-indices',
  description: 'ACL indices (`acl N`, N ≥ 0), rule positions and lookup-context indices, also in current pkt info (ACL creation order, policies)',
  group: 'volatile',
  applies: (s) => {
    if (/(^|\.)lcIndex$/.test(s.field)) return true;
    // current VPP's pkt info ends with the lookup context index where 18.01 has the sw_if_index
    if (s.field === 'pktInfo[5].swIfIndex' && s.expectedRecord.body.kind === 'acl' && s.expectedRecord.body.lcIndex !== undefined) return true;
    if (s.field === 'matchAcl') return both(s, nonNegative);
    if (s.field === 'matchRule') return both(s, nonNegative) && (aclMatch(s.expectedRecord) ?? -1) >= 0 && (aclMatch(s.actualRecord) ?? -1) >= 0;
    return false;
  },
};

export const L2_CLASSIFY_TABLE: TraceMask = {
  id: 'l2-classify-table',
  description: 'l2-classify table numbers (classifier construction)',
  group: 'volatile',
  applies: (s) => s.kind === 'l2-input-classify' && s.field === 'table',
};

export const NEXT_INDICES: TraceMask = {
  id: 'next-indices',
  description: 'every `next index` / `next-index` / `next` value and a feature arc\'s `arc_next_index` (graph construction: a node\'s next slots are numbered in the order the running VPP first used them, docs/datapath.md §17.10)',
  group: 'volatile',
  applies: (s) => /^(nextIndex|next|adjacency\.next|arcNextIndex)$/.test(s.field),
};

export const DPO_INDICES: TraceMask = {
  id: 'dpo-indices',
  description: 'dpo-idx / adj (FIB and adjacency allocation)',
  group: 'volatile',
  applies: (s) => s.field === 'dpoIdx' || s.field === 'forward.adj',
};

export const OUTER_FIB: TraceMask = {
  id: 'outer-fib',
  description: '`fib N` of the lookup after VXLAN encapsulation: the tunnel sw_if_index (docs/datapath.md §11.4)',
  group: 'volatile',
  applies: (s) => s.kind === 'ip4-fib' && s.field === 'fib' && afterVxlanEncap(s),
};

export const VOLATILE_MACS: TraceMask = {
  id: 'volatile-macs',
  description: 'pod TAP MACs (02:fe:…) anywhere and NIC (GbE) MACs in DPDK/NIC records, also inside rewrite strings and hex dumps; never BVI MACs nor the pod MAC',
  group: 'volatile',
  applies: (s) => {
    if (!MAC_FIELD.test(s.field)) return false;
    return volatileMac(s.expected, isGbeRecord(s.expectedRecord)) && volatileMac(s.actual, isGbeRecord(s.actualRecord));
  },
};

export const STALE_OUTER_FLOW_HASH: TraceMask = {
  id: 'stale-outer-flow-hash',
  description: '18.01: the `flow hash` after VXLAN encap is stale L2 metadata, not a hash (1 in the seed, 2 in the service traces; the model prints 1), docs/datapath.md §11.4',
  group: 'volatile',
  applies: (s) => (s.kind === 'ip4-fib' || s.kind === 'ip4-rewrite') && s.field === 'flowHash' && (s.expected === 1 || (s.actual === 1 && typeof s.expected === 'number' && s.expected > 0 && s.expected < 16)) && afterVxlanEncap(s),
};

export const CURRENT_ONLY_VALUES: TraceMask = {
  id: 'current-only-values',
  description:
    'current VPP only, not derived by the model: TCP options lines (printed with mismatched format arguments), buffer pool and ref-count, ' +
    'rss/fdir, interface and frame flags, ip4-local fib/flow, adjacency mtu/flags, l2 result suffixes, nat44-ed session detail',
  group: 'volatile',
  applies: (s) =>
    /(^|\.)options(\[\d+\])?$|^buffer\.(bufferPool|refCount)$|^mbuf\.(rss|fdirHi|fdirLo)$|^frame\.|^flags$|^forward\.(fib|flowHash)$|^adjacency\.(mtu|flags)$|^suffix$|^ed\./.test(s.field),
};

/** §11.6 for the 18.01 profile (the seed traces). */
export const VOLATILE_18_01: readonly TraceMask[] = [
  TIMESTAMPS,
  BUFFER_VALUES,
  ACL_SESSION_INDEX,
  NAT_SESSION_INDEX,
  INTERFACE_INDICES,
  INTERFACE_NAMES,
  ACL_INDICES,
  L2_CLASSIFY_TABLE,
  NEXT_INDICES,
  DPO_INDICES,
  OUTER_FIB,
  VOLATILE_MACS,
  STALE_OUTER_FLOW_HASH,
];

/** §11.6 for the current profile: no stale flow hash (v20.01 prints the inner hash), plus current-only values. */
export const VOLATILE_CURRENT: readonly TraceMask[] = [...VOLATILE_18_01.filter((m) => m !== STALE_OUTER_FLOW_HASH), CURRENT_ONLY_VALUES];

export const SYNTHETIC_INPUTS: TraceMask = {
  id: 'synthetic-inputs',
  description: 'TCP sequence/ack numbers and window, IP ids, L4 checksums: copied from the input packet; mask only when inputs are synthetic',
  group: 'synthetic',
  applies: (s) =>
    /(^|\.)l4\.(seq|ack|window|checksum)$/.test(s.field) ||
    /(^|\.)fragmentId$/.test(s.field) ||
    /^(bytes|data|raw)\.(ipv4\.id|tcp\.(seq|ack|window|checksum)|udp\.checksum|icmp\.checksum)$/.test(s.field),
};

export const AF_PACKET_RING: TraceMask = {
  id: 'af-packet-ring',
  description: 'af_packet RX: the ring block number, its address, the block sequence number and the kernel receive time (sec/nsec)',
  group: 'volatile',
  applies: (s) => s.kind === 'af-packet-input' && /^(block|address|seqNum|tpacket\.(sec|nsec))$/.test(s.field),
};

/** The bytes a record dumps (pg-input's `data`, ip4-rewrite's `bytes`) and the frame's end in them (IPv4 total length + 14). */
function dumpOf(rec: TraceRecord): { bytes: Uint8Array; frameEnd: number } | undefined {
  const b = rec.body;
  const bytes = b.kind === 'pg-input' ? b.data : b.kind === 'ip4-rewrite' ? b.bytes : undefined;
  if (!bytes || bytes.length < 18 || bytes[12] !== 0x08 || bytes[13] !== 0x00) return undefined;
  return { bytes, frameEnd: 14 + ((bytes[16]! << 8) | bytes[17]!) };
}

export const STALE_DUMP_BYTES: TraceMask = {
  id: 'stale-dump-bytes',
  description:
    'pg-input (128 bytes) and current ip4-rewrite (60 bytes) dump a fixed number of buffer bytes: past the frame\'s end they hold what an earlier packet left in the buffer; the frame\'s own bytes are compared',
  group: 'volatile',
  applies: (s) => {
    if (!((s.kind === 'pg-input' && s.field === 'data.payload') || (s.kind === 'ip4-rewrite' && s.field === 'bytes.payload'))) return false;
    const e = dumpOf(s.expectedRecord);
    const a = dumpOf(s.actualRecord);
    const ev = typeof s.expected === 'string' ? s.expected : '';
    const av = typeof s.actual === 'string' ? s.actual : '';
    if (!e || !a || e.frameEnd !== a.frameEnd || e.bytes.length !== a.bytes.length) return false;
    // the payload segment runs to the end of the dump: keep what lies before the frame's end
    const keep = 2 * Math.max(0, e.frameEnd - (e.bytes.length - ev.length / 2));
    return ev.slice(0, keep) === av.slice(0, keep);
  },
};

/** The masks of a VPP 26.06 lab trace compared with the model (vpp-current, the lab's drivers). */
export const VOLATILE_LAB: readonly TraceMask[] = [
  TIMESTAMPS,
  BUFFER_VALUES,
  ACL_SESSION_INDEX,
  NAT_SESSION_INDEX,
  ACL_INDICES,
  NEXT_INDICES,
  DPO_INDICES,
  AF_PACKET_RING,
  STALE_DUMP_BYTES,
];

/** Mask sets by the name the CLI accepts (`--mask`). */
export const MASK_SETS: Readonly<Record<string, readonly TraceMask[]>> = {
  none: [],
  volatile: VOLATILE_18_01,
  'volatile-current': VOLATILE_CURRENT,
  'volatile+synthetic': [...VOLATILE_18_01, SYNTHETIC_INPUTS],
  'volatile-lab': VOLATILE_LAB,
};
