// Where Contiv 9f521b2eb reads NetworkPolicy differently from upstream Kubernetes (docs/datapath.md §10.10), as data:
// each entry says what differs and carries a transformation that rewrites a cluster so the upstream oracle
// reads it the Contiv way. A contiv/upstream difference is documented iff applying the transformations makes it
// vanish; the property test fails on any other difference. D9 is an addition to the spec's list (see below).
import type { Cluster, Connection, NetworkPolicy, NetworkPolicyPeer } from './types.ts';
import { NAMESPACE_NAME_LABEL } from './yaml.ts';

export type DivergenceId = 'D1' | 'D2' | 'D3' | 'D4' | 'D5' | 'D6' | 'D7' | 'D8' | 'D9';

export interface Divergence {
  id: DivergenceId;
  name: string;
  input: string;
  contiv: string;
  upstream: string;
  /** rewrites the cluster's policies so upstream semantics reads them as Contiv does; absent = not expressible */
  contivize?: (c: Cluster) => Cluster;
  /** the smallest case that shows it: a cluster file, a connection, and what each semantics says */
  example: DivergenceExample;
}

export interface DivergenceExample {
  yaml: string;
  connection: Connection;
  /** 'reply' = the verdict on the reply of the connection (D8); 'first' = on its first packet */
  judge: 'first' | 'reply';
  contiv: 'allow' | 'deny' | 'render-error';
  upstream: 'allow' | 'deny';
}

/** Two pods on one node: default/client (app=client) and default/server (app=server, container port http 8080/TCP). */
function twoPods(policy: string, extra = ''): string {
  return `apiVersion: v1
kind: Pod
metadata: {name: client, namespace: default, labels: {app: client}}
spec: {nodeName: node-1, containers: [{name: app, image: app}]}
---
apiVersion: v1
kind: Pod
metadata: {name: server, namespace: default, labels: {app: server}}
spec: {nodeName: node-1, containers: [{name: app, image: app, ports: [{name: http, containerPort: 8080, protocol: TCP}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: example, namespace: default}
spec:
${policy}${extra}`;
}

const CLIENT_TO_SERVER = (protocol: Connection['protocol'], port: number): Connection => ({ src: { pod: 'default/client' }, dst: { pod: 'default/server' }, protocol, port });

/** A namespace label no real cluster uses, to express "every namespace but kube-system" as a selector. */
export { NAMESPACE_NAME_LABEL };

function mapPolicies(c: Cluster, f: (p: NetworkPolicy) => NetworkPolicy): Cluster {
  return { ...c, policies: c.policies.map(f) };
}

function mapPeers(p: NetworkPolicy, f: (peer: NetworkPolicyPeer) => NetworkPolicyPeer): NetworkPolicy {
  const q: NetworkPolicy = { ...p };
  if (p.ingress) q.ingress = p.ingress.map((r) => (r.from ? { ...r, from: r.from.map(f) } : r));
  if (p.egress) q.egress = p.egress.map((r) => (r.to ? { ...r, to: r.to.map(f) } : r));
  return q;
}

function mapPorts(p: NetworkPolicy, f: (port: NonNullable<NetworkPolicy['ingress']>[number]['ports'] extends (infer P)[] | undefined ? P : never) => typeof port): NetworkPolicy {
  const q: NetworkPolicy = { ...p };
  if (p.ingress) q.ingress = p.ingress.map((r) => (r.ports ? { ...r, ports: r.ports.map(f) } : r));
  if (p.egress) q.egress = p.egress.map((r) => (r.ports ? { ...r, ports: r.ports.map(f) } : r));
  return q;
}

function isEmpty(sel: { matchLabels?: object; matchExpressions?: unknown[] } | undefined): boolean {
  return !!sel && Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0;
}

