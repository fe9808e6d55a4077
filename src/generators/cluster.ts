// fast-check arbitraries for Kubernetes clusters with NetworkPolicies using every API feature (pod and
// namespace selectors with matchLabels and matchExpressions, both in one peer, ipBlocks with except, named and
// numeric ports, endPort, SCTP, policyTypes present or absent), and for connections between their pods.
// Small label alphabets make selectors match often. Pods are referred to by index modulo count.
import fc from 'fast-check';
import type { Cluster, ClusterPod, Connection, LabelSelector, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from '../policy/types.ts';

export interface ClusterConstraints {
  /** Kubernetes nodes (default 2); `topology: 'varied'` draws 2..4 */
  nodes?: number;
  /** 'varied': 2–4 nodes, pinned node IDs up to 255 or derived ones, and IPAM variations (default 'fixed') */
  topology?: 'fixed' | 'varied';
  /** pods (default 1..6) */
  minPods?: number;
  maxPods?: number;
  /** policies (default 0..4) */
  maxPolicies?: number;
  /** 'node-independent' keeps ipBlocks from naming one node's pod network, so moving pods keeps verdicts */
  ipBlocks?: 'any' | 'node-independent' | 'none';
  /** allow port entries without a port number (Contiv crashes on them: D6); default false */
  portWithoutNumber?: boolean;
}

export const NAMESPACES = ['default', 'prod', 'kube-system'] as const;
const NS_LABELS: Record<string, Record<string, string>> = { default: { team: 'a' }, prod: { team: 'b', env: 'prod' }, 'kube-system': { team: 'a', env: 'sys' } };
const APPS = ['web', 'db', 'api'] as const;
const TIERS = ['front', 'back'] as const;
export const PORTS = [53, 80, 443, 8080] as const;

const podLabels = fc.record({ app: fc.constantFrom(...APPS), tier: fc.option(fc.constantFrom(...TIERS), { nil: undefined }) }).map((r) => {
  const l: Record<string, string> = { app: r.app };
  if (r.tier) l.tier = r.tier;
  return l;
});

const podSelector: fc.Arbitrary<LabelSelector> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({}) },
  { weight: 4, arbitrary: fc.constantFrom(...APPS).map((app) => ({ matchLabels: { app } })) },
  { weight: 1, arbitrary: fc.constantFrom(...TIERS).map((tier) => ({ matchLabels: { tier } })) },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.subarray([...APPS], { minLength: 1 }).map((values) => ({ matchExpressions: [{ key: 'app', operator: 'In' as const, values }] })),
      fc.subarray([...APPS], { minLength: 1 }).map((values) => ({ matchExpressions: [{ key: 'app', operator: 'NotIn' as const, values }] })),
      fc.constantFrom('Exists' as const, 'DoesNotExist' as const).map((operator) => ({ matchExpressions: [{ key: 'tier', operator }] })),
    ),
  },
);

const namespaceSelector: fc.Arbitrary<LabelSelector> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({}) },
  { weight: 3, arbitrary: fc.constantFrom('a', 'b').map((team) => ({ matchLabels: { team } })) },
  { weight: 1, arbitrary: fc.constant<LabelSelector>({ matchExpressions: [{ key: 'env', operator: 'Exists' }] }) },
);

function ipBlockArb(mode: ClusterConstraints['ipBlocks']): fc.Arbitrary<NetworkPolicyPeer> {
  const independent = [
    { cidr: '10.1.0.0/16' },
    { cidr: '0.0.0.0/0', except: ['10.1.0.0/16'] },
    { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] },
    { cidr: '10.1.0.0/16', except: ['10.1.0.0/16'] },
  ];
  const perNode = [{ cidr: '10.1.1.0/24' }, { cidr: '10.1.0.0/16', except: ['10.1.2.0/24'] }, { cidr: '10.1.1.0/28', except: ['10.1.1.2/32'] }, { cidr: '10.1.2.2/32' }];
  return fc.constantFrom(...(mode === 'any' ? [...independent, ...perNode] : independent)).map((ipBlock) => ({ ipBlock }));
}

function peerArb(c: Required<ClusterConstraints>): fc.Arbitrary<NetworkPolicyPeer> {
  const arbs: fc.WeightedArbitrary<NetworkPolicyPeer>[] = [
    { weight: 4, arbitrary: podSelector.map((podSelector) => ({ podSelector })) },
    { weight: 2, arbitrary: namespaceSelector.map((namespaceSelector) => ({ namespaceSelector })) },
    { weight: 2, arbitrary: fc.tuple(namespaceSelector, podSelector).map(([namespaceSelector, podSelector]) => ({ namespaceSelector, podSelector })) },
  ];
  if (c.ipBlocks !== 'none') arbs.push({ weight: 2, arbitrary: ipBlockArb(c.ipBlocks) });
  return fc.oneof(...arbs);
}

