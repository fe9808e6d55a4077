// A layer-by-layer diff of two decoded frames: the fields that differ by layer and name, not by byte offset.
import type { Layer, LayerKind } from './types.ts';

export interface FieldDiff {
  /** position in the layer list */
  index: number;
  layer: LayerKind | 'missing';
  occurrence: number;
  field: string;
  expected: unknown;
  actual: unknown;
}

function same(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (a instanceof Uint8Array) return a.length === 0 && b === undefined;
  if (b instanceof Uint8Array) return b.length === 0 && a === undefined;
  return a === b;
}

/** Every field that differs between two decoded layer lists, outer first. */
export function diffLayers(expected: readonly Layer[], actual: readonly Layer[]): FieldDiff[] {
  const diffs: FieldDiff[] = [];
  const seen = new Map<LayerKind, number>();
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    const e = expected[i];
    const a = actual[i];
    const kind = (e ?? a)!.kind;
    const occurrence = seen.get(kind) ?? 0;
    seen.set(kind, occurrence + 1);
    if (!e || !a || e.kind !== a.kind) {
      diffs.push({ index: i, layer: e && a ? kind : 'missing', occurrence, field: 'kind', expected: e?.kind, actual: a?.kind });
      continue;
    }
    const fields = new Set([...Object.keys(e), ...Object.keys(a)]);
    for (const f of fields) {
      if (f === 'kind') continue;
      const ev = (e as unknown as Record<string, unknown>)[f];
      const av = (a as unknown as Record<string, unknown>)[f];
      if (!same(ev, av)) diffs.push({ index: i, layer: kind, occurrence, field: f, expected: ev, actual: av });
    }
  }
  return diffs;
}
