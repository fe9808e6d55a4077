// The upstream oracle against the Kubernetes NetworkPolicy documentation, one row per documented rule, then
// properties that hold for every cluster; each property is shown to catch a deliberately broken oracle.
import { fc } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import type { Cluster, ClusterPod, Connection, L4Protocol, NetworkPolicy } from '../../src/policy/types.ts';
import { allowed, effectivePolicyTypes, explainAllowed, formatVerdict, isolated, selectorMatches } from '../../src/policy/upstream.ts';
import { clusterArb, connectionSpecArb, podIpMap, policyBodyArb, resolveConnection } from './arbitraries.ts';

const SEED = 1010;
const RUNS = 300;

// ---------------------------------------------------------------------------------------------------------------
// A fixed cluster for the table: three namespaces, six pods on two nodes, named ports that differ per pod.

const PODS: ClusterPod[] = [
  {
    name: 'web',
    namespace: 'default',
    labels: { app: 'web' },
    nodeName: 'node-1',
    ip: '10.1.1.2',
    containerPorts: [
      { name: 'http', containerPort: 80, protocol: 'TCP' },
      { name: 'dns', containerPort: 53, protocol: 'UDP' },
      { name: 'sig', containerPort: 9000, protocol: 'SCTP' },
    ],
  },
  { name: 'client', namespace: 'default', labels: { app: 'client' }, nodeName: 'node-2', ip: '10.1.2.2', containerPorts: [] },
  { name: 'db', namespace: 'default', labels: { app: 'db', tier: 'data' }, nodeName: 'node-1', ip: '10.1.1.3', containerPorts: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] },
  { name: 'client', namespace: 'prod', labels: { app: 'client' }, nodeName: 'node-1', ip: '10.1.1.4', containerPorts: [] },
  { name: 'web', namespace: 'prod', labels: { app: 'web' }, nodeName: 'node-2', ip: '10.1.2.3', containerPorts: [{ name: 'http', containerPort: 80, protocol: 'TCP' }] },
  { name: 'tool', namespace: 'dev', labels: {}, nodeName: 'node-2', ip: '10.1.2.4', containerPorts: [] },
];

function clusterWith(policies: NetworkPolicy[]): Cluster {
  return {
    nodes: [{ name: 'node-1', id: 1 }, { name: 'node-2', id: 2 }],
    namespaces: [
      { name: 'default', labels: { 'kubernetes.io/metadata.name': 'default' } },
      { name: 'prod', labels: { 'kubernetes.io/metadata.name': 'prod', env: 'prod' } },
      { name: 'dev', labels: { 'kubernetes.io/metadata.name': 'dev', env: 'dev' } },
    ],
    pods: PODS,
    policies,
  };
}

const IPS = new Map(PODS.map((p) => [`${p.namespace}/${p.name}`, p.ip!]));

function end(ref: string): Connection['src'] {
  return /^\d/.test(ref) ? { ip: ref } : { pod: ref.includes('/') ? ref : `default/${ref}` };
}

function conn(src: string, dst: string, protocol: L4Protocol, port = 0): Connection {
  return { src: end(src), dst: end(dst), protocol, port };
}

let policyCount = 0;
/** A policy in `default` (unless given) with a fresh name. */
function np(spec: Omit<NetworkPolicy, 'name' | 'namespace'> & { namespace?: string }): NetworkPolicy {
  return { name: `np${policyCount++}`, namespace: 'default', ...spec };
}

const ALL: NetworkPolicy['podSelector'] = {};
const web = { matchLabels: { app: 'web' } };
const client = { matchLabels: { app: 'client' } };

interface Row {
  rule: string;
  policies: NetworkPolicy[];
  checks: [Connection, boolean][];
}

