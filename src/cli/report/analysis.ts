// The analysis of a counterexample, computed once from its files and verdict and read by every report (report.html,
// trace-diff.txt, `podflow merge` through the writer): per packet the trace diff per node, the first divergent
// node with the diagram feature and seed step it implements, the first capture point where the frames differ,
// the drop; and per claim whether the evidence supports it at its capture point — the frames of the claimed
// packet at `claim.point` expected (the reference model's answer to the same calls) vs received (the adapter),
// present, absent or different, and which layers and fields differ there. Plain data, no formatting.
import { diffLayers, type FieldDiff, type LayerKind } from '../../packet/index.ts';
import { diffTraces, type TraceDiffResult, type TraceDivergence } from '../../trace/diff.ts';
import { VOLATILE_18_01 } from '../../trace/masks.ts';
import type { TraceRecord } from '../../trace/records.ts';
import type { Claim } from '../../properties/types.ts';
import type { Counterexample } from '../results.ts';
import { pathFeatures, qualifiedNodes, type FeatureStep, type PathHop } from './svg.ts';
import type { CapturedFrame, CounterexampleFiles, CounterexamplePacket, PacketSide } from './types.ts';

export interface HopDiff {
  hop: number;
  nodeId: number;
  expected?: TraceRecord[];
  received?: TraceRecord[];
  diff: TraceDiffResult;
}

export interface FrameDiff {
  point: string;
  occurrence: number;
  expected?: CapturedFrame;
  received?: CapturedFrame;
  diffs: FieldDiff[];
}

export interface FirstDivergence {
  hop: number;
  nodeId: number;
  div: TraceDivergence;
  /** the diagram feature and seed step of the divergent record's node (from the expected path when it has one) */
  step?: FeatureStep;
}

/** A packet's frames at one capture point, expected and received. */
export interface PointFrames {
  point: string;
  expected: CapturedFrame[];
  received: CapturedFrame[];
  same: boolean;
}

export interface PacketAnalysis {
  pkt: CounterexamplePacket;
  /** every capture point of the packet (the model's order, then the adapter's other points) */
  points: PointFrames[];
  hops: HopDiff[];
  /** both sides have traces */
  traced: boolean;
  first?: FirstDivergence;
  /** the first capture point where the frames differ */
  frame?: FrameDiff;
  drop?: { nodeId: number; node: string; error: string };
  /** the adapter handled the packet differently from the model (frames, fates, traces with volatile fields masked) */
  differs: boolean;
}

/**
 * What the evidence shows at a claim's capture point for its packet, expected vs received:
 * `different` (both have frames there, and they differ), `missing` (only the model's answer has one),
 * `extra` (only the adapter's), `same` (identical frames: the model did the same), `absent` (neither has one),
 * `no-point` (the claim names no capture point: a rendering-only claim, or a place like `node 1 tap0`),
 * `no-packet` (its packet is not among the report's packets).
 */
export type ClaimEvidence = 'different' | 'missing' | 'extra' | 'same' | 'absent' | 'no-point' | 'no-packet';

export interface ClaimAnalysis {
  /** index into the counterexample's claims */
  index: number;
  claim: Claim;
  evidence: ClaimEvidence;
  /** the frames of the claimed packet at the claim's capture point (empty without one) */
  expected: CapturedFrame[];
  received: CapturedFrame[];
  /** the differing fields of the first differing frame there, per layer */
  diffs: FieldDiff[];
  /** whether the claim names a field of a packet layer (`outer ipv4` `ttl`), not a place or a fate (`delivery`) */
  packetField: boolean;
  /** the claim's layer and field among `diffs` (packet-layer claims only) */
  field?: FieldDiff;
  /**
   * Whether the frames at the point bear the claim out as the adapter's behaviour: a packet-layer claim's field
   * differs there; a delivery claim's received frame is there exactly when it says delivered. Undefined when the
   * evidence cannot tell (no capture point, the frames are the same, a claim of another kind).
   */
  supported?: boolean;
}

