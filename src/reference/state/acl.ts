// acl-plugin semantics (VPP 18.01, docs/datapath.md §8): 5-tuple extraction with its quirks, first-match over
// an interface's ACL list, session keys with lsb16(sw_if_index), timeouts by class on the virtual clock,
// and capacity. Pure functions plus an immutable-by-convention session table the dispatcher updates.
import { readU16 } from '../../packet/index.ts';
import type { Profile } from '../profiles.ts';

export const ACL_DENY = 0;
export const ACL_PERMIT = 1;
export const ACL_PERMIT_REFLECT = 2;
export const ACL_SESSION_HIT = 3;

export interface AclRule {
  action: 0 | 1 | 2;
  /** undefined = any (prefix length 0) */
  src?: { network: number; prefixLen: number };
  dst?: { network: number; prefixLen: number };
  /** 0 = any protocol: ports and flags ignored */
  proto: number;
  sport: [number, number];
  dport: [number, number];
  tcpFlagsValue?: number;
  tcpFlagsMask?: number;
}

export interface Acl {
  index: number;
  tag?: string;
  rules: AclRule[];
}

/** fa_5tuple_t as acl_fill_5tuple builds it (docs/datapath.md §8.3). */
export interface FiveTuple {
  src: number;
  dst: number;
  proto: number;
  port0: number;
  port1: number;
  l4Valid: boolean;
  tcpFlags: number;
  tcpFlagsValid: boolean;
  nonFirstFragment: boolean;
  isInput: boolean;
  swIfIndex: number;
}

/** Extracts the 5-tuple from an IPv4 packet at `l3` (IHL ignored: L4 is 20 bytes after the IP header). */
export function fill5tuple(bytes: Uint8Array, l3: number, isInput: boolean, swIfIndex: number): FiveTuple {
  const proto = bytes[l3 + 9] ?? 0;
  const flagsAndOffset = readU16(bytes, l3 + 6);
  // Quirk: the mask is 0x0fff, not 0x1fff: offset field 0x1000 counts as a first fragment.
  const nonFirstFragment = (flagsAndOffset & 0x0fff) !== 0;
  const l4 = l3 + 20;
  const t: FiveTuple = {
    src: ((bytes[l3 + 12]! << 24) | (bytes[l3 + 13]! << 16) | (bytes[l3 + 14]! << 8) | bytes[l3 + 15]!) >>> 0,
    dst: ((bytes[l3 + 16]! << 24) | (bytes[l3 + 17]! << 16) | (bytes[l3 + 18]! << 8) | bytes[l3 + 19]!) >>> 0,
    proto,
    port0: 0,
    port1: 0,
    l4Valid: false,
    tcpFlags: 0,
    tcpFlagsValid: false,
    nonFirstFragment,
    isInput,
    swIfIndex,
  };
  if (nonFirstFragment) return t;
  t.l4Valid = bytes.length - l4 >= 8;
  if (!t.l4Valid) return t;
  if (proto === 6 || proto === 17) {
    t.port0 = readU16(bytes, l4);
    t.port1 = readU16(bytes, l4 + 2);
    // tcp_flags is byte L4+13 for UDP too (for VXLAN the middle VNI byte); only valid for TCP.
    t.tcpFlags = bytes[l4 + 13] ?? 0;
    t.tcpFlagsValid = proto === 6;
  } else if (proto === 1) {
    t.port0 = bytes[l4]!; // type
    t.port1 = bytes[l4 + 1]!; // code
  }
  return t;
}

function inPrefix(p: { network: number; prefixLen: number } | undefined, addr: number): boolean {
  if (!p || p.prefixLen === 0) return true;
  const mask = p.prefixLen >= 32 ? 0xffffffff : (0xffffffff << (32 - p.prefixLen)) >>> 0;
  return ((addr & mask) >>> 0) === ((p.network & mask) >>> 0);
}

