// Contiv's policy configurator (C:plugins/policy/configurator/configurator_impl.go generateRules, docs/datapath.md
// §10.5): per pod, the vswitch egress list from its ingress policies (peer as source, the pod implicitly the
// destination) and the vswitch ingress list from its egress policies (peer as destination).
import type { ContivMatch, ContivPolicy, RenderFaults } from './processor.ts';
import { compareRules, hostNet, type ContivRule } from './rules.ts';

/** A rule with the peer on its side (source for the pod's ingress policies, destination for egress ones). */
function peerRule(dir: 'Ingress' | 'Egress', action: ContivRule['action'], n: ContivRule['src'], protocol: ContivRule['protocol'], dstPort: number): ContivRule {
  // Fields assigned one by one in the order `{ action, ...peer, protocol, srcPort, dstPort }` had: object spread is
  // a slow path in V8 and this runs for every rule of every pod of a fuzz case.
  const r = { action } as ContivRule;
  if (n) {
    if (dir === 'Ingress') r.src = n;
    else r.dst = n;
  }
  r.protocol = protocol;
  r.srcPort = 0;
  r.dstPort = dstPort;
  return r;
}

/** Appended in generation order unless an equal rule (Compare == 0) is present; the cache sorts tables later. */
function addRule(rules: ContivRule[], r: ContivRule): void {
  for (let i = 0; i < rules.length; i++) if (compareRules(rules[i]!, r) === 0) return;
  rules.push(r);
}

function permitPeer(rules: ContivRule[], dir: 'Ingress' | 'Egress', m: ContivMatch, n: ContivRule['src']): void {
  if (m.ports.length === 0) addRule(rules, peerRule(dir, 'PERMIT', n, 'ANY', 0));
  else for (const p of m.ports) addRule(rules, peerRule(dir, 'PERMIT', n, p.protocol, p.port));
}

function byId(a: ContivPolicy, b: ContivPolicy): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

// Module-level helpers rather than closures: tsx (esbuild keepNames) wraps every named closure in a
// defineProperty call, which was a visible share of a fuzz case here.
function generateRules(dir: 'Ingress' | 'Egress', sorted: readonly ContivPolicy[], natLoopback: number, faults: RenderFaults): ContivRule[] {
  const rules: ContivRule[] = [];
  let hasPolicy = false;
  let allAllowed = false;
  for (const pol of sorted) {
    if ((pol.type === 'INGRESS' && dir === 'Egress') || (pol.type === 'EGRESS' && dir === 'Ingress')) continue;
    hasPolicy = true; // counts even with zero matching rules
    for (const m of pol.matches) {
      if (m.type !== dir) continue;
      if (m.pods === null && m.ipBlocks === null) {
        permitPeer(rules, dir, m, undefined);
        if (m.ports.length === 0) allAllowed = true;
      }
      if (m.pods) for (const ip of m.pods) permitPeer(rules, dir, m, hostNet(ip));
      if (m.ipBlocks) for (const n of m.ipBlocks) permitPeer(rules, dir, m, n);
    }
  }
  if (hasPolicy && !allAllowed) {
    // NAT loopback: a pod may reach itself through a service (D7); only on the side of the pod's ingress.
    if (dir === 'Ingress' && !faults.noNatLoopbackPermit) addRule(rules, { action: 'PERMIT', src: hostNet(natLoopback), protocol: 'ANY', srcPort: 0, dstPort: 0 });
    addRule(rules, { action: 'DENY', protocol: 'ANY', srcPort: 0, dstPort: 0 });
  }
  return rules;
}

export interface PodRules {
  /** the vswitch egress list (traffic to the pod), from its ingress policies */
  egress: ContivRule[];
  /** the vswitch ingress list (traffic from the pod), from its egress policies */
  ingress: ContivRule[];
}

export function podRules(policies: readonly ContivPolicy[], natLoopback: number, faults: RenderFaults = {}): PodRules {
  const sorted = policies.length > 1 ? [...policies].sort(byId) : policies;
  return { egress: generateRules('Ingress', sorted, natLoopback, faults), ingress: generateRules('Egress', sorted, natLoopback, faults) };
}
