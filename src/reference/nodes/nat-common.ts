// Shared helpers of the NAT44 nodes (docs/datapath.md §9): the session keys and the 5-tuple they read.
import { ipv4HeaderChecksum, l4Checksum, readU16, writeU16 } from '../../packet/index.ts';
import { copyBuf, type Buf } from '../node-def.ts';

export interface NatTuple {
  src: number;
  dst: number;
  proto: number;
  sport: number;
  dport: number;
}

/** Addresses, protocol and ports (ICMP: the echo identifier as both ports) of the IPv4 packet at `l3`. */
export function natTuple(bytes: Uint8Array, l3: number): NatTuple {
  const ihl = (bytes[l3]! & 0x0f) * 4;
  const proto = bytes[l3 + 9]!;
  const l4 = l3 + ihl;
  const hasPorts = (proto === 6 || proto === 17) && bytes.length >= l4 + 4;
  const icmpId = proto === 1 && bytes.length >= l4 + 6 ? readU16(bytes, l4 + 4) : 0;
  return {
    src: ((bytes[l3 + 12]! << 24) | (bytes[l3 + 13]! << 16) | (bytes[l3 + 14]! << 8) | bytes[l3 + 15]!) >>> 0,
    dst: ((bytes[l3 + 16]! << 24) | (bytes[l3 + 17]! << 16) | (bytes[l3 + 18]! << 8) | bytes[l3 + 19]!) >>> 0,
    proto,
    sport: hasPorts ? readU16(bytes, l4) : icmpId,
    dport: hasPorts ? readU16(bytes, l4 + 2) : icmpId,
  };
}

// Session keys are opaque (nothing prints them): the direction, the address halves, the port and the protocol
// as 16-bit code units of one short flat string, built and hashed much faster than decimal text per packet.
const IN2OUT = 1;
const OUT2IN = 2;

/** in2out sessions are found by the inside (local) address and port. */
export function in2outKey(t: NatTuple): string {
  return String.fromCharCode(IN2OUT, t.src >>> 16, t.src & 0xffff, t.sport & 0xffff, t.proto & 0xffff);
}

/** out2in sessions are found by the outside (external) address and port. */
export function out2inKey(t: NatTuple): string {
  return String.fromCharCode(OUT2IN, t.dst >>> 16, t.dst & 0xffff, t.dport & 0xffff, t.proto & 0xffff);
}

/** A copy of `buf` carrying `data` (translated or not) and the buffer flag `nated`. */
export function natedBuf(buf: Buf, data: Uint8Array): Buf {
  const out = copyBuf(buf);
  out.data = data;
  out.nated = true;
  return out;
}

/** First port of dynamic SNAT allocations (VPP allocates from 1024 upwards per thread). */
export const DYNAMIC_PORT_BASE = 1024;

/** Rewrites the source address and port of the IPv4 packet at `l3`, fixing the IP and L4 checksums. */
export function rewriteSource(bytes: Uint8Array, l3: number, t: NatTuple, addr: number, port: number): Uint8Array {
  const data = Uint8Array.from(bytes);
  data[l3 + 12] = addr >>> 24;
  data[l3 + 13] = (addr >>> 16) & 0xff;
  data[l3 + 14] = (addr >>> 8) & 0xff;
  data[l3 + 15] = addr & 0xff;
  const ihl = (data[l3]! & 0x0f) * 4;
  writeU16(data, l3 + 10, 0);
  writeU16(data, l3 + 10, ipv4HeaderChecksum(data, l3, ihl));
  const l4 = l3 + ihl;
  const end = l3 + readU16(data, l3 + 2);
  if ((t.proto === 6 || t.proto === 17) && end <= data.length) {
    writeU16(data, l4, port);
    const csumOff = l4 + (t.proto === 6 ? 16 : 6);
    if (!(t.proto === 17 && readU16(data, csumOff) === 0)) {
      writeU16(data, csumOff, 0);
      const c = l4Checksum(data, l4, end, csumOff, addr, t.dst, t.proto);
      writeU16(data, csumOff, t.proto === 17 && c === 0 ? 0xffff : c);
    }
  }
  return data;
}
