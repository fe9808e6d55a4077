// VPP's L2 flow hash over the inner frame, whose low 16 bits become the VXLAN UDP source port
// (docs/datapath.md §6.4: vnet_l2_compute_flow_hash → ip4_compute_flow_hash, hash_mix32/hash_v3_finalize32).
// Loads are little-endian (x86): network-order bytes are read as LE integers.

function rol(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

function le32(b: Uint8Array, o: number): number {
  return ((b[o] ?? 0) | ((b[o + 1] ?? 0) << 8) | ((b[o + 2] ?? 0) << 16) | ((b[o + 3] ?? 0) << 24)) >>> 0;
}

function le16(b: Uint8Array, o: number): number {
  return (b[o] ?? 0) | ((b[o + 1] ?? 0) << 8);
}

/** Bob Jenkins' lookup3 mix + final on three u32 words; returns c (the hash). */
export function jenkinsMixFinal(a: number, b: number, c: number): { a: number; b: number; c: number; hash: number } {
  // mix(a, b, c)
  a = (a - c) >>> 0; a = (a ^ rol(c, 4)) >>> 0; c = (c + b) >>> 0;
  b = (b - a) >>> 0; b = (b ^ rol(a, 6)) >>> 0; a = (a + c) >>> 0;
  c = (c - b) >>> 0; c = (c ^ rol(b, 8)) >>> 0; b = (b + a) >>> 0;
  a = (a - c) >>> 0; a = (a ^ rol(c, 16)) >>> 0; c = (c + b) >>> 0;
  b = (b - a) >>> 0; b = (b ^ rol(a, 19)) >>> 0; a = (a + c) >>> 0;
  c = (c - b) >>> 0; c = (c ^ rol(b, 4)) >>> 0; b = (b + a) >>> 0;
  // final(a, b, c)
  c = (c ^ b) >>> 0; c = (c - rol(b, 14)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rol(c, 11)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rol(a, 25)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rol(b, 16)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rol(c, 4)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rol(a, 14)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rol(b, 24)) >>> 0;
  return { a, b, c, hash: c };
}

/** The three input words of the hash (exported for tests against the worked examples of §6.5). */
export function flowHashInputs(frame: Uint8Array, l2Len = 14): { a: number; b: number; c: number } {
  const ethertype = ((frame[l2Len - 2] ?? 0) << 8) | (frame[l2Len - 1] ?? 0);
  if (ethertype === 0x0800) {
    const ip = l2Len;
    const proto = frame[ip + 9] ?? 0;
    const a = le32(frame, ip + 12);
    const b = (le32(frame, ip + 16) ^ proto) >>> 0;
    // Ports at a fixed offset 20: IHL/options ignored, fragments not special-cased.
    const c = proto === 6 || proto === 17 ? ((le16(frame, ip + 22) << 16) | le16(frame, ip + 20)) >>> 0 : 0;
    return { a, b, c };
  }
  // Non-IP (e.g. ARP): bytes 2..5 of each MAC and the ethertype.
  return { a: le32(frame, 2), b: le32(frame, 8), c: ethertype };
}

/** vnet_l2_compute_flow_hash of an Ethernet frame (IPv6 is out of scope and hashed as non-IP). */
export function l2FlowHash(frame: Uint8Array, l2Len = 14): number {
  const { a, b, c } = flowHashInputs(frame, l2Len);
  return jenkinsMixFinal(a, b, c).hash;
}

/** `udp->src_port = flow_hash` as a truncating u16 store in host order: the wire value has its bytes swapped. */
export function vxlanSourcePort(hash: number): number {
  return ((hash & 0xff) << 8) | ((hash >>> 8) & 0xff);
}
