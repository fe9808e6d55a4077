// Whole-trace differential (issue #14, item 2): for an adapter that traces, every packet's `show trace` on every
// node equals the reference model's — run with the adapter's profile on exactly the calls the adapter got — record
// by record and field by field, with only the volatile fields masked (values that change between two runs of the
// same VPP with the same configuration). Everything the model does not derive is a divergence, not a mask: a gap
// of the model shows here until it is modelled or declared as a known divergence (by its facts: code, point,
// field). One claim per packet trace (one packet on one node) that differs: the first divergence in record order,
// as the report's trace diff finds it, with counts of records equal and differing after aligning both traces by
// node name.
import type { Adapter, Observation } from '../adapters/adapter.ts';
import { bodyFields, diffTraces, type FieldValue, type MaskSite, type TraceMask } from '../trace/index.ts';
import {
  AF_PACKET_RING,
  ACL_INDICES,
  ACL_SESSION_INDEX,
  BUFFER_VALUES,
  DPO_INDICES,
  INTERFACE_INDICES,
  INTERFACE_NAMES,
  L2_CLASSIFY_TABLE,
  NAT_SESSION_INDEX,
  NEXT_INDICES,
  OUTER_FIB,
  STALE_DUMP_BYTES,
  STALE_OUTER_FLOW_HASH,
  TIMESTAMPS,
  VOLATILE_MACS,
} from '../trace/masks.ts';
import type { PacketTrace, TraceRecord } from '../trace/records.ts';
import { injections, modelAnswer, recordingAdapter } from './evidence.ts';
import { clusterCaseArb, exchangeFacts, exchangeOf, modelProfileOf, runClusterCase, type CaseRun, type ClusterCase } from './harness.ts';
import { claim, verdictOf, type CheckContext, type Claim, type ClaimMessages, type Measures, type PropertyDef, type Verdict } from './types.ts';

export const TRACE_EQUALS_MODEL_ID = 'trace-equals-model';

/**
 * Volatile in current VPP's text, beyond §11.6: what format_tcp_options prints (tcp_format.c passes mismatched
 * format arguments, so the line holds whatever the call left behind), the buffer pool a buffer came from
 * (allocation), and the NIC's RSS hash and flow-director words (computed by the hardware per queue setup). The
 * other current-only values (frame and interface flags, ip4-local fib/flow, adjacency mtu/flags, l2 result
 * words, nat44-ed session detail) are configuration and behaviour: they are compared.
 */
export const CURRENT_VOLATILE_VALUES: TraceMask = {
  id: 'current-volatile-values',
  description: 'current VPP: TCP options lines (mismatched format arguments), buffer pool (allocation), rss/fdir (NIC hardware)',
  group: 'volatile',
  applies: (s) => /(^|\.)options(\[\d+\])?$|^buffer\.bufferPool$|^mbuf\.(rss|fdirHi|fdirLo)$/.test(s.field),
};

/**
 * `result [0x%llx, %d]` of current VPP's l2-input and l2-fwd: the L2 FIB entry's raw word and sw_if_index (both
 * carry interface indices, creation order); the feature bitmap and flags around them are compared.
 */
export const L2_RESULT_INDICES: TraceMask = {
  id: 'l2-result-indices',
  description: 'the raw L2 FIB result word and its sw_if_index in `result [0x…, N]` (interface creation order)',
  group: 'volatile',
  applies: (s) => s.field === 'suffix' && typeof s.expected === 'string' && typeof s.actual === 'string' && blankL2Result(s.expected) === blankL2Result(s.actual),
};

const blankL2Result = (v: string): string => v.replace(/result \[0x[0-9a-f]+, \d+\]/g, 'result [#]');

/**
 * The masks, each with why its values are volatile (they differ between two runs of one VPP with one
 * configuration, so no model can predict them): docs/datapath.md §11.6 as masks.ts names them.
 */