function portArb(c: Required<ClusterConstraints>): fc.Arbitrary<NetworkPolicyPort> {
  const arbs: fc.WeightedArbitrary<NetworkPolicyPort>[] = [
    { weight: 5, arbitrary: fc.record({ protocol: fc.option(fc.constantFrom('TCP' as const, 'UDP' as const), { nil: undefined }), port: fc.constantFrom(...PORTS) }).map(dropUndefined) },
    { weight: 2, arbitrary: fc.record({ protocol: fc.option(fc.constantFrom('TCP' as const, 'UDP' as const), { nil: undefined }), port: fc.constantFrom('http', 'dns') }).map(dropUndefined) },
    { weight: 1, arbitrary: fc.constant({ protocol: 'SCTP' as const, port: 80 }) },
    { weight: 1, arbitrary: fc.constantFrom({ port: 80, endPort: 443 }, { protocol: 'UDP' as const, port: 50, endPort: 60 }) },
  ];
  if (c.portWithoutNumber) arbs.push({ weight: 1, arbitrary: fc.constantFrom({ protocol: 'UDP' as const }, {}) });
  return fc.oneof(...arbs);
}

function dropUndefined<T extends object>(o: T): T {
  // A plain loop: entries/filter/fromEntries (and object spread) are slow paths in V8 for these small records.
  const out: Record<string, unknown> = {};
  for (const k in o) if (o[k] !== undefined) out[k] = o[k];
  return out as T;
}

function ruleArb(c: Required<ClusterConstraints>, side: 'from' | 'to'): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .record({
      peers: fc.oneof({ weight: 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constant([]) }, { weight: 5, arbitrary: fc.array(peerArb(c), { minLength: 1, maxLength: 2 }) }),
      ports: fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 3, arbitrary: fc.array(portArb(c), { minLength: 1, maxLength: 2 }) }),
    })
    .map(({ peers, ports }) => dropUndefined({ [side]: peers, ports }));
}

function policyArb(c: Required<ClusterConstraints>, index: number): fc.Arbitrary<NetworkPolicy> {
  return fc
    .record({
      namespace: fc.constantFrom(...NAMESPACES),
      podSelector,
      policyTypes: fc.constantFrom(undefined, ['Ingress'], ['Egress'], ['Ingress', 'Egress']),
      ingress: fc.option(fc.array(ruleArb(c, 'from'), { maxLength: 2 }), { nil: undefined }),
      egress: fc.option(fc.array(ruleArb(c, 'to'), { maxLength: 2 }), { nil: undefined }),
    })
    .map((r) => dropUndefined(Object.assign({ name: `pol-${index}` }, r)) as NetworkPolicy);
}

function podArb(i: number, nodes: number): fc.Arbitrary<ClusterPod> {
  return fc
    .record({ namespace: fc.constantFrom(...NAMESPACES), labels: podLabels, node: fc.nat(nodes - 1), ports: fc.subarray([{ name: 'http', containerPort: 8080, protocol: 'TCP' as const }, { name: 'dns', containerPort: 53, protocol: 'UDP' as const }, { name: 'http', containerPort: 80, protocol: 'TCP' as const }]) })
    .map((r) => {
      // Container port names are unique within a pod.
      const seen = new Set<string>();
      const containerPorts = r.ports.filter((p) => !seen.has(p.name) && seen.add(p.name));
      return { name: `pod-${i}`, namespace: r.namespace, labels: r.labels, nodeName: `node-${r.node + 1}`, containerPorts };
    });
}

/**
 * Contiv IPAM variations that keep node IDs 1..255 unaliased (at least 8 ID bits in every per-node field):
 * other pod subnets and per-node prefix lengths, another interconnect and VXLAN range.
 */
export const ipamArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  {
    weight: 2,
    arbitrary: fc.record({
      podSubnetCidr: fc.constantFrom('10.1.0.0/16', '10.128.0.0/14', '172.20.0.0/15'),
      podNetworkPrefixLen: fc.constantFrom(24, 25),
      nodeInterconnectCidr: fc.constantFrom('192.168.16.0/24', '10.20.0.0/16'),
      vxlanCidr: fc.constantFrom('192.168.30.0/24', '10.30.0.0/20'),
    }).map((r) => ({ ...r, podNetworkPrefixLen: r.podSubnetCidr.endsWith('/16') ? 24 : r.podNetworkPrefixLen })),
  },
);

