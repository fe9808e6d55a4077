// parseClusterYaml / clusterToYaml: real Kubernetes YAML in, the Cluster model out and back; every error names the
// file, the 0-based document (and List item), the object and the field path.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import type { Cluster } from '../../src/policy/types.ts';
import { clusterToYaml, parseClusterYaml, PolicyInputError, policiesToYaml, readClusterFile } from '../../src/policy/yaml.ts';
import { clusterArb } from './arbitraries.ts';

const SEED = 4242;
const EXAMPLES = resolve(import.meta.dirname, '..', '..', 'examples', 'policies');

/** The PolicyInputError message for this input (fails the test when it parses). */
function errorOf(text: string, source = 'cluster.yaml'): string {
  try {
    parseClusterYaml(text, source);
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyInputError);
    return (e as Error).message;
  }
  throw new Error('expected a PolicyInputError');
}

/** Three documents before the object under test, so it is document 3 as in the message of the brief. */
const PREAMBLE = `apiVersion: v1
kind: Namespace
metadata: {name: default}
---
apiVersion: v1
kind: Node
metadata: {name: node-1}
---
apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec: {nodeName: node-1}
---
`;

function policyDoc(spec: string, name = 'web'): string {
  return `${PREAMBLE}apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: ${name}
  namespace: default
spec:
${spec
  .split('\n')
  .map((l) => `  ${l}`)
  .join('\n')}
`;
}