export const VOLATILE_MASKS: readonly { mask: TraceMask; why: string }[] = [
  { mask: TIMESTAMPS, why: 'time since the VPP process started' },
  { mask: BUFFER_VALUES, why: 'buffer index, trace handle, mbuf address and data offset: where the buffer allocator put the packet' },
  { mask: ACL_SESSION_INDEX, why: 'the session pool slot a session hit used: how many sessions came and went before' },
  { mask: NAT_SESSION_INDEX, why: 'NAT44 session pool slot and thread: history of the session table' },
  { mask: INTERFACE_INDICES, why: 'sw_if_index / hw_if_index: the order interfaces were created in' },
  { mask: INTERFACE_NAMES, why: 'tapN / vxlan_tunnelN numbers: creation order (only the number is blanked)' },
  { mask: ACL_INDICES, why: 'ACL and lookup-context indices: the order ACLs were created in (matchAcl -1 vs N is still compared)' },
  { mask: L2_CLASSIFY_TABLE, why: 'classifier table numbers: classifier construction order' },
  { mask: NEXT_INDICES, why: 'next indices: the order arcs were added to the graph (plugins loaded)' },
  { mask: DPO_INDICES, why: 'DPO and adjacency indices: FIB allocation history' },
  { mask: OUTER_FIB, why: '`fib N` after VXLAN encap is the tunnel sw_if_index (creation order), docs/datapath.md §11.4' },
  { mask: VOLATILE_MACS, why: 'pod TAP MACs (02:fe:… random per TAP) and NIC MACs: assigned at creation, never BVI or pod MACs' },
  { mask: STALE_OUTER_FLOW_HASH, why: '18.01 only: stale L2 metadata printed as a flow hash after VXLAN encap, docs/datapath.md §11.4' },
  { mask: CURRENT_VOLATILE_VALUES, why: 'current VPP only: see CURRENT_VOLATILE_VALUES' },
  { mask: L2_RESULT_INDICES, why: 'current VPP only: interface indices inside the L2 FIB result word' },
  { mask: AF_PACKET_RING, why: 'af_packet input (a lab\'s main NIC): the ring block, its address and sequence number, the kernel receive time — where and when the kernel put the frame' },
  { mask: STALE_DUMP_BYTES, why: 'fixed-size dumps (pg-input 128 bytes, current ip4-rewrite 60): past the frame\'s end, what an earlier packet left in the buffer' },
];

/** The masks for a profile: 18.01 prints a stale outer flow hash; current VPP prints the inner one (compared). */
export function volatileMasks(profile: string): TraceMask[] {
  const current = profile !== 'vpp-18.01-contiv';
  return VOLATILE_MASKS.map((m) => m.mask).filter((m) => (current ? m !== STALE_OUTER_FLOW_HASH : m !== CURRENT_VOLATILE_VALUES && m !== L2_RESULT_INDICES));
}

/** One packet trace compared: the first divergence (record order) and the records after aligning by node name. */
export interface TraceComparison {
  first?: { recordIndex: number; node: string; field: string; expected: string; received: string };
  /** aligned records with every unmasked field equal */
  equal: number;
  /** aligned records (same node) with some unmasked field different */
  differing: number;
  /** records only the model printed, or only the adapter */
  onlyModel: number;
  onlyAdapter: number;
  /**
   * every record of either side once, in alignment order, with the VPP node name (the model's where aligned) and,
   * for a differing one, its first unmasked field that differs
   */
  records: { node: string; status: RecordStatus; field?: string }[];
}

export type RecordStatus = 'equal' | 'differing' | 'only-model' | 'only-adapter';

const text = (v: unknown): string => (v === undefined ? 'nothing' : typeof v === 'string' ? v : JSON.stringify(v));

/** A node name with tapN / vxlan_tunnelN numbers blanked (what INTERFACE_NAMES tolerates), for alignment. */
const alignName = (s: string): string => s.replace(/\b(tap|vxlan_tunnel)\d+/g, '$1#');

/** The first unmasked field two records at aligned positions differ in (diff.ts's field names and masks), if any. */
function firstDifference(trace: PacketTrace, i: number, e: TraceRecord, a: TraceRecord, masks: readonly TraceMask[]): string | undefined {
  const fields = (r: TraceRecord): [string, FieldValue][] => [['node', r.node], ['timeUs', r.timeUs], ...bodyFields(r.body)];
  const af = new Map(fields(a));
  const ef = fields(e);
  const names = new Set([...ef.map(([k]) => k), ...af.keys()]);
  const em = new Map(ef);
  for (const field of names) {
    const site: MaskSite = { node: e.node, kind: e.body.kind, field, expected: em.get(field), actual: af.get(field), recordIndex: i, expectedRecord: e, actualRecord: a, expectedTrace: trace };
    if (site.expected !== site.actual && !masks.some((m) => m.applies(site))) return field;
  }
  return undefined;
}

/** Structural equality of parsed trace values: primitives, arrays, byte arrays and plain objects (same keys, same values). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!Object.hasOwn(b, k) || !sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

/**
 * Compares one packet's trace on one node: diffTraces for the first divergence (what the report shows), and a
 * longest common subsequence of node names for the counts, so one extra node early does not make every later
 * record count as differing.
 */