export interface CxAnalysis {
  packets: PacketAnalysis[];
  /** the packet the report focuses on: the verdict's packet where it differs, else the first that differs */
  primary?: PacketAnalysis;
  claims: ClaimAnalysis[];
  /**
   * Given the same calls (configuration included) the reference model did what the adapter did: at every claimed
   * capture point the frames are the same (or, when no claim names one, every packet was handled the same). The
   * failure is then in what was configured, not in how the data path handled it.
   */
  modelAgrees: boolean;
}

export function hopsOf(side: PacketSide | undefined): PathHop[] {
  return (side?.traces ?? []).map((t) => ({ nodeId: t.nodeId, nodes: qualifiedNodes(t.records) }));
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Whether the adapter handled a packet differently from the reference: frames, traces (volatile fields masked) or fate. */
export function packetDiffers(p: CounterexamplePacket): boolean {
  const e = p.expected;
  const a = p.received;
  if (!e || !a) return e !== a;
  if (e.frames.length !== a.frames.length || e.frames.some((f, i) => f.point !== a.frames[i]!.point || !sameBytes(f.data, a.frames[i]!.data))) return true;
  if (e.fates.map((f) => f.kind).join() !== a.fates.map((f) => f.kind).join()) return true;
  if (a.traces.length === 0) return false; // the adapter does not trace
  if (e.traces.length !== a.traces.length) return true;
  return e.traces.some((t, i) => t.nodeId !== a.traces[i]!.nodeId || !diffTraces(t, a.traces[i]!, VOLATILE_18_01).equal);
}

function frameDiff(e: PacketSide | undefined, a: PacketSide | undefined): FrameDiff | undefined {
  const ef = e?.frames ?? [];
  const af = a?.frames ?? [];
  const used = new Set<number>();
  const seen = new Map<string, number>();
  const nth = (frames: readonly CapturedFrame[], point: string, k: number): number => {
    let c = 0;
    for (let i = 0; i < frames.length; i++) if (frames[i]!.point === point && c++ === k) return i;
    return -1;
  };
  for (const f of ef) {
    const k = seen.get(f.point) ?? 0;
    seen.set(f.point, k + 1);
    const j = nth(af, f.point, k);
    if (j >= 0) used.add(j);
    const r = j >= 0 ? af[j] : undefined;
    if (!r) return { point: f.point, occurrence: k, expected: f, diffs: [] };
    if (!sameBytes(f.data, r.data)) return { point: f.point, occurrence: k, expected: f, received: r, diffs: diffLayers(f.layers, r.layers) };
  }
  const extra = af.findIndex((_, i) => !used.has(i));
  if (extra >= 0) {
    const r = af[extra]!;
    return { point: r.point, occurrence: af.slice(0, extra).filter((x) => x.point === r.point).length, received: r, diffs: [] };
  }
  return undefined;
}

function analyzePacket(pkt: CounterexamplePacket): PacketAnalysis {
  const e = pkt.expected;
  const a = pkt.received;
  const traced = (e?.traces.length ?? 0) > 0 && (a?.traces.length ?? 0) > 0;
  const hops: HopDiff[] = [];
  let first: FirstDivergence | undefined;
  if ((a?.traces.length ?? 0) > 0 || (e?.traces.length ?? 0) > 0) {
    const expFeatures = pathFeatures(hopsOf(e), pkt.direction);
    const recFeatures = pathFeatures(hopsOf(a), pkt.direction);
    const n = Math.max(e?.traces.length ?? 0, a?.traces.length ?? 0);
    for (let i = 0; i < n; i++) {
      const et = e?.traces[i];
      const at = a?.traces[i];
      let diff: TraceDiffResult;
      if (et && at && et.nodeId !== at.nodeId) {
        diff = { equal: false, first: { recordIndex: 0, node: et.records[0]?.node ?? '', field: 'node id', expected: et.nodeId, actual: at.nodeId }, maskedFields: 0 };
      } else {
        diff = diffTraces({ records: et?.records ?? [] }, { records: at?.records ?? [] }, VOLATILE_18_01);
      }
      const h: HopDiff = { hop: i, nodeId: (et ?? at)!.nodeId, diff };
      if (et) h.expected = et.records;
      if (at) h.received = at.records;
      hops.push(h);
      if (!first && diff.first && traced) {
        const f: FirstDivergence = { hop: i, nodeId: h.nodeId, div: diff.first };
        const step = expFeatures[i]?.[diff.first.recordIndex] ?? recFeatures[i]?.[diff.first.recordIndex];
        if (step) f.step = step;
        first = f;
      }
    }
  }
  const names: string[] = [];
  for (const fr of [...(e?.frames ?? []), ...(a?.frames ?? [])]) if (!names.includes(fr.point)) names.push(fr.point);
  const points = names.map((point): PointFrames => {
    const ef = (e?.frames ?? []).filter((x) => x.point === point);
    const af = (a?.frames ?? []).filter((x) => x.point === point);
    return { point, expected: ef, received: af, same: ef.length === af.length && ef.every((x, i) => sameBytes(x.data, af[i]!.data)) };
  });
  const out: PacketAnalysis = { pkt, points, hops, traced, differs: packetDiffers(pkt) };
  if (first) out.first = first;
  const fd = frameDiff(e, a);
  if (fd) out.frame = fd;
  const drop = a?.fates.find((f) => f.kind === 'dropped');
  if (drop && drop.kind === 'dropped') out.drop = { nodeId: drop.nodeId, node: drop.node, error: drop.error };
  return out;
}

/** A capture point as the runner records them (`pod:<name>:rx`, `pod:<name>:tx`, `node:<id>:wire`), not a place. */
export function isCapturePoint(point: string | undefined): point is string {
  return point !== undefined && /^(pod|node):[^\s:]+(:[^\s:]+)*:(rx|tx|wire)$/.test(point);
}

const LAYER_KINDS: readonly string[] = ['ethernet', 'dot1q', 'arp', 'ipv4', 'icmp', 'tcp', 'udp', 'vxlan'] satisfies readonly LayerKind[];

/** The claim's field names as the packet layers name them (a claim may name two fields at once: `src/dst`). */
const FIELD_ALIASES: Readonly<Record<string, Record<string, readonly string[]>>> = {
  ipv4: { length: ['totalLength'], 'version/ihl': ['version', 'ihl'], 'flags/fragment': ['flags', 'fragOffset'] },
};

/**
 * The packet layer a claim names, with which occurrence (`outer` the first, `inner` the last, none any) and the
 * fields it means; undefined for places and fates (`delivery`, `acl`, `wire`).
 */
export function claimLayer(c: Pick<Claim, 'layer' | 'field'>): { kinds: string[]; occurrence: 'first' | 'last' | 'any'; fields: string[] } | undefined {
  if (!c.layer || !c.field) return undefined;
  const words = c.layer.trim().split(/\s+/);
  const occurrence = words[0] === 'outer' ? 'first' : words[0] === 'inner' ? 'last' : 'any';
  const name = occurrence === 'any' ? words.join(' ') : words.slice(1).join(' ');
  let field = c.field;
  let kinds: string[] | undefined = name === 'l4' ? ['tcp', 'udp', 'icmp'] : LAYER_KINDS.includes(name) ? [name] : undefined;
  // `udp dstPort`: the layer in the field
  const fw = field.split(/\s+/);
  if (fw.length === 2 && LAYER_KINDS.includes(fw[0]!)) {
    kinds = [fw[0]!];
    field = fw[1]!;
  }
  if (!kinds) return undefined;
  const fields = kinds.flatMap((k) => FIELD_ALIASES[k]?.[field] ?? field.split('/'));
  return { kinds, occurrence, fields: [...new Set(fields)] };
}

/** The diff of the claim's layer and field among a frame pair's diffs. */
function claimedField(c: Claim, diffs: readonly FieldDiff[], frame: CapturedFrame | undefined): FieldDiff | undefined {
  const want = claimLayer(c);
  if (!want) return undefined;
  return diffs.find((d) => {
    if (!want.kinds.includes(d.layer) || !want.fields.includes(d.field)) return false;
    if (want.occurrence === 'any' || !frame) return true;
    const same = frame.layers.filter((l) => l.kind === d.layer).length;
    return want.occurrence === 'first' ? d.occurrence === 0 : d.occurrence === same - 1;
  });
}

function analyzeClaim(c: Claim, index: number, packets: readonly PacketAnalysis[]): ClaimAnalysis {
  const base = { index, claim: c, expected: [] as CapturedFrame[], received: [] as CapturedFrame[], diffs: [] as FieldDiff[], packetField: claimLayer(c) !== undefined };
  if (!isCapturePoint(c.point)) return { ...base, evidence: 'no-point' };
  const point = c.point;
  const of = c.packet === undefined ? [...packets] : packets.filter((p) => p.pkt.received?.packet === c.packet || (!p.pkt.received && p.pkt.expected?.packet === c.packet));
  if (of.length === 0) return { ...base, evidence: 'no-packet' };
  const expected = of.flatMap((p) => p.pkt.expected?.frames ?? []).filter((f) => f.point === point);
  const received = of.flatMap((p) => p.pkt.received?.frames ?? []).filter((f) => f.point === point);
  const out: ClaimAnalysis = { ...base, expected, received, evidence: 'same' };
  if (expected.length === 0 && received.length === 0) out.evidence = 'absent';
  else if (received.length === 0) out.evidence = 'missing';
  else if (expected.length === 0) out.evidence = 'extra';
  else {
    const k = expected.findIndex((f, i) => !received[i] || !sameBytes(f.data, received[i]!.data));
    if (k >= 0 && received[k]) {
      out.evidence = 'different';
      out.diffs = diffLayers(expected[k]!.layers, received[k]!.layers);
      const fd = claimedField(c, out.diffs, received[k]);
      if (fd) out.field = fd;
    } else if (k >= 0 || received.length !== expected.length) {
      out.evidence = k >= 0 ? 'missing' : 'extra';
    }
  }
  const said = deliveredSaid(c);
  if (out.packetField && out.evidence === 'different') out.supported = out.field !== undefined;
  else if (out.packetField && (out.evidence === 'missing' || out.evidence === 'extra')) out.supported = false;
  else if (said !== undefined) out.supported = (received.length > 0) === said;
  return out;
}

/** What a delivery claim says the adapter did: delivered (or allowed) the packet, or not; undefined for another claim. */
function deliveredSaid(c: Claim): boolean | undefined {
  if (c.layer !== 'delivery' || c.received === undefined) return undefined;
  if (/^(delivered|allow(ed)?)\b/.test(c.received)) return true;
  if (/^(not delivered|dropped|deny|denied)\b/.test(c.received)) return false;
  return undefined;
}

/** The analysis of a counterexample from its files (packets and traces) and its verdict (claims). */
export function analyzeCounterexample(f: CounterexampleFiles | undefined, cx: Counterexample | undefined): CxAnalysis {
  const packets = (f?.packets ?? []).map(analyzePacket);
  const differs = (p: PacketAnalysis): boolean => p.first !== undefined || p.frame !== undefined;
  const byVerdict = cx?.packet !== undefined ? packets.find((p) => p.pkt.received?.packet === cx.packet && differs(p)) : undefined;
  const primary = byVerdict ?? packets.find((p) => p.first) ?? packets.find(differs) ?? packets.find((p) => p.drop) ?? (cx?.packet !== undefined ? packets.find((p) => p.pkt.received?.packet === cx.packet) : undefined) ?? packets[0];
  const claims = (cx?.claims ?? []).map((c, i) => analyzeClaim(c, i, packets));
  const located = claims.filter((c) => c.evidence !== 'no-point' && c.evidence !== 'no-packet');
  const modelAgrees = packets.length > 0 && (located.length > 0 ? located.every((c) => c.evidence === 'same' || c.evidence === 'absent') : packets.every((p) => !p.differs));
  return { packets, claims, modelAgrees, ...(primary ? { primary } : {}) };
}

/** The report's sentence when the model agrees with the adapter (issue 11 item 7). */
export const MODEL_AGREES =
  'Given the same configuration the reference model did the same: the failure is in what was configured (e.g. the rendering of the policies), not in how the data path handled it.';