const ROWS: Row[] = [
  // Isolation, per direction
  { rule: 'no policy: everything is allowed', policies: [], checks: [[conn('client', 'web', 'TCP', 80), true], [conn('dev/tool', 'prod/web', 'UDP', 1), true], [conn('8.8.8.8', 'web', 'ICMP'), true]] },
  {
    rule: 'default-deny-ingress isolates every pod of its namespace for ingress only',
    policies: [np({ podSelector: ALL, policyTypes: ['Ingress'] })],
    checks: [
      [conn('client', 'web', 'TCP', 80), false],
      [conn('prod/client', 'db', 'TCP', 8080), false],
      [conn('web', 'prod/client', 'TCP', 80), true],
      [conn('web', '8.8.8.8', 'UDP', 53), true],
      [conn('prod/client', 'prod/web', 'TCP', 80), true],
    ],
  },
  {
    rule: 'default-deny-egress isolates every pod of its namespace for egress only',
    policies: [np({ podSelector: ALL, policyTypes: ['Egress'] })],
    checks: [
      [conn('web', 'prod/web', 'TCP', 80), false],
      [conn('web', '8.8.8.8', 'UDP', 53), false],
      [conn('prod/client', 'web', 'TCP', 80), true],
      [conn('8.8.8.8', 'web', 'TCP', 80), true],
    ],
  },
  {
    rule: 'a policy isolates only the pods its podSelector matches, and only in its own namespace',
    policies: [np({ podSelector: web, policyTypes: ['Ingress'] })],
    checks: [
      [conn('client', 'web', 'TCP', 80), false],
      [conn('client', 'db', 'TCP', 8080), true],
      [conn('client', 'prod/web', 'TCP', 80), true],
    ],
  },
  {
    rule: 'both sides must allow: source egress AND destination ingress',
    policies: [
      np({ podSelector: client, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: web }] }] }),
      np({ podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: web }] }] }),
    ],
    checks: [
      [conn('client', 'web', 'TCP', 80), true],
      [conn('client', 'db', 'TCP', 8080), false],
      [conn('web', 'db', 'TCP', 8080), true],
      [conn('prod/client', 'db', 'TCP', 8080), false],
    ],
  },
  // Union of policies
  {
    rule: 'policies selecting the same pod are additive (union of their rules)',
    policies: [
      np({ podSelector: web, ingress: [{ from: [{ podSelector: client }], ports: [{ port: 80 }] }] }),
      np({ podSelector: web, ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: 'prod' } } }] }] }),
      np({ podSelector: web, ingress: [{ from: [{ podSelector: client }], ports: [{ protocol: 'UDP', port: 53 }] }] }),
    ],
    checks: [
      [conn('client', 'web', 'TCP', 80), true],
      [conn('client', 'web', 'UDP', 53), true],
      [conn('client', 'web', 'TCP', 53), false],
      [conn('prod/client', 'web', 'TCP', 443), true],
      [conn('dev/tool', 'web', 'TCP', 80), false],
    ],
  },
  {
    rule: 'an allow-all-ingress policy wins over any other policy on the same pods',
    policies: [np({ podSelector: web, ingress: [{ from: [{ podSelector: client }], ports: [{ port: 80 }] }] }), np({ podSelector: ALL, ingress: [{}], policyTypes: ['Ingress'] })],
    checks: [
      [conn('dev/tool', 'web', 'TCP', 8443), true],
      [conn('8.8.8.8', 'web', 'ICMP'), true],
    ],
  },
  // Peers: AND within one peer, OR across peers
  {
    rule: 'namespaceSelector and podSelector in ONE peer: pods matching both (AND)',
    policies: [np({ podSelector: web, ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: 'prod' } }, podSelector: client }] }] })],
    checks: [
      [conn('prod/client', 'web', 'TCP', 80), true],
      [conn('prod/web', 'web', 'TCP', 80), false],
      [conn('client', 'web', 'TCP', 80), false],
      [conn('dev/tool', 'web', 'TCP', 80), false],
    ],
  },
  {
    rule: 'namespaceSelector and podSelector in TWO peers: either (OR); podSelector alone means the policy namespace',
    policies: [np({ podSelector: web, ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: 'prod' } } }, { podSelector: client }] }] })],
    checks: [
      [conn('prod/client', 'web', 'TCP', 80), true],
      [conn('prod/web', 'web', 'TCP', 80), true],
      [conn('client', 'web', 'TCP', 80), true],
      [conn('dev/tool', 'web', 'TCP', 80), false],
    ],
  },
  {
    rule: 'a podSelector peer alone selects pods of the policy namespace only',
    policies: [np({ podSelector: web, namespace: 'prod', ingress: [{ from: [{ podSelector: client }] }] })],
    checks: [
      [conn('prod/client', 'prod/web', 'TCP', 80), true],
      [conn('client', 'prod/web', 'TCP', 80), false],
    ],
  },
  {
    rule: 'namespaceSelector {} selects every namespace; with a podSelector, those pods in every namespace',
    policies: [np({ podSelector: web, ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 80 }] }, { from: [{ namespaceSelector: {}, podSelector: client }] }] })],
    checks: [
      [conn('dev/tool', 'web', 'TCP', 80), true],
      [conn('dev/tool', 'web', 'TCP', 81), false],
      [conn('prod/client', 'web', 'TCP', 81), true],
      [conn('8.8.8.8', 'web', 'TCP', 80), false],
    ],
  },
  {
    rule: 'namespaceSelector matchExpressions: NotIn matches namespaces without the key',
    policies: [np({ podSelector: web, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] } }] }] })],
    checks: [
      [conn('client', 'web', 'TCP', 80), true],
      [conn('dev/tool', 'web', 'TCP', 80), true],
      [conn('prod/client', 'web', 'TCP', 80), false],
    ],
  },
  {
    rule: 'podSelector matchExpressions In / DoesNotExist, ANDed with matchLabels, choose the isolated pods',
    policies: [
      np({ podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'db'] }] }, policyTypes: ['Ingress'] }),
      np({ podSelector: { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, namespace: 'dev', policyTypes: ['Ingress'] }),
      np({ podSelector: { matchLabels: { app: 'client' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, policyTypes: ['Ingress'] }),
    ],
    checks: [
      [conn('client', 'web', 'TCP', 80), false],
      [conn('client', 'db', 'TCP', 8080), false],
      [conn('web', 'client', 'TCP', 80), true],
      [conn('client', 'dev/tool', 'TCP', 80), false],
    ],
  },
  // ipBlock
  {
    rule: 'ipBlock: IPs in cidr and not in except',
    policies: [np({ podSelector: web, ingress: [{ from: [{ ipBlock: { cidr: '172.17.0.0/16', except: ['172.17.1.0/24'] } }] }] })],
    checks: [
      [conn('172.17.0.9', 'web', 'TCP', 80), true],
      [conn('172.17.2.9', 'web', 'TCP', 80), true],
      [conn('172.17.1.9', 'web', 'TCP', 80), false],
      [conn('172.18.0.1', 'web', 'TCP', 80), false],
    ],
  },
  {
    rule: 'ipBlock also matches pod IPs',
    policies: [np({ podSelector: web, ingress: [{ from: [{ ipBlock: { cidr: '10.1.2.0/24', except: ['10.1.2.4/32'] } }] }] })],
    checks: [
      [conn('client', 'web', 'TCP', 80), true],
      [conn('prod/web', 'web', 'TCP', 80), true],
      [conn('dev/tool', 'web', 'TCP', 80), false],
      [conn('prod/client', 'web', 'TCP', 80), false],
    ],
  },
  {
    rule: 'egress to an ipBlock on one port (the documentation example: 10.0.0.0/24 TCP 5978)',
    policies: [np({ podSelector: web, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }], ports: [{ protocol: 'TCP', port: 5978 }] }] })],
    checks: [
      [conn('web', '10.0.0.7', 'TCP', 5978), true],
      [conn('web', '10.0.0.7', 'TCP', 80), false],
      [conn('web', '10.0.1.7', 'TCP', 5978), false],
      [conn('web', '10.0.0.7', 'UDP', 5978), false],
    ],
  },
  // Ports: named ports resolve against the destination pod's container ports
  {
    rule: 'ingress named port: the container port of that name on the destination pod',
    policies: [np({ podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'db'] }] }, ingress: [{ ports: [{ port: 'http' }] }] })],
    checks: [
      [conn('client', 'web', 'TCP', 80), true],
      [conn('client', 'web', 'TCP', 8080), false],
      [conn('client', 'db', 'TCP', 8080), true],
      [conn('client', 'db', 'TCP', 80), false],
    ],
  },
  {
    rule: 'named port with protocol: name and protocol must both match the container port',
    policies: [np({ podSelector: web, ingress: [{ ports: [{ protocol: 'UDP', port: 'dns' }] }, { ports: [{ port: 'sig' }] }] })],
    checks: [
      [conn('client', 'web', 'UDP', 53), true],
      [conn('client', 'web', 'TCP', 53), false],
      [conn('client', 'web', 'SCTP', 9000), false],
      [conn('client', 'web', 'TCP', 9000), false],
    ],
  },
  {
    rule: 'egress named port: resolved against the destination (peer) pod; an IP has no named ports',
    policies: [np({ podSelector: client, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http' }] }] })],
    checks: [
      [conn('client', 'web', 'TCP', 80), true],
      [conn('client', 'db', 'TCP', 8080), true],
      [conn('client', 'db', 'TCP', 80), false],
      [conn('client', '8.8.8.8', 'TCP', 80), false],
    ],
  },
  {
    rule: 'endPort: the range port..endPort, both inclusive (the documentation example 32000-32768)',
    policies: [np({ podSelector: web, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }], ports: [{ protocol: 'TCP', port: 32000, endPort: 32768 }] }] })],
    checks: [
      [conn('web', '10.0.0.10', 'TCP', 31999), false],
      [conn('web', '10.0.0.10', 'TCP', 32000), true],
      [conn('web', '10.0.0.10', 'TCP', 32500), true],
      [conn('web', '10.0.0.10', 'TCP', 32768), true],
      [conn('web', '10.0.0.10', 'TCP', 32769), false],
      [conn('web', '10.0.0.10', 'UDP', 32000), false],
    ],
  },
  {
    rule: 'a port entry without port: every port of that protocol (protocol defaults to TCP)',
    policies: [np({ podSelector: web, ingress: [{ ports: [{ protocol: 'UDP' }] }, { ports: [{}] }] })],
    checks: [
      [conn('client', 'web', 'UDP', 1), true],
      [conn('client', 'web', 'TCP', 65535), true],
      [conn('client', 'web', 'SCTP', 9000), false],
      [conn('client', 'web', 'ICMP'), false],
    ],
  },
  // Default policyTypes
  {
    rule: 'policyTypes absent, only ingress rules: Ingress only, egress not isolated',
    policies: [np({ podSelector: web, ingress: [{ from: [{ podSelector: client }] }] })],
    checks: [
      [conn('web', 'prod/web', 'TCP', 80), true],
      [conn('client', 'web', 'TCP', 80), true],
      [conn('db', 'web', 'TCP', 80), false],
    ],
  },
  {
    rule: 'policyTypes absent with egress rules: Ingress and Egress (egress-only-by-rules)',
    policies: [np({ podSelector: web, egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }] }] })],
    checks: [
      [conn('web', 'db', 'TCP', 8080), true],
      [conn('web', 'prod/web', 'TCP', 80), false],
      [conn('client', 'web', 'TCP', 80), false],
    ],
  },
  {
    rule: 'policyTypes [] is read like absent',
    policies: [np({ podSelector: web, policyTypes: [], egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }] }] })],
    checks: [
      [conn('web', 'prod/web', 'TCP', 80), false],
      [conn('client', 'web', 'TCP', 80), false],
    ],
  },
  {
    rule: 'egress: [] with policyTypes absent gives no Egress type',
    policies: [np({ podSelector: web, egress: [] })],
    checks: [
      [conn('web', 'prod/web', 'TCP', 80), true],
      [conn('client', 'web', 'TCP', 80), false],
    ],
  },
  {
    rule: 'rules of a direction not in policyTypes are ignored, and do not isolate',
    policies: [np({ podSelector: web, policyTypes: ['Egress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'nobody' } } }] }], egress: [{}] })],
    checks: [
      [conn('client', 'web', 'TCP', 80), true],
      [conn('web', 'client', 'TCP', 80), true],
    ],
  },
  {
    rule: 'policyTypes [Ingress] ignores egress rules',
    policies: [np({ podSelector: web, policyTypes: ['Ingress'], ingress: [{}], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] })],
    checks: [[conn('web', '8.8.8.8', 'UDP', 53), true]],
  },
  // Empty vs absent from/to and ports, deny-all
  {
    rule: 'ingress [{}], [{from: []}] and [{ports: []}] allow everything, ICMP and IPs included',
    policies: [np({ podSelector: web, ingress: [{}] }), np({ podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [] }] }), np({ podSelector: client, ingress: [{ ports: [] }] })],
    checks: [
      [conn('8.8.8.8', 'web', 'ICMP'), true],
      [conn('dev/tool', 'db', 'SCTP', 7), true],
      [conn('prod/client', 'client', 'UDP', 9), true],
    ],
  },
  {
    rule: 'from [] with ports: every peer on those ports only',
    policies: [np({ podSelector: web, ingress: [{ from: [], ports: [{ port: 80 }] }] })],
    checks: [
      [conn('8.8.8.8', 'web', 'TCP', 80), true],
      [conn('dev/tool', 'web', 'TCP', 80), true],
      [conn('dev/tool', 'web', 'TCP', 81), false],
    ],
  },
  {
    rule: 'ingress: [] (and absent) with the Ingress type denies all ingress',
    policies: [np({ podSelector: web, ingress: [] }), np({ podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] })],
    checks: [
      [conn('client', 'web', 'TCP', 80), false],
      [conn('client', 'db', 'TCP', 8080), false],
    ],
  },
  {
    rule: 'default-deny-all: no connection in or out of the namespace, but a pod can always reach itself',
    policies: [np({ podSelector: ALL, policyTypes: ['Ingress', 'Egress'] })],
    checks: [
      [conn('client', 'web', 'TCP', 80), false],
      [conn('web', 'client', 'ICMP'), false],
      [conn('prod/client', 'web', 'UDP', 53), false],
      [conn('web', 'prod/client', 'TCP', 80), false],
      [conn('web', '8.8.8.8', 'UDP', 53), false],
      [conn('web', 'web', 'TCP', 80), true],
      [conn('prod/client', 'dev/tool', 'TCP', 80), true],
    ],
  },
  // Protocols
  {
    rule: 'SCTP is its own protocol: a TCP rule does not match SCTP, nor the reverse',
    policies: [np({ podSelector: web, ingress: [{ ports: [{ protocol: 'SCTP', port: 9000 }] }, { ports: [{ port: 8443 }] }] })],
    checks: [
      [conn('client', 'web', 'SCTP', 9000), true],
      [conn('client', 'web', 'TCP', 9000), false],
      [conn('client', 'web', 'SCTP', 8443), false],
      [conn('client', 'web', 'TCP', 8443), true],
    ],
  },
  {
    rule: 'ICMP: allowed only by rules without ports',
    policies: [np({ podSelector: web, ingress: [{ from: [{ podSelector: client }] }, { ports: [{ protocol: 'TCP' }, { protocol: 'UDP' }, { protocol: 'SCTP' }] }] })],
    checks: [
      [conn('client', 'web', 'ICMP'), true],
      [conn('prod/client', 'web', 'ICMP'), false],
      [conn('prod/client', 'web', 'UDP', 1), true],
    ],
  },
  // Connections with IPs
  {
    rule: 'external IPs meet only the pod side; IP to IP is outside NetworkPolicy',
    policies: [np({ podSelector: ALL, policyTypes: ['Ingress', 'Egress'] })],
    checks: [
      [conn('8.8.8.8', '10.0.0.1', 'TCP', 80), true],
      [conn('8.8.8.8', 'prod/web', 'TCP', 80), true],
      [conn('prod/web', '8.8.8.8', 'TCP', 80), true],
      [conn('8.8.8.8', 'web', 'TCP', 80), false],
    ],
  },
];

