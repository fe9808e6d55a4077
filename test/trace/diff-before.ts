// The field walk of diff.ts before it was made faster (commit 2f1e7b2), kept verbatim as the oracle of
// diff-equivalence.test.ts: the faster walk must give exactly the same fields and diffs.
// Field-by-field comparison of two packet traces (model vs. real VPP), through named masks (masks.ts).
// Records are flattened into named fields; addresses print as text, hex dumps and rewrite strings are cut
// into named header fields (`bytes.eth.src`, `bytes.ipv4.id`), so masks and reports name what differs.
import { ip4ToString, macToString, toHex } from '../../src/packet/index.ts';
import type { FieldValue, MaskSite, TraceMask } from '../../src/trace/masks.ts';
import type { PacketTrace, TraceBody, TraceRecord } from '../../src/trace/records.ts';

export interface TraceDivergence {
  recordIndex: number;
  node: string;
  field: string;
  expected: unknown;
  actual: unknown;
}

export interface TraceDiffResult {
  equal: boolean;
  /** the first unmasked difference, in record order */
  first?: TraceDivergence;
  /** how many field comparisons a mask suppressed */
  maskedFields: number;
}

interface Segment {
  name: string;
  start: number; // frame offset
  end: number;
}

function u16(bytes: Uint8Array, frameOffset: number, at: number): number | undefined {
  const i = at - frameOffset;
  return i >= 0 && i + 1 < bytes.length ? (bytes[i]! << 8) | bytes[i + 1]! : undefined;
}

/** Named header fields of a captured frame slice that starts at `frameOffset` of the frame. */
function frameSegments(bytes: Uint8Array, frameOffset: number): Segment[] {
  const segs: Segment[] = [
    { name: 'eth.dst', start: 0, end: 6 },
    { name: 'eth.src', start: 6, end: 12 },
    { name: 'eth.type', start: 12, end: 14 },
  ];
  if (u16(bytes, frameOffset, 12) !== 0x0800) return segs;
  const ip = 14;
  const vihlAt = ip - frameOffset;
  const ihl = vihlAt >= 0 && vihlAt < bytes.length ? bytes[vihlAt]! & 0x0f : 5;
  const hb = Math.max(20, ihl * 4);
  segs.push(
    { name: 'ipv4.vihl', start: ip, end: ip + 1 },
    { name: 'ipv4.tos', start: ip + 1, end: ip + 2 },
    { name: 'ipv4.length', start: ip + 2, end: ip + 4 },
    { name: 'ipv4.id', start: ip + 4, end: ip + 6 },
    { name: 'ipv4.fragment', start: ip + 6, end: ip + 8 },
    { name: 'ipv4.ttl', start: ip + 8, end: ip + 9 },
    { name: 'ipv4.protocol', start: ip + 9, end: ip + 10 },
    { name: 'ipv4.checksum', start: ip + 10, end: ip + 12 },
    { name: 'ipv4.src', start: ip + 12, end: ip + 16 },
    { name: 'ipv4.dst', start: ip + 16, end: ip + 20 },
    { name: 'ipv4.options', start: ip + 20, end: ip + hb },
  );
  const protoAt = ip + 9 - frameOffset;
  const proto = protoAt >= 0 && protoAt < bytes.length ? bytes[protoAt] : undefined;
  const l4 = ip + hb;
  const add = (prefix: string, fields: readonly [string, number][]): void => {
    let at = l4;
    for (const [name, size] of fields) {
      segs.push({ name: `${prefix}.${name}`, start: at, end: at + size });
      at += size;
    }
  };
  if (proto === 6) add('tcp', [['srcPort', 2], ['dstPort', 2], ['seq', 4], ['ack', 4], ['offsetFlags', 2], ['window', 2], ['checksum', 2], ['urgent', 2]]);
  else if (proto === 17) add('udp', [['srcPort', 2], ['dstPort', 2], ['length', 2], ['checksum', 2]]);
  else if (proto === 1) add('icmp', [['type', 1], ['code', 1], ['checksum', 2]]);
  return segs;
}

/** Cuts bytes (frame bytes from `frameOffset` on) into named fields; the rest is `payload`. */
function bytesFields(prefix: string, bytes: Uint8Array, frameOffset: number, out: [string, FieldValue][]): void {
  const end = frameOffset + bytes.length;
  let covered = frameOffset;
  for (const seg of frameSegments(bytes, frameOffset)) {
    const s = Math.max(seg.start, frameOffset);
    const e = Math.min(seg.end, end);
    if (e <= s) continue;
    const slice = bytes.subarray(s - frameOffset, e - frameOffset);
    const whole = s === seg.start && e === seg.end;
    const isMac = seg.name === 'eth.dst' || seg.name === 'eth.src';
    out.push([`${prefix}.${seg.name}`, isMac && whole ? macToString(Number.parseInt(toHex(slice), 16)) : toHex(slice)]);
    covered = Math.max(covered, e);
  }
  if (covered < end) out.push([`${prefix}.payload`, toHex(bytes, covered - frameOffset)]);
}

const MAC_KINDS = new Set<TraceBody['kind']>(['l2-input', 'l2-fwd', 'l2-output']);

