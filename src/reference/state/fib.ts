// IPv4 FIB of VRF 0 (docs/datapath.md §2.5–§2.7): longest-prefix match, recursive next hops resolved through
// connected routes, adjacencies rewritten from the neighbour table. dpo-idx numbers are stable handles.
import { ip4ToString } from '../../packet/index.ts';

export type FibPath =
  /** out of an interface; no next hop = the destination itself is the neighbour (pod /32 routes) */
  | { kind: 'attached'; swIfIndex: number; nextHop?: number }
  /** via a next hop only, resolved recursively (routes to other nodes' pods) */
  | { kind: 'recursive'; nextHop: number }
  /** a connected subnet: neighbours on the interface */
  | { kind: 'connected'; swIfIndex: number }
  /** an address of this VPP: deliver to ip4-local */
  | { kind: 'receive'; swIfIndex: number }
  | { kind: 'drop' };

export interface FibEntry {
  network: number;
  prefixLen: number;
  path: FibPath;
  /** what installed it, for explanations (e.g. `vppRouteFromRequest`) */
  source: string;
  /** load-balance / receive DPO index printed by ip4-lookup (opaque, stable) */
  dpoIdx: number;
}

export interface Adjacency {
  swIfIndex: number;
  nextHop: number;
  /** adjacency index printed by ip4-rewrite */
  dpoIdx: number;
  /** the next hop as ip4-rewrite prints it (`via`), formatted once when the adjacency is made */
  nextHopText: string;
}

export type Resolution =
  | { kind: 'forward'; entry: FibEntry; adjacency: Adjacency; recursive: boolean }
  | { kind: 'local'; entry: FibEntry }
  | { kind: 'drop'; entry?: FibEntry; reason: 'no-route' | 'drop-route' | 'unresolved' };

