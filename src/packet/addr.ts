// IPv4 and MAC addresses as plain numbers (u32 and 48-bit), with parse/format helpers.
// Numbers keep decoding allocation-free; strings appear only at the edges (summaries, JSON, CLI).

/** Parses dotted-quad IPv4 text into an unsigned 32-bit number; throws on malformed text. */
export function ip4(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4) throw new RangeError(`not an IPv4 address: '${text}'`);
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) throw new RangeError(`not an IPv4 address: '${text}'`);
    const octet = Number(part);
    if (octet > 255) throw new RangeError(`not an IPv4 address: '${text}' (octet ${octet} > 255)`);
    value = value * 256 + octet;
  }
  return value;
}

/** Formats an unsigned 32-bit number as dotted-quad text. */
export function ip4ToString(addr: number): string {
  return `${(addr >>> 24) & 0xff}.${(addr >>> 16) & 0xff}.${(addr >>> 8) & 0xff}.${addr & 0xff}`;
}

/** Returns true when text is a valid dotted-quad IPv4 address. */
export function isIp4(text: string): boolean {
  try {
    ip4(text);
    return true;
  } catch {
    return false;
  }
}

/** Parses `aa:bb:cc:dd:ee:ff` (or `-` separated) into a 48-bit number; throws on malformed text. */
export function mac(text: string): number {
  const parts = text.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) {
    throw new RangeError(`not a MAC address: '${text}'`);
  }
  let value = 0;
  for (const part of parts) value = value * 256 + parseInt(part, 16);
  return value;
}

const HEX2: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Formats a 48-bit number as six lower-case hex pairs separated by ':' (VPP's format_ethernet_address). */
export function macToString(addr: number): string {
  const hi = Math.floor(addr / 0x100000000);
  const lo = addr >>> 0;
  return `${HEX2[(hi >>> 8) & 0xff]}:${HEX2[hi & 0xff]}:${HEX2[lo >>> 24]}:${HEX2[(lo >>> 16) & 0xff]}:${HEX2[(lo >>> 8) & 0xff]}:${HEX2[lo & 0xff]}`;
}

/** Reads a 48-bit MAC at offset (network order). */
export function readMac(buf: Uint8Array, off: number): number {
  return (
    ((buf[off]! << 8) | buf[off + 1]!) * 0x100000000 +
    (((buf[off + 2]! << 24) | (buf[off + 3]! << 16) | (buf[off + 4]! << 8) | buf[off + 5]!) >>> 0)
  );
}

/** Writes a 48-bit MAC at offset (network order). */
export function writeMac(buf: Uint8Array, off: number, addr: number): void {
  const hi = Math.floor(addr / 0x100000000);
  const lo = addr >>> 0;
  buf[off] = (hi >>> 8) & 0xff;
  buf[off + 1] = hi & 0xff;
  buf[off + 2] = lo >>> 24;
  buf[off + 3] = (lo >>> 16) & 0xff;
  buf[off + 4] = (lo >>> 8) & 0xff;
  buf[off + 5] = lo & 0xff;
}

export function readU16(buf: Uint8Array, off: number): number {
  return (buf[off]! << 8) | buf[off + 1]!;
}

export function readU32(buf: Uint8Array, off: number): number {
  return ((buf[off]! << 24) | (buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!) >>> 0;
}

export function writeU16(buf: Uint8Array, off: number, v: number): void {
  buf[off] = (v >>> 8) & 0xff;
  buf[off + 1] = v & 0xff;
}

export function writeU32(buf: Uint8Array, off: number, v: number): void {
  buf[off] = (v >>> 24) & 0xff;
  buf[off + 1] = (v >>> 16) & 0xff;
  buf[off + 2] = (v >>> 8) & 0xff;
  buf[off + 3] = v & 0xff;
}

/** Lower-case hex of bytes without separators (as VPP prints rewrite strings). */
export function toHex(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let s = '';
  for (let i = start; i < end; i++) s += HEX2[bytes[i]!];
  return s;
}

/** Parses hex text (whitespace and ':' ignored) into bytes; throws on odd length or non-hex characters. */
export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/[\s:]/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) throw new RangeError(`not hex bytes: '${text.slice(0, 40)}'`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Does `prefix/len` contain addr? */
export function prefixContains(prefix: number, len: number, addr: number): boolean {
  if (len === 0) return true;
  const mask = len >= 32 ? 0xffffffff : ~((1 << (32 - len)) - 1) >>> 0;
  return ((prefix & mask) >>> 0) === ((addr & mask) >>> 0);
}
