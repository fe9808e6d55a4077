// ContivRule, its total order (ContivRule.Compare, docs/datapath.md §10.6), sorted de-duplicating insert, and
// ipBlock subnet subtraction (§10.3) — C:plugins/policy/renderer/api.go and configurator_impl.go.

export type ContivProtocol = 'TCP' | 'UDP' | 'OTHER' | 'ANY';
const PROTOCOL_ORDER: Record<ContivProtocol, number> = { TCP: 0, UDP: 1, OTHER: 2, ANY: 3 };

export interface Net {
  network: number;
  prefixLen: number;
}

export interface ContivRule {
  action: 'DENY' | 'PERMIT';
  /** undefined = any */
  src?: Net;
  dst?: Net;
  protocol: ContivProtocol;
  /** 0 = any (always 0 in Contiv) */
  srcPort: number;
  /** 0 = any */
  dstPort: number;
}

export function maskOf(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

export function net(network: number, prefixLen: number): Net {
  return { network: (network & maskOf(prefixLen)) >>> 0, prefixLen };
}

export function hostNet(ip: number): Net {
  return { network: ip >>> 0, prefixLen: 32 };
}

export function netContains(n: Net | undefined, ip: number): boolean {
  if (!n) return true;
  return ((ip & maskOf(n.prefixLen)) >>> 0) === n.network;
}

/** CompareIPNets: "any" sorts after every concrete net; longer masks first; then addresses ascending. */
export function compareNets(a: Net | undefined, b: Net | undefined): number {
  if (!a && !b) return 0;
  if (!a) return 1;
  if (!b) return -1;
  if (a.prefixLen !== b.prefixLen) return b.prefixLen - a.prefixLen;
  return a.network === b.network ? 0 : a.network < b.network ? -1 : 1;
}

/** ComparePorts: equal → 0; 0 (any) sorts last; else numeric. */
export function comparePorts(a: number, b: number): number {
  if (a === b) return 0;
  if (a === 0) return 1;
  if (b === 0) return -1;
  return a - b;
}

/** ContivRule.Compare: src, dst, protocol, (ports unless ANY), action (DENY first). */
export function compareRules(a: ContivRule, b: ContivRule): number {
  let c = compareNets(a.src, b.src);
  if (c !== 0) return c;
  c = compareNets(a.dst, b.dst);
  if (c !== 0) return c;
  c = PROTOCOL_ORDER[a.protocol] - PROTOCOL_ORDER[b.protocol];
  if (c !== 0) return c;
  if (a.protocol !== 'ANY') {
    c = comparePorts(a.srcPort, b.srcPort);
    if (c !== 0) return c;
    c = comparePorts(a.dstPort, b.dstPort);
    if (c !== 0) return c;
  }
  return a.action === b.action ? 0 : a.action === 'DENY' ? -1 : 1;
}

/** Inserts keeping the table sorted; a rule equal (Compare == 0) to one present is not inserted again. */
export function sortedInsert(table: ContivRule[], rule: ContivRule): void {
  let lo = 0;
  let hi = table.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareRules(table[mid]!, rule);
    if (c === 0) return;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  table.splice(lo, 0, rule);
}

export function sortedTable(rules: Iterable<ContivRule>): ContivRule[] {
  const t: ContivRule[] = [];
  for (const r of rules) sortedInsert(t, r);
  return t;
}

export function rulesEqual(a: readonly ContivRule[], b: readonly ContivRule[]): boolean {
  return a.length === b.length && a.every((r, i) => compareRules(r, b[i]!) === 0);
}

/** n1 \ n2 as a list of prefixes, shortest first (§10.3 subtractSubnet). */
export function subtractSubnet(n1: Net, n2: Net): Net[] {
  if (n1.prefixLen > n2.prefixLen) return netContains(n2, n1.network) ? [] : [n1];
  if (n1.prefixLen === n2.prefixLen) return n1.network === n2.network ? [] : [n1];
  if (!netContains(n1, n2.network)) return [n1];
  const out: Net[] = [];
  for (let bit = n1.prefixLen; bit < n2.prefixLen; bit++) {
    const len = bit + 1;
    const flipped = (n2.network ^ (2 ** (31 - bit))) >>> 0;
    out.push(net(flipped, len));
  }
  return out;
}

/** First match over a ContivRule table for a packet (§5): no match = DENY. */
export function firstMatchContiv(table: readonly ContivRule[], src: number, dst: number, protocol: 'TCP' | 'UDP' | 'OTHER', dstPort: number): { action: 'DENY' | 'PERMIT'; rule: number } {
  for (let i = 0; i < table.length; i++) {
    const r = table[i]!;
    if (!netContains(r.src, src) || !netContains(r.dst, dst)) continue;
    if (r.protocol !== 'ANY') {
      if (r.protocol !== protocol) continue;
      if (r.dstPort !== 0 && r.dstPort !== dstPort) continue;
    }
    return { action: r.action, rule: i };
  }
  return { action: 'DENY', rule: -1 };
}