export function compareTrace(expected: readonly TraceRecord[], received: readonly TraceRecord[], masks: readonly TraceMask[]): TraceComparison {
  // The common case, a trace equal record for record: every record equal and nothing to diff (what the walk below
  // finds for such traces, at a fraction of its cost: it flattens every field of every record twice).
  if (expected.length === received.length && expected.every((r, i) => sameValue(r, received[i]))) {
    return { equal: expected.length, differing: 0, onlyModel: 0, onlyAdapter: 0, records: expected.map((r) => ({ node: r.node, status: 'equal' as const })) };
  }
  return alignTraces(expected, received, masks);
}

/** compareTrace without its shortcut for equal traces: the diff and the alignment, whatever the traces. */
export function alignTraces(expected: readonly TraceRecord[], received: readonly TraceRecord[], masks: readonly TraceMask[]): TraceComparison {
  const e: PacketTrace = { records: [...expected] };
  const d = diffTraces(e, { records: [...received] }, masks);
  const [n, m] = [expected.length, received.length];
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i]![j] = alignName(expected[i]!.node) === alignName(received[j]!.node) ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: TraceComparison = { equal: 0, differing: 0, onlyModel: 0, onlyAdapter: 0, records: [] };
  const note = (node: string, status: RecordStatus, field?: string): void => {
    out.records.push(field === undefined ? { node, status } : { node, status, field });
    if (status === 'equal') out.equal++;
    else if (status === 'differing') out.differing++;
    else if (status === 'only-model') out.onlyModel++;
    else out.onlyAdapter++;
  };
  let [i, j] = [0, 0];
  while (i < n || j < m) {
    if (i < n && j < m && alignName(expected[i]!.node) === alignName(received[j]!.node)) {
      const field = firstDifference(e, i, expected[i]!, received[j]!, masks);
      note(expected[i]!.node, field === undefined ? 'equal' : 'differing', field);
      i++;
      j++;
    } else if (j >= m || (i < n && lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) note(expected[i++]!.node, 'only-model');
    else note(received[j++]!.node, 'only-adapter');
  }
  if (d.first) out.first = { recordIndex: d.first.recordIndex, node: d.first.node, field: d.first.field, expected: text(d.first.expected), received: text(d.first.actual) };
  return out;
}

/** One packet trace compared, with where it was (packet, node, which of that node's traces). */
export interface PacketTraceComparison extends TraceComparison {
  packet: number;
  nodeId: number;
  /** the node's n-th trace of the packet (a packet can pass a node twice) */
  occurrence: number;
}

type NodeTrace = { nodeId: number; records: unknown[] };

/**
 * Every packet trace of the adapter's observations against the model's for the same packets: per packet and node,
 * the node's n-th trace with its n-th, in the model's walk order (so the first claim is where the packet first went
 * astray, not a consequence downstream), then the traces only the adapter has. A trace only one side has compares
 * with an empty one (every record `only`).
 */
export function compareObservations(adapter: readonly Observation[], model: readonly Observation[], masks: readonly TraceMask[]): PacketTraceComparison[] {
  const traces = (obs: readonly Observation[]): Map<number, NodeTrace[]> => {
    const out = new Map<number, NodeTrace[]>();
    for (const o of obs) for (const [packet, list] of o.traces ?? []) out.set(packet, [...(out.get(packet) ?? []), ...list]);
    return out;
  };
  const nth = (list: readonly NodeTrace[], nodeId: number, k: number): NodeTrace | undefined => list.filter((t) => t.nodeId === nodeId)[k];
  const [a, m] = [traces(adapter), traces(model)];
  const out: PacketTraceComparison[] = [];
  for (const packet of [...new Set([...m.keys(), ...a.keys()])].sort((x, y) => x - y)) {
    const [al, ml] = [a.get(packet) ?? [], m.get(packet) ?? []];
    const order: { nodeId: number; occurrence: number }[] = [];
    const seen = new Map<number, number>();
    for (const t of [...ml, ...al.filter((x, i) => al.slice(0, i + 1).filter((y) => y.nodeId === x.nodeId).length > ml.filter((y) => y.nodeId === x.nodeId).length)]) {
      const k = seen.get(t.nodeId) ?? 0;
      seen.set(t.nodeId, k + 1);
      order.push({ nodeId: t.nodeId, occurrence: k });
    }
    for (const { nodeId, occurrence } of order) {
      const [want, got] = [nth(ml, nodeId, occurrence), nth(al, nodeId, occurrence)];
      out.push({ packet, nodeId, occurrence, ...compareTrace((want?.records ?? []) as TraceRecord[], (got?.records ?? []) as TraceRecord[], masks) });
    }
  }
  return out;
}