export const DIVERGENCES: readonly Divergence[] = [
  {
    id: 'D1',
    name: 'named-port',
    input: 'a port given by name (`port: "http"`)',
    contiv: 'all ports of the protocol',
    upstream: "the destination pod's container port of that name and protocol",
    contivize: (c) => mapPolicies(c, (p) => mapPorts(p, (x) => (typeof x.port === 'string' ? (({ port: _named, ...rest }) => rest)(x) : x))),
    example: {
      yaml: twoPods('  podSelector: {matchLabels: {app: server}}\n  policyTypes: [Ingress]\n  ingress: [{ports: [{port: http}]}]\n'),
      connection: CLIENT_TO_SERVER('TCP', 80),
      judge: 'first',
      contiv: 'allow',
      upstream: 'deny',
    },
  },
  {
    id: 'D2',
    name: 'sctp',
    input: '`protocol: SCTP`',
    contiv: 'treated as TCP',
    upstream: 'SCTP',
    contivize: (c) => mapPolicies(c, (p) => mapPorts(p, (x) => (x.protocol === 'SCTP' ? { ...x, protocol: 'TCP' } : x))),
    example: {
      yaml: twoPods('  podSelector: {matchLabels: {app: server}}\n  policyTypes: [Ingress]\n  ingress: [{ports: [{protocol: SCTP, port: 80}]}]\n'),
      connection: CLIENT_TO_SERVER('TCP', 80),
      judge: 'first',
      contiv: 'allow',
      upstream: 'deny',
    },
  },
  {
    id: 'D3',
    name: 'pod+ns-selector',
    input: 'one peer with both podSelector and namespaceSelector',
    contiv: "podSelector only, in the policy's namespace",
    upstream: 'pods matching podSelector in namespaces matching namespaceSelector',
    contivize: (c) => mapPolicies(c, (p) => mapPeers(p, (x) => (x.podSelector && x.namespaceSelector ? { podSelector: x.podSelector } : x))),
    example: {
      yaml: twoPods(
        '  podSelector: {matchLabels: {app: server}}\n  policyTypes: [Ingress]\n  ingress: [{from: [{namespaceSelector: {matchLabels: {team: b}}, podSelector: {matchLabels: {app: other}}}]}]\n',
        '---\napiVersion: v1\nkind: Namespace\nmetadata: {name: prod, labels: {team: b}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: other, namespace: prod, labels: {app: other}}\nspec: {nodeName: node-1, containers: [{name: app, image: app}]}\n',
      ),
      connection: { src: { pod: 'prod/other' }, dst: { pod: 'default/server' }, protocol: 'TCP', port: 80 },
      judge: 'first',
      contiv: 'deny',
      upstream: 'allow',
    },
  },
  {
    id: 'D4',
    name: 'empty-ns-selector',
    input: '`namespaceSelector: {}` (alone in a peer)',
    contiv: 'all pods except those in kube-system',
    upstream: 'all pods in all namespaces',
    contivize: (c) => ({
      ...mapPolicies(c, (p) =>
        mapPeers(p, (x) => (!x.podSelector && isEmpty(x.namespaceSelector) ? { namespaceSelector: { matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: 'NotIn', values: ['kube-system'] }] } } : x)),
      ),
      namespaces: c.namespaces.map((n) => ({ ...n, labels: { ...n.labels, [NAMESPACE_NAME_LABEL]: n.name } })),
    }),
    example: {
      yaml: twoPods(
        '  podSelector: {matchLabels: {app: server}}\n  policyTypes: [Ingress]\n  ingress: [{from: [{namespaceSelector: {}}]}]\n',
        '---\napiVersion: v1\nkind: Pod\nmetadata: {name: dns, namespace: kube-system, labels: {app: dns}}\nspec: {nodeName: node-1, containers: [{name: app, image: app}]}\n',
      ),
      connection: { src: { pod: 'kube-system/dns' }, dst: { pod: 'default/server' }, protocol: 'TCP', port: 80 },
      judge: 'first',
      contiv: 'deny',
      upstream: 'allow',
    },
  },
  {
    id: 'D5',
    name: 'policy-types',
    input: '`policyTypes` missing',
    contiv: 'Ingress only (egress rules ignored)',
    upstream: 'Ingress, plus Egress if the policy has egress rules',
    contivize: (c) => mapPolicies(c, (p) => (p.policyTypes === undefined || p.policyTypes.length === 0 ? { ...p, policyTypes: ['Ingress'] } : p)),
    example: {
      yaml: twoPods('  podSelector: {matchLabels: {app: client}}\n  egress: [{to: [{podSelector: {matchLabels: {app: nobody}}}]}]\n'),
      connection: CLIENT_TO_SERVER('TCP', 80),
      judge: 'first',
      contiv: 'allow',
      upstream: 'deny',
    },
  },
  {
    id: 'D6',
    name: 'port-without-number',
    input: '`ports: [{protocol: UDP}]` (no port)',
    contiv: "nil dereference in the processor: the agent would crash; podflow reports a render error",
    upstream: 'all ports of that protocol',
    example: {
      yaml: twoPods('  podSelector: {matchLabels: {app: server}}\n  policyTypes: [Ingress]\n  ingress: [{ports: [{protocol: UDP}]}]\n'),
      connection: CLIENT_TO_SERVER('UDP', 53),
      judge: 'first',
      contiv: 'render-error',
      upstream: 'allow',
    },
  },
  {
    id: 'D7',
    name: 'nat-loopback',
    input: 'a pod with an ingress policy, traffic from the node\'s NAT loopback address 10.1.<id>.254',
    contiv: 'always accepted (a pod may reach itself through a service)',
    upstream: 'no implicit exception',
    example: {
      yaml: twoPods('  podSelector: {matchLabels: {app: server}}\n  policyTypes: [Ingress]\n  ingress: []\n'),
      connection: { src: { ip: '10.1.1.254' }, dst: { pod: 'default/server' }, protocol: 'TCP', port: 80 },
      judge: 'first',
      contiv: 'allow',
      upstream: 'deny',
    },
  },
  {
    id: 'D8',
    name: 'icmp-reply',
    input: 'ICMP echo across an output ACL that does not permit the reply (profile vpp-18.01-contiv)',
    contiv: 'reply dropped: 18.01 keys ICMP sessions without inverting echo request/reply',
    upstream: 'replies of allowed connections are allowed',
    example: {
      yaml: twoPods(
        '  podSelector: {}\n  policyTypes: [Ingress]\n  ingress: [{from: [{podSelector: {matchLabels: {app: client}}}]}, {from: [{podSelector: {matchLabels: {app: server}}}], ports: [{port: 80}]}]\n',
      ),
      connection: { src: { pod: 'default/client' }, dst: { pod: 'default/server' }, protocol: 'ICMP', port: 0 },
      judge: 'reply',
      contiv: 'deny',
      upstream: 'allow',
    },
  },
  {
    // Not in docs/datapath.md §10.10: Contiv 9f521b2eb predates NetworkPolicyPort.endPort (Kubernetes 1.21), so the
    // agent's model has no field for it and only `port` is rendered.
    id: 'D9',
    name: 'end-port',
    input: '`endPort` (a port range)',
    contiv: 'ignored: only `port` is allowed',
    upstream: 'every port from port to endPort',
    contivize: (c) => mapPolicies(c, (p) => mapPorts(p, (x) => (x.endPort !== undefined ? (({ endPort: _e, ...rest }) => rest)(x) : x))),
    example: {
      yaml: twoPods('  podSelector: {matchLabels: {app: server}}\n  policyTypes: [Ingress]\n  ingress: [{ports: [{port: 80, endPort: 90}]}]\n'),
      connection: CLIENT_TO_SERVER('TCP', 85),
      judge: 'first',
      contiv: 'deny',
      upstream: 'allow',
    },
  },
];

export function divergence(id: DivergenceId): Divergence {
  return DIVERGENCES.find((d) => d.id === id)!;
}

/** Applies the transformations in catalogue order (D3 before D4: a peer's namespaceSelector may be dropped first). */
export function contivize(c: Cluster, ids: readonly DivergenceId[] = DIVERGENCES.map((d) => d.id)): Cluster {
  let out = c;
  for (const d of DIVERGENCES) if (ids.includes(d.id) && d.contivize) out = d.contivize(out);
  return out;
}
