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

// Records are written as tuples mapped to objects throughout: fc.record draws an extra boolean per value (for a
// null-prototype object half the time, a slow dictionary object in V8) and adds a mapping layer of its own. The
// tuple draws the same fields in the same order and shrinks them the same way.
const podLabels = fc.tuple(fc.constantFrom(...APPS), fc.option(fc.constantFrom(...TIERS), { nil: undefined })).map(([app, tier]) => {
  const l: Record<string, string> = { app };
  if (tier) l.tier = tier;
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
    { weight: 5, arbitrary: fc.tuple(fc.option(fc.constantFrom('TCP' as const, 'UDP' as const), { nil: undefined }), fc.constantFrom(...PORTS)).map(portEntry) },
    { weight: 2, arbitrary: fc.tuple(fc.option(fc.constantFrom('TCP' as const, 'UDP' as const), { nil: undefined }), fc.constantFrom('http', 'dns')).map(portEntry) },
    { weight: 1, arbitrary: fc.constant({ protocol: 'SCTP' as const, port: 80 }) },
    { weight: 1, arbitrary: fc.constantFrom({ port: 80, endPort: 443 }, { protocol: 'UDP' as const, port: 50, endPort: 60 }) },
  ];
  if (c.portWithoutNumber) arbs.push({ weight: 1, arbitrary: fc.constantFrom({ protocol: 'UDP' as const }, {}) });
  return fc.oneof(...arbs);
}

/** `{ protocol?, port }`, protocol omitted when undefined. */
function portEntry([protocol, port]: [NetworkPolicyPort['protocol'], number | string]): NetworkPolicyPort {
  const out: NetworkPolicyPort = {};
  if (protocol !== undefined) out.protocol = protocol;
  out.port = port;
  return out;
}

function ruleArb(c: Required<ClusterConstraints>, side: 'from' | 'to'): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(
      fc.oneof({ weight: 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constant([]) }, { weight: 5, arbitrary: fc.array(peerArb(c), { minLength: 1, maxLength: 2 }) }),
      fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 3, arbitrary: fc.array(portArb(c), { minLength: 1, maxLength: 2 }) }),
    )
    .map(([peers, ports]) => {
      const rule: Record<string, unknown> = {};
      if (peers !== undefined) rule[side] = peers;
      if (ports !== undefined) rule.ports = ports;
      return rule;
    });
}

function policyArb(c: Required<ClusterConstraints>, index: number): fc.Arbitrary<NetworkPolicy> {
  const name = `pol-${index}`;
  return fc
    .tuple(
      fc.constantFrom(...NAMESPACES),
      podSelector,
      fc.constantFrom<NetworkPolicy['policyTypes']>(undefined, ['Ingress'], ['Egress'], ['Ingress', 'Egress']),
      fc.option(fc.array(ruleArb(c, 'from'), { maxLength: 2 }), { nil: undefined }),
      fc.option(fc.array(ruleArb(c, 'to'), { maxLength: 2 }), { nil: undefined }),
    )
    .map(([namespace, podSelector, policyTypes, ingress, egress]) => {
      const p: NetworkPolicy = { name, namespace, podSelector };
      if (policyTypes !== undefined) p.policyTypes = policyTypes;
      if (ingress !== undefined) p.ingress = ingress;
      if (egress !== undefined) p.egress = egress;
      return p;
    });
}

