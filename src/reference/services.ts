// Services as Contiv renders them into NAT44 (docs/datapath.md §16): a Service's cluster IP, external IPs and node
// ports become static mappings with load balancing over its endpoints, the same set on every node (only the
// weights may differ), each with self-twice-NAT; the NAT loopback of each node is its twice-NAT pool; the TAPs of
// the pods that back a service on a node are marked NAT44 `in`. Sources: contiv/vpp 9f521b2eb
// docs/dev-guide/SERVICES.md ("Mapping of services to VPP/NAT configurations"), plugins/service/processor/service.go
// (Refresh: cluster IP and external IPs, ports, backends and which are local) and
// plugins/service/configurator/configurator_impl.go (exportDNATMappings, Resync). Pure: no VPP state.
import { ip4, ip4ToString } from '../packet/index.ts';
import type { Topology } from './topology/topology.ts';

export type ServiceProtocol = 'TCP' | 'UDP';

/** A Service port: `port` on the cluster IP and external IPs, `nodePort` on every node's IPs when set. */
export interface ServicePortSpec {
  /** the port's name ('' for the one unnamed port); endpoints give their port per name */
  name: string;
  protocol: ServiceProtocol;
  port: number;
  nodePort?: number;
}

/** A ready endpoint address (Endpoints subsets / EndpointSlices), with its port per service port name. */
export interface ServiceEndpointSpec {
  ip: string;
  /** the node the endpoint runs on; absent: Contiv counts it local on every node (an empty nodeName) */
  nodeId?: number;
  /** the target pod (`namespace/name`), when the endpoint is a pod */
  pod?: string;
  ports: { name: string; port: number }[];
}

/** A Service with its endpoints resolved: what Contiv's processor combines into a ContivService. */
export interface ServiceSpec {
  namespace: string;
  name: string;
  type: 'ClusterIP' | 'NodePort';
  /** absent or 'None' (headless): no mapping on a cluster IP */
  clusterIP?: string;
  externalIPs?: string[];
  /** `Local`: every mapping balances over this node's endpoints only (Contiv 9f521b2eb applies it to all of them) */
  externalTrafficPolicy?: 'Cluster' | 'Local';
  ports: ServicePortSpec[];
  /** ready endpoints only: Contiv translates to every address the Endpoints object lists as ready */
  endpoints: ServiceEndpointSpec[];
}

/** One load-balanced local of a mapping: an endpoint and its weight (0: the only one, "not really configured"). */
export interface ServiceLocal {
  addr: number;
  port: number;
  probability: number;
}

/** A NAT44 static mapping with load balancing, as Contiv asks the agent for it. */
export interface ServiceMapping {
  /** `namespace/name`: the DNAT instance's label */
  service: string;
  /** 6 TCP, 17 UDP */
  proto: 6 | 17;
  external: number;
  externalPort: number;
  /** why the mapping exists: the cluster IP, an external IP, or a node's IP with the node port */
  kind: 'cluster-ip' | 'external-ip' | 'node-port';
  locals: ServiceLocal[];
}

/** What one node gets: every mapping, the twice-NAT pool, and the pods on it that back a service. */
export interface NodeServices {
  nodeId: number;
  mappings: ServiceMapping[];
  /** the NAT loopback (`10.1.<id>.254` by default): the source of self-twice-NAT */
  twiceNatPool: number;
  /** names of the pods on this node that are endpoints of a service: their TAPs get NAT44 `in` + `out` */
  backendPods: string[];
}

/** Contiv's LocalVsRemoteProbRatio at 9f521b2eb: a local endpoint is as likely as a remote one. */
export const LOCAL_VS_REMOTE_PROB_RATIO = 1;

export const serviceId = (s: Pick<ServiceSpec, 'namespace' | 'name'>): string => `${s.namespace}/${s.name}`;

/**
 * The NAT44 mappings of every node for the given Services (docs/datapath.md §16.2). Per node and Service: for a
 * NodePort each node's IP (in node order) with each port's node port, then the cluster IP and each external IP
 * with each port. A port's locals are the endpoints that give that port, local ones weighted
 * LOCAL_VS_REMOTE_PROB_RATIO, remote ones 1, a sole local 0; a mapping without locals is left out. Ports are in
 * the Service's order (Contiv walks a Go map: its order is random, the set is the same).
 */
export function renderServices(topology: Topology, services: readonly ServiceSpec[]): Map<number, NodeServices> {
  const out = new Map<number, NodeServices>();
  const nodeIps = topology.nodes.map((n) => n.ip.network);
  for (const node of topology.nodes) {
    const mappings: ServiceMapping[] = [];
    const backendPods = new Set<string>();
    for (const svc of services) {
      const id = serviceId(svc);
      const localsOf = (port: ServicePortSpec): ServiceLocal[] => {
        const locals: ServiceLocal[] = [];
        for (const ep of svc.endpoints) {
          const p = ep.ports.find((q) => q.name === port.name);
          if (!p) continue;
          const local = ep.nodeId === undefined || ep.nodeId === node.id;
          if (svc.externalTrafficPolicy === 'Local' && !local) continue;
          locals.push({ addr: ip4(ep.ip), port: p.port, probability: local ? LOCAL_VS_REMOTE_PROB_RATIO : 1 });
        }
        if (locals.length === 1) locals[0]!.probability = 0;
        return locals;
      };
      const add = (kind: ServiceMapping['kind'], external: number, port: ServicePortSpec, externalPort: number): void => {
        const locals = localsOf(port);
        if (locals.length === 0) return;
        mappings.push({ service: id, proto: port.protocol === 'TCP' ? 6 : 17, external, externalPort, kind, locals });
      };
      if (svc.type === 'NodePort') for (const ip of nodeIps) for (const port of svc.ports) if (port.nodePort) add('node-port', ip, port, port.nodePort);
      if (svc.clusterIP !== undefined && svc.clusterIP !== 'None') for (const port of svc.ports) if (port.port) add('cluster-ip', ip4(svc.clusterIP), port, port.port);
      for (const eip of svc.externalIPs ?? []) for (const port of svc.ports) if (port.port) add('external-ip', ip4(eip), port, port.port);
      for (const ep of svc.endpoints) {
        if (ep.nodeId !== undefined && ep.nodeId !== node.id) continue;
        const pod = topology.podByIp.get(ip4(ep.ip));
        if (pod && pod.nodeId === node.id) backendPods.add(pod.name);
      }
    }
    out.set(node.id, { nodeId: node.id, mappings, twiceNatPool: node.natLoopback, backendPods: [...backendPods].sort() });
  }
  return out;
}

/** `tcp 10.96.0.10:80 → 10.1.1.3:8080 (p 1), 10.1.2.3:8080 (p 1)`: one line of a node's translations. */
export function describeMapping(m: ServiceMapping): string {
  const locals = m.locals.map((l) => `${ip4ToString(l.addr)}:${l.port}${l.probability ? ` (p ${l.probability})` : ''}`).join(', ');
  return `${m.proto === 6 ? 'tcp' : 'udp'} ${ip4ToString(m.external)}:${m.externalPort} → ${locals}  [${m.service}, ${m.kind}]`;
}