describe('upstream semantics, rule by rule (Kubernetes NetworkPolicy documentation)', () => {
  for (const row of ROWS) {
    test(row.rule, () => {
      const cluster = clusterWith(row.policies);
      const got = row.checks.map(([c]) => allowed(cluster, c, IPS));
      const want = row.checks.map(([, w]) => w);
      expect(row.checks.map(([c], i) => `${JSON.stringify(c)} → ${got[i]}`)).toEqual(row.checks.map(([c], i) => `${JSON.stringify(c)} → ${want[i]}`));
    });
  }

  test('isolated() per direction follows the effective policyTypes', () => {
    const cluster = clusterWith([np({ podSelector: web, egress: [{}] }), np({ podSelector: client, policyTypes: ['Egress'] })]);
    const pod = (ns: string, name: string) => PODS.find((p) => p.namespace === ns && p.name === name)!;
    expect([isolated(cluster, pod('default', 'web'), 'Ingress'), isolated(cluster, pod('default', 'web'), 'Egress')]).toEqual([true, true]);
    expect([isolated(cluster, pod('default', 'client'), 'Ingress'), isolated(cluster, pod('default', 'client'), 'Egress')]).toEqual([false, true]);
    expect([isolated(cluster, pod('prod', 'web'), 'Ingress'), isolated(cluster, pod('prod', 'web'), 'Egress')]).toEqual([false, false]);
    expect(effectivePolicyTypes({ name: 'x', namespace: 'd', podSelector: {}, egress: [{}] })).toEqual(['Ingress', 'Egress']);
    expect(effectivePolicyTypes({ name: 'x', namespace: 'd', podSelector: {}, egress: [] })).toEqual(['Ingress']);
    expect(effectivePolicyTypes({ name: 'x', namespace: 'd', podSelector: {}, policyTypes: ['Egress'] })).toEqual(['Egress']);
  });

  test('label selectors: matchLabels and every operator, ANDed; {} matches everything', () => {
    const labels = { app: 'web', tier: 'a' };
    expect(selectorMatches({}, {})).toBe(true);
    expect(selectorMatches({ matchLabels: { app: 'web' } }, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { app: 'web', tier: 'b' } }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['a'] }] }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, labels)).toBe(false);
    expect(selectorMatches({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, labels)).toBe(false);
    // a label key that is an Object prototype name is no label
    expect(selectorMatches({ matchExpressions: [{ key: 'constructor', operator: 'Exists' }] }, labels)).toBe(false);
  });

  test('podIps decides a pod IP for ipBlocks (falling back to pod.ip); a pod without any IP matches no ipBlock', () => {
    const cluster = clusterWith([np({ podSelector: web, ingress: [{ from: [{ ipBlock: { cidr: '10.9.0.0/16' } }] }] })]);
    expect(allowed(cluster, conn('client', 'web', 'TCP', 80), new Map([['default/client', '10.9.0.5']]))).toBe(true);
    expect(allowed(cluster, conn('client', 'web', 'TCP', 80), new Map())).toBe(false);
    const noIp: Cluster = { ...cluster, pods: cluster.pods.map((p) => ({ ...p, ip: undefined })) };
    expect(allowed(noIp, conn('client', 'web', 'TCP', 80), new Map())).toBe(false);
  });

  test('traffic between a pod and its own node is allowed when node IPs are given', () => {
    const cluster = clusterWith([np({ podSelector: ALL, policyTypes: ['Ingress', 'Egress'] })]);
    const nodeIps = new Map([
      ['node-1', '192.168.16.1'],
      ['node-2', '192.168.16.2'],
    ]);
    expect(allowed(cluster, conn('192.168.16.1', 'web', 'TCP', 80), IPS, { nodeIps })).toBe(true);
    expect(allowed(cluster, conn('web', '192.168.16.1', 'TCP', 10250), IPS, { nodeIps })).toBe(true);
    expect(allowed(cluster, conn('192.168.16.2', 'web', 'TCP', 80), IPS, { nodeIps })).toBe(false);
    expect(allowed(cluster, conn('192.168.16.1', 'web', 'TCP', 80), IPS)).toBe(false);
  });

  test('explainAllowed names the policy and rule that allowed each side, or the policies that isolate', () => {
    const a = np({ podSelector: web, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'db' } } }] }, { from: [{ podSelector: client }], ports: [{ port: 80 }] }] });
    const cluster = clusterWith([a]);
    const ok = explainAllowed(cluster, conn('client', 'web', 'TCP', 80), IPS);
    expect(ok).toEqual({ allowed: true, egress: { allowed: true, why: 'not-isolated' }, ingress: { allowed: true, why: 'rule', policy: `default/${a.name}`, rule: 1 } });
    expect(formatVerdict(ok)).toBe(`allowed: egress not isolated; ingress by default/${a.name} rule 1`);
    const no = explainAllowed(cluster, conn('client', 'web', 'TCP', 81), IPS);
    expect(no.ingress).toEqual({ allowed: false, why: 'no-rule-matches', policies: [`default/${a.name}`] });
    expect(formatVerdict(no)).toBe(`denied: egress not isolated; ingress denied (isolated by default/${a.name}, no rule matches)`);
    expect(formatVerdict(explainAllowed(cluster, conn('web', 'web', 'TCP', 81), IPS))).toBe('allowed: a pod cannot block access to itself');
    expect(() => allowed(cluster, conn('nobody', 'web', 'TCP', 80), IPS)).toThrow('connection names pod "default/nobody", which is not in the cluster');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Properties, each checked against the oracle and against a mutant that it must catch.

