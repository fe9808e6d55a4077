// The contract every layer file implements: decode a header in place, report its length, write it
// (inner layers are already written when an outer one is), and summarise it in one VPP-style line.
import type { CompiledBindings } from './bindings.ts';
import type { FieldSpec, Layer, LayerDecodeOutcome } from './types.ts';

export interface DecodeContext {
  readonly bindings: CompiledBindings;
  /** true for an IPv4 header quoted inside an ICMP error: its lengths describe the original datagram */
  readonly quoted: boolean;
}

export interface EncodeContext {
  readonly bindings: CompiledBindings;
  readonly parent: Layer | undefined;
  readonly next: Layer | undefined;
}

export interface LayerCodec<L extends Layer> {
  readonly kind: L['kind'];
  /** fixed header fields, in wire order (the header diagram as data) */
  readonly fields: readonly FieldSpec[];
  decode(buf: Uint8Array, off: number, end: number, ctx: DecodeContext): LayerDecodeOutcome<L>;
  headerLength(layer: L): number;
  /** Writes the header at `off`; the payload (payloadLen bytes, paddings excluded) already follows it in `buf`. */
  write(layer: L, buf: Uint8Array, off: number, payloadLen: number, ctx: EncodeContext): void;
  summary(layer: L): string;
}

/** Throws a RangeError for an encoder input out of range: encoder inputs come from code, not from the wire. */
export function checkField(layer: string, field: string, value: number, bits: number): number {
  const max = bits >= 32 ? 0xffffffff : (1 << bits) - 1;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${layer}.${field} = ${value} does not fit in ${bits} bits`);
  }
  return value;
}

/** The next layer's binding value, or a clear error when the field is undefined and nothing binds. */
export function boundValue(map: ReadonlyMap<string, number>, layer: string, field: string, next: Layer | undefined): number {
  const v = next ? map.get(next.kind) : undefined;
  if (v === undefined) {
    throw new RangeError(`${layer}.${field} is undefined and the next layer (${next?.kind ?? 'none'}) has no binding: set it explicitly`);
  }
  return v;
}

/** Checks a 48-bit MAC number. */
export function checkMac(layer: string, field: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffffffff) {
    throw new RangeError(`${layer}.${field} = ${value} is not a 48-bit MAC address`);
  }
  return value;
}
