// Internet checksums: the full IPv4 header checksum, the TCP/UDP/ICMP checksum, and VPP's incremental
// update after a TTL decrement (docs/datapath.md §7.1), kept separate because it preserves an invalid checksum.

/** One's-complement sum of 16-bit big-endian words over bytes [start, end), plus `initial`; not folded. */
export function sum16(buf: Uint8Array, start: number, end: number, initial = 0): number {
  let sum = initial;
  let i = start;
  for (; i + 1 < end; i += 2) sum += (buf[i]! << 8) | buf[i + 1]!;
  if (i < end) sum += buf[i]! << 8;
  return sum;
}

/** Folds a 32-bit-or-larger sum to 16 bits and complements it. */
export function foldComplement(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/** RFC 1071 checksum of a byte range. */
export function internetChecksum(buf: Uint8Array, start = 0, end = buf.length): number {
  return foldComplement(sum16(buf, start, end));
}

/**
 * IPv4 header checksum of the header at `off` with `headerLen` bytes, computed as if the checksum
 * field (bytes 10–11) were zero, whatever it holds now.
 */
export function ipv4HeaderChecksum(buf: Uint8Array, off: number, headerLen: number): number {
  const stored = (buf[off + 10]! << 8) | buf[off + 11]!;
  // sum16 added the stored word once as a plain integer, so subtracting it is exact.
  return foldComplement(sum16(buf, off, off + headerLen) - stored);
}

/** Pseudo-header sum for TCP/UDP over IPv4 (RFC 793 / RFC 768). */
export function pseudoHeaderSum(src: number, dst: number, protocol: number, l4Length: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + l4Length;
}

/** TCP or UDP checksum of the L4 segment at [start, end) with the checksum field at `csumOff` treated as zero. */
export function l4Checksum(buf: Uint8Array, start: number, end: number, csumOff: number, src: number, dst: number, protocol: number): number {
  const stored = (buf[csumOff]! << 8) | buf[csumOff + 1]!;
  return foldComplement(sum16(buf, start, end, pseudoHeaderSum(src, dst, protocol, end - start)) - stored);
}

/**
 * VPP's incremental IPv4 checksum update for a TTL decrement by one (ip4_rewrite_inline, docs/datapath.md §7.1):
 * N' = N +' 0x0100 (one's-complement add), and a result of 0xffff becomes 0x0000. Equals a full
 * recomputation for every valid header; an invalid checksum stays invalid by the same difference.
 */
export function vppTtlDecrementChecksum(checksum: number): number {
  let s = (checksum & 0xffff) + 0x0100;
  if (s > 0xffff) s = (s & 0xffff) + 1;
  return s === 0xffff ? 0x0000 : s;
}