type Oracle = (cluster: Cluster, conn: Connection, podIps: ReadonlyMap<string, string>) => boolean;

const scenarioArb = fc.record({ cluster: clusterArb(), specs: fc.array(connectionSpecArb, { minLength: 1, maxLength: 8 }) });

function podOf(cluster: Cluster, end: Connection['src']): ClusterPod | undefined {
  return 'pod' in end ? cluster.pods.find((p) => `${p.namespace}/${p.name}` === end.pod) : undefined;
}

/** Shuffling policies, pods and namespaces never changes a verdict ("order of evaluation does not affect the policy result"). */
function orderIndependence(oracle: Oracle) {
  const arb = scenarioArb.chain(({ cluster, specs }) =>
    fc.record({
      cluster: fc.constant(cluster),
      specs: fc.constant(specs),
      policies: fc.shuffledSubarray(cluster.policies, { minLength: cluster.policies.length }),
      pods: fc.shuffledSubarray(cluster.pods, { minLength: cluster.pods.length }),
      namespaces: fc.shuffledSubarray(cluster.namespaces, { minLength: cluster.namespaces.length }),
    }),
  );
  return fc.property(arb, ({ cluster, specs, policies, pods, namespaces }) => {
    const shuffled: Cluster = { ...cluster, policies, pods, namespaces };
    const ips = podIpMap(cluster);
    return specs.every((s) => {
      const c = resolveConnection(cluster, s);
      return oracle(cluster, c, ips) === oracle(shuffled, c, ips);
    });
  });
}