/** Does one rule match the 5-tuple (§8.2)? */
export function ruleMatches(r: AclRule, t: FiveTuple): boolean {
  if (!inPrefix(r.src, t.src) || !inPrefix(r.dst, t.dst)) return false;
  if (r.proto === 0) return true;
  if (r.proto !== t.proto) return false;
  // l4_match_nonfirst_fragment defaults to 1: a non-first fragment matches on addresses and protocol alone.
  if (t.nonFirstFragment) return true;
  if (!t.l4Valid) return false;
  if (t.port0 < r.sport[0] || t.port0 > r.sport[1] || t.port1 < r.dport[0] || t.port1 > r.dport[1]) return false;
  if (r.tcpFlagsMask) return (t.tcpFlags & r.tcpFlagsMask) === (r.tcpFlagsValue ?? 0);
  return true;
}

export interface AclMatch {
  acl: number;
  rule: number;
  action: 0 | 1 | 2;
}

/** First match over the interface's ACL list, ACL by ACL; `undefined` = attached but nothing matched (deny). */
export function firstMatch(acls: readonly Acl[], t: FiveTuple, lastMatch = false): AclMatch | undefined {
  let found: AclMatch | undefined;
  for (const acl of acls) {
    for (let i = 0; i < acl.rules.length; i++) {
      if (ruleMatches(acl.rules[i]!, t)) {
        found = { acl: acl.index, rule: i, action: acl.rules[i]!.action };
        if (!lastMatch) return found;
      }
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------------
// Sessions

export const TIMEOUT_UDP_IDLE = 0;
export const TIMEOUT_TCP_IDLE = 1;
export const TIMEOUT_TCP_TRANSIENT = 2;

export interface SessionTimeouts {
  udpIdle: number;
  tcpIdle: number;
  tcpTransient: number;
}

export const DEFAULT_SESSION_TIMEOUTS: SessionTimeouts = { udpIdle: 600, tcpIdle: 86_400, tcpTransient: 120 };
export const DEFAULT_SESSION_MAX = 1_000_000;

export interface AclSession {
  key: string;
  swIfIndex: number;
  poolIndex: number;
  createdAt: number;
  lastActive: number;
  /** tcp_flags_seen.as_u8[is_input]: [0] output side, [1] input side */
  flagsSeen: [number, number];
  timeoutClass: number;
  proto: number;
}

/** ICMP type pairs inverted for a reply's session lookup since v18.04 (echo, timestamp, info, mask). */
const ICMP_INVERSE: Record<number, number> = { 8: 0, 0: 8, 13: 14, 14: 13, 15: 16, 16: 15, 17: 18, 18: 17 };

/**
 * The session key of a packet (acl_make_5tuple_session_key): input nodes use the packet's own order, output
 * nodes swap addresses and ports ("sessions match the packets received and mirror the packets sent").
 * lsb16(sw_if_index) is part of the key; with the profile's ICMP inversion a reply maps onto its request.
 * The key is opaque (nothing prints it): eight 16-bit code units (address halves, ports, protocol, lsb16), a
 * flat string that is built and hashed far faster than decimal text joined by separators, for every packet.
 */
export function sessionKey(t: FiveTuple, profile: Profile): string {
  const lsb16 = t.swIfIndex & 0xffff;
  const p0 = t.port0;
  const p1 = t.port1;
  // Since v18.04 an ICMP reply's mirrored key keeps type and code in place and inverts the type
  // (session_inlines.h reverse key: icmp4_invmap), so an echo reply finds its request's session.
  if (!t.isInput && profile.aclIcmpReplyInversion && t.proto === 1) {
    const inv = ICMP_INVERSE[p0];
    return keyOf(t.dst, t.src, inv ?? p0, p1, t.proto, lsb16);
  }
  const mirror = !t.isInput && !profile.faults?.sessionKeyNotMirrored;
  return mirror ? keyOf(t.dst, t.src, p1, p0, t.proto, lsb16) : keyOf(t.src, t.dst, p0, p1, t.proto, lsb16);
}

function keyOf(a: number, b: number, p0: number, p1: number, proto: number, lsb16: number): string {
  return String.fromCharCode(a >>> 16, a & 0xffff, b >>> 16, b & 0xffff, p0 & 0xffff, p1 & 0xffff, proto & 0xffff, lsb16);
}

export function timeoutClassOf(proto: number, flagsSeen: [number, number]): number {
  return timeoutClassOfFlags(proto, flagsSeen[0], flagsSeen[1]);
}

/** timeoutClassOf with the output-side and input-side flags as two numbers (no array per packet). */
export function timeoutClassOfFlags(proto: number, outputFlags: number, inputFlags: number): number {
  if (proto !== 6) return TIMEOUT_UDP_IDLE;
  const asU16 = outputFlags | (inputFlags << 8);
  return (asU16 & 0x1717) === 0x1212 ? TIMEOUT_TCP_IDLE : TIMEOUT_TCP_TRANSIENT;
}

export function timeoutSeconds(cls: number, t: SessionTimeouts): number {
  return cls === TIMEOUT_TCP_IDLE ? t.tcpIdle : cls === TIMEOUT_TCP_TRANSIENT ? t.tcpTransient : t.udpIdle;
}

/** The per-VPP-instance session table: one global table shared by every ACL node (§8.4). */
export class AclSessionTable {
  readonly byKey = new Map<string, AclSession>();
  private nextPoolIndex = 0;
  private readonly freeIndices: number[] = [];

  constructor(
    readonly timeouts: SessionTimeouts = DEFAULT_SESSION_TIMEOUTS,
    readonly maxEntries = DEFAULT_SESSION_MAX,
  ) {}

  /** A live session for the key at `now` (lazy expiry: an idle one past its timeout is gone). */
  lookup(key: string, now: number): AclSession | undefined {
    const s = this.byKey.get(key);
    if (!s) return undefined;
    if (now - s.lastActive > timeoutSeconds(s.timeoutClass, this.timeouts)) return undefined;
    return s;
  }

  /** Removes sessions idle past their timeout (the cleaner process). */
  expire(now: number): void {
    for (const [k, s] of this.byKey) {
      if (now - s.lastActive > timeoutSeconds(s.timeoutClass, this.timeouts)) this.remove(k);
    }
  }

  get size(): number {
    return this.byKey.size;
  }

  /** Would `makeRoom` succeed (without changing anything)? */
  hasRoom(now: number): boolean {
    if (this.byKey.size < this.maxEntries) return true;
    let live = 0;
    let transient = false;
    for (const s of this.byKey.values()) {
      if (now - s.lastActive > timeoutSeconds(s.timeoutClass, this.timeouts)) continue;
      live++;
      if (s.timeoutClass === TIMEOUT_TCP_TRANSIENT) transient = true;
    }
    return live < this.maxEntries || transient;
  }

  /** Room for one more session, recycling the oldest TCP-transient one when full; false = table full. */
  makeRoom(now: number): boolean {
    this.expire(now);
    if (this.byKey.size < this.maxEntries) return true;
    let oldest: AclSession | undefined;
    for (const s of this.byKey.values()) if (s.timeoutClass === TIMEOUT_TCP_TRANSIENT && (!oldest || s.lastActive < oldest.lastActive)) oldest = s;
    if (!oldest) return false;
    this.remove(oldest.key);
    return true;
  }

  /** The pool index the next created session will get (VPP pool: LIFO reuse of freed indices). */
  peekPoolIndex(): number {
    return this.freeIndices.length > 0 ? this.freeIndices[this.freeIndices.length - 1]! : this.nextPoolIndex;
  }

  add(key: string, swIfIndex: number, proto: number, now: number, flagsSeen: [number, number]): AclSession {
    const poolIndex = this.freeIndices.length > 0 ? this.freeIndices.pop()! : this.nextPoolIndex++;
    const s: AclSession = { key, swIfIndex, poolIndex, createdAt: now, lastActive: now, flagsSeen, timeoutClass: timeoutClassOf(proto, flagsSeen), proto };
    this.byKey.set(key, s);
    return s;
  }

  remove(key: string): void {
    const s = this.byKey.get(key);
    if (!s) return;
    this.byKey.delete(key);
    this.freeIndices.push(s.poolIndex);
  }

  /** Removes every session of an interface (its last ACL was removed). */
  removeInterface(swIfIndex: number): void {
    for (const [k, s] of this.byKey) if (s.swIfIndex === swIfIndex) this.remove(k);
  }

  clear(): void {
    for (const k of [...this.byKey.keys()]) this.remove(k);
  }
}