describe('parseClusterYaml reads Kubernetes objects', () => {
  test('a multi-document file gives namespaces, nodes, pods and every NetworkPolicy field, absent and empty kept apart', () => {
    // Arrange
    const text = `# comment-only and empty documents are skipped
---
apiVersion: v1
kind: Namespace
metadata:
  name: prod
  labels: {project: myproject}
---
apiVersion: v1
kind: Node
metadata:
  name: node-1
  annotations: {podflow.io/node-id: "7", other: x}
  labels: {kubernetes.io/hostname: node-1}
status: {addresses: [{type: InternalIP, address: 192.168.16.1}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: prod, labels: {role: db}, uid: 1234}
spec:
  nodeName: node-1
  restartPolicy: Always
  containers:
  - name: redis
    image: redis:7
    ports:
    - {name: redis, containerPort: 6379}
    - {containerPort: 53, protocol: UDP, hostPort: 5353}
  - name: sidecar
    image: busybox
    ports:
    - {name: sig, containerPort: 9000, protocol: SCTP}
status: {phase: Running, podIP: 10.1.7.2, podIPs: [{ip: 10.1.7.2}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: all-fields, namespace: prod}
spec:
  podSelector:
    matchLabels: {role: db}
    matchExpressions:
    - {key: tier, operator: In, values: [a, b]}
    - {key: tier, operator: NotIn, values: [c]}
    - {key: role, operator: Exists}
    - {key: legacy, operator: DoesNotExist, values: []}
  policyTypes: [Ingress, Egress]
  ingress:
  - from:
    - ipBlock: {cidr: 172.17.0.0/16, except: [172.17.1.0/24]}
    - namespaceSelector: {matchLabels: {project: myproject}}
    - podSelector: {matchLabels: {role: frontend}}
    - namespaceSelector: {}
      podSelector: {matchLabels: {role: client}}
    ports:
    - {protocol: TCP, port: 6379}
    - {port: redis}
    - {protocol: SCTP, port: sig}
    - {protocol: UDP}
  - {}
  - {from: [], ports: []}
  egress:
  - to: [{ipBlock: {cidr: 10.0.0.0/24}}]
    ports: [{protocol: TCP, port: 32000, endPort: 32768}]
  - ports: [{port: 53, protocol: UDP}]
---
`;
    // Act
    const cluster = parseClusterYaml(text, 'cluster.yaml');
    // Assert
    expect(cluster).toEqual({
      namespaces: [{ name: 'prod', labels: { project: 'myproject', 'kubernetes.io/metadata.name': 'prod' } }],
      nodes: [{ name: 'node-1', id: 7 }],
      pods: [
        {
          name: 'db',
          namespace: 'prod',
          labels: { role: 'db' },
          nodeName: 'node-1',
          ip: '10.1.7.2',
          containerPorts: [
            { name: 'redis', containerPort: 6379, protocol: 'TCP' },
            { containerPort: 53, protocol: 'UDP' },
            { name: 'sig', containerPort: 9000, protocol: 'SCTP' },
          ],
        },
      ],
      policies: [
        {
          name: 'all-fields',
          namespace: 'prod',
          podSelector: {
            matchLabels: { role: 'db' },
            matchExpressions: [
              { key: 'tier', operator: 'In', values: ['a', 'b'] },
              { key: 'tier', operator: 'NotIn', values: ['c'] },
              { key: 'role', operator: 'Exists' },
              { key: 'legacy', operator: 'DoesNotExist', values: [] },
            ],
          },
          policyTypes: ['Ingress', 'Egress'],
          ingress: [
            {
              from: [
                { ipBlock: { cidr: '172.17.0.0/16', except: ['172.17.1.0/24'] } },
                { namespaceSelector: { matchLabels: { project: 'myproject' } } },
                { podSelector: { matchLabels: { role: 'frontend' } } },
                { namespaceSelector: {}, podSelector: { matchLabels: { role: 'client' } } },
              ],
              ports: [{ protocol: 'TCP', port: 6379 }, { port: 'redis' }, { protocol: 'SCTP', port: 'sig' }, { protocol: 'UDP' }],
            },
            {},
            { from: [], ports: [] },
          ],
          egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }], ports: [{ protocol: 'TCP', port: 32000, endPort: 32768 }] }, { ports: [{ port: 53, protocol: 'UDP' }] }],
        },
      ],
    } satisfies Cluster);
    // absent stays absent (not undefined-valued keys that only toEqual would forgive)
    expect(Object.keys(cluster.policies[0]!.ingress![1]!)).toEqual([]);
    expect('ip' in cluster.pods[0]!.containerPorts[1]!).toBe(false);
    expect('name' in cluster.pods[0]!.containerPorts[1]!).toBe(false);
  });

  test('a List, a PodList whose items omit kind and apiVersion, and a NetworkPolicyList read like separate documents', () => {
    const text = `apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Namespace, metadata: {name: a}}
- {apiVersion: v1, kind: Pod, metadata: {name: p1, namespace: a}, spec: {nodeName: n1}}
---
apiVersion: v1
kind: PodList
metadata: {resourceVersion: "1"}
items:
- {metadata: {name: p2}, spec: {nodeName: n2}}
- {metadata: {name: p3, namespace: a}, spec: {nodeName: n1}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicyList
items:
- {metadata: {name: deny, namespace: a}, spec: {podSelector: {}}}
---
apiVersion: v1
kind: List
items: []
`;
    const cluster = parseClusterYaml(text, 'list.yaml');
    expect(cluster.pods.map((p) => `${p.namespace}/${p.name}@${p.nodeName}`)).toEqual(['a/p1@n1', 'default/p2@n2', 'a/p3@n1']);
    expect(cluster.policies).toEqual([{ name: 'deny', namespace: 'a', podSelector: {} }]);
    expect(cluster.nodes).toEqual([{ name: 'n1' }, { name: 'n2' }]);
  });

  test('namespace defaults to "default"; undeclared namespaces and nodes are created in order of first mention; a later declaration fills in labels', () => {
    const text = `apiVersion: v1
kind: Pod
metadata: {name: p1, namespace: team-b}
spec: {nodeName: node-2}
---
apiVersion: v1
kind: Pod
metadata: {name: p2}
spec: {nodeName: node-1}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, namespace: team-c}
spec: {podSelector: {}}
---
apiVersion: v1
kind: Namespace
metadata: {name: team-b, labels: {team: b}}
---
apiVersion: v1
kind: Node
metadata: {name: node-1, annotations: {podflow.io/node-id: "1"}}
---
apiVersion: v1
kind: Node
metadata: {name: node-3}
`;
    const cluster = parseClusterYaml(text, 'short.yaml');
    expect(cluster.namespaces).toEqual([
      { name: 'team-b', labels: { team: 'b', 'kubernetes.io/metadata.name': 'team-b' } },
      { name: 'default', labels: { 'kubernetes.io/metadata.name': 'default' } },
      { name: 'team-c', labels: { 'kubernetes.io/metadata.name': 'team-c' } },
    ]);
    expect(cluster.nodes).toEqual([{ name: 'node-2' }, { name: 'node-1', id: 1 }, { name: 'node-3' }]);
    expect(cluster.pods[1]!.namespace).toBe('default');
  });

  test('an empty file, empty documents and `field: null` (read as absent, like Go) are accepted', () => {
    expect(parseClusterYaml('', 'e.yaml')).toEqual({ nodes: [], namespaces: [], pods: [], policies: [] });
    expect(parseClusterYaml('---\n---\n# nothing\n', 'e.yaml')).toEqual({ nodes: [], namespaces: [], pods: [], policies: [] });
    const cluster = parseClusterYaml(
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, labels: null}
spec:
  podSelector:
  ingress:
  - from:
    ports:
`,
      'n.yaml',
    );
    expect(cluster.policies).toEqual([{ name: 'np', namespace: 'default', podSelector: {}, ingress: [{}] }]);
  });

  test('a NetworkPolicy without spec is the API default: empty podSelector, no rules', () => {
    const cluster = parseClusterYaml('apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: bare}\n', 'b.yaml');
    expect(cluster.policies).toEqual([{ name: 'bare', namespace: 'default', podSelector: {} }]);
  });

  test('scalars read as kubectl reads them (YAML 1.1): quoted "yes" is a string, dates and 1:20 stay strings', () => {
    const cluster = parseClusterYaml(
      `apiVersion: v1
kind: Pod
metadata: {name: p, labels: {a: "yes", b: "on", c: 2020-01-01, e: "007", f: ""}, annotations: {t: 1:20}}
spec: {nodeName: node-a}
`,
      'q.yaml',
    );
    expect(cluster.pods[0]!.labels).toEqual({ a: 'yes', b: 'on', c: '2020-01-01', e: '007', f: '' });
  });

  test('the same pod name in two namespaces is no duplicate', () => {
    const cluster = parseClusterYaml(
      `apiVersion: v1
kind: Pod
metadata: {name: p, namespace: a}
spec: {nodeName: node-a}
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: b}
spec: {nodeName: node-a}
`,
      'ns.yaml',
    );
    expect(cluster.pods).toHaveLength(2);
  });
});

describe('errors name the file, the document, the object and the field', () => {
  const F = 'cluster.yaml: document 3 (NetworkPolicy default/web)';
  const cases: [string, string, string][] = [
    ['port 0 is out of range', policyDoc('ingress:\n- ports: [{port: 80}, {port: 0}]'), `${F}: spec.ingress[0].ports[1].port: expected an integer 1-65535 or a port name`],
    ['port 65536 is out of range', policyDoc('egress:\n- ports: [{port: 65536}]'), `${F}: spec.egress[0].ports[0].port: expected an integer 1-65535 or a port name`],
    ['a fractional port', policyDoc('egress:\n- ports: [{port: 80.5}]'), `${F}: spec.egress[0].ports[0].port: expected an integer 1-65535 or a port name`],
    ['a port that is a mapping', policyDoc('egress:\n- ports: [{port: {a: 1}}]'), `${F}: spec.egress[0].ports[0].port: expected an integer 1-65535 or a port name`],
    [
      'an upper-case port name',
      policyDoc('ingress:\n- ports: [{port: HTTP}]'),
      `${F}: spec.ingress[0].ports[0].port: expected an integer 1-65535 or a port name; "HTTP" is not a valid port name (IANA_SVC_NAME: 1-15 lowercase letters, digits and "-", at least one letter, no leading, trailing or double "-")`,
    ],
    [
      'a port name of 16 characters',
      policyDoc('ingress:\n- ports: [{port: abcdefghijklmnop}]'),
      `${F}: spec.ingress[0].ports[0].port: expected an integer 1-65535 or a port name; "abcdefghijklmnop" is not a valid port name (IANA_SVC_NAME: 1-15 lowercase letters, digits and "-", at least one letter, no leading, trailing or double "-")`,
    ],
    [
      'a quoted number is a port name without a letter',
      policyDoc('ingress:\n- ports: [{port: "8080"}]'),
      `${F}: spec.ingress[0].ports[0].port: expected an integer 1-65535 or a port name; "8080" is not a valid port name (IANA_SVC_NAME: 1-15 lowercase letters, digits and "-", at least one letter, no leading, trailing or double "-")`,
    ],
    [
      'a port name with a double hyphen',
      policyDoc('ingress:\n- ports: [{port: a--b}]'),
      `${F}: spec.ingress[0].ports[0].port: expected an integer 1-65535 or a port name; "a--b" is not a valid port name (IANA_SVC_NAME: 1-15 lowercase letters, digits and "-", at least one letter, no leading, trailing or double "-")`,
    ],
    ['endPort with a named port', policyDoc('ingress:\n- ports: [{port: http, endPort: 90}]'), `${F}: spec.ingress[0].ports[0].endPort: may only be set together with a numeric port, not the port name "http"`],
    ['endPort without port', policyDoc('ingress:\n- ports: [{endPort: 90}]'), `${F}: spec.ingress[0].ports[0].endPort: may only be set together with a numeric port`],
    ['endPort below port', policyDoc('egress:\n- ports: [{port: 32000, endPort: 31999}]'), `${F}: spec.egress[0].ports[0].endPort: must be greater than or equal to port (32000)`],
    ['endPort out of range', policyDoc('egress:\n- ports: [{port: 32000, endPort: 70000}]'), `${F}: spec.egress[0].ports[0].endPort: expected an integer 1-65535`],
    ['a lower-case protocol', policyDoc('ingress:\n- ports: [{protocol: tcp, port: 80}]'), `${F}: spec.ingress[0].ports[0].protocol: expected one of "TCP", "UDP", "SCTP", got the string "tcp"`],
    ['ICMP is no NetworkPolicy protocol', policyDoc('ingress:\n- ports: [{protocol: ICMP}]'), `${F}: spec.ingress[0].ports[0].protocol: expected one of "TCP", "UDP", "SCTP", got the string "ICMP"`],
    ['In without values', policyDoc('podSelector:\n  matchExpressions: [{key: app, operator: In}]'), `${F}: spec.podSelector.matchExpressions[0].values: must be a non-empty list when operator is In`],
    ['NotIn with empty values', policyDoc('ingress:\n- from:\n  - namespaceSelector:\n      matchExpressions: [{key: env, operator: NotIn, values: []}]'), `${F}: spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].values: must be a non-empty list when operator is NotIn`],
    ['Exists with values', policyDoc('podSelector:\n  matchExpressions: [{key: app, operator: Exists, values: [web]}]'), `${F}: spec.podSelector.matchExpressions[0].values: must be absent or empty when operator is Exists`],
    ['DoesNotExist with values', policyDoc('podSelector:\n  matchExpressions: [{key: app, operator: DoesNotExist, values: [web]}]'), `${F}: spec.podSelector.matchExpressions[0].values: must be absent or empty when operator is DoesNotExist`],
    ['an unknown operator', policyDoc('podSelector:\n  matchExpressions: [{key: app, operator: Equals, values: [web]}]'), `${F}: spec.podSelector.matchExpressions[0].operator: expected one of "In", "NotIn", "Exists", "DoesNotExist", got the string "Equals"`],
    ['an invalid cidr', policyDoc('ingress:\n- from: [{ipBlock: {cidr: 10.0.0.0/33}}]'), `${F}: spec.ingress[0].from[0].ipBlock.cidr: invalid CIDR "10.0.0.0/33": expected an IPv4 address, "/" and a prefix length 0-32`],
    ['a cidr without prefix length', policyDoc('ingress:\n- from: [{ipBlock: {cidr: 10.0.0.1}}]'), `${F}: spec.ingress[0].from[0].ipBlock.cidr: invalid CIDR "10.0.0.1": expected an IPv4 address, "/" and a prefix length 0-32`],
    ['an IPv6 cidr', policyDoc('ingress:\n- from: [{ipBlock: {cidr: "fd00::/8"}}]'), `${F}: spec.ingress[0].from[0].ipBlock.cidr: IPv6 CIDR "fd00::/8" is not supported (the Contiv-VPP data path under test is IPv4)`],
    ['an except outside the cidr', policyDoc('ingress:\n- from: [{ipBlock: {cidr: 172.17.0.0/16, except: [172.17.1.0/24, 172.18.0.0/24]}}]'), `${F}: spec.ingress[0].from[0].ipBlock.except[1]: "172.18.0.0/24" must be a strict subset of cidr "172.17.0.0/16"`],
    ['an except equal to the cidr', policyDoc('ingress:\n- from: [{ipBlock: {cidr: 172.17.0.0/16, except: [172.17.0.0/16]}}]'), `${F}: spec.ingress[0].from[0].ipBlock.except[0]: "172.17.0.0/16" must be a strict subset of cidr "172.17.0.0/16"`],
    ['an except wider than the cidr', policyDoc('ingress:\n- from: [{ipBlock: {cidr: 172.17.0.0/16, except: [172.0.0.0/8]}}]'), `${F}: spec.ingress[0].from[0].ipBlock.except[0]: "172.0.0.0/8" must be a strict subset of cidr "172.17.0.0/16"`],
    ['a peer with nothing in it', policyDoc('ingress:\n- from: [{}]'), `${F}: spec.ingress[0].from[0]: must specify podSelector, namespaceSelector or ipBlock`],
    ['ipBlock together with a selector', policyDoc('egress:\n- to: [{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]'), `${F}: spec.egress[0].to[0].ipBlock: may not be combined with podSelector or namespaceSelector in one peer`],
    [
      'an invalid label key in matchLabels',
      policyDoc('podSelector:\n  matchLabels: {"bad key": x}'),
      `${F}: spec.podSelector.matchLabels["bad key"]: invalid label key "bad key": must be an optional DNS subdomain prefix and "/", then a name of at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit`,
    ],
    [
      'an invalid label key prefix',
      policyDoc('podSelector:\n  matchLabels: {"Example.com/app": x}'),
      `${F}: spec.podSelector.matchLabels["Example.com/app"]: invalid label key "Example.com/app": must be an optional DNS subdomain prefix and "/", then a name of at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit`,
    ],
    [
      'an invalid label value in matchLabels',
      policyDoc('podSelector:\n  matchLabels: {app: "-web"}'),
      `${F}: spec.podSelector.matchLabels.app: invalid label value "-web": must be empty or at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit`,
    ],
    [
      'an invalid value in matchExpressions',
      policyDoc('podSelector:\n  matchExpressions: [{key: app, operator: In, values: [ok, "not ok"]}]'),
      `${F}: spec.podSelector.matchExpressions[0].values[1]: invalid label value "not ok": must be empty or at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit`,
    ],
    [
      'an unquoted yes as a label value',
      policyDoc('podSelector:\n  matchLabels: {enabled: yes}'),
      `${F}: spec.podSelector.matchLabels.enabled: expected a string, got the boolean true (quote it if you mean a string: YAML reads yes/no/on/off/true/false as booleans)`,
    ],
    ['a misspelt field inside the spec', policyDoc('ingress:\n- form: [{podSelector: {}}]'), `${F}: spec.ingress[0].form: unknown field (not part of the networking.k8s.io/v1 NetworkPolicy API)`],
    ['a from that is not a list', policyDoc('ingress:\n- from: {podSelector: {}}'), `${F}: spec.ingress[0].from: expected a list, got a mapping`],
    ['an unknown policy type', policyDoc('policyTypes: [Ingress, Outgress]'), `${F}: spec.policyTypes[1]: expected one of "Ingress", "Egress", got the string "Outgress"`],
    ['three policy types', policyDoc('policyTypes: [Ingress, Egress, Ingress]'), `${F}: spec.policyTypes: may not specify more than two policyTypes`],
    [
      'an invalid policy name',
      policyDoc('podSelector: {}', 'Web_1'),
      'cluster.yaml: document 3 (NetworkPolicy default/Web_1): metadata.name: invalid name "Web_1": must be an RFC 1123 subdomain (at most 253 lowercase letters, digits, "-" and ".", starting and ending with a letter or digit)',
    ],
  ];
  test.each(cases)('%s', (_name, text, message) => {
    expect(errorOf(text)).toBe(message);
  });

  test('a wrong or missing apiVersion, a missing kind and an unknown kind name the document', () => {
    expect(errorOf('apiVersion: extensions/v1beta1\nkind: NetworkPolicy\nmetadata: {name: old}\n')).toBe(
      'cluster.yaml: document 0 (NetworkPolicy default/old): apiVersion: expected "networking.k8s.io/v1" for NetworkPolicy, got the string "extensions/v1beta1"',
    );
    expect(errorOf('kind: Pod\nmetadata: {name: p}\nspec: {nodeName: node-a}\n')).toBe('cluster.yaml: document 0 (Pod default/p): apiVersion: required');
    expect(errorOf('---\napiVersion: v1\nmetadata: {name: p}\n')).toBe('cluster.yaml: document 0: kind: required');
    expect(errorOf(`${PREAMBLE}${PREAMBLE.replace(/default|node-1|web/g, 'other')}apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web, namespace: shop}\n`)).toBe(
      'cluster.yaml: document 6 (ConfigMap shop/web): kind: unsupported kind "ConfigMap" (podflow reads Namespace, Node, Pod, NetworkPolicy, Service, Endpoints and EndpointSlice, also as items of a List or <Kind>List)',
    );
  });

  test('List items are named by document and item index', () => {
    const text = `apiVersion: v1