function podArb(i: number, nodes: number): fc.Arbitrary<ClusterPod> {
  const name = `pod-${i}`;
  return fc
    .tuple(fc.constantFrom(...NAMESPACES), podLabels, fc.nat(nodes - 1), fc.subarray([{ name: 'http', containerPort: 8080, protocol: 'TCP' as const }, { name: 'dns', containerPort: 53, protocol: 'UDP' as const }, { name: 'http', containerPort: 80, protocol: 'TCP' as const }]))
    .map(([namespace, labels, node, ports]) => {
      // Container port names are unique within a pod.
      const seen = new Set<string>();
      const containerPorts = ports.filter((p) => !seen.has(p.name) && seen.add(p.name));
      return { name, namespace, labels, nodeName: `node-${node + 1}`, containerPorts };
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
    arbitrary: fc
      .tuple(fc.constantFrom('10.1.0.0/16', '10.128.0.0/14', '172.20.0.0/15'), fc.constantFrom(24, 25), fc.constantFrom('192.168.16.0/24', '10.20.0.0/16'), fc.constantFrom('192.168.30.0/24', '10.30.0.0/20'))
      .map(([podSubnetCidr, podNetworkPrefixLen, nodeInterconnectCidr, vxlanCidr]) => ({ podSubnetCidr, podNetworkPrefixLen: podSubnetCidr.endsWith('/16') ? 24 : podNetworkPrefixLen, nodeInterconnectCidr, vxlanCidr })),
  },
);

/** Node IDs: derived (the smallest unused) or pinned anywhere in 1..255, distinct (see broadcastSafeIds). */
function nodesArb(count: number, varied: boolean): fc.Arbitrary<Cluster['nodes']> {
  const names = Array.from({ length: count }, (_, i) => ({ name: `node-${i + 1}` }));
  if (!varied) return fc.constant(names);
  return fc.oneof(
    fc.constant(names),
    fc.uniqueArray(fc.integer({ min: 1, max: 255 }), { minLength: count, maxLength: count }).map((ids) => names.map((n, i) => ({ name: n.name, id: ids[i]! }))), // not `{ ...n, id }`: V8's slow spread path
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
    .map(([pods, policies, shapeNodes, ipam]) => {
      const nodes = broadcastSafeIds(shapeNodes, ipam);
      const cluster: Cluster = { nodes, namespaces: NAMESPACES.map((name) => ({ name, labels: NS_LABELS[name]! })), pods, policies };
      return ipam ? Object.assign({ ipam }, cluster) : cluster;
    });
}

/** A /24 or narrower network (a module function: a closure per generated cluster costs a defineProperty under tsx). */
function narrow(cidr: string | undefined, dflt: string): boolean {
  return Number((cidr ?? dflt).split('/')[1]) >= 24;
}

/**
 * Node ID 255 on a /24 node interconnect or VXLAN network gets that subnet's broadcast address as node IP or BVI
 * IP, and VPP drops what is routed via a broadcast address (found on a real VPP lab; docs/datapath.md §2.3 formulas):
 * such a cluster cannot work, whatever the policies. Generated clusters keep 255 only on wider networks (the
 * model's behaviour for it is pinned by a test of its own); elsewhere it becomes the highest free ID below.
 */
function broadcastSafeIds(nodes: Cluster['nodes'], ipam: Cluster['ipam'] | undefined): Cluster['nodes'] {
  if (!nodes.some((n) => n.id === 255) || !(narrow(ipam?.nodeInterconnectCidr, '192.168.16.0/24') || narrow(ipam?.vxlanCidr, '192.168.30.0/24'))) return nodes;
  const used = new Set(nodes.map((n) => n.id));
  let free = 254;
  while (used.has(free)) free--;
  return nodes.map((n) => (n.id === 255 ? { name: n.name, id: free } : n));
}

/**
 * A cluster with the topology of `t` (nodes, IPAM, pods' names, namespaces and nodes) and everything else of `c`:
 * its namespaces, policies, and its pods' labels and container ports (pod i gets those of c's pod i mod n).
 */
export function withTopology(c: Cluster, t: Cluster): Cluster {
  const pods = t.pods.map((tp, i) => {
    const own = c.pods[i % c.pods.length]!;
    return { ...tp, labels: own.labels, containerPorts: own.containerPorts };
  });
  return { ...(t.ipam ? { ipam: t.ipam } : {}), nodes: t.nodes, namespaces: c.namespaces, pods, policies: c.policies };
}

/** A connection between two pods of a cluster, by index modulo the pod count (so shrinking stays valid). */
export const connectionSpecArb = fc
  .tuple(fc.nat(), fc.nat(), fc.constantFrom('TCP' as const, 'TCP' as const, 'UDP' as const, 'ICMP' as const, 'SCTP' as const), fc.constantFrom(...PORTS, 8080, 50, 9999))
  .map(([from, to, protocol, port]) => ({ from, to, protocol, port }));

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
