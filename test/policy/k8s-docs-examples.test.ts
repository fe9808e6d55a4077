// The Kubernetes documentation's example policies (examples/policies/k8s-docs-*.yaml) end to end: read the file,
// judge the connections the documentation describes with the upstream oracle, expect what the documentation says.
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Cluster, Connection, L4Protocol } from '../../src/policy/types.ts';
import { allowed } from '../../src/policy/upstream.ts';
import { readClusterFile } from '../../src/policy/yaml.ts';

const EXAMPLES = resolve(import.meta.dirname, '..', '..', 'examples', 'policies');

/** Pod IPs the way Contiv's IPAM hands them out when none is given: 10.1.<node id>.2, .3, … per node (§2.3). */
function allocateIps(cluster: Cluster): Map<string, string> {
  const next = new Map<string, number>();
  return new Map(
    cluster.pods.map((p) => {
      const id = cluster.nodes.find((n) => n.name === p.nodeName)?.id ?? 0;
      const seq = next.get(p.nodeName) ?? 2;
      next.set(p.nodeName, seq + 1);
      return [`${p.namespace}/${p.name}`, p.ip ?? `10.1.${id}.${seq}`];
    }),
  );
}

function c(src: string, dst: string, protocol: L4Protocol, port = 0): Connection {
  const end = (r: string): Connection['src'] => (/^\d/.test(r) ? { ip: r } : { pod: r });
  return { src: end(src), dst: end(dst), protocol, port };
}

const EXPECTED: Record<string, [Connection, boolean][]> = {
  'k8s-docs-test-network-policy.yaml': [
    [c('default/frontend', 'default/db', 'TCP', 6379), true],
    [c('default/frontend', 'default/db', 'TCP', 6380), false],
    [c('myproject/client', 'default/db', 'TCP', 6379), true],
    [c('other/client', 'default/db', 'TCP', 6379), false],
    [c('default/backend', 'default/db', 'TCP', 6379), false],
    [c('172.17.0.9', 'default/db', 'TCP', 6379), true],
    [c('172.17.2.9', 'default/db', 'TCP', 6379), true],
    [c('172.17.1.9', 'default/db', 'TCP', 6379), false],
    [c('default/db', '10.0.0.7', 'TCP', 5978), true],
    [c('default/db', '10.0.0.7', 'TCP', 80), false],
    [c('default/db', 'default/frontend', 'TCP', 80), false],
    [c('default/frontend', 'default/backend', 'TCP', 80), true],
  ],
  'k8s-docs-default-deny-ingress.yaml': [
    [c('default/client', 'default/web', 'TCP', 80), false],
    [c('default/client', 'default/web', 'ICMP'), false],
    [c('elsewhere/outsider', 'default/web', 'TCP', 80), false],
    [c('default/web', 'elsewhere/outsider', 'TCP', 80), true],
  ],
  'k8s-docs-allow-all-ingress.yaml': [
    [c('elsewhere/outsider', 'default/web', 'TCP', 8080), true],
    [c('203.0.113.5', 'default/web', 'UDP', 53), true],
    [c('elsewhere/outsider', 'default/web', 'ICMP'), true],
  ],
  'k8s-docs-default-deny-egress.yaml': [
    [c('default/client', 'default/web', 'TCP', 80), false],
    [c('default/web', '8.8.8.8', 'UDP', 53), false],
    [c('elsewhere/outsider', 'default/web', 'TCP', 80), true],
  ],
  'k8s-docs-allow-all-egress.yaml': [
    [c('default/client', 'elsewhere/outsider', 'TCP', 443), true],
    [c('default/web', '8.8.8.8', 'UDP', 53), true],
  ],
  'k8s-docs-default-deny-all.yaml': [
    [c('default/client', 'default/web', 'TCP', 80), false],
    [c('elsewhere/outsider', 'default/web', 'TCP', 80), false],
    [c('default/web', 'elsewhere/outsider', 'TCP', 80), false],
    [c('default/web', '8.8.8.8', 'UDP', 53), false],
    [c('default/web', 'default/web', 'TCP', 80), true],
  ],
  'k8s-docs-multi-port-egress.yaml': [
    [c('default/db', '10.0.0.10', 'TCP', 32000), true],
    [c('default/db', '10.0.0.10', 'TCP', 32500), true],
    [c('default/db', '10.0.0.10', 'TCP', 32768), true],
    [c('default/db', '10.0.0.10', 'TCP', 31999), false],
    [c('default/db', '10.0.0.10', 'TCP', 32769), false],
    [c('default/db', '10.0.0.10', 'UDP', 32000), false],
    [c('default/db', '10.0.1.10', 'TCP', 32000), false],
    [c('default/client', '10.0.0.10', 'TCP', 80), true],
  ],
  'k8s-docs-namespace-and-pod-selector.yaml': [
    [c('alice/client', 'default/web', 'TCP', 80), true],
    [c('alice/tool', 'default/web', 'TCP', 80), false],
    [c('bob/client', 'default/web', 'TCP', 80), false],
    [c('default/client', 'default/web', 'TCP', 80), false],
  ],
  'k8s-docs-namespace-or-pod-selector.yaml': [
    [c('alice/client', 'default/web', 'TCP', 80), true],
    [c('alice/tool', 'default/web', 'TCP', 80), true],
    [c('default/client', 'default/web', 'TCP', 80), true],
    [c('bob/client', 'default/web', 'TCP', 80), false],
  ],
  'k8s-docs-egress-namespaces.yaml': [
    [c('default/myapp', 'frontend/ui', 'TCP', 80), true],
    [c('default/myapp', 'backend/api', 'TCP', 80), true],
    [c('default/myapp', 'monitoring/prom', 'TCP', 9090), false],
    [c('default/myapp', '8.8.8.8', 'UDP', 53), false],
    [c('default/other', 'monitoring/prom', 'TCP', 9090), true],
  ],
};

describe('the Kubernetes documentation examples, judged by the upstream oracle', () => {
  for (const [file, checks] of Object.entries(EXPECTED)) {
    test(`${file}: the verdicts the documentation states`, () => {
      const cluster = readClusterFile(join(EXAMPLES, file));
      const ips = allocateIps(cluster);
      const verdict = ([conn]: [Connection, boolean]) => `${JSON.stringify(conn)} → ${allowed(cluster, conn, ips)}`;
      expect(checks.map(verdict)).toEqual(checks.map(([conn, want]) => `${JSON.stringify(conn)} → ${want}`));
    });
  }
});
