// The model's configuration as `show` commands would list it (Adapter.configState): per node its routes, static
// neighbours, L2 FIB and bridge members, ACL tables and attachments, NAT44 roles, mappings and pool — by interface
// name, never by the opaque indices VPP hands out (a route deleted and added again gets another DPO). Sessions,
// counters and caches are state packets change, not configuration: left out.
import { ip4ToString } from '../../packet/index.ts';
import type { VppInstance } from './vpp.ts';

const mac = (m: number): string => m.toString(16).padStart(12, '0').replace(/(..)(?!$)/g, '$1:');

/** By `node <id> <what>` → sorted lines (the adapters' ConfigState). */
export function modelConfigState(vpps: Iterable<VppInstance>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const v of vpps) {
    const name = (sw: number): string => v.ifBySw.get(sw)?.name ?? `sw_if_index ${sw}`;
    const n = `node ${v.node.id}`;
    out[`${n} routes`] = v.fib
      .all()
      .map((e) => {
        const p = e.path;
        const via = p.kind === 'attached' ? `via ${p.nextHop !== undefined ? `${ip4ToString(p.nextHop)} ` : ''}${name(p.swIfIndex)}` : p.kind === 'recursive' ? `via ${ip4ToString(p.nextHop)}` : p.kind === 'drop' ? 'drop' : `${p.kind} ${name(p.swIfIndex)}`;
        return `${ip4ToString(e.network)}/${e.prefixLen} ${via}`;
      })
      .sort();
    out[`${n} neighbours`] = v.neighbors
      .entries()
      .filter((e) => e.isStatic)
      .map((e) => `${ip4ToString(e.ip)} ${mac(e.mac)} ${name(e.swIfIndex)} static`)
      .sort();
    out[`${n} l2fib`] = [
      ...[...v.bd.fib].map(([m, sw]) => `bd ${v.bd.id} ${mac(m)} ${name(sw)} static`),
      ...[...v.bd.members.values()].map((m) => `bd ${v.bd.id} member ${name(m.swIfIndex)} shg ${m.shg}${m.bvi ? ' bvi' : ''}`),
    ].sort();
    out[`${n} acls`] = [
      ...[...v.acl.acls.values()].map((a) => `acl ${a.index} ${JSON.stringify(a.rules)}`),
      ...[...v.acl.input].filter(([, l]) => l.length > 0).map(([sw, l]) => `${name(sw)} input ${l.join(',')}`),
      ...[...v.acl.output].filter(([, l]) => l.length > 0).map(([sw, l]) => `${name(sw)} output ${l.join(',')}`),
    ].sort();
    out[`${n} nat44`] = [
      `forwarding ${v.nat.forwarding ? 'enabled' : 'disabled'}`,
      ...v.nat.pool.map((a) => `pool ${ip4ToString(a)}`),
      ...[...v.nat.roles].map(([sw, r]) => `${name(sw)}${r.inside ? ' in' : ''}${r.outside ? ' out' : ''}${r.outputFeature ? ' output-feature' : ''}`),
      ...v.nat.mappings.map((m) => `${m.identity ? 'identity' : 'static'} ${ip4ToString(m.local)} -> ${ip4ToString(m.external)}${m.proto !== undefined ? ` proto ${m.proto} port ${m.port}` : ''}`),
    ].sort();
  }
  return out;
}
