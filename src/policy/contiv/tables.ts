// Contiv's renderer cache (C:plugins/policy/renderer/cache/, docs/datapath.md §10.7–§10.8): the local table of each
// pod of a node — its ingress policies combined with what the node's other pods' egress policies let them
// send to it — and the node's global table of its pods' egress policies, for traffic leaving the node.
import type { PodRules } from './configurator.ts';
import { hostNet, netContains, sortedInsert, sortedTable, type ContivRule } from './rules.ts';

/** A set of ports of one protocol; 0 stands for ANY (every port). */
type PortSet = Set<number>;
const ANY = 0;

function subset(a: PortSet, b: PortSet): boolean {
  if (b.has(ANY)) return true;
  if (a.has(ANY)) return false;
  for (const p of a) if (!b.has(p)) return false;
  return true;
}

function intersect(a: PortSet, b: PortSet): PortSet {
  if (a.has(ANY)) return new Set(b);
  if (b.has(ANY)) return new Set(a);
  return new Set([...a].filter((p) => b.has(p)));
}

interface Allowed {
  tcp: PortSet;
  udp: PortSet;
  any: boolean;
}

/**
 * The ports a rule list permits towards (`side = 'dst'`) or from (`side = 'src'`) an address: a list without a
 * DENY allows everything; otherwise the PERMIT rules whose network on that side is any or contains the address.
 */
function allowedPorts(ip: number, rules: readonly ContivRule[], side: 'src' | 'dst'): Allowed {
  if (!rules.some((r) => r.action === 'DENY')) return { tcp: new Set([ANY]), udp: new Set([ANY]), any: true };
  const out: Allowed = { tcp: new Set(), udp: new Set(), any: false };
  for (const r of rules) {
    if (r.action !== 'PERMIT' || !netContains(r[side], ip)) continue;
    if (r.protocol === 'TCP') out.tcp.add(r.dstPort);
    else if (r.protocol === 'UDP') out.udp.add(r.dstPort);
    else if (r.protocol === 'ANY') {
      out.tcp.add(ANY);
      out.udp.add(ANY);
      out.any = true;
    }
  }
  return out;
}

function isAnyAny(r: ContivRule): boolean {
  return r.protocol === 'ANY' && r.dstPort === 0 && !r.src && !r.dst;
}

export interface LocalPod {
  ip: number;
  rules: PodRules;
}

/** buildLocalTable + installLocalRules for pod `p` among the node's pods (§10.7). */
export function localTable(p: LocalPod, nodePods: readonly LocalPod[]): ContivRule[] {
  const table = sortedTable(p.rules.egress);
  for (const s of nodePods) {
    const sAllowed = allowedPorts(p.ip, s.rules.ingress, 'dst'); // what S's egress policy lets S send to P
    if (sAllowed.any) continue;
    const dAllowed = allowedPorts(s.ip, p.rules.egress, 'src'); // what P's ingress policy accepts from S
    if (dAllowed.any || !subset(dAllowed.tcp, sAllowed.tcp) || !subset(dAllowed.udp, sAllowed.udp)) {
      const src = hostNet(s.ip);
      for (let i = table.length - 1; i >= 0; i--) {
        const r = table[i]!;
        if (r.src && r.src.prefixLen === 32 && r.src.network === src.network) table.splice(i, 1);
      }
      for (const [protocol, set] of [['TCP', intersect(dAllowed.tcp, sAllowed.tcp)], ['UDP', intersect(dAllowed.udp, sAllowed.udp)]] as const) {
        if (set.has(ANY)) sortedInsert(table, { action: 'PERMIT', src, protocol, srcPort: 0, dstPort: 0 });
        else for (const port of set) sortedInsert(table, { action: 'PERMIT', src, protocol, srcPort: 0, dstPort: port });
      }
      sortedInsert(table, { action: 'DENY', src, protocol: 'ANY', srcPort: 0, dstPort: 0 });
    }
  }
  if (table.length > 0 && !table.some(isAnyAny)) sortedInsert(table, { action: 'PERMIT', protocol: 'ANY', srcPort: 0, dstPort: 0 });
  return table;
}

/** rebuildGlobalTable (§10.8): every local pod's vswitch-ingress rules with the pod as source, then PERMIT ANY. */
export function globalTable(nodePods: readonly LocalPod[]): ContivRule[] {
  const table: ContivRule[] = [];
  for (const p of nodePods) {
    for (const r of p.rules.ingress) {
      // Object.assign, not `{ ...r, src }`: the same object (keys in the same order) without V8's slow spread path.
      const g = Object.assign({}, r);
      g.src = hostNet(p.ip);
      sortedInsert(table, g);
    }
  }
  if (table.length > 0) sortedInsert(table, { action: 'PERMIT', protocol: 'ANY', srcPort: 0, dstPort: 0 });
  return table;
}

