// The cluster's Services resolved into what Contiv's service plugin renders (docs/datapath.md §16.1): per Service
// its ports and its ready endpoints with the node each runs on, as the ServiceSpec of src/reference/services.ts.
// Endpoints come from the file's Endpoints object (what Contiv 9f521b2eb reads, plugins/service/processor/
// service.go), else from its EndpointSlices, else — a hand-written file — are derived from the selector the way
// Kubernetes' endpoints controller does (pkg/controller/endpoint: the pods of the Service's namespace the selector
// matches, with an IP; the target port resolved per pod, a named one through the pod's container ports of the
// same protocol). The decisions where Kubernetes and Contiv differ are in docs/datapath.md §16.9.
import { nodeIds } from './contiv/render.ts';
import type { Cluster, ClusterEndpointAddress, ClusterService, ClusterServicePort } from './types.ts';
import type { ServiceEndpointSpec, ServicePortSpec, ServiceSpec } from '../reference/services.ts';

/** One endpoint address of a resolved Service, ready or not, with what it is. */
export interface ResolvedBackend {
  ip: string;
  ready: boolean;
  nodeName?: string;
  nodeId?: number;
  /** `namespace/name` of the pod on the pod network this address belongs to */
  pod?: string;
  /** the address is a node's own: what it is (a host-network pod, or the node itself, e.g. the API server) */
  host?: string;
  /** per service port name: the backend's port */
  ports: Map<string, number>;
}

export interface ResolvedService {
  service: ClusterService;
  /** what Contiv renders; absent when the Service is skipped */
  spec?: ServiceSpec;
  /** why the Service has no data path (ExternalName) */
  skipped?: string;
  /** where the endpoints come from */
  endpointsFrom: string;
  backends: ResolvedBackend[];
  /** what a reader must know: pods left out of derived endpoints, SCTP ports, addresses left out, … */
  notes: string[];
}

export interface ServiceResolution {
  /** the ServiceSpecs to render (renderServices), in file order */
  specs: ServiceSpec[];
  resolved: ResolvedService[];
}

export interface ClusterServicesOptions {
  /** node name → the node's own address (InternalIP), to recognise host-network endpoints */
  nodeAddresses?: ReadonlyMap<string, string>;
  /** host-network pods (`namespace/name` → node name), to name host-network endpoints */
  hostNetworkPods?: ReadonlyMap<string, string>;
}

function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** The endpoints controller's FindPort: the target port of a service port on one pod, or why there is none. */
function findPort(port: ClusterServicePort, containerPorts: Cluster['pods'][number]['containerPorts']): number | string {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  const cp = containerPorts.find((c) => c.name === target && c.protocol === port.protocol);
  return cp ? cp.containerPort : `no container port named ${JSON.stringify(target)} (${port.protocol})`;
}

/**
 * Every Service of the cluster resolved: `podIps` maps `namespace/name` → the pod's IP (status.podIP, or the one
 * Contiv's IPAM allocates), node IDs are the ones the policy tool derives (nodeIds).
 */