/** Only isolation can deny: when neither side is isolated in its direction, the connection is allowed. */
function onlyIsolationDenies(oracle: Oracle) {
  return fc.property(scenarioArb, ({ cluster, specs }) => {
    const ips = podIpMap(cluster);
    return specs.every((s) => {
      const c = resolveConnection(cluster, s);
      const src = podOf(cluster, c.src);
      const dst = podOf(cluster, c.dst);
      const open = (!src || !isolated(cluster, src, 'Egress')) && (!dst || !isolated(cluster, dst, 'Ingress'));
      return !open || oracle(cluster, c, ips);
    });
  });
}

/** Policies are additive: a new policy removes a connection only by newly isolating one of its sides. */
function additivity(oracle: Oracle) {
  // half of the time the new policy selects exactly the pods (and directions) of an existing one: a pure union
  const arb = fc.record({ cluster: clusterArb(), specs: fc.array(connectionSpecArb, { minLength: 1, maxLength: 8 }), extra: policyBodyArb, index: fc.nat(), reuse: fc.boolean() });
  return fc.property(arb, ({ cluster, specs, extra, index, reuse }) => {
    const base = reuse ? cluster.policies[index % Math.max(1, cluster.policies.length)] : undefined;
    const policy: NetworkPolicy = base
      ? { ...extra, name: 'extra', namespace: base.namespace, podSelector: base.podSelector, policyTypes: effectivePolicyTypes(base) }
      : { ...extra, name: 'extra', namespace: cluster.namespaces[index % cluster.namespaces.length]!.name };
    const added: Cluster = { ...cluster, policies: [...cluster.policies, policy] };
    const ips = podIpMap(cluster);
    return specs.every((s) => {
      const c = resolveConnection(cluster, s);
      if (!oracle(cluster, c, ips) || oracle(added, c, ips)) return true;
      const src = podOf(cluster, c.src);
      const dst = podOf(cluster, c.dst);
      const newly = (pod: ClusterPod | undefined, d: 'Ingress' | 'Egress') => pod !== undefined && !isolated(cluster, pod, d) && isolated(added, pod, d);
      return newly(src, 'Egress') || newly(dst, 'Ingress');
    });
  });
}

