// Small random clusters (namespaces, nodes, pods, NetworkPolicies) and connections for the policy tests.
// Labels, port names and CIDRs come from small fixed sets so that selectors, named ports and ipBlocks match often;
// every generated cluster is valid input for parseClusterYaml (what clusterToYaml writes reads back equal).
// Pods and endpoints are referred to by index modulo the count, so shrinking a cluster never invalidates a connection.
import { fc } from '@fast-check/vitest';
import type {
  Cluster,
  ClusterNamespace,
  ClusterNode,
  ClusterPod,
  Connection,
  ContainerPort,
  L4Protocol,
  LabelSelector,
  LabelSelectorRequirement,
  NetworkPolicy,
  NetworkPolicyEgressRule,
  NetworkPolicyIngressRule,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  PolicyProtocol,
} from '../../src/policy/types.ts';

export const LABEL_KEYS = ['app', 'role', 'tier'] as const;
/** not y/n/yes/no: those are YAML 1.1 booleans, which the writer quotes anyway, but keep the files readable */
export const LABEL_VALUES = ['a', 'b', 'c'] as const;
export const NAMESPACE_NAMES = ['default', 'prod', 'dev'] as const;
export const NODE_NAMES = ['node-1', 'node-2', 'node-3'] as const;
/** A pod takes a subset: unique names, one name per (port, protocol), and one unnamed port. */
export const CONTAINER_PORTS: readonly ContainerPort[] = [
  { name: 'http', containerPort: 80, protocol: 'TCP' },
  { name: 'dns', containerPort: 53, protocol: 'UDP' },
  { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
  { name: 'alt', containerPort: 8080, protocol: 'TCP' },
  { name: 'sig', containerPort: 9000, protocol: 'SCTP' },
  { containerPort: 8443, protocol: 'TCP' },
];
/** Port names in policies: the container port names plus one no pod has. */
export const POLICY_PORT_NAMES = ['http', 'dns', 'dns-tcp', 'alt', 'sig', 'metrics'] as const;
export const POLICY_PORT_NUMBERS = [53, 80, 8080, 8443, 9000] as const;
/** ipBlocks with the excepts that are valid for them (strict subsets), edge cases /0 and /32 included. */
export const IP_BLOCKS: readonly { cidr: string; excepts: readonly string[] }[] = [
  { cidr: '0.0.0.0/0', excepts: ['10.1.0.0/16', '10.1.1.0/24'] },
  { cidr: '10.1.0.0/16', excepts: ['10.1.1.0/24', '10.1.2.0/24', '10.1.1.2/32'] },
  { cidr: '10.1.1.0/24', excepts: ['10.1.1.2/32', '10.1.1.0/25'] },
  { cidr: '10.1.1.2/32', excepts: [] },
  { cidr: '192.168.0.0/16', excepts: ['192.168.5.0/24'] },
];
/** External endpoints: inside and outside the blocks above (10.1.1.200 is in the pod network but no pod's). */
export const EXTERNAL_IPS = ['192.168.5.5', '192.168.7.7', '8.8.8.8', '10.1.1.200'] as const;
export const CONNECTION_PORTS = [1, 53, 80, 8080, 8443, 9000] as const;
export const CONNECTION_PROTOCOLS: readonly L4Protocol[] = ['TCP', 'UDP', 'SCTP', 'ICMP'];

export interface ClusterConstraints {
  /** namespaces, from NAMESPACE_NAMES (default 3) */
  maxNamespaces?: number;
  /** nodes, from NODE_NAMES (default 3) */
  maxNodes?: number;
  /** pods (default 1..6) */
  minPods?: number;
  maxPods?: number;
  /** NetworkPolicies (default 0..4) */
  maxPolicies?: number;
}

const labelsArb: fc.Arbitrary<Record<string, string>> = fc.record(
  Object.fromEntries(LABEL_KEYS.map((k) => [k, fc.constantFrom(...LABEL_VALUES)])) as Record<(typeof LABEL_KEYS)[number], fc.Arbitrary<string>>,
  { requiredKeys: [] },
);

const requirementArb: fc.Arbitrary<LabelSelectorRequirement> = fc.oneof(
  fc.record({ key: fc.constantFrom(...LABEL_KEYS), operator: fc.constantFrom('In' as const, 'NotIn' as const), values: fc.uniqueArray(fc.constantFrom(...LABEL_VALUES), { minLength: 1, maxLength: 2 }) }),
  fc.record({ key: fc.constantFrom(...LABEL_KEYS), operator: fc.constantFrom('Exists' as const, 'DoesNotExist' as const) }),
  // the API accepts an explicitly empty values list for Exists/DoesNotExist
  fc.record({ key: fc.constantFrom(...LABEL_KEYS), operator: fc.constantFrom('Exists' as const, 'DoesNotExist' as const), values: fc.constant([] as string[]) }),
);

/** {} (all), matchLabels, matchExpressions, or both. */
export const selectorArb: fc.Arbitrary<LabelSelector> = fc.record({ matchLabels: labelsArb, matchExpressions: fc.array(requirementArb, { maxLength: 2 }) }, { requiredKeys: [] });

const ipBlockArb = fc.constantFrom(...IP_BLOCKS).chain((b) =>
  fc.oneof(fc.constant({ cidr: b.cidr }), fc.subarray([...b.excepts]).map((except) => ({ cidr: b.cidr, except }))),
);

export const peerArb: fc.Arbitrary<NetworkPolicyPeer> = fc.oneof(
  selectorArb.map((podSelector) => ({ podSelector })),
  selectorArb.map((namespaceSelector) => ({ namespaceSelector })),
  fc.record({ namespaceSelector: selectorArb, podSelector: selectorArb }),
  ipBlockArb.map((ipBlock) => ({ ipBlock })),
);

const protocolArb = fc.constantFrom<PolicyProtocol>('TCP', 'UDP', 'SCTP');

export const portArb: fc.Arbitrary<NetworkPolicyPort> = fc.oneof(
  fc.record({ protocol: protocolArb }, { requiredKeys: [] }),
  fc.record({ protocol: protocolArb, port: fc.constantFrom(...POLICY_PORT_NUMBERS) }, { requiredKeys: ['port'] }),
  fc
    .record({ protocol: protocolArb, port: fc.constantFrom(...POLICY_PORT_NUMBERS), span: fc.constantFrom(0, 1, 100, 1000) }, { requiredKeys: ['port', 'span'] })
    .map(({ span, ...p }) => ({ ...p, endPort: Math.min(65535, p.port + span) })),
  fc.record({ protocol: protocolArb, port: fc.constantFrom(...POLICY_PORT_NAMES) }, { requiredKeys: ['port'] }),
);

/** absent, [] or a few: absent and empty both mean "all", and the writer must keep them apart anyway */
function listArb<T>(item: fc.Arbitrary<T>, maxLength: number): fc.Arbitrary<T[] | undefined> {
  return fc.oneof(fc.constant(undefined), fc.array(item, { maxLength }));
}

function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

const ingressRuleArb: fc.Arbitrary<NetworkPolicyIngressRule> = fc.record({ from: listArb(peerArb, 2), ports: listArb(portArb, 2) }).map(compact);
const egressRuleArb: fc.Arbitrary<NetworkPolicyEgressRule> = fc.record({ to: listArb(peerArb, 2), ports: listArb(portArb, 2) }).map(compact);

type PolicyTypes = NetworkPolicy['policyTypes'];
const policyTypesArb = fc.constantFrom<PolicyTypes>(undefined, [], ['Ingress'], ['Egress'], ['Ingress', 'Egress'], ['Egress', 'Ingress']);

/** A policy without name and namespace; clusterArb names it `pol<i>` and puts it in a namespace by index. */
export const policyBodyArb = fc
  .record({ podSelector: selectorArb, policyTypes: policyTypesArb, ingress: listArb(ingressRuleArb, 2), egress: listArb(egressRuleArb, 2) })
  .map(compact);

export function clusterArb(constraints: ClusterConstraints = {}): fc.Arbitrary<Cluster> {
  const { maxNamespaces = 3, maxNodes = 3, minPods = 1, maxPods = 6, maxPolicies = 4 } = constraints;
  return fc
    .record({
      namespaces: fc.array(labelsArb, { minLength: 1, maxLength: Math.min(maxNamespaces, NAMESPACE_NAMES.length) }),
      nodes: fc.array(fc.boolean(), { minLength: 1, maxLength: Math.min(maxNodes, NODE_NAMES.length) }),
      pods: fc.array(fc.record({ ns: fc.nat(), node: fc.nat(), labels: labelsArb, ports: fc.subarray([...CONTAINER_PORTS]), hasIp: fc.boolean() }), { minLength: minPods, maxLength: maxPods }),
      policies: fc.array(fc.record({ ns: fc.nat(), body: policyBodyArb }), { maxLength: maxPolicies }),
    })
    .map((r): Cluster => {
      const namespaces: ClusterNamespace[] = r.namespaces.map((labels, i) => ({ name: NAMESPACE_NAMES[i]!, labels: { ...labels, 'kubernetes.io/metadata.name': NAMESPACE_NAMES[i]! } }));
      const nodes: ClusterNode[] = r.nodes.map((withId, i) => (withId ? { name: NODE_NAMES[i]!, id: i + 1 } : { name: NODE_NAMES[i]! }));
      const pods: ClusterPod[] = r.pods.map((p, i) => {
        const node = p.node % nodes.length;
        const pod: ClusterPod = { name: `p${i}`, namespace: namespaces[p.ns % namespaces.length]!.name, labels: p.labels, nodeName: nodes[node]!.name, containerPorts: p.ports.map((cp) => ({ ...cp })) };
        if (p.hasIp) pod.ip = `10.1.${node + 1}.${i + 2}`;
        return pod;
      });
      const policies: NetworkPolicy[] = r.policies.map((p, i) => ({ name: `pol${i}`, namespace: namespaces[p.ns % namespaces.length]!.name, ...p.body }));
      return { nodes, namespaces, pods, policies };
    });
}

/** IPs for every pod: its own `ip`, else `10.1.<node index + 1>.<100 + pod index>` (inside the IP_BLOCKS, never clashing). */
export function podIpMap(cluster: Cluster): Map<string, string> {
  return new Map(
    cluster.pods.map((p, i) => {
      const node = Math.max(0, cluster.nodes.findIndex((n) => n.name === p.nodeName));
      return [`${p.namespace}/${p.name}`, p.ip ?? `10.1.${node + 1}.${100 + i}`];
    }),
  );
}

/** A connection described by indices, resolved against any cluster with resolveConnection. */
export interface ConnectionSpec {
  src: { pod: number } | { ip: number };
  dst: { pod: number } | { ip: number };
  protocol: L4Protocol;
  port: number;
}

const endpointSpecArb = fc.oneof({ weight: 4, arbitrary: fc.nat().map((pod) => ({ pod })) }, { weight: 1, arbitrary: fc.nat().map((ip) => ({ ip })) });

export const connectionSpecArb: fc.Arbitrary<ConnectionSpec> = fc.record({
  src: endpointSpecArb,
  dst: endpointSpecArb,
  protocol: fc.constantFrom(...CONNECTION_PROTOCOLS),
  port: fc.constantFrom(...CONNECTION_PORTS),
});

export function resolveConnection(cluster: Cluster, spec: ConnectionSpec): Connection {
  const end = (e: ConnectionSpec['src']): Connection['src'] => {
    if ('ip' in e || cluster.pods.length === 0) return { ip: EXTERNAL_IPS[('ip' in e ? e.ip : e.pod) % EXTERNAL_IPS.length]! };
    const pod = cluster.pods[e.pod % cluster.pods.length]!;
    return { pod: `${pod.namespace}/${pod.name}` };
  };
  return { src: end(spec.src), dst: end(spec.dst), protocol: spec.protocol, port: spec.port };
}

/** A cluster with a few connections to judge on it. */
export function clusterWithConnectionsArb(constraints: ClusterConstraints = {}, maxConnections = 8): fc.Arbitrary<{ cluster: Cluster; connections: Connection[] }> {
  return fc.record({ cluster: clusterArb(constraints), specs: fc.array(connectionSpecArb, { minLength: 1, maxLength: maxConnections }) }).map(({ cluster, specs }) => ({ cluster, connections: specs.map((s) => resolveConnection(cluster, s)) }));
}

/** "namespace/name" of a pod connection end, or undefined for an IP. */
export function podRef(end: Connection['src']): string | undefined {
  return 'pod' in end ? end.pod : undefined;
}
