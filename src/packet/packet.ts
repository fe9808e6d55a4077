// Whole-frame decode and encode over the layer table: decoding walks outer to inner through the
// bindings and never throws; encoding writes inner to outer so lengths and checksums see final bytes.
import { DEFAULT_COMPILED_BINDINGS, type CompiledBindings } from './bindings.ts';
import type { DecodeContext, LayerCodec } from './codec.ts';
import { arp } from './arp.ts';
import { dot1q } from './dot1q.ts';
import { ethernet } from './ethernet.ts';
import { icmp } from './icmp.ts';
import { ipv4 } from './ipv4.ts';
import { tcp } from './tcp.ts';
import { udp } from './udp.ts';
import { vxlan } from './vxlan.ts';
import type { DecodeError, DecodeResult, Layer, LayerKind, LayerOf, RawLayer } from './types.ts';

const raw: LayerCodec<RawLayer> = {
  kind: 'raw',
  fields: [],
  decode(buf, off, end) {
    return { layer: { kind: 'raw', data: buf.subarray(off, end) }, payloadStart: end, payloadEnd: end, next: null };
  },
  headerLength(l) {
    return l.data.length;
  },
  write(l, buf, off) {
    buf.set(l.data, off);
  },
  summary(l) {
    return `payload ${l.data.length} bytes`;
  },
};

/** Every layer codec, by kind. A kind without a codec is a compile error. */
export const CODECS = { ethernet, dot1q, arp, ipv4, icmp, tcp, udp, vxlan, raw } satisfies { [K in LayerKind]: LayerCodec<LayerOf<K>> };

function codecOf<K extends LayerKind>(kind: K): LayerCodec<LayerOf<K>> {
  return CODECS[kind] as unknown as LayerCodec<LayerOf<K>>;
}

export interface DecodeOptions {
  bindings?: CompiledBindings;
  /** the first layer's kind (default ethernet) */
  first?: LayerKind;
}

/**
 * Decodes a frame into layers, outer first. Never throws: on malformed input it returns the layers it
 * could decode, the undecodable rest as a raw layer, and the first error (layer, field, byte offset).
 */
export function decodePacket(bytes: Uint8Array, opts?: DecodeOptions): DecodeResult {
  const bindings = opts?.bindings ?? DEFAULT_COMPILED_BINDINGS;
  const plain: DecodeContext = { bindings, quoted: false };
  const quotedCtx: DecodeContext = { bindings, quoted: true };
  const layers: Layer[] = [];
  let ctx = plain;
  let kind: LayerKind | null = opts?.first ?? 'ethernet';
  let off = 0;
  let end = bytes.length;
  let error: DecodeError | undefined;
  for (;;) {
    if (kind === null) {
      if (off < end) layers.push({ kind: 'raw', data: bytes.subarray(off, end) });
      break;
    }
    const out = codecOf(kind).decode(bytes, off, end, ctx);
    if ('fatal' in out) {
      // Inside an ICMP error the quoted datagram is cut after 8 L4 bytes by design: not an error.
      if (ctx !== quotedCtx) error ??= out.fatal;
      if (off < end) layers.push({ kind: 'raw', data: bytes.subarray(off, end) });
      break;
    }
    layers.push(out.layer);
    if (out.error && ctx !== quotedCtx) error ??= out.error;
    if (out.layer.kind === 'icmp' && out.next === 'ipv4') ctx = quotedCtx;
    off = out.payloadStart;
    end = out.payloadEnd;
    kind = out.next;
  }
  if (error) return { ok: false, layers, error, truncated: error.truncated === true };
  return { ok: true, layers };
}

export interface EncodeOptions {
  bindings?: CompiledBindings;
}

function paddingOf(l: Layer): Uint8Array | undefined {
  return l.kind === 'ipv4' || l.kind === 'udp' || l.kind === 'arp' ? l.padding : undefined;
}