/** Allow-all ingress and egress policies in every namespace allow every connection, whatever else is there. */
function allowAllDominates(oracle: Oracle) {
  return fc.property(scenarioArb, ({ cluster, specs }) => {
    const open: Cluster = {
      ...cluster,
      policies: [
        ...cluster.policies,
        ...cluster.namespaces.flatMap((ns): NetworkPolicy[] => [
          { name: 'allow-all-ingress', namespace: ns.name, podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] },
          { name: 'allow-all-egress', namespace: ns.name, podSelector: {}, policyTypes: ['Egress'], egress: [{}] },
        ]),
      ],
    };
    const ips = podIpMap(cluster);
    return specs.every((s) => oracle(open, resolveConnection(cluster, s), ips));
  });
}

/** Splitting a policy into an Ingress-only and an Egress-only policy (by its effective policyTypes) changes nothing. */
function splitByDirection(oracle: Oracle) {
  return fc.property(scenarioArb, ({ cluster, specs }) => {
    const split: Cluster = {
      ...cluster,
      policies: cluster.policies.flatMap((p): NetworkPolicy[] => {
        const types = effectivePolicyTypes(p);
        const out: NetworkPolicy[] = [];
        if (types.includes('Ingress')) out.push({ name: `${p.name}-in`, namespace: p.namespace, podSelector: p.podSelector, policyTypes: ['Ingress'], ingress: p.ingress ?? [] });
        if (types.includes('Egress')) out.push({ name: `${p.name}-out`, namespace: p.namespace, podSelector: p.podSelector, policyTypes: ['Egress'], egress: p.egress ?? [] });
        return out;
      }),
    };
    const ips = podIpMap(cluster);
    return specs.every((s) => {
      const c = resolveConnection(cluster, s);
      return oracle(cluster, c, ips) === oracle(split, c, ips);
    });
  });
}

