// What the contiv/vpp peer-test files share: reading a fixture, and ContivRules to and from the fixtures'
// rule notation ({action, src, dst ('' = any), protocol, srcPort, dstPort}).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ip4, ip4ToString } from '../../src/packet/index.ts';
import { net, type ContivRule, type Net } from '../../src/policy/contiv/rules.ts';

export interface FxRule {
  action: 'PERMIT' | 'DENY';
  src: string;
  dst: string;
  protocol: 'TCP' | 'UDP' | 'OTHER' | 'ANY';
  srcPort: number;
  dstPort: number;
}

export function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'contiv-peer', name), 'utf8')) as T;
}

export function cidr(s: string): Net | undefined {
  if (s === '') return undefined;
  const [a, l] = s.split('/');
  return net(ip4(a!), Number(l));
}

export function cidrString(n: Net | undefined): string {
  return n ? `${ip4ToString(n.network)}/${n.prefixLen}` : '';
}

export function toRule(r: FxRule): ContivRule {
  const out: ContivRule = { action: r.action, protocol: r.protocol, srcPort: r.srcPort, dstPort: r.dstPort };
  const s = cidr(r.src);
  const d = cidr(r.dst);
  if (s) out.src = s;
  if (d) out.dst = d;
  return out;
}

/** Our rule in the fixture's notation, so that mismatches print readably. */
export function fx(r: ContivRule): FxRule {
  return { action: r.action, src: cidrString(r.src), dst: cidrString(r.dst), protocol: r.protocol, srcPort: r.srcPort, dstPort: r.dstPort };
}

export const sorted = (xs: readonly string[]): string[] => [...xs].sort();
