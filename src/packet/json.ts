// Frames as JSON for scenario and corpus files: the same layer records with addresses as text
// (`"10.1.1.12"`, `"02:fe:69:99:eb:9d"`) and byte fields as hex, converted both ways with path-precise errors.
import { fromHex, ip4, ip4ToString, mac, macToString, toHex } from './addr.ts';
import type { Layer, LayerKind } from './types.ts';

export type LayerJson = { kind: LayerKind } & Record<string, unknown>;

/** An unsigned integer field of that many bits, or an address or byte string as text. */
type FieldType = number | 'ip' | 'mac' | 'bytes';

/**
 * Every field of every layer kind and its JSON type (integers by their width in the header); `kind` aside.
 * Required fields are listed in REQUIRED. Looked up by own key only (hasOwn): a layer kind or field named
 * `constructor`, `toString` or `__proto__` is unknown, not Object.prototype's.
 */
const FIELDS: Record<LayerKind, Record<string, FieldType>> = {
  ethernet: { dst: 'mac', src: 'mac', type: 16 },
  dot1q: { pcp: 3, dei: 1, vid: 12, type: 16 },
  arp: { htype: 16, ptype: 16, hlen: 8, plen: 8, op: 16, sha: 'mac', spa: 'ip', tha: 'mac', tpa: 'ip', padding: 'bytes' },
  ipv4: { version: 4, ihl: 4, tos: 8, totalLength: 16, id: 16, flags: 3, fragOffset: 13, ttl: 8, protocol: 8, checksum: 16, src: 'ip', dst: 'ip', options: 'bytes', padding: 'bytes' },
  icmp: { type: 8, code: 8, checksum: 16, id: 16, seq: 16 },
  tcp: { srcPort: 16, dstPort: 16, seq: 32, ack: 32, dataOffset: 4, reserved: 3, flags: 9, window: 16, checksum: 16, urgent: 16, options: 'bytes' },
  udp: { srcPort: 16, dstPort: 16, length: 16, checksum: 16, padding: 'bytes' },
  vxlan: { flags: 8, reserved1: 24, vni: 24, reserved2: 8 },
  raw: { data: 'bytes' },
};

const REQUIRED: Record<LayerKind, string[]> = {
  ethernet: ['dst', 'src'],
  dot1q: ['vid'],
  arp: ['op', 'sha', 'spa', 'tha', 'tpa'],
  ipv4: ['src', 'dst'],
  icmp: ['type'],
  tcp: ['srcPort', 'dstPort'],
  udp: ['srcPort'],
  vxlan: ['vni'],
  raw: ['data'],
};

export class FrameJsonError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'FrameJsonError';
  }
}

/** Layers → JSON-ready objects (undefined fields omitted). */
export function layersToJson(layers: readonly Layer[]): LayerJson[] {
  return layers.map((l) => {
    const out: LayerJson = { kind: l.kind };
    const spec = FIELDS[l.kind];
    for (const [k, v] of Object.entries(l)) {
      if (k === 'kind' || v === undefined) continue;
      const t = spec[k];
      out[k] = t === 'ip' ? ip4ToString(v as number) : t === 'mac' ? macToString(v as number) : t === 'bytes' ? toHex(v as Uint8Array) : v;
    }
    return out;
  });
}

/** JSON → layers; throws FrameJsonError naming the path (e.g. `packets[2].frame[1].src`) of the first bad value. */
export function layersFromJson(json: unknown, path = 'frame'): Layer[] {
  if (!Array.isArray(json)) throw new FrameJsonError(path, 'expected an array of layers');
  return json.map((item, i) => {
    const p = `${path}[${i}]`;
    if (typeof item !== 'object' || item === null) throw new FrameJsonError(p, 'expected a layer object');
    const kind = Object.hasOwn(item, 'kind') ? (item as Record<string, unknown>).kind : undefined;
    if (typeof kind !== 'string' || !Object.hasOwn(FIELDS, kind)) throw new FrameJsonError(`${p}.kind`, `expected one of ${Object.keys(FIELDS).join(', ')}, got ${shown(kind)}`);
    const spec = FIELDS[kind as LayerKind];
    const out: Record<string, unknown> = { kind };
    for (const [k, v] of Object.entries(item)) {
      if (k === 'kind') continue;
      if (!Object.hasOwn(spec, k)) throw new FrameJsonError(/^[\w$-]+$/.test(k) ? `${p}.${k}` : `${p}[${JSON.stringify(k)}]`, `unknown field of a ${kind} layer (known: ${Object.keys(spec).join(', ')})`);
      out[k] = convert(spec[k]!, v, `${p}.${k}`);
    }
    for (const r of REQUIRED[kind as LayerKind]) if (out[r] === undefined) throw new FrameJsonError(`${p}.${r}`, `required field of a ${kind} layer is missing`);
    return out as unknown as Layer;
  });
}

/** A value from input as a short JSON excerpt for a message. */
function shown(v: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(v);
  } catch {
    text = undefined;
  }
  if (text === undefined) return String(v);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

function convert(t: FieldType, v: unknown, path: string): unknown {
  try {
    if (typeof t === 'number') {
      const max = 2 ** t - 1;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) throw new Error(`expected an integer 0..${max} (${t} bits), got ${shown(v)}`);
      return v;
    }
    switch (t) {
      case 'ip':
        if (typeof v !== 'string') throw new Error(`expected an IPv4 address string, got ${shown(v)}`);
        return ip4(v);
      case 'mac':
        if (typeof v !== 'string') throw new Error(`expected a MAC address string, got ${shown(v)}`);
        return mac(v);
      case 'bytes':
        if (typeof v !== 'string') throw new Error(`expected hex bytes as a string, got ${shown(v)}`);
        return fromHex(v);
    }
  } catch (e) {
    throw new FrameJsonError(path, (e as Error).message);
  }
}