// Mutants: the oracle, broken in one way a real implementation could be.
const MUTANTS: Record<string, Oracle> = {
  /** only the first policy of the list counts */
  firstPolicyOnly: (cluster, c, ips) => allowed({ ...cluster, policies: cluster.policies.slice(0, 1) }, c, ips),
  /** a policy also selects pods of other namespaces */
  policyNamespaceIgnored: (cluster, c, ips) => allowed({ ...cluster, policies: cluster.policies.flatMap((p) => cluster.namespaces.map((ns) => ({ ...p, name: `${p.name}@${ns.name}`, namespace: ns.name }))) }, c, ips),
  /** a side must be allowed by every applying policy (intersection instead of union) */
  intersection: (cluster, c, ips) => cluster.policies.every((p) => allowed({ ...cluster, policies: [p] }, c, ips)),
  /** absent from/to read as "pods of the policy namespace" instead of "everyone" */
  absentPeersMeanOwnNamespace: (cluster, c, ips) =>
    allowed(
      {
        ...cluster,
        policies: cluster.policies.map((p) => ({
          ...p,
          ...(p.ingress && { ingress: p.ingress.map((r) => (r.from === undefined ? { ...r, from: [{ podSelector: {} }] } : r)) }),
          ...(p.egress && { egress: p.egress.map((r) => (r.to === undefined ? { ...r, to: [{ podSelector: {} }] } : r)) }),
        })),
      },
      c,
      ips,
    ),
  /** Contiv's D5: policyTypes missing → Ingress only, egress rules ignored */
  missingPolicyTypesIngressOnly: (cluster, c, ips) => allowed({ ...cluster, policies: cluster.policies.map((p) => (p.policyTypes?.length ? p : { ...p, policyTypes: ['Ingress'] })) }, c, ips),
};