kind: Namespace
metadata: {name: a}
---
apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Pod, metadata: {name: ok}, spec: {nodeName: node-a}}
- {apiVersion: v1, kind: ConfigMap, metadata: {name: cm}}
- {apiVersion: v1, kind: Pod, metadata: {name: bad}, spec: {}}
- {apiVersion: v1, kind: PodList, items: []}
- 42
`;
    expect(errorOf(text, 'list.yaml')).toBe(
      [
        'list.yaml: document 1 item 1 (ConfigMap cm): kind: unsupported kind "ConfigMap" (podflow reads Namespace, Node, Pod, NetworkPolicy, Service, Endpoints and EndpointSlice, also as items of a List or <Kind>List)',
        'list.yaml: document 1 item 2 (Pod default/bad): spec.nodeName: required',
        'list.yaml: document 1 item 3 (PodList): kind: a PodList cannot be nested inside a List',
        'list.yaml: document 1 item 4: expected a Kubernetes object (a mapping with apiVersion and kind), got the number 42',
      ].join('\n'),
    );
  });

  test('YAML syntax errors give line:column and the document', () => {
    expect(errorOf('apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\nkind: Pod\nmetadata: name: p\n')).toBe('cluster.yaml:6:11: document 1: YAML syntax error: Nested mappings are not allowed in compact mappings');
    expect(errorOf('a: "unterminated\n')).toBe('cluster.yaml:2:1: document 0: YAML syntax error: Missing closing "quote');
    expect(errorOf('apiVersion: v1\nkind: Pod\nkind: Pod\n')).toBe('cluster.yaml:3:1: document 0: YAML syntax error: Map keys must be unique');
  });

  test('a document that is not a mapping', () => {
    expect(errorOf('- a\n- b\n')).toBe('cluster.yaml: document 0: expected a Kubernetes object (a mapping with apiVersion and kind), got a list');
  });

  test('duplicate names of one kind in one namespace name both places, even when the first is invalid', () => {
    const text = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec: {}
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: default}
spec: {nodeName: node-a}
---
apiVersion: v1
kind: Namespace
metadata: {name: x}
---
apiVersion: v1
kind: Namespace
metadata: {name: x}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, namespace: x}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, namespace: x}
---
apiVersion: v1
kind: Node
metadata: {name: node-a}
---
apiVersion: v1
kind: Node
metadata: {name: node-a}
`;
    expect(errorOf(text)).toBe(
      [
        'cluster.yaml: document 0 (Pod default/p): spec.nodeName: required',
        'cluster.yaml: document 1 (Pod default/p): metadata.name: duplicate Pod default/p (first in document 0)',
        'cluster.yaml: document 3 (Namespace x): metadata.name: duplicate Namespace x (first in document 2)',
        'cluster.yaml: document 5 (NetworkPolicy x/np): metadata.name: duplicate NetworkPolicy x/np (first in document 4)',
        'cluster.yaml: document 7 (Node node-a): metadata.name: duplicate Node node-a (first in document 6)',
      ].join('\n'),
    );
  });

  test('pods: invalid labels, container ports and IPs, duplicate port names and pod IPs', () => {
    const text = `apiVersion: v1
kind: Pod
metadata: {name: a, labels: {app: [x]}}
spec:
  nodeName: node-a
  containers:
  - ports: [{name: http, containerPort: 80}, {containerPort: 0}, {name: Http, containerPort: 81}]
  - ports: [{name: http, containerPort: 8080, protocol: UDP}]
status: {podIP: 10.1.1.300}
---
apiVersion: v1
kind: Pod
metadata: {name: b}
spec: {nodeName: node-a}
status: {podIP: 10.1.1.2}
---
apiVersion: v1
kind: Pod
metadata: {name: c}
spec: {nodeName: node-a}
status: {podIP: 10.1.1.2}
`;
    expect(errorOf(text, 'pods.yaml')).toBe(
      [
        'pods.yaml: document 0 (Pod default/a): metadata.labels.app: expected a string, got a list',
        'pods.yaml: document 0 (Pod default/a): spec.containers[0].ports[1].containerPort: expected an integer 1-65535',
        'pods.yaml: document 0 (Pod default/a): spec.containers[0].ports[2].name: invalid port name "Http" (IANA_SVC_NAME: 1-15 lowercase letters, digits and "-", at least one letter, no leading, trailing or double "-")',
        'pods.yaml: document 0 (Pod default/a): spec.containers[1].ports[0].name: duplicate port name "http" (also spec.containers[0].ports[0].name)',
        'pods.yaml: document 0 (Pod default/a): status.podIP: invalid IPv4 address "10.1.1.300"',
        'pods.yaml: document 2 (Pod default/c): status.podIP: 10.1.1.2 is already the IP of pod default/b',
      ].join('\n'),
    );
  });

  test('nodes: the node-id annotation must be 1-255 and unique', () => {
    const text = `apiVersion: v1
kind: Node
metadata: {name: a, annotations: {podflow.io/node-id: "0"}}
---
apiVersion: v1
kind: Node
metadata: {name: b, annotations: {podflow.io/node-id: "3"}}
---
apiVersion: v1
kind: Node
metadata: {name: c, annotations: {podflow.io/node-id: "3"}}
---
apiVersion: v1
kind: Node
metadata: {name: d, annotations: {podflow.io/node-id: 4}}
`;
    expect(errorOf(text, 'nodes.yaml')).toBe(
      [
        'nodes.yaml: document 0 (Node a): metadata.annotations["podflow.io/node-id"]: expected a decimal integer 1-255 (the Contiv node ID), got "0"',
        'nodes.yaml: document 2 (Node c): metadata.annotations["podflow.io/node-id"]: node ID 3 is already used by node b',
        'nodes.yaml: document 3 (Node d): metadata.annotations["podflow.io/node-id"]: expected a string, got the number 4',
      ].join('\n'),
    );
  });

  test('namespaces: RFC 1123 label names, and kubernetes.io/metadata.name only with the own name', () => {
    const text = `apiVersion: v1
kind: Namespace
metadata: {name: a.b}
---
apiVersion: v1
kind: Namespace
metadata: {name: c, labels: {kubernetes.io/metadata.name: d}}
---
apiVersion: v1
kind: Namespace
metadata: {name: e, labels: {kubernetes.io/metadata.name: e}}
`;
    expect(errorOf(text, 'ns.yaml')).toBe(
      [
        'ns.yaml: document 0 (Namespace a.b): metadata.name: invalid name "a.b": must be an RFC 1123 label (at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit)',
        'ns.yaml: document 1 (Namespace c): metadata.labels["kubernetes.io/metadata.name"]: must be the namespace\'s own name "c" (the API server sets this label)',
      ].join('\n'),
    );
  });

  test('every issue of the file is listed at once, in document order (within an object in schema order), and each is also structured', () => {
    const text = `${policyDoc('ingress:\n- ports: [{port: 0}]\n  from: [{}]')}---\nkind: ConfigMap\napiVersion: v1\nmetadata: {name: s}\n`;
    let error: PolicyInputError | undefined;
    try {
      parseClusterYaml(text, 'many.yaml');
    } catch (e) {
      error = e as PolicyInputError;
    }
    expect(error?.issues).toEqual([
      { path: 'many.yaml: document 3 (NetworkPolicy default/web): spec.ingress[0].from[0]', message: 'must specify podSelector, namespaceSelector or ipBlock', source: 'many.yaml', document: 3, field: 'spec.ingress[0].from[0]' },
      { path: 'many.yaml: document 3 (NetworkPolicy default/web): spec.ingress[0].ports[0].port', message: 'expected an integer 1-65535 or a port name', source: 'many.yaml', document: 3, field: 'spec.ingress[0].ports[0].port' },
      {
        path: 'many.yaml: document 4 (ConfigMap s): kind',
        message: 'unsupported kind "ConfigMap" (podflow reads Namespace, Node, Pod, NetworkPolicy, Service, Endpoints and EndpointSlice, also as items of a List or <Kind>List)',
        source: 'many.yaml',
        document: 4,
        field: 'kind',
      },
    ]);
    expect(error?.message.split('\n')).toHaveLength(3);
  });
});

