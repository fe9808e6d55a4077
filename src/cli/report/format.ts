// Text of a counterexample's report shared by report.html and trace-diff.txt: field values, layer summaries,
// trace records as VPP prints them, a trace divergence in one line, a seed step in a few words.
import { ip4ToString, macToString, summarizePacket, toHex, type Layer } from '../../packet/index.ts';
import { SEED_STEP_TEXT } from '../../reference/node-features.ts';
import type { TraceDivergence } from '../../reference/trace/diff.ts';
import type { TraceRecord } from '../../reference/trace/records.ts';
import { formatTimestamp, renderRecord } from '../../reference/trace/render.ts';

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