/**
 * Encodes layers (outer first) into one frame. Undefined lengths, checksums and type fields are
 * computed; explicit values are written as given, so malformed frames can be made on purpose.
 * Throws RangeError for a value that does not fit its field (encoder input is code, not wire data).
 */
export function encodePacket(layers: readonly Layer[], opts?: EncodeOptions): Uint8Array {
  const bindings = opts?.bindings ?? DEFAULT_COMPILED_BINDINGS;
  const n = layers.length;
  const headerLen = new Array<number>(n);
  const padLen = new Array<number>(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const l = layers[i]!;
    headerLen[i] = codecOf(l.kind).headerLength(l);
    padLen[i] = paddingOf(l)?.length ?? 0;
    total += headerLen[i]! + padLen[i]!;
  }
  const buf = new Uint8Array(total);
  const offsets = new Array<number>(n);
  let off = 0;
  for (let i = 0; i < n; i++) {
    offsets[i] = off;
    off += headerLen[i]!;
  }
  // Bytes: [h0][h1]…[hn-1][pad n-1]…[pad 0]; the payload of layer i holds every inner header and padding.
  let inner = 0;
  for (let i = n - 1; i >= 0; i--) {
    const l = layers[i]!;
    const start = offsets[i]! + headerLen[i]!;
    const pad = paddingOf(l);
    if (pad) buf.set(pad, start + inner);
    codecOf(l.kind).write(l, buf, offsets[i]!, inner, { bindings, parent: layers[i - 1], next: layers[i + 1] });
    inner += headerLen[i]! + padLen[i]!;
  }
  return buf;
}

/** One VPP-style line for a layer, e.g. `TCP: 10.1.1.12 -> 10.1.2.13` for an IPv4 header. */
export function summarizeLayer(l: Layer): string {
  return codecOf(l.kind).summary(l);
}

/** One line per layer, outer first. */
export function summarizePacket(layers: readonly Layer[]): string[] {
  return layers.map(summarizeLayer);
}

/** The first layer of a kind (after `from`), or undefined. */
export function findLayer<K extends LayerKind>(layers: readonly Layer[], kind: K, from = 0): LayerOf<K> | undefined {
  for (let i = from; i < layers.length; i++) if (layers[i]!.kind === kind) return layers[i] as LayerOf<K>;
  return undefined;
}

/** A bad checksum found by `checksumErrors`: which layer (index), which field, what it holds and what it should. */
export interface ChecksumError {
  index: number;
  layer: LayerKind;
  field: 'checksum';
  actual: number;
  expected: number;
}

/**
 * Checksums that differ from a recomputation over the same bytes (IPv4 header, TCP, UDP unless 0, ICMP).
 * Each checksum is recomputed alone, over the frame as it is: a bad inner checksum does not make the
 * outer UDP checksum (which covers those inner bytes) look wrong. Quoted headers in ICMP errors are
 * skipped: their L4 part is cut.
 */
export function checksumErrors(layers: readonly Layer[], opts?: EncodeOptions): ChecksumError[] {
  const errors: ChecksumError[] = [];
  let quoted = false;
  for (let i = 0; i < layers.length; i++) {
    const a = layers[i]!;
    if (!quoted && (a.kind === 'ipv4' || a.kind === 'tcp' || a.kind === 'udp' || a.kind === 'icmp') && a.checksum !== undefined && !(a.kind === 'udp' && a.checksum === 0)) {
      const alone = layers.slice();
      alone[i] = { ...a, checksum: undefined };
      const b = decodePacket(encodePacket(alone, opts), opts).layers[i];
      const expected = b?.kind === a.kind ? ((b as { checksum?: number }).checksum ?? 0) : a.checksum;
      if (a.checksum !== expected) errors.push({ index: i, layer: a.kind, field: 'checksum', actual: a.checksum, expected });
    }
    if (a.kind === 'icmp' && layers[i + 1]?.kind === 'ipv4') quoted = true;
  }
  return errors;
}
