// Contiv's policy configurator (C:plugins/policy/configurator/configurator_impl.go generateRules, DATAPATH.md
// §10.5): per pod, the vswitch egress list from its ingress policies (peer as source, the pod implicitly the
// destination) and the vswitch ingress list from its egress policies (peer as destination).
import type { ContivPolicy, RenderFaults } from './processor.ts';
import { compareRules, hostNet, type ContivRule } from './rules.ts';

function generateRules(dir: 'Ingress' | 'Egress', policies: readonly ContivPolicy[], natLoopback: number, faults: RenderFaults): ContivRule[] {
  const rules: ContivRule[] = [];
  // Appended in generation order unless an equal rule (Compare == 0) is present; the cache sorts tables later.
  const add = (r: ContivRule): void => {
    if (!rules.some((x) => compareRules(x, r) === 0)) rules.push(r);
  };
  let hasPolicy = false;
  let allAllowed = false;
  for (const pol of [...policies].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    if ((pol.type === 'INGRESS' && dir === 'Egress') || (pol.type === 'EGRESS' && dir === 'Ingress')) continue;
    hasPolicy = true; // counts even with zero matching rules
    for (const m of pol.matches) {
      if (m.type !== dir) continue;
      const peer = (n: ContivRule['src']): Pick<ContivRule, 'src' | 'dst'> => (dir === 'Ingress' ? (n ? { src: n } : {}) : n ? { dst: n } : {});
      const permit = (n: ContivRule['src']): void => {
        if (m.ports.length === 0) add({ action: 'PERMIT', ...peer(n), protocol: 'ANY', srcPort: 0, dstPort: 0 });
        else for (const p of m.ports) add({ action: 'PERMIT', ...peer(n), protocol: p.protocol, srcPort: 0, dstPort: p.port });
      };
      if (m.pods === null && m.ipBlocks === null) {
        permit(undefined);
        if (m.ports.length === 0) allAllowed = true;
      }
      for (const ip of m.pods ?? []) permit(hostNet(ip));
      for (const n of m.ipBlocks ?? []) permit(n);
    }
  }
  if (hasPolicy && !allAllowed) {
    // NAT loopback: a pod may reach itself through a service (D7); only on the side of the pod's ingress.
    if (dir === 'Ingress' && !faults.noNatLoopbackPermit) add({ action: 'PERMIT', src: hostNet(natLoopback), protocol: 'ANY', srcPort: 0, dstPort: 0 });
    add({ action: 'DENY', protocol: 'ANY', srcPort: 0, dstPort: 0 });
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
  return { egress: generateRules('Ingress', policies, natLoopback, faults), ingress: generateRules('Egress', policies, natLoopback, faults) };
}
