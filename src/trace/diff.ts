// Field-by-field comparison of two packet traces (model vs. real VPP), through named masks (masks.ts).
// Records are flattened into named fields; addresses print as text, hex dumps and rewrite strings are cut
// into named header fields (`bytes.eth.src`, `bytes.ipv4.id`), so masks and reports name what differs.
import { ip4ToString, macToString, readMac, toHex } from '../packet/index.ts';
import type { FieldValue, MaskSite, TraceMask } from './masks.ts';
import type { PacketTrace, TraceBody, TraceRecord } from './records.ts';

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

// Named header fields per protocol as [name, size] runs from the L4 header on (module constants: this runs for
// every dumped frame of every compared record, so nothing per call is built that need not be).
const TCP_FIELDS: readonly (readonly [string, number])[] = [['tcp.srcPort', 2], ['tcp.dstPort', 2], ['tcp.seq', 4], ['tcp.ack', 4], ['tcp.offsetFlags', 2], ['tcp.window', 2], ['tcp.checksum', 2], ['tcp.urgent', 2]];
const UDP_FIELDS: readonly (readonly [string, number])[] = [['udp.srcPort', 2], ['udp.dstPort', 2], ['udp.length', 2], ['udp.checksum', 2]];
const ICMP_FIELDS: readonly (readonly [string, number])[] = [['icmp.type', 1], ['icmp.code', 1], ['icmp.checksum', 2]];
const ETH_FIELDS: readonly (readonly [string, number])[] = [['eth.dst', 6], ['eth.src', 6], ['eth.type', 2]];
const IPV4_FIELDS: readonly (readonly [string, number])[] = [['ipv4.vihl', 1], ['ipv4.tos', 1], ['ipv4.length', 2], ['ipv4.id', 2], ['ipv4.fragment', 2], ['ipv4.ttl', 1], ['ipv4.protocol', 1], ['ipv4.checksum', 2], ['ipv4.src', 4], ['ipv4.dst', 4]];

function u16(bytes: Uint8Array, frameOffset: number, at: number): number | undefined {
  const i = at - frameOffset;
  return i >= 0 && i + 1 < bytes.length ? (bytes[i]! << 8) | bytes[i + 1]! : undefined;
}

/** What bytesFields writes so far: the frame offset past the last field cut (its `covered`). */
interface Cut {
  prefix: string;
  bytes: Uint8Array;
  frameOffset: number;
  end: number;
  covered: number;
  out: [string, FieldValue][];
}

/** Cuts the named field [start, start + size) of the frame (what lies in the slice of it) into `cut.out`. */
function cutField(cut: Cut, name: string, start: number, size: number): void {
  const s = start > cut.frameOffset ? start : cut.frameOffset;
  const e = start + size < cut.end ? start + size : cut.end;
  if (e <= s) return;
  const whole = s === start && e === start + size;
  const isMac = name === 'eth.dst' || name === 'eth.src';
  // A whole MAC prints as a MAC (what macToString of its 48-bit value prints), any other field as hex.
  cut.out.push([`${cut.prefix}.${name}`, isMac && whole ? macToString(readMac(cut.bytes, s - cut.frameOffset)) : toHex(cut.bytes, s - cut.frameOffset, e - cut.frameOffset)]);
  if (e > cut.covered) cut.covered = e;
}

function cutFields(cut: Cut, fields: readonly (readonly [string, number])[], from: number): void {
  let at = from;
  for (const [name, size] of fields) {
    cutField(cut, name, at, size);
    at += size;
  }
}

/**
 * Cuts bytes (frame bytes from `frameOffset` on) into named fields — Ethernet, then IPv4 with its options and the
 * TCP, UDP or ICMP header when the frame carries them; the rest is `payload`.
 */
function bytesFields(prefix: string, bytes: Uint8Array, frameOffset: number, out: [string, FieldValue][]): void {
  const cut: Cut = { prefix, bytes, frameOffset, end: frameOffset + bytes.length, covered: frameOffset, out };
  cutFields(cut, ETH_FIELDS, 0);
  if (u16(bytes, frameOffset, 12) === 0x0800) {
    const ip = 14;
    const vihlAt = ip - frameOffset;
    const ihl = vihlAt >= 0 && vihlAt < bytes.length ? bytes[vihlAt]! & 0x0f : 5;
    const hb = Math.max(20, ihl * 4);
    cutFields(cut, IPV4_FIELDS, ip);
    cutField(cut, 'ipv4.options', ip + 20, hb - 20);
    const protoAt = ip + 9 - frameOffset;
    const proto = protoAt >= 0 && protoAt < bytes.length ? bytes[protoAt] : undefined;
    const l4 = ip + hb;
    if (proto === 6) cutFields(cut, TCP_FIELDS, l4);
    else if (proto === 17) cutFields(cut, UDP_FIELDS, l4);
    else if (proto === 1) cutFields(cut, ICMP_FIELDS, l4);
  }
  if (cut.covered < cut.end) out.push([`${prefix}.payload`, toHex(bytes, cut.covered - frameOffset)]);
}

const MAC_KINDS = new Set<TraceBody['kind']>(['l2-input', 'l2-fwd', 'l2-output']);