function flattenValue(path: string, v: unknown, kind: TraceBody['kind'], out: [string, FieldValue][]): void {
  if (v === undefined || v === null) return;
  if (v instanceof Uint8Array) {
    const frameOffset = kind === 'l2-output' ? 12 : 0;
    bytesFields(path, v, frameOffset, out);
    return;
  }
  if (Array.isArray(v)) {
    v.forEach((x, i) => flattenValue(`${path}[${i}]`, x, kind, out));
    return;
  }
  if (typeof v === 'object') {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) flattenValue(path === '' ? k : `${path}.${k}`, x, kind, out);
    return;
  }
  if (typeof v === 'number') {
    const key = path.split('.').pop() ?? '';
    const owner = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '';
    const isAddrKey = key === 'src' || key === 'dst' || key === 'local' || key === 'remote';
    if (isAddrKey && (owner.endsWith('eth') || (owner === '' && MAC_KINDS.has(kind)))) {
      out.push([path, macToString(v)]);
      return;
    }
    if (isAddrKey && (owner.endsWith('ip') || owner.endsWith('tuple') || owner.endsWith('lookup'))) {
      out.push([path, ip4ToString(v)]);
      return;
    }
    out.push([path, v]);
    return;
  }
  if (typeof v === 'string' || typeof v === 'boolean') out.push([path, v]);
}

/** The fields of a record body under the names masks use. */
export function bodyFields(body: TraceBody): [string, FieldValue][] {
  const out: [string, FieldValue][] = [['kind', body.kind]];
  for (const [k, v] of Object.entries(body)) {
    if (k === 'kind') continue;
    // Record-level names stay unambiguous: error-drop's `node` is `body.node`.
    const path = k === 'node' || k === 'timeUs' ? `body.${k}` : k;
    if (body.kind === 'acl' && k === 'pktInfo') {
      const w = body.pktInfo;
      out.push(['pktInfo[0]', w[0]], ['pktInfo[1]', w[1]], ['pktInfo[2]', w[2]], ['pktInfo[3]', w[3]]);
      // Word 4 starts with lsb16(sw_if_index), word 5 ends with sw_if_index (18.01) or lc_index (current) (§8.7).
      out.push(['pktInfo[4].lsb16', w[4].slice(0, 4)], ['pktInfo[4].rest', w[4].slice(4)], ['pktInfo[5].flags', w[5].slice(0, 8)], ['pktInfo[5].swIfIndex', w[5].slice(8)]);
      continue;
    }
    if (body.kind === 'ip4-rewrite' && k === 'rewrite' && /^([0-9a-f]{2}){14,}$/.test(body.rewrite)) {
      const r = body.rewrite;
      const macOf = (h: string): string => h.match(/../g)!.join(':');
      out.push(['rewrite.dst', macOf(r.slice(0, 12))], ['rewrite.src', macOf(r.slice(12, 24))], ['rewrite.rest', r.slice(24)]);
      continue;
    }
    flattenValue(path, v, body.kind, out);
  }
  return out;
}

function recordFields(rec: TraceRecord): [string, FieldValue][] {
  return [['timeUs', rec.timeUs], ...bodyFields(rec.body)];
}

/**
 * Walks both traces record by record. A different node sequence stops the walk (field `node`); other
 * differences are reported for the first one, while masked comparisons are counted over the whole walk.
 */
export function diffTraces(expected: PacketTrace, actual: PacketTrace, masks: readonly TraceMask[]): TraceDiffResult {
  let maskedFields = 0;
  let first: TraceDivergence | undefined;
  const n = Math.max(expected.records.length, actual.records.length);
  for (let i = 0; i < n; i++) {
    const e = expected.records[i];
    const a = actual.records[i];
    if (!e || !a) {
      first ??= { recordIndex: i, node: (e ?? a)!.node, field: 'node', expected: e?.node, actual: a?.node };
      break;
    }
    const site = (field: string, ev: FieldValue, av: FieldValue): MaskSite => ({
      node: e.node,
      kind: e.body.kind,
      field,
      expected: ev,
      actual: av,
      recordIndex: i,
      expectedRecord: e,
      actualRecord: a,
      expectedTrace: expected,
    });
    const nodeSite = site('node', e.node, a.node);
    if (masks.some((m) => m.applies(nodeSite))) maskedFields++;
    else if (e.node !== a.node) {
      first ??= { recordIndex: i, node: e.node, field: 'node', expected: e.node, actual: a.node };
      break;
    }
    const ef = recordFields(e);
    const af = new Map(recordFields(a));
    const seen = new Set<string>();
    const compare = (field: string, ev: FieldValue, av: FieldValue): void => {
      const s = site(field, ev, av);
      if (masks.some((m) => m.applies(s))) {
        maskedFields++;
        return;
      }
      if (ev !== av) first ??= { recordIndex: i, node: e.node, field, expected: ev, actual: av };
    };
    for (const [field, ev] of ef) {
      seen.add(field);
      compare(field, ev, af.get(field));
    }
    for (const [field, av] of af) if (!seen.has(field)) compare(field, undefined, av);
  }
  return first ? { equal: false, first, maskedFields } : { equal: true, maskedFields };
}