/** A claim runs its property against any oracle with the pinned seed. */
function claim<T>(text: string, property: (oracle: Oracle) => fc.IProperty<[T]>, mutant: keyof typeof MUTANTS) {
  const run = (oracle: Oracle): { failed: boolean; report: string } => {
    const details = fc.check(property(oracle), { seed: SEED, numRuns: RUNS });
    return { failed: details.failed, report: fc.defaultReportMessage(details) ?? '' };
  };
  return { text, mutant, run };
}

const CLAIMS = [
  claim('order of policies, pods and namespaces never changes a verdict', orderIndependence, 'firstPolicyOnly'),
  claim('a connection whose sides are not isolated in their directions is allowed', onlyIsolationDenies, 'policyNamespaceIgnored'),
  claim('adding a policy removes a connection only by newly isolating one of its sides', additivity, 'intersection'),
  claim('allow-all ingress and egress in every namespace allow every connection', allowAllDominates, 'absentPeersMeanOwnNamespace'),
  claim('splitting policies by direction never changes a verdict', splitByDirection, 'missingPolicyTypesIngressOnly'),
];

describe('upstream properties (seeded), each catching its mutant', () => {
  for (const { text, mutant, run } of CLAIMS) {
    test(`${text} (seed ${SEED})`, () => {
      const { failed, report } = run(allowed);
      expect(failed, report).toBe(false);
    });
    test(`${text}: fails for the mutant "${mutant}"`, () => {
      expect(run(MUTANTS[mutant]!).failed, `mutant ${mutant} survived (seed ${SEED})`).toBe(true);
    });
  }
});
