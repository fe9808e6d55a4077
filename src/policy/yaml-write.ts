// Writes a cluster, or policies alone, as Kubernetes YAML that `kubectl apply` accepts and src/policy/yaml.ts reads
// back to the same cluster.
import { stringify } from 'yaml';
import type {
  Cluster,
  ClusterEndpointAddress,
  ClusterEndpoints,
  ClusterService,
  ClusterNamespace,
  ClusterNode,
  ClusterPod,
  LabelSelector,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
} from './types.ts';
import { NODE_ID_ANNOTATION, KINDS, SERVICE_NAME_LABEL, YAML_OPTIONS } from './yaml-schema.ts';

/** The container written for a pod's ports (podflow does not model containers, only their ports). */
export const PLACEHOLDER_CONTAINER = { name: 'app', image: 'registry.k8s.io/pause:3.9' } as const;

function sortedRecord(rec: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(rec).sort()) out[k] = rec[k]!;
  return out;
}

function selectorObject(s: LabelSelector): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (s.matchLabels !== undefined) out.matchLabels = sortedRecord(s.matchLabels);
  if (s.matchExpressions !== undefined) {
    out.matchExpressions = s.matchExpressions.map((r) => (r.values === undefined ? { key: r.key, operator: r.operator } : { key: r.key, operator: r.operator, values: [...r.values] }));
  }
  return out;
}

function peerObject(p: NetworkPolicyPeer): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (p.podSelector !== undefined) out.podSelector = selectorObject(p.podSelector);
  if (p.namespaceSelector !== undefined) out.namespaceSelector = selectorObject(p.namespaceSelector);
  if (p.ipBlock !== undefined) out.ipBlock = p.ipBlock.except === undefined ? { cidr: p.ipBlock.cidr } : { cidr: p.ipBlock.cidr, except: [...p.ipBlock.except] };
  return out;
}

function portObject(p: NetworkPolicyPort): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (p.protocol !== undefined) out.protocol = p.protocol;
  if (p.port !== undefined) out.port = p.port;
  if (p.endPort !== undefined) out.endPort = p.endPort;
  return out;
}

function ruleObject(peersKey: 'from' | 'to', peers: NetworkPolicyPeer[] | undefined, ports: NetworkPolicyPort[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (peers !== undefined) out[peersKey] = peers.map(peerObject);
  if (ports !== undefined) out.ports = ports.map(portObject);
  return out;
}

function policyObject(p: NetworkPolicy): Record<string, unknown> {
  const spec: Record<string, unknown> = { podSelector: selectorObject(p.podSelector) };
  if (p.policyTypes !== undefined) spec.policyTypes = [...p.policyTypes];
  if (p.ingress !== undefined) spec.ingress = p.ingress.map((r) => ruleObject('from', r.from, r.ports));
  if (p.egress !== undefined) spec.egress = p.egress.map((r) => ruleObject('to', r.to, r.ports));
  return { apiVersion: KINDS.NetworkPolicy.apiVersion, kind: 'NetworkPolicy', metadata: { name: p.name, namespace: p.namespace }, spec };
}

function namespaceObject(ns: ClusterNamespace): Record<string, unknown> {
  const metadata: Record<string, unknown> = { name: ns.name };
  if (Object.keys(ns.labels).length > 0) metadata.labels = sortedRecord(ns.labels);
  return { apiVersion: 'v1', kind: 'Namespace', metadata };
}

function nodeObject(node: ClusterNode): Record<string, unknown> {
  const metadata: Record<string, unknown> = { name: node.name };
  if (node.id !== undefined) metadata.annotations = { [NODE_ID_ANNOTATION]: String(node.id) };
  return { apiVersion: 'v1', kind: 'Node', metadata };
}

function podObject(pod: ClusterPod): Record<string, unknown> {
  const metadata: Record<string, unknown> = { name: pod.name, namespace: pod.namespace };
  if (Object.keys(pod.labels).length > 0) metadata.labels = sortedRecord(pod.labels);
  const container: Record<string, unknown> = { ...PLACEHOLDER_CONTAINER };
  if (pod.containerPorts.length > 0) {
    container.ports = pod.containerPorts.map((p) => (p.name === undefined ? { containerPort: p.containerPort, protocol: p.protocol } : { name: p.name, containerPort: p.containerPort, protocol: p.protocol }));
  }
  const out: Record<string, unknown> = { apiVersion: 'v1', kind: 'Pod', metadata, spec: { nodeName: pod.nodeName, containers: [container] } };
  if (pod.ip !== undefined) out.status = { podIP: pod.ip };
  return out;
}

function serviceObject(svc: ClusterService): Record<string, unknown> {
  const spec: Record<string, unknown> = { type: svc.type };
  if (svc.clusterIP !== undefined) spec.clusterIP = svc.clusterIP;
  if (svc.clusterIPs !== undefined) spec.clusterIPs = [...svc.clusterIPs];
  if (svc.externalIPs.length > 0) spec.externalIPs = [...svc.externalIPs];
  if (svc.externalName !== undefined) spec.externalName = svc.externalName;
  if (svc.externalTrafficPolicy !== undefined) spec.externalTrafficPolicy = svc.externalTrafficPolicy;
  if (svc.selector !== undefined) spec.selector = sortedRecord(svc.selector);
  if (svc.ports.length > 0) {
    spec.ports = svc.ports.map((p) => {
      const out: Record<string, unknown> = {};
      if (p.name !== '') out.name = p.name;
      out.protocol = p.protocol;
      out.port = p.port;
      if (p.targetPort !== undefined) out.targetPort = p.targetPort;
      if (p.nodePort !== undefined) out.nodePort = p.nodePort;
      return out;
    });
  }
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: svc.name, namespace: svc.namespace }, spec };
}

