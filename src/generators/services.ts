// fast-check arbitraries for Services in a generated cluster (docs/datapath.md §16): ClusterIP and NodePort
// Services with one to three ports (TCP or UDP, named), backends on the client's node, on another node or in a
// node's host network, endpoints that are not ready (left out of the translation, as Kubernetes leaves them out
// of the ready addresses), and connections to them — to the cluster IP, or to any node's IP at the node port, from
// any pod, also from a pod the Service selects itself (self-access). Everything is drawn as indices taken modulo
// what the cluster has, so a shrunk cluster keeps every draw meaningful; `resolveServices` turns the draws into
// the ServiceSpecs Contiv renders once the topology (the pods' IPs) is known.
import fc from 'fast-check';
import { ip4, ip4ToString, macToString } from '../packet/index.ts';
import { nodeIds } from '../policy/contiv/render.ts';
import type { Cluster } from '../policy/types.ts';
import type { NodeServices, ServicePortSpec, ServiceSpec } from '../reference/services.ts';
import { hostInterconnect, makeIpam, nodeIp, type IpamConfig } from '../reference/topology/ipam.ts';
import { derivedNeighbourMac } from '../reference/topology/neighbours.ts';
import type { Pod, Topology } from '../reference/topology/topology.ts';
import { clusterArb, type ClusterConstraints } from './cluster.ts';

/** The Service ports drawn from: the service port and the port its endpoints listen on. */
export const SERVICE_PORTS = [
  { port: 80, targetPort: 8080 },
  { port: 443, targetPort: 8443 },
  { port: 53, targetPort: 53 },
  { port: 8080, targetPort: 80 },
] as const;

/** Cluster IPs are 10.96.0.<10 + i> (Kubernetes' default service CIDR 10.96.0.0/12); node ports 30000 + 10·i + j. */
export const SERVICE_CIDR_BASE = '10.96.0.';

export interface ServiceDraw {
  type: 'ClusterIP' | 'NodePort';
  /** per port: the protocol; the first port's `which` picks the first of SERVICE_PORTS, the next ports follow it */
  ports: { protocol: 'TCP' | 'UDP'; which: number }[];
  /** pod indices of ready endpoints (duplicates collapse) */
  backends: number[];
  /** pod indices of endpoints listed as not ready: never translated to */
  notReady: number[];
  /** a node index whose host stack backs the Service too (a host-network endpoint), or none */
  hostBackend: number | undefined;
  externalTrafficPolicy: 'Cluster' | 'Local';
}

export interface ServiceConnectionSpec {
  /** the client pod (index) */
  client: number;
  /** which Service and which of its ports (indices) */
  service: number;
  port: number;
  /** to the cluster IP, or to a node's IP at the node port (ClusterIP Services: always the cluster IP) */
  via: 'cluster-ip' | 'node-port';
  /** the node (index) whose IP a node-port connection goes to */
  node: number;
  /** the client is one of the Service's own pod backends (self-access), when it has any */
  self: boolean;
  /** the client's source port (load balancing hashes over it) */
  sport: number;
}

export interface ServiceCase {
  cluster: Cluster;
  services: ServiceDraw[];
  connections: ServiceConnectionSpec[];
}

export const serviceDrawArb: fc.Arbitrary<ServiceDraw> = fc
  .tuple(
    fc.constantFrom('ClusterIP' as const, 'NodePort' as const),
    fc.array(fc.tuple(fc.constantFrom('TCP' as const, 'TCP' as const, 'UDP' as const), fc.nat(3)), { minLength: 1, maxLength: 3 }),
    fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
    fc.array(fc.nat(), { maxLength: 1 }),
    fc.option(fc.nat(), { nil: undefined, freq: 4 }),
    fc.constantFrom('Cluster' as const, 'Cluster' as const, 'Cluster' as const, 'Local' as const),
  )
  .map(([type, ports, backends, notReady, hostBackend, externalTrafficPolicy]) => ({ type, ports: ports.map(([protocol, which]) => ({ protocol, which })), backends, notReady, hostBackend, externalTrafficPolicy }));