/** `node:1:trace:3:ip4-lookup` — the place of a divergence: node, record index, the model's VPP node name there. */
export function tracePoint(nodeId: number, recordIndex: number, node: string): string {
  return `node:${nodeId}:trace:${recordIndex}:${node}`;
}

const CLAIMS: ClaimMessages = {
  'trace-differs': (c) => {
    const [, node, , record, vppNode] = (c.point ?? '').split(':');
    const what = c.field === 'node' ? `prints ${c.received} where the model prints ${c.expected}` : `${c.field} is ${c.received}, the model's ${c.expected}`;
    return `${c.connection}: packet ${c.packet}'s trace on node ${node}, record ${record} (${vppNode}): ${what}${c.context ? ` (${c.context})` : ''}`;
  },
};

/**
 * Runs a case on the adapter, then the model (the adapter's profile) on exactly the calls the adapter got — the
 * same configuration, resets and frames, so both trace the same packets even where the adapter delivered
 * differently (no reply sent, say) — and compares every packet trace; or why it cannot.
 */
export async function traceComparisons(c: ClusterCase, adapter: Adapter, ctx: CheckContext): Promise<{ run: CaseRun; comparisons: PacketTraceComparison[] } | { unknown: string }> {
  if (!adapter.capabilities.traces) return { unknown: `adapter ${adapter.name} does not trace: no trace to compare` };
  const profile = modelProfileOf(adapter);
  const recorded = recordingAdapter(adapter);
  const run = await runClusterCase(c, recorded);
  const answer = await modelAnswer(recorded.evidence, ctx.reference(profile, adapter.capabilities.drivers));
  if (answer.stopped !== undefined) return { unknown: `the model could not answer the same calls: ${answer.stopped}` };
  const observed = (e: typeof recorded.evidence): Observation[] => injections(e).map((x) => x.observation).filter((o, i, all) => all.indexOf(o) === i);
  const [got, want] = [observed(recorded.evidence), observed(answer.evidence)];
  if (got.some((o) => o.traces === undefined)) return { unknown: `adapter ${adapter.name} returned an observation without traces` };
  return { run, comparisons: compareObservations(got, want, volatileMasks(profile)) };
}

export const traceEqualsModel: PropertyDef<ClusterCase> = {
  id: TRACE_EQUALS_MODEL_ID,
  description: "every packet's trace on every node equals the reference model's, only volatile fields masked",
  seedSteps: ['all'],
  needs: { traces: true },
  claims: CLAIMS,
  arbitrary: () => clusterCaseArb(),
  async check(c, adapter, ctx): Promise<Verdict> {
    const r = await traceComparisons(c, adapter, ctx);
    if ('unknown' in r) return { status: 'unknown', reason: r.unknown };
    const { run, comparisons } = r;
    if (comparisons.length === 0) return { status: 'unknown', reason: 'no packet was traced on both sides: nothing was compared' };
    const claims: Claim[] = [];
    const measures = traceMeasures(comparisons);
    for (const t of comparisons) {
      if (!t.first) continue;
      const s = run.sent.find((x) => x.requestPacket === t.packet || x.replyPacket === t.packet);
      const facts = s ? exchangeFacts(s, exchangeOf(s, t.packet)) : { connection: `packet ${t.packet}` };
      claims.push(
        claim(CLAIMS, {
          code: 'trace-differs',
          ...facts,
          packet: t.packet,
          point: tracePoint(t.nodeId, t.first.recordIndex, t.first.node),
          layer: 'trace',
          field: t.first.field,
          expected: t.first.expected,
          received: t.first.received,
          context: `records: ${t.equal} equal, ${t.differing} differing, ${t.onlyModel} only in the model, ${t.onlyAdapter} only on the adapter`,
        }),
      );
    }
    const v = verdictOf(claims);
    return v.status === 'unknown' ? v : { ...v, measures };
  },
};

/**
 * What a case compared, for the run's results: packet traces (one packet on one node) equal or differing, and
 * their records after alignment — equal, differing, only in the model, only on the adapter (masked fields do not
 * make a record differ).
 */
export function traceMeasures(comparisons: readonly PacketTraceComparison[]): Measures {
  const sum = (f: (t: PacketTraceComparison) => number): number => comparisons.reduce((s, t) => s + f(t), 0);
  return {
    'packet traces equal': sum((t) => (t.first ? 0 : 1)),
    'packet traces differing': sum((t) => (t.first ? 1 : 0)),
    'trace records equal': sum((t) => t.equal),
    'trace records differing': sum((t) => t.differing),
    'trace records only in the model': sum((t) => t.onlyModel),
    'trace records only on the adapter': sum((t) => t.onlyAdapter),
  };
}