function flattenValue(path: string, v: unknown, kind: TraceBody['kind'], out: [string, FieldValue][]): void {
  if (v === undefined || v === null) return;
  if (typeof v === 'number') {
    // the last name of the path and what owns it (`ip.src`: `src` of `ip`)
    const dot = path.lastIndexOf('.');
    const key = dot < 0 ? path : path.slice(dot + 1);
    if (key === 'src' || key === 'dst' || key === 'local' || key === 'remote') {
      const owner = dot < 0 ? '' : path.slice(0, dot);
      if (owner.endsWith('eth') || (owner === '' && MAC_KINDS.has(kind))) {
        out.push([path, macToString(v)]);
        return;
      }
      if (owner.endsWith('ip') || owner.endsWith('tuple') || owner.endsWith('lookup')) {
        out.push([path, ip4ToString(v)]);
        return;
      }
    }
    out.push([path, v]);
    return;
  }
  if (typeof v === 'string' || typeof v === 'boolean') {
    out.push([path, v]);
    return;
  }
  if (v instanceof Uint8Array) {
    const frameOffset = kind === 'l2-output' ? 12 : 0;
    bytesFields(path, v, frameOffset, out);
    return;
  }
  // (a hole of a sparse array flattens to nothing, as forEach skipping it did)
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) flattenValue(`${path}[${i}]`, v[i], kind, out);
    return;
  }
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    // Object.keys: the own enumerable keys in Object.entries' order
    for (const k of Object.keys(o)) flattenValue(path === '' ? k : `${path}.${k}`, o[k], kind, out);
  }
}

/** `aabbccddeeff` → `aa:bb:cc:dd:ee:ff`. */
function macOf(h: string): string {
  return h.match(/../g)!.join(':');
}

const REWRITE_HEX = /^([0-9a-f]{2}){14,}$/;

/** The fields of a record body under the names masks use. */
export function bodyFields(body: TraceBody): [string, FieldValue][] {
  const out: [string, FieldValue][] = [['kind', body.kind]];
  const b = body as unknown as Record<string, unknown>;
  // Object.keys: the own enumerable keys in Object.entries' order (no [key, value] pair per field)
  for (const k of Object.keys(b)) {
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
    if (body.kind === 'ip4-rewrite' && k === 'rewrite' && REWRITE_HEX.test(body.rewrite)) {
      const r = body.rewrite;
      out.push(['rewrite.dst', macOf(r.slice(0, 12))], ['rewrite.src', macOf(r.slice(12, 24))], ['rewrite.rest', r.slice(24)]);
      continue;
    }
    flattenValue(path, b[k], body.kind, out);
  }
  return out;
}

/** Does any mask tolerate the comparison (a loop, not `some` with a closure: this runs per field and mask)? */
function masked(masks: readonly TraceMask[], site: MaskSite): boolean {
  for (let k = 0; k < masks.length; k++) if (masks[k]!.applies(site)) return true;
  return false;
}

/**
 * Walks both traces record by record. A different node sequence stops the walk (field `node`); other
 * differences are reported for the first one, while masked comparisons are counted over the whole walk.
 *
 * A mask only matters for the first divergence where the values differ (an equal value is never a divergence,
 * masked or not), so the walk asks the masks there only; `maskedFields` — every comparison a mask suppressed,
 * equal values too — is counted by a second walk when it is read (trace-equals-model never reads it; reports do).
 */
export function diffTraces(expected: PacketTrace, actual: PacketTrace, masks: readonly TraceMask[]): TraceDiffResult {
  const first = walkTraces(expected, actual, masks, false);
  let count: number | undefined;
  const result = first ? { equal: false, first, maskedFields: 0 } : { equal: true, maskedFields: 0 };
  Object.defineProperty(result, 'maskedFields', {
    enumerable: true,
    configurable: true,
    get: () => (count ??= walkTraces(expected, actual, masks, true) as number),
    set: (v: number) => {
      count = v;
    },
  });
  return result;
}

/** The walk of diffTraces: the first divergence, or (`counting`) how many comparisons a mask suppressed. */
function walkTraces(expected: PacketTrace, actual: PacketTrace, masks: readonly TraceMask[], counting: false): TraceDivergence | undefined;
function walkTraces(expected: PacketTrace, actual: PacketTrace, masks: readonly TraceMask[], counting: true): number;
function walkTraces(expected: PacketTrace, actual: PacketTrace, masks: readonly TraceMask[], counting: boolean): TraceDivergence | number | undefined {
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
    // One site per record, its field and values set per comparison (masks read a site, never keep it).
    const site: MaskSite = { node: e.node, kind: e.body.kind, field: 'node', expected: e.node, actual: a.node, recordIndex: i, expectedRecord: e, actualRecord: a, expectedTrace: expected };
    if ((counting || e.node !== a.node) && masked(masks, site)) maskedFields++;
    else if (e.node !== a.node) {
      first ??= { recordIndex: i, node: e.node, field: 'node', expected: e.node, actual: a.node };
      break;
    }
    // Only the first divergence is reported: past it, a walk that does not count has nothing left to find.
    if (!counting && first) break;
    // timeUs first, then the body's fields (recordFields' order)
    const ef = bodyFields(e.body);
    const af = new Map<string, FieldValue>();
    af.set('timeUs', a.timeUs);
    for (const [field, av] of bodyFields(a.body)) af.set(field, av);
    const seen = new Set<string>();
    for (let j = -1; j < ef.length; j++) {
      const field = j < 0 ? 'timeUs' : ef[j]![0];
      const ev = j < 0 ? e.timeUs : ef[j]![1];
      seen.add(field);
      const av = af.get(field);
      if (!counting && ev === av) continue;
      site.field = field;
      site.expected = ev;
      site.actual = av;
      if (masked(masks, site)) maskedFields++;
      else if (ev !== av) first ??= { recordIndex: i, node: e.node, field, expected: ev, actual: av };
    }
    for (const [field, av] of af) {
      if (seen.has(field)) continue;
      if (!counting && av === undefined) continue;
      site.field = field;
      site.expected = undefined;
      site.actual = av;
      if (masked(masks, site)) maskedFields++;
      else if (undefined !== av) first ??= { recordIndex: i, node: e.node, field, expected: undefined, actual: av };
    }
  }
  return counting ? maskedFields : first;
}
