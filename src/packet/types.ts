// Layer types shared by every codec: the decoded/encodable field records, decode results and errors.
// A field left undefined is computed when encoding (lengths, checksums, type fields); an explicit value wins.

export type LayerKind = 'ethernet' | 'dot1q' | 'arp' | 'ipv4' | 'icmp' | 'tcp' | 'udp' | 'vxlan' | 'raw';

export interface EthernetLayer {
  kind: 'ethernet';
  dst: number; // 48-bit MAC
  src: number;
  type?: number; // ethertype; from the next layer's binding when undefined
}

export interface Dot1qLayer {
  kind: 'dot1q';
  pcp?: number; // 3 bits, default 0
  dei?: number; // 1 bit, default 0
  vid: number; // 12 bits
  type?: number; // inner ethertype
}

export interface ArpLayer {
  kind: 'arp';
  htype?: number; // default 1 (Ethernet)
  ptype?: number; // default 0x0800
  hlen?: number; // default 6; only 6 is supported
  plen?: number; // default 4; only 4 is supported
  op: number; // 1 request, 2 reply
  sha: number;
  spa: number;
  tha: number;
  tpa: number;
  padding?: Uint8Array; // Ethernet trailer after the 28-byte ARP body
}

export interface Ipv4Layer {
  kind: 'ipv4';
  version?: number; // default 4
  ihl?: number; // header length in 32-bit words; from options when undefined
  tos?: number; // default 0
  totalLength?: number; // computed when undefined
  id?: number; // default 0
  flags?: number; // 3 bits: 0b100 reserved, 0b010 DF, 0b001 MF; default 0
  fragOffset?: number; // 13 bits, units of 8 bytes; default 0
  ttl?: number; // default 64
  protocol?: number; // from the next layer's binding when undefined
  checksum?: number; // computed when undefined
  src: number;
  dst: number;
  options?: Uint8Array; // raw option bytes; padded with zeros to a multiple of 4 when ihl is computed
  padding?: Uint8Array; // bytes after the datagram inside the enclosing frame (Ethernet trailer)
}

export interface IcmpLayer {
  kind: 'icmp';
  type: number;
  code?: number; // default 0
  checksum?: number; // computed over the ICMP message when undefined
  id?: number; // bytes 4–5: echo identifier; for errors "unused" (default 0)
  seq?: number; // bytes 6–7: echo sequence; next-hop MTU for fragmentation-needed (default 0)
}

export interface TcpLayer {
  kind: 'tcp';
  srcPort: number;
  dstPort: number;
  seq?: number; // default 0
  ack?: number; // default 0
  dataOffset?: number; // header length in 32-bit words; from options when undefined
  reserved?: number; // 3 bits after the data offset, default 0
  flags?: number; // 9 bits: NS CWR ECE URG ACK PSH RST SYN FIN; default 0
  window?: number; // default 65535
  checksum?: number; // pseudo-header checksum when undefined
  urgent?: number; // default 0
  options?: Uint8Array; // raw option bytes; padded with zeros to a multiple of 4 when dataOffset is computed
}

export interface UdpLayer {
  kind: 'udp';
  srcPort: number;
  dstPort?: number; // from the next layer's binding (4789 for VXLAN) when undefined
  length?: number; // computed when undefined
  checksum?: number; // pseudo-header checksum when undefined (0 computes as 0xffff); 0 = none
  padding?: Uint8Array; // bytes after the UDP length inside the IP payload
}

export interface VxlanLayer {
  kind: 'vxlan';
  flags?: number; // default 0x08 (I bit)
  reserved1?: number; // 24 bits, default 0
  vni: number; // 24 bits
  reserved2?: number; // 8 bits, default 0
}

export interface RawLayer {
  kind: 'raw';
  data: Uint8Array;
}

export type Layer = EthernetLayer | Dot1qLayer | ArpLayer | Ipv4Layer | IcmpLayer | TcpLayer | UdpLayer | VxlanLayer | RawLayer;
export type LayerOf<K extends LayerKind> = Extract<Layer, { kind: K }>;
export type Packet = Layer[];

/** Where and why decoding stopped: layer, field, absolute byte offset in the frame. */
export interface DecodeError {
  layer: LayerKind;
  field: string;
  offset: number;
  message: string;
  /** the bytes ended before the field did (as opposed to a field holding a bad value) */
  truncated?: boolean;
}

export type DecodeResult =
  | { ok: true; layers: Layer[] }
  | { ok: false; layers: Layer[]; error: DecodeError; truncated: boolean };

/** Description of one fixed header field, used for header diagrams and to name the field a truncation cuts. */
export interface FieldSpec {
  name: string;
  offset: number; // from the start of the header
  size: number; // bytes (a bit field names the byte range that holds it)
}

/** What a layer decoder returns: the layer, its payload range and what to decode there. */
export interface LayerDecode<L extends Layer = Layer> {
  layer: L;
  payloadStart: number;
  payloadEnd: number;
  next: LayerKind | null; // null = the payload (if any) is raw bytes
  error?: DecodeError; // non-fatal: decoding continues into the payload (e.g. a truncated datagram)
}

export type LayerDecodeOutcome<L extends Layer = Layer> = LayerDecode<L> | { fatal: DecodeError };

/** Returns the first field that does not fit in `available` bytes, as a decode error. */
export function truncationError(layer: LayerKind, fields: readonly FieldSpec[], headerOff: number, available: number, need: number): DecodeError {
  const field = fields.find((f) => f.offset + f.size > available);
  const name = field?.name ?? 'header';
  return {
    layer,
    field: name,
    offset: headerOff + (field?.offset ?? available),
    message: `${layer} header truncated: needs ${need} bytes, ${available} available (field '${name}' incomplete)`,
    truncated: true,
  };
}