function endpointPorts(ports: ClusterEndpointAddress['ports']): Record<string, unknown>[] {
  return ports.map((p) => (p.name === '' ? { port: p.port, protocol: p.protocol } : { name: p.name, port: p.port, protocol: p.protocol }));
}

function targetRefObject(a: ClusterEndpointAddress): Record<string, unknown> | undefined {
  if (a.targetRef === undefined) return undefined;
  const ref: Record<string, unknown> = {};
  if (a.targetRef.kind !== '') ref.kind = a.targetRef.kind;
  if (a.targetRef.namespace !== undefined) ref.namespace = a.targetRef.namespace;
  ref.name = a.targetRef.name;
  return ref;
}

/** Endpoints: a subset per address (the order is kept); an EndpointSlice: its addresses share the first one's ports. */
function endpointsObject(e: ClusterEndpoints): Record<string, unknown> {
  const name = e.from.slice(e.from.indexOf('/') + 1);
  if (e.kind === 'Endpoints') {
    const subsets = e.addresses.map((a) => {
      const addr: Record<string, unknown> = { ip: a.ip };
      if (a.nodeName !== undefined) addr.nodeName = a.nodeName;
      const ref = targetRefObject(a);
      if (ref) addr.targetRef = ref;
      return { [a.ready ? 'addresses' : 'notReadyAddresses']: [addr], ports: endpointPorts(a.ports) };
    });
    return { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: e.namespace }, subsets };
  }
  const endpoints = e.addresses.map((a) => {
    const out: Record<string, unknown> = { addresses: [a.ip], conditions: { ready: a.ready } };
    if (a.nodeName !== undefined) out.nodeName = a.nodeName;
    const ref = targetRefObject(a);
    if (ref) out.targetRef = ref;
    return out;
  });
  return {
    apiVersion: KINDS.EndpointSlice.apiVersion,
    kind: 'EndpointSlice',
    metadata: { name, namespace: e.namespace, labels: { [SERVICE_NAME_LABEL]: e.service } },
    addressType: 'IPv4',
    endpoints,
    ports: endpointPorts(e.addresses[0]?.ports ?? []),
  };
}

function documents(objects: Record<string, unknown>[]): string {
  // YAML 1.1 quoting, so strings such as "yes", "on" or "1" stay strings for go-yaml (kubectl) as well
  return objects.map((o) => stringify(o, { ...YAML_OPTIONS, lineWidth: 0 } as never)).join('---\n');
}

/**
 * Multi-document YAML (Namespaces, Nodes, Pods, NetworkPolicies, Services, Endpoints and EndpointSlices, in the
 * cluster's order) that parseClusterYaml reads back to an equal Cluster.
 */
export function clusterToYaml(cluster: Cluster): string {
  return documents([
    ...cluster.namespaces.map(namespaceObject),
    ...cluster.nodes.map(nodeObject),
    ...cluster.pods.map(podObject),
    ...cluster.policies.map(policyObject),
    ...(cluster.services ?? []).map(serviceObject),
    ...(cluster.endpoints ?? []).map(endpointsObject),
  ]);
}

/** Multi-document YAML of NetworkPolicies only. */
export function policiesToYaml(policies: NetworkPolicy[]): string {
  return documents(policies.map(policyObject));
}
