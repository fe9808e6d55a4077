// Text of a counterexample's report shared by report.html and trace-diff.txt: field values, layer summaries,
// trace records as VPP prints them, a trace divergence in one line, a seed step in a few words.
import { ip4ToString, macToString, summarizePacket, toHex, type FieldDiff, type Layer } from '../../packet/index.ts';
import type { ClaimAnalysis } from './analysis.ts';
import { SEED_STEP_TEXT } from '../../reference/node-features.ts';
import type { TraceDivergence } from '../../trace/diff.ts';
import type { TraceRecord } from '../../trace/records.ts';
import { formatTimestamp, renderRecord } from '../../trace/render.ts';

export function fmtScalar(v: unknown): string {
  if (v === undefined) return '—';
  if (v instanceof Uint8Array) return v.length === 0 ? '(empty)' : toHex(v).length > 96 ? `${toHex(v).slice(0, 96)}… (${v.length} bytes)` : toHex(v);
  if (typeof v === 'number') return v >= 10 && Number.isInteger(v) ? `${v} (0x${v.toString(16)})` : String(v);
  return String(v);
}

export function fmtField(layer: string, field: string, v: unknown): string {
  if (typeof v === 'number') {
    if ((layer === 'ethernet' && (field === 'src' || field === 'dst')) || (layer === 'arp' && (field === 'sha' || field === 'tha'))) return macToString(v);
    if ((layer === 'ipv4' && (field === 'src' || field === 'dst')) || (layer === 'arp' && (field === 'spa' || field === 'tpa'))) return ip4ToString(v);
  }
  return fmtScalar(v);
}

export function summaries(layers: readonly Layer[] | undefined): string[] {
  if (!layers) return [];
  try {
    return summarizePacket(layers);
  } catch {
    return layers.map((l) => l.kind);
  }
}

export function recordLines(rec: TraceRecord): string[] {
  let body: string[];
  try {
    body = renderRecord(rec, 'vpp-18.01');
  } catch {
    body = [`  ${JSON.stringify(rec.body)}`];
  }
  return [`${formatTimestamp(rec.timeUs)}: ${rec.node}`, ...body];
}

export function divergenceLine(d: TraceDivergence): string {
  return `record #${d.recordIndex} ${d.node}, field ${d.field}: expected ${fmtScalar(d.expected)}, received ${fmtScalar(d.actual)}`;
}

export function dirName(d: 'request' | 'response'): string {
  return d === 'request' ? 'request' : 'response';
}

export function stepText(step: string): string {
  if (SEED_STEP_TEXT[step]) return SEED_STEP_TEXT[step]!;
  if (step.startsWith('SN-')) return `step ${step.slice(3)} of the same-node flow`;
  return '';
}
/** A differing field as `vxlan vni` (`ipv4 #2 ttl` for the second IPv4 header). */
export function fieldName(d: FieldDiff): string {
  return `${d.layer}${d.occurrence > 0 ? ` #${d.occurrence + 1}` : ''} ${d.field}`;
}

/** What the evidence shows at a claim's capture point, in one line (report.html and trace-diff.txt); `place`: name the point. */
export function claimEvidenceText(c: ClaimAnalysis, place = true): string {
  const at = `at ${c.claim.point ?? '—'}${c.claim.packet !== undefined ? ` (packet ${c.claim.packet})` : ''}`;
  const lead = (text: string): string => (place ? `${at}: ${text}` : text);
  const fields = (ds: readonly FieldDiff[]): string => ds.map((d) => `${fieldName(d)} expected ${fmtField(d.layer, d.field, d.expected)}, received ${fmtField(d.layer, d.field, d.actual)}`).join('; ');
  switch (c.evidence) {
    case 'different':
      return lead(`the frames differ — ${c.field ? fields([c.field]) : fields(c.diffs) || 'in bytes beyond the decoded layers'}${c.packetField && !c.field ? ` (the claimed ${c.claim.layer} ${c.claim.field} is not among them)` : ''}`);
    case 'missing':
      return lead(`EXPECTED ${c.expected.length} frame${c.expected.length === 1 ? '' : 's'} here, RECEIVED ${c.received.length === 0 ? 'none' : c.received.length}`);
    case 'extra':
      return lead(`RECEIVED ${c.received.length} frame${c.received.length === 1 ? '' : 's'} here, EXPECTED ${c.expected.length === 0 ? 'none' : c.expected.length}`);
    case 'same':
      return lead(`the same frame${c.received.length === 1 ? '' : 's'} on both sides — the reference model did the same`);
    case 'absent':
      return lead(`no frame here on either side — the reference model did the same`);
    case 'no-point':
      return c.claim.point === undefined ? 'the claim names no capture point (it judges what was configured): its place and field are in the claims table' : `${c.claim.point} is a place, not a capture point: the claim's field is in the claims table`;
    case 'no-packet':
      return lead(`the packet is not among the report's packets`);
  }
}