function mask(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

/** Resolutions kept before the cache starts over (a fuzzer's random destinations must not grow it without bound). */
const RESOLUTION_CACHE_MAX = 4096;

export class Fib {
  /** by prefix length, longest first, then network (sorted lazily: a node's routes are added in bulk) */
  private entries: FibEntry[] = [];
  private sorted = true;
  /** by prefix (prefixLen · 2^32 + network) */
  private readonly byPrefix = new Map<number, FibEntry>();
  /** by sw_if_index, then next hop (numeric keys: no string building per packet) */
  private readonly adjacencies = new Map<number, Map<number, Adjacency>>();
  /**
   * resolve() per destination, dropped whenever a route is added or removed. Adjacencies never change once
   * made, so a cached resolution stays what resolve() would compute (the lookup is a linear scan otherwise).
   */
  private readonly resolved = new Map<number, Resolution>();
  private nextDpo: number;

  constructor(firstDpoIdx = 10) {
    this.nextDpo = firstDpoIdx;
  }

  add(network: number, prefixLen: number, path: FibPath, source: string): FibEntry {
    const e: FibEntry = { network: (network & mask(prefixLen)) >>> 0, prefixLen, path, source, dpoIdx: this.nextDpo++ };
    const key = prefixLen * 0x100000000 + e.network;
    const existing = this.byPrefix.get(key);
    if (existing) this.entries[this.entries.indexOf(existing)] = e;
    else {
      this.entries.push(e);
      this.sorted = false;
    }
    this.byPrefix.set(key, e);
    // Only when there is something to drop: V8's Map#clear allocates a fresh table even for an empty map, and a
    // node's routes are added one by one before any lookup.
    if (this.resolved.size > 0) this.resolved.clear();
    return e;
  }

  remove(network: number, prefixLen: number): void {
    const key = prefixLen * 0x100000000 + ((network & mask(prefixLen)) >>> 0);
    const e = this.byPrefix.get(key);
    if (e) {
      this.entries.splice(this.entries.indexOf(e), 1);
      this.byPrefix.delete(key);
    }
    this.resolved.clear();
  }

  /** Puts back an entry remove() took (same prefix, path, source and DPO index: VPP's pools hand a freed index out again). */
  reinsert(e: FibEntry): void {
    const key = e.prefixLen * 0x100000000 + e.network;
    const existing = this.byPrefix.get(key);
    if (existing) this.entries[this.entries.indexOf(existing)] = e;
    else {
      this.entries.push(e);
      this.sorted = false;
    }
    this.byPrefix.set(key, e);
    this.resolved.clear();
  }

  /** The entry of exactly this prefix, if any. */
  get(network: number, prefixLen: number): FibEntry | undefined {
    return this.byPrefix.get(prefixLen * 0x100000000 + ((network & mask(prefixLen)) >>> 0));
  }

  lookup(addr: number): FibEntry | undefined {
    for (const e of this.ordered()) if (((addr & mask(e.prefixLen)) >>> 0) === e.network) return e;
    return undefined;
  }

  all(): readonly FibEntry[] {
    return this.ordered();
  }

  private ordered(): FibEntry[] {
    if (!this.sorted) {
      this.entries.sort((a, b) => b.prefixLen - a.prefixLen || a.network - b.network);
      this.sorted = true;
    }
    return this.entries;
  }

  adjacency(swIfIndex: number, nextHop: number): Adjacency {
    let bySw = this.adjacencies.get(swIfIndex);
    if (!bySw) {
      bySw = new Map();
      this.adjacencies.set(swIfIndex, bySw);
    }
    let a = bySw.get(nextHop);
    if (!a) {
      a = { swIfIndex, nextHop, dpoIdx: this.nextDpo++, nextHopText: ip4ToString(nextHop) };
      bySw.set(nextHop, a);
    }
    return a;
  }

  /** Resolves a destination to an adjacency (following one level of recursion, as Contiv's routes need). */
  resolve(dst: number): Resolution {
    let r = this.resolved.get(dst);
    if (r === undefined) {
      if (this.resolved.size >= RESOLUTION_CACHE_MAX) this.resolved.clear();
      r = this.resolveUncached(dst);
      this.resolved.set(dst, r);
    }
    return r;
  }

  private resolveUncached(dst: number): Resolution {
    const entry = this.lookup(dst);
    if (!entry) return { kind: 'drop', reason: 'no-route' };
    const p = entry.path;
    switch (p.kind) {
      case 'receive':
        return { kind: 'local', entry };
      case 'drop':
        return { kind: 'drop', entry, reason: 'drop-route' };
      case 'attached':
        return { kind: 'forward', entry, adjacency: this.adjacency(p.swIfIndex, p.nextHop ?? dst), recursive: false };
      case 'connected':
        return { kind: 'forward', entry, adjacency: this.adjacency(p.swIfIndex, dst), recursive: false };
      case 'recursive': {
        const via = this.lookup(p.nextHop);
        if (!via || (via.path.kind !== 'connected' && via.path.kind !== 'attached')) return { kind: 'drop', entry, reason: 'unresolved' };
        const sw = via.path.swIfIndex;
        return { kind: 'forward', entry, adjacency: this.adjacency(sw, p.nextHop), recursive: true };
      }
    }
  }

  describe(): string[] {
    return this.ordered().map((e) => {
      const p = e.path;
      const via =
        p.kind === 'attached'
          ? `via sw_if_index ${p.swIfIndex}${p.nextHop !== undefined ? ` ${ip4ToString(p.nextHop)}` : ''}`
          : p.kind === 'recursive'
            ? `via ${ip4ToString(p.nextHop)}`
            : p.kind === 'connected'
              ? `connected sw_if_index ${p.swIfIndex}`
              : p.kind;
      return `${ip4ToString(e.network)}/${e.prefixLen} ${via} (${e.source})`;
    });
  }
}

/** Static and learned IPv4 neighbours per interface (docs/datapath.md §2.5 step 7, §2.7 object 3). */
export class NeighborTable {
  /** by sw_if_index, then IP (numeric keys: ip4-rewrite looks a neighbour up for every packet) */
  private readonly map = new Map<number, Map<number, { mac: number; isStatic: boolean }>>();

  set(swIfIndex: number, ip: number, mac: number, isStatic = true): void {
    let bySw = this.map.get(swIfIndex);
    if (!bySw) {
      bySw = new Map();
      this.map.set(swIfIndex, bySw);
    }
    bySw.set(ip, { mac, isStatic });
  }

  get(swIfIndex: number, ip: number): number | undefined {
    return this.map.get(swIfIndex)?.get(ip)?.mac;
  }

  delete(swIfIndex: number, ip: number): void {
    this.map.get(swIfIndex)?.delete(ip);
  }

  /** Every entry: interface, IP, MAC, static or learned. */
  entries(): { swIfIndex: number; ip: number; mac: number; isStatic: boolean }[] {
    return [...this.map].flatMap(([swIfIndex, bySw]) => [...bySw].map(([ip, n]) => ({ swIfIndex, ip, ...n })));
  }

  /** Forgets every neighbour of an interface, static ones too (a mutant: VPP keeps them across a link flap). */
  flushInterface(swIfIndex: number): void {
    this.map.delete(swIfIndex);
  }
}
