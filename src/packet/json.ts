// Frames as JSON for scenario and corpus files: the same layer records with addresses as text
// (`"10.1.1.12"`, `"02:fe:69:99:eb:9d"`) and byte fields as hex, converted both ways with path-precise errors.
import { fromHex, ip4, ip4ToString, mac, macToString, toHex } from './addr.ts';
import type { Layer, LayerKind } from './types.ts';

export type LayerJson = { kind: LayerKind } & Record<string, unknown>;

type FieldType = 'int' | 'ip' | 'mac' | 'bytes';

/** Every field of every layer kind and its JSON type; `kind` aside. Required fields are listed in REQUIRED. */
const FIELDS: Record<LayerKind, Record<string, FieldType>> = {
  ethernet: { dst: 'mac', src: 'mac', type: 'int' },
  dot1q: { pcp: 'int', dei: 'int', vid: 'int', type: 'int' },
  arp: { htype: 'int', ptype: 'int', hlen: 'int', plen: 'int', op: 'int', sha: 'mac', spa: 'ip', tha: 'mac', tpa: 'ip', padding: 'bytes' },
  ipv4: { version: 'int', ihl: 'int', tos: 'int', totalLength: 'int', id: 'int', flags: 'int', fragOffset: 'int', ttl: 'int', protocol: 'int', checksum: 'int', src: 'ip', dst: 'ip', options: 'bytes', padding: 'bytes' },
  icmp: { type: 'int', code: 'int', checksum: 'int', id: 'int', seq: 'int' },
  tcp: { srcPort: 'int', dstPort: 'int', seq: 'int', ack: 'int', dataOffset: 'int', reserved: 'int', flags: 'int', window: 'int', checksum: 'int', urgent: 'int', options: 'bytes' },
  udp: { srcPort: 'int', dstPort: 'int', length: 'int', checksum: 'int', padding: 'bytes' },
  vxlan: { flags: 'int', reserved1: 'int', vni: 'int', reserved2: 'int' },
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
    const kind = (item as Record<string, unknown>).kind;
    if (typeof kind !== 'string' || !(kind in FIELDS)) throw new FrameJsonError(`${p}.kind`, `expected one of ${Object.keys(FIELDS).join(', ')}, got ${JSON.stringify(kind)}`);
    const spec = FIELDS[kind as LayerKind];
    const out: Record<string, unknown> = { kind };
    for (const [k, v] of Object.entries(item)) {
      if (k === 'kind') continue;
      const t = spec[k];
      if (!t) throw new FrameJsonError(`${p}.${k}`, `unknown field of a ${kind} layer (known: ${Object.keys(spec).join(', ')})`);
      out[k] = convert(t, v, `${p}.${k}`);
    }
    for (const r of REQUIRED[kind as LayerKind]) if (out[r] === undefined) throw new FrameJsonError(`${p}.${r}`, `required field of a ${kind} layer is missing`);
    return out as unknown as Layer;
  });
}

function convert(t: FieldType, v: unknown, path: string): unknown {
  try {
    switch (t) {
      case 'int':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new Error(`expected a non-negative integer, got ${JSON.stringify(v)}`);
        return v;
      case 'ip':
        if (typeof v !== 'string') throw new Error(`expected an IPv4 address string, got ${JSON.stringify(v)}`);
        return ip4(v);
      case 'mac':
        if (typeof v !== 'string') throw new Error(`expected a MAC address string, got ${JSON.stringify(v)}`);
        return mac(v);
      case 'bytes':
        if (typeof v !== 'string') throw new Error(`expected hex bytes as a string, got ${JSON.stringify(v)}`);
        return fromHex(v);
    }
  } catch (e) {
    throw new FrameJsonError(path, (e as Error).message);
  }
}