export function clusterServices(cluster: Cluster, podIps: ReadonlyMap<string, string>, options: ClusterServicesOptions = {}): ServiceResolution {
  const ids = nodeIds(cluster);
  const podByKey = new Map(cluster.pods.map((p) => [`${p.namespace}/${p.name}`, p]));
  const podByIp = new Map([...podIps].map(([k, ip]) => [ip, k]));
  const hostByIp = new Map([...(options.nodeAddresses ?? [])].map(([node, ip]) => [ip, node]));
  const resolved: ResolvedService[] = [];
  const specs: ServiceSpec[] = [];
  for (const svc of cluster.services ?? []) {
    const notes: string[] = [];
    if (svc.type === 'ExternalName') {
      resolved.push({ service: svc, skipped: `type ExternalName: a DNS alias of ${svc.externalName ?? '?'}, with no cluster IP and no endpoints (neither Contiv nor kube-proxy translates anything)`, endpointsFrom: 'none', backends: [], notes });
      continue;
    }
    // Endpoints first (Contiv reads them), then slices, then the selector.
    const own = (cluster.endpoints ?? []).filter((e) => e.namespace === svc.namespace && e.service === svc.name);
    const fromEndpoints = own.filter((e) => e.kind === 'Endpoints');
    const fromSlices = own.filter((e) => e.kind === 'EndpointSlice');
    let addresses: ClusterEndpointAddress[];
    let endpointsFrom: string;
    if (fromEndpoints.length > 0) {
      addresses = fromEndpoints.flatMap((e) => e.addresses);
      endpointsFrom = fromEndpoints.map((e) => e.from).join(', ');
      if (fromSlices.length > 0) notes.push(`its EndpointSlices (${fromSlices.map((e) => e.from.replace(/^EndpointSlice /, '')).join(', ')}) are not read: Contiv reads the Endpoints object`);
    } else if (fromSlices.length > 0) {
      const seen = new Set<string>();
      addresses = fromSlices.flatMap((e) => e.addresses).filter((a) => {
        const key = `${a.ip} ${a.ports.map((p) => `${p.name}=${p.port}`).join(',')}`;
        return seen.has(key) ? false : (seen.add(key), true);
      });
      endpointsFrom = fromSlices.map((e) => e.from).join(', ');
    } else if (svc.selector !== undefined) {
      addresses = [];
      endpointsFrom = `derived from the selector ${Object.entries(svc.selector).map(([k, v]) => `${k}=${v}`).join(',') || '{} (every pod of the namespace)'} (no Endpoints or EndpointSlice in the file)`;
      for (const pod of cluster.pods) {
        const key = `${pod.namespace}/${pod.name}`;
        if (pod.namespace !== svc.namespace || !selects(svc.selector, pod.labels)) continue;
        const ip = podIps.get(key) ?? pod.ip;
        if (ip === undefined) {
          notes.push(`pod ${key} left out: it has no IP`);
          continue;
        }
        const ports: ClusterEndpointAddress['ports'] = [];
        for (const port of svc.ports) {
          const found = findPort(port, pod.containerPorts);
          if (typeof found === 'string') notes.push(`pod ${key} is no endpoint of port ${port.name || port.port}: ${found}`);
          else ports.push({ name: port.name, port: found, protocol: port.protocol });
        }
        if (ports.length === 0 && svc.ports.length > 0) continue;
        addresses.push({ ip, ready: true, nodeName: pod.nodeName, targetRef: { kind: 'Pod', namespace: pod.namespace, name: pod.name }, ports });
      }
      if (addresses.length === 0) notes.push(`the selector matches no pod of namespace ${svc.namespace} with an IP and a target port`);
    } else {
      addresses = [];
      endpointsFrom = 'none (no selector, and no Endpoints or EndpointSlice in the file)';
    }

    const backends: ResolvedBackend[] = [];
    const endpoints: ServiceEndpointSpec[] = [];
    for (const a of addresses) {
      const b: ResolvedBackend = { ip: a.ip, ready: a.ready, ports: new Map(a.ports.map((p) => [p.name, p.port])) };
      if (a.nodeName !== undefined) b.nodeName = a.nodeName;
      const refKey = a.targetRef?.kind === 'Pod' ? `${a.targetRef.namespace ?? svc.namespace}/${a.targetRef.name}` : undefined;
      const pod = refKey !== undefined && podByKey.has(refKey) && (podIps.get(refKey) ?? podByKey.get(refKey)!.ip) === a.ip ? refKey : podByIp.get(a.ip);
      if (pod !== undefined) b.pod = pod;
      else if (hostByIp.has(a.ip)) b.host = refKey !== undefined && options.hostNetworkPods?.has(refKey) ? `host-network pod ${refKey} (the address of node ${hostByIp.get(a.ip)})` : `the address of node ${hostByIp.get(a.ip)}`;
      if (a.nodeName !== undefined) {
        const nodeId = ids.get(a.nodeName);
        if (nodeId === undefined) {
          notes.push(`address ${a.ip} left out: its node ${a.nodeName} is not in the file`);
          continue;
        }
        b.nodeId = nodeId;
      }
      backends.push(b);
      if (!a.ready) continue;
      const spec: ServiceEndpointSpec = { ip: a.ip, ports: a.ports.map((p) => ({ name: p.name, port: p.port })) };
      if (b.nodeId !== undefined) spec.nodeId = b.nodeId;
      if (b.pod !== undefined) spec.pod = b.pod;
      endpoints.push(spec);
    }
    const notReady = backends.filter((b) => !b.ready).length;
    if (notReady > 0) notes.push(`${notReady} address(es) not ready: no translation to them (Contiv reads the ready addresses only, as kube-proxy does)`);

    // Contiv's processor makes every protocol other than TCP a UDP port (service.go, Refresh).
    const ports: ServicePortSpec[] = [];
    for (const p of svc.ports) {
      const protocol = p.protocol === 'TCP' ? 'TCP' : 'UDP';
      if (p.protocol === 'SCTP') {
        const clash = svc.ports.find((q) => q !== p && q.protocol === 'UDP' && (q.port === p.port || (p.nodePort !== undefined && q.nodePort === p.nodePort)));
        if (clash) {
          notes.push(`port ${p.name || p.port} (SCTP ${p.port}) left out: Contiv would render it as UDP ${p.port}, which port ${clash.name || clash.port} already is`);
          continue;
        }
        notes.push(`port ${p.name || p.port} is SCTP: Contiv renders it as UDP ${p.port} (every protocol other than TCP becomes UDP), so SCTP to it is not translated and UDP to it is`);
      }
      const out: ServicePortSpec = { name: p.name, protocol, port: p.port };
      if (p.nodePort !== undefined) out.nodePort = p.nodePort;
      ports.push(out);
    }
    const type = ports.some((p) => p.nodePort !== undefined) ? 'NodePort' : 'ClusterIP';
    if (svc.type === 'LoadBalancer') notes.push("type LoadBalancer: rendered as a NodePort (its node ports, cluster IP and external IPs); the load balancer's own addresses (status.loadBalancer) are outside the cluster and not read");
    const spec: ServiceSpec = { namespace: svc.namespace, name: svc.name, type, ports, endpoints };
    if (svc.clusterIP !== undefined) spec.clusterIP = svc.clusterIP;
    else notes.push('no spec.clusterIP: the API server allocates it on creation; no translation of a cluster IP is shown');
    if (svc.clusterIP === 'None') notes.push('headless (clusterIP None): no translation; clients reach the backend pods directly at their own addresses');
    if (svc.externalIPs.length > 0) spec.externalIPs = [...svc.externalIPs];
    if (svc.externalTrafficPolicy !== undefined) spec.externalTrafficPolicy = svc.externalTrafficPolicy;
    resolved.push({ service: svc, spec, endpointsFrom, backends, notes });
    specs.push(spec);
  }
  return { specs, resolved };
}