export const serviceConnectionSpecArb: fc.Arbitrary<ServiceConnectionSpec> = fc
  .tuple(fc.nat(), fc.nat(), fc.nat(), fc.constantFrom('cluster-ip' as const, 'node-port' as const), fc.nat(), fc.boolean(), fc.integer({ min: 1024, max: 65535 }))
  .map(([client, service, port, via, node, self, sport]) => ({ client, service, port, via, node, self: self && client % 3 === 0, sport }));

/** A cluster (pods on 2–4 nodes, policies) with 1–3 Services and 1–`maxConnections` connections to them. */
export function serviceCaseArb(constraints: ClusterConstraints = {}, maxConnections = 4): fc.Arbitrary<ServiceCase> {
  return fc
    .tuple(clusterArb({ minPods: 2, maxPods: 8, topology: 'varied', ...constraints }), fc.array(serviceDrawArb, { minLength: 1, maxLength: 3 }), fc.array(serviceConnectionSpecArb, { minLength: 1, maxLength: maxConnections }))
    .map(([cluster, services, connections]) => ({ cluster, services, connections }));
}

/**
 * The cluster with every node's host stack known to VPP (the MAC of tap0's host end, learned: the host has
 * spoken) and a default gateway on the node network — the highest address of it no node has, one router with one
 * MAC for all (docs/datapath.md §17). Derived from the cluster alone, so a case needs no field for it.
 */
export function withNodeStacks(cluster: Cluster): Cluster {
  const ipam = makeIpam((cluster.ipam ?? {}) as Partial<IpamConfig>);
  const ids = nodeIds(cluster);
  const used = new Set(cluster.nodes.map((n) => nodeIp(ipam, ids.get(n.name)!).network));
  const net = ipam.nodeInterconnect;
  let gw = (net.network + 2 ** (32 - net.prefixLen) - 2) >>> 0;
  while (used.has(gw) && gw > net.network + 1) gw--;
  const gateway = { ip: ip4ToString(gw), mac: macToString(derivedNeighbourMac(0, gw)) };
  const nodes = cluster.nodes.map((n) => {
    const id = ids.get(n.name)!;
    return { ...n, host: { mac: macToString(derivedNeighbourMac(id, hostInterconnect(ipam, id).hostEnd)) }, gateway };
  });
  return { ...cluster, nodes };
}

/** Pods in the topology's order (node by node), the order indices refer to. */
function podsOf(t: Topology): Pod[] {
  return t.nodes.flatMap((n) => n.pods);
}

/** The host address a host-network endpoint on node `nodeId` has: the host end of tap0 (docs/datapath.md §17). */
export function hostBackendIp(t: Topology, nodeId: number): number {
  return hostInterconnect(t.ipam, nodeId).hostEnd;
}

/** The Services of a case as Contiv gets them: ready endpoints with their node, ports named p0, p1, … */
export function resolveServices(draws: readonly ServiceDraw[], t: Topology): ServiceSpec[] {
  const pods = podsOf(t);
  return draws.map((d, i) => {
    // Port j takes SERVICE_PORTS[first port's draw + j]: distinct ports within a Service, as the API server requires.
    const base = d.ports[0]?.which ?? 0;
    const ports: ServicePortSpec[] = d.ports.map((p, j) => {
      const sp = SERVICE_PORTS[(base + j) % SERVICE_PORTS.length]!;
      const out: ServicePortSpec = { name: `p${j}`, protocol: p.protocol, port: sp.port };
      if (d.type === 'NodePort') out.nodePort = 30000 + 10 * i + j;
      return out;
    });
    const targetOf = (j: number): number => SERVICE_PORTS[(base + j) % SERVICE_PORTS.length]!.targetPort;
    const endpoints: ServiceSpec['endpoints'] = [];
    const seen = new Set<number>();
    if (pods.length > 0) {
      const notReady = new Set(d.notReady.map((k) => k % pods.length));
      for (const b of d.backends) {
        const k = b % pods.length;
        if (seen.has(k) || notReady.has(k)) continue;
        seen.add(k);
        const pod = pods[k]!;
        endpoints.push({ ip: ip4ToString(pod.ip), nodeId: pod.nodeId, pod: pod.name, ports: ports.map((p, j) => ({ name: p.name, port: targetOf(j) })) });
      }
    }
    if (d.hostBackend !== undefined) {
      const node = t.nodes[d.hostBackend % t.nodes.length]!;
      endpoints.push({ ip: ip4ToString(hostBackendIp(t, node.id)), nodeId: node.id, ports: ports.map((p, j) => ({ name: p.name, port: targetOf(j) })) });
    }
    return { namespace: 'default', name: `svc-${i}`, type: d.type, clusterIP: `${SERVICE_CIDR_BASE}${10 + i}`, externalTrafficPolicy: d.externalTrafficPolicy, ports, endpoints };
  });
}