/** Node IDs: derived (the smallest unused) or pinned anywhere in 1..255, distinct. */
function nodesArb(count: number, varied: boolean): fc.Arbitrary<Cluster['nodes']> {
  const names = Array.from({ length: count }, (_, i) => ({ name: `node-${i + 1}` }));
  if (!varied) return fc.constant(names);
  return fc.oneof(
    fc.constant(names),
    fc.uniqueArray(fc.integer({ min: 1, max: 255 }), { minLength: count, maxLength: count }).map((ids) => names.map((n, i) => ({ ...n, id: ids[i]! }))),
  );
}

type ShapeArb = fc.Arbitrary<[ClusterPod[], NetworkPolicy[], Cluster['nodes'], Cluster['ipam'] | undefined]>;
const SHAPES = new Map<string, Map<string, ShapeArb>>();

/** The per-shape arbitraries of one set of constraints (arbitraries are immutable, so sharing them is safe). */
function shapeCache(constraints: string): Map<string, ShapeArb> {
  let m = SHAPES.get(constraints);
  if (!m) {
    if (SHAPES.size >= 32) SHAPES.clear();
    m = new Map();
    SHAPES.set(constraints, m);
  }
  return m;
}

export function clusterArb(constraints: ClusterConstraints = {}): fc.Arbitrary<Cluster> {
  const c: Required<ClusterConstraints> = { nodes: 2, topology: 'fixed', minPods: 1, maxPods: 6, maxPolicies: 4, ipBlocks: 'any', portWithoutNumber: false, ...constraints };
  const varied = c.topology === 'varied';
  const shapes = shapeCache(JSON.stringify(c));
  return fc
    .tuple(fc.integer({ min: c.minPods, max: c.maxPods }), fc.integer({ min: 0, max: c.maxPolicies }), varied ? fc.integer({ min: 2, max: 4 }) : fc.constant(c.nodes))
    .chain(([pods, policies, nodes]) => {
      // The per-shape arbitraries are built once per clusterArb, not per generated value: building fast-check
      // arbitraries (records above all) costs more than drawing from them.
      const key = `${pods}|${policies}|${nodes}`;
      let arb = shapes.get(key);
      if (!arb) {
        arb = fc.tuple(
          fc.tuple(...Array.from({ length: pods }, (_, i) => podArb(i, nodes))),
          fc.tuple(...Array.from({ length: policies }, (_, i) => policyArb(c, i))),
          nodesArb(nodes, varied),
          varied ? ipamArb : fc.constant(undefined),
        );
        shapes.set(key, arb);
      }
      return arb;
    })
    .map(([pods, policies, nodes, ipam]) => {
      const cluster: Cluster = { nodes, namespaces: NAMESPACES.map((name) => ({ name, labels: NS_LABELS[name]! })), pods, policies };
      return ipam ? Object.assign({ ipam }, cluster) : cluster;
    });
}

/** A connection between two pods of a cluster, by index modulo the pod count (so shrinking stays valid). */
export const connectionSpecArb = fc.record({
  from: fc.nat(),
  to: fc.nat(),
  protocol: fc.constantFrom('TCP' as const, 'TCP' as const, 'UDP' as const, 'ICMP' as const, 'SCTP' as const),
  port: fc.constantFrom(...PORTS, 8080, 50, 9999),
});

export type ConnectionSpec = typeof connectionSpecArb extends fc.Arbitrary<infer T> ? T : never;

/**
 * Resolves a connection spec; undefined when the cluster has a single pod. A pod's traffic to its own IP never
 * reaches the vswitch (its kernel delivers it), so the destination is always another pod.
 */
export function resolveConnection(cluster: Cluster, spec: ConnectionSpec): Connection | undefined {
  const n = cluster.pods.length;
  if (n < 2) return undefined;
  const from = spec.from % n;
  const a = cluster.pods[from]!;
  const b = cluster.pods[(from + 1 + (spec.to % (n - 1))) % n]!;
  return { src: { pod: `${a.namespace}/${a.name}` }, dst: { pod: `${b.namespace}/${b.name}` }, protocol: spec.protocol, port: spec.protocol === 'ICMP' ? 0 : spec.port };
}

/** Every pair of distinct pods × protocol × port of interest: the full verdict matrix of a small cluster. */
export function allConnections(cluster: Cluster): Connection[] {
  const out: Connection[] = [];
  for (const a of cluster.pods)
    for (const b of cluster.pods) {
      if (a === b) continue; // a pod's traffic to itself never reaches the vswitch
      for (const [protocol, port] of [['TCP', 80], ['TCP', 8080], ['TCP', 443], ['UDP', 53], ['UDP', 55], ['ICMP', 0], ['SCTP', 80]] as const) {
        out.push({ src: { pod: `${a.namespace}/${a.name}` }, dst: { pod: `${b.namespace}/${b.name}` }, protocol, port });
      }
    }
  return out;
}
