// Hex text of trace fields that VPP prints as raw hex (the ACL plugin's pkt-info words, ip4-rewrite's rewrite
// string). Each is built by one String.fromCharCode call: one flat string, where concatenating two-digit
// pieces made a chain of intermediate strings per field, on every packet.

/** Char codes of the hex digits 0-9a-f. */
const HEX_DIGITS: readonly number[] = Array.from({ length: 16 }, (_, i) => i.toString(16).charCodeAt(0));

function nibble(word: number, shift: number): number {
  return HEX_DIGITS[(word >>> shift) & 0xf]!;
}

/** A u64 as 16 hex digits, given its high and low u32 halves. */
export function hex64(hi: number, lo: number): string {
  return String.fromCharCode(
    nibble(hi, 28), nibble(hi, 24), nibble(hi, 20), nibble(hi, 16), nibble(hi, 12), nibble(hi, 8), nibble(hi, 4), nibble(hi, 0),
    nibble(lo, 28), nibble(lo, 24), nibble(lo, 20), nibble(lo, 16), nibble(lo, 12), nibble(lo, 8), nibble(lo, 4), nibble(lo, 0),
  );
}

/** bytes[off .. off + 14) as 28 hex digits: an Ethernet rewrite (destination MAC, source MAC, ethertype). */
export function hex14(b: Uint8Array, off: number): string {
  return String.fromCharCode(
    nibble(b[off]!, 4), nibble(b[off]!, 0), nibble(b[off + 1]!, 4), nibble(b[off + 1]!, 0),
    nibble(b[off + 2]!, 4), nibble(b[off + 2]!, 0), nibble(b[off + 3]!, 4), nibble(b[off + 3]!, 0),
    nibble(b[off + 4]!, 4), nibble(b[off + 4]!, 0), nibble(b[off + 5]!, 4), nibble(b[off + 5]!, 0),
    nibble(b[off + 6]!, 4), nibble(b[off + 6]!, 0), nibble(b[off + 7]!, 4), nibble(b[off + 7]!, 0),
    nibble(b[off + 8]!, 4), nibble(b[off + 8]!, 0), nibble(b[off + 9]!, 4), nibble(b[off + 9]!, 0),
    nibble(b[off + 10]!, 4), nibble(b[off + 10]!, 0), nibble(b[off + 11]!, 4), nibble(b[off + 11]!, 0),
    nibble(b[off + 12]!, 4), nibble(b[off + 12]!, 0), nibble(b[off + 13]!, 4), nibble(b[off + 13]!, 0),
  );
}