describe('readClusterFile', () => {
  test('reads a file and names it in errors; a missing file or a directory is a PolicyInputError naming the path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'podflow-yaml-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\nkind: Nope\n');
    expect(() => readClusterFile(file)).toThrow(`${file}: document 1 (Nope): kind: unsupported kind "Nope"`);
    writeFileSync(file, 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n');
    expect(readClusterFile(file).namespaces.map((n) => n.name)).toEqual(['a']);
    expect(() => readClusterFile(join(dir, 'missing.yaml'))).toThrow(`${join(dir, 'missing.yaml')}: cannot read the file: no such file (ENOENT)`);
    expect(() => readClusterFile(dir)).toThrow(`${dir}: cannot read the file: is a directory (EISDIR)`);
    try {
      readClusterFile(join(dir, 'missing.yaml'));
    } catch (e) {
      expect(e).toBeInstanceOf(PolicyInputError);
      expect((e as PolicyInputError).issues[0]!.source).toBe(join(dir, 'missing.yaml'));
    }
  });
});

describe('clusterToYaml', () => {
  test.prop([clusterArb()], { seed: SEED, numRuns: 300 })('parseClusterYaml reads back an equal Cluster', (cluster) => {
    const text = clusterToYaml(cluster);
    expect(parseClusterYaml(text, 'roundtrip.yaml')).toEqual(cluster);
  });

  test.prop([clusterArb()], { seed: SEED + 1, numRuns: 200 })('the text does not depend on the insertion order of labels, and writing twice gives the same text', (cluster) => {
    const reversed = (r: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(r).reverse());
    const shuffled: Cluster = {
      ...cluster,
      namespaces: cluster.namespaces.map((n) => ({ ...n, labels: reversed(n.labels) })),
      pods: cluster.pods.map((p) => ({ ...p, labels: reversed(p.labels) })),
      policies: cluster.policies.map((p) => ({ ...p, podSelector: p.podSelector.matchLabels ? { ...p.podSelector, matchLabels: reversed(p.podSelector.matchLabels) } : p.podSelector })),
    };
    expect(clusterToYaml(shuffled)).toBe(clusterToYaml(cluster));
    expect(clusterToYaml(parseClusterYaml(clusterToYaml(cluster), 'again.yaml'))).toBe(clusterToYaml(cluster));
  });

  test.prop([clusterArb()], { seed: SEED + 2, numRuns: 200 })('policiesToYaml reads back the same policies', (cluster) => {
    expect(parseClusterYaml(policiesToYaml(cluster.policies), 'policies.yaml').policies).toEqual(cluster.policies);
  });

  test('writes apiVersion, kind, metadata, spec, status in that order, label keys sorted, and quotes YAML 1.1 booleans', () => {
    const cluster: Cluster = {
      namespaces: [{ name: 'default', labels: { 'kubernetes.io/metadata.name': 'default', env: 'yes' } }],
      nodes: [{ name: 'node-1', id: 1 }],
      pods: [{ name: 'web', namespace: 'default', labels: { tier: 'on', app: 'web' }, nodeName: 'node-1', ip: '10.1.1.2', containerPorts: [{ name: 'http', containerPort: 80, protocol: 'TCP' }] }],
      policies: [{ name: 'np', namespace: 'default', podSelector: {}, ingress: [{ ports: [{ port: 'http' }] }] }],
    };
    expect(clusterToYaml(cluster)).toBe(`apiVersion: v1
kind: Namespace
metadata:
  name: default
  labels:
    env: "yes"
    kubernetes.io/metadata.name: default
---
apiVersion: v1
kind: Node
metadata:
  name: node-1
  annotations:
    podflow.io/node-id: "1"
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: default
  labels:
    app: web
    tier: "on"
spec:
  nodeName: node-1
  containers:
    - name: app
      image: registry.k8s.io/pause:3.9
      ports:
        - name: http
          containerPort: 80
          protocol: TCP
status:
  podIP: 10.1.1.2
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: np
  namespace: default
spec:
  podSelector: {}
  ingress:
    - ports:
        - port: http
`);
    expect(parseClusterYaml(clusterToYaml(cluster), 'golden.yaml')).toEqual(cluster);
  });
});

describe('examples/policies', () => {
  const files = readdirSync(EXAMPLES).filter((f) => f.startsWith('k8s-docs-') && f.endsWith('.yaml'));
  test('there are examples for every documented policy', () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
  });
  test.each(files)('%s parses into a two-node cluster with policies and round-trips', (file) => {
    const cluster = readClusterFile(join(EXAMPLES, file));
    expect(cluster.nodes).toEqual([
      { name: 'node-1', id: 1 },
      { name: 'node-2', id: 2 },
    ]);
    expect(cluster.policies.length).toBeGreaterThan(0);
    expect(new Set(cluster.pods.map((p) => p.nodeName))).toEqual(new Set(['node-1', 'node-2']));
    expect(parseClusterYaml(clusterToYaml(cluster), file)).toEqual(cluster);
    expect(readFileSync(join(EXAMPLES, file), 'utf8')).toMatch(/^# /);
  });
});