/** A backend a connection may be translated to: its address and port, and the pod or host behind it. */
export interface ServiceBackend {
  ip: number;
  port: number;
  pod?: string;
  /** a host-network endpoint: the node whose host stack it is */
  hostNode?: number;
}

export interface ResolvedServiceConnection {
  spec: ServiceConnectionSpec;
  client: Pod;
  service: ServiceSpec;
  port: ServicePortSpec;
  protocol: 'TCP' | 'UDP';
  /** where the client sends: the cluster IP and port, or a node's IP and node port */
  dst: { ip: number; port: number };
  via: 'cluster-ip' | 'node-port';
  sport: number;
  /** the client is a backend of the Service (self-access) */
  self: boolean;
}

/**
 * A connection spec resolved against the case's Services; undefined when the Service has no port or the cluster
 * no pod. A self-access spec picks the Service's first pod backend as client, when it has one.
 */
export function resolveServiceConnection(services: readonly ServiceSpec[], t: Topology, spec: ServiceConnectionSpec): ResolvedServiceConnection | undefined {
  const pods = podsOf(t);
  if (pods.length === 0 || services.length === 0) return undefined;
  const service = services[spec.service % services.length]!;
  const port = service.ports[spec.port % service.ports.length]!;
  let client = pods[spec.client % pods.length]!;
  let self = false;
  if (spec.self) {
    const own = service.endpoints.find((e) => e.pod !== undefined);
    if (own) {
      client = t.podByName.get(own.pod!)!;
      self = true;
    }
  }
  const via = service.type === 'NodePort' && spec.via === 'node-port' && port.nodePort !== undefined ? 'node-port' : 'cluster-ip';
  const dst = via === 'node-port' ? { ip: t.nodes[spec.node % t.nodes.length]!.ip.network, port: port.nodePort! } : { ip: ip4(service.clusterIP!), port: port.port };
  if (!self) self = service.endpoints.some((e) => e.pod === client.name);
  return { spec, client, service, port, protocol: port.protocol, dst, via, sport: spec.sport, self };
}

/**
 * Where a connection is translated and to what: the mapping it hits on its client's node in Contiv's rendering
 * (`rendered`: renderServices of the case); when that node has none (externalTrafficPolicy Local without a local
 * endpoint: Contiv applies it to every mapping, docs/datapath.md §16.1) and the connection goes to a node port, the
 * mapping of the node whose IP it goes to — the packet leaves the client's node as traffic to that node's IP,
 * source-NATed to the client node's IP (§17.4), and is translated there. Each backend with the pod or host stack
 * behind its address. Undefined when no node translates it.
 */
export function translationOf(c: ResolvedServiceConnection, t: Topology, rendered: ReadonlyMap<number, NodeServices>): { nodeId: number; backends: (ServiceBackend & { probability: number })[] } | undefined {
  const proto = c.protocol === 'TCP' ? 6 : 17;
  const on = (nodeId: number) => rendered.get(nodeId)?.mappings.find((x) => x.external === c.dst.ip && x.externalPort === c.dst.port && x.proto === proto);
  let nodeId = c.client.nodeId;
  let m = on(nodeId);
  if (!m && c.via === 'node-port') {
    const target = t.nodes.find((n) => n.ip.network === c.dst.ip);
    if (target && target.id !== nodeId) {
      nodeId = target.id;
      m = on(nodeId);
    }
  }
  if (!m) return undefined;
  const backends = m.locals.map((l) => {
    const b: ServiceBackend & { probability: number } = { ip: l.addr, port: l.port, probability: l.probability };
    const pod = t.podByIp.get(l.addr);
    if (pod) b.pod = pod.name;
    else {
      const host = t.nodes.find((n) => hostBackendIp(t, n.id) === l.addr);
      if (host) b.hostNode = host.id;
    }
    return b;
  });
  return { nodeId, backends };
}
