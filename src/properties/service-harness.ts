// The case the Service invariants share (docs/datapath.md §16): a generated cluster with policies and Services,
// configured on an adapter as Contiv renders it (ACLs, then the NAT44 mappings), and connections to the Services
// sent one by one from fresh state. The backend is the data path's choice, so the reply is built from what
// arrived: the backend answers the source it saw, from the address and port the request was translated to.
import type { Adapter, Capture, Observation } from '../adapters/adapter.ts';
import { decodePacket, encodePacket, findLayer, ip4ToString, mac, type Layer } from '../packet/index.ts';
import { contivFormula, firstPacket, replyPacket, type PolicyVerdict } from '../policy/contiv/semantics.ts';
import type { RenderedCluster } from '../policy/contiv/render.ts';
import type { Connection } from '../policy/types.ts';
import { renderServices, type NodeServices, type ServiceSpec } from '../reference/services.ts';
import { POD_MAC, type Pod, type Topology } from '../reference/topology/topology.ts';
import { resolveServiceConnection, translationOf, resolveServices, withNodeStacks, type ResolvedServiceConnection, type ServiceBackend, type ServiceCase } from '../generators/services.ts';
import { configureCase } from './harness.ts';
import { adapterServiceConfig, adapterTopology } from './resolve.ts';

/** The IPv4 addresses and L4 ports of a captured frame (ports 0 for other protocols). */
export interface FrameTuple {
  src: number;
  dst: number;
  proto: number;
  sport: number;
  dport: number;
}

export function tupleOf(data: Uint8Array): FrameTuple | undefined {
  const layers = decodePacket(data).layers;
  const ip = findLayer(layers, 'ipv4');
  if (!ip) return undefined;
  const l4 = findLayer(layers, 'tcp') ?? findLayer(layers, 'udp');
  return { src: ip.src, dst: ip.dst, proto: ip.protocol ?? 0, sport: l4?.srcPort ?? 0, dport: l4?.dstPort ?? 0 };
}

export const tupleText = (t: FrameTuple): string => `${ip4ToString(t.src)}:${t.sport} -> ${ip4ToString(t.dst)}:${t.dport}`;

/** Where a request arrived: a backend's pod or host stack (or another pod or host: a wrong translation). */
export interface Arrival {
  point: string;
  capture: Capture;
  tuple: FrameTuple | undefined;
  /** the backend behind the capture point, when it is one of the connection's */
  backend?: ServiceBackend;
}

export interface ServiceExchange {
  conn: ResolvedServiceConnection;
  /** the locals of the mapping the connection hits, with their weights (empty: no node translates it) */
  backends: (ServiceBackend & { probability: number })[];
  /** the node that translates it: the client's, or for a node port the target node when the client's has no mapping */
  translatedOn?: number;
  /** Contiv's verdict on the translated connection, per backend (same order): policies see the backend (§16) */
  verdicts: PolicyVerdict[];
  requestPacket: number;
  request: Observation;
  /** every frame the request delivered to a pod or a host stack */
  arrivals: Arrival[];
  replyPacket?: number;
  reply?: Observation;
}

export interface ServiceRun {
  rendered: RenderedCluster;
  topology: Topology;
  services: ServiceSpec[];
  nat: Map<number, NodeServices>;
  sent: ServiceExchange[];
}

export type ServiceRunResult = { run: ServiceRun } | { unknown: string };

/** The frame a pod sends. */
function podFrame(pod: Pod, layers: Layer[]): Uint8Array {
  return encodePacket([{ kind: 'ethernet', dst: pod.tap.mac!, src: POD_MAC }, ...layers]);
}

/** The connection as the policies see it once translated: client → backend at the port it was translated to. */
export function translatedConnection(c: ResolvedServiceConnection, b: ServiceBackend): Connection {
  return { src: { pod: c.client.name }, dst: b.pod !== undefined ? { pod: b.pod } : { ip: ip4ToString(b.ip) }, protocol: c.protocol, port: b.port };
}

/**
 * Contiv's verdict for client → backend after translation; a pod's access to itself through its Service is
 * always allowed (Contiv permits the NAT loopback on every pod with policies, docs/datapath.md §10.7, §16).
 */
export function backendVerdict(rendered: RenderedCluster, c: ResolvedServiceConnection, b: ServiceBackend, translatedOn: number, topology: Topology): PolicyVerdict {
  if (b.pod !== undefined && b.pod === c.client.name) return 'allow';
  if (translatedOn === c.client.nodeId) return contivFormula(rendered, translatedConnection(c, b));
  // Translated on another node: the client's egress towards that node's IP, then the endpoint's ingress from the
  // client node's IP (the source NAT on the way out, docs/datapath.md §17.4).
  if (contivFormula(rendered, { src: { pod: c.client.name }, dst: { ip: ip4ToString(c.dst.ip) }, protocol: c.protocol, port: c.dst.port }) !== 'allow') return 'deny';
  if (b.pod === undefined) return 'allow';
  return contivFormula(rendered, { src: { ip: ip4ToString(topology.nodeById.get(c.client.nodeId)!.ip.network) }, dst: { pod: b.pod }, protocol: c.protocol, port: b.port });
}

function backendAt(point: string, backends: readonly ServiceBackend[]): ServiceBackend | undefined {
  const pod = /^pod:(.+):rx$/.exec(point)?.[1];
  if (pod !== undefined) return backends.find((b) => b.pod === pod);
  const host = /^node:(\d+):host$/.exec(point)?.[1];
  if (host !== undefined) return backends.find((b) => b.hostNode === Number(host));
  return undefined;
}

/**
 * Frames a request delivered: at a pod (`pod:<name>:rx`) or a host stack (`node:<id>:host`, not what the host
 * sent), of the request's protocol (an ICMP error VPP sends back, e.g. port unreachable, is no arrival).
 */
export function arrivalsOf(o: Observation, packet: number, backends: readonly ServiceBackend[], hostTx: ReadonlySet<string>, proto: number, client?: { point: string; self: boolean }): Arrival[] {
  const out: Arrival[] = [];
  for (const c of o.captures) {
    if (c.packet !== packet) continue;
    const isPod = c.point.startsWith('pod:') && c.point.endsWith(':rx');
    const isHost = c.point.endsWith(':host') && !hostTx.has(Buffer.from(c.data).toString('hex'));
    if (!isPod && !isHost) continue;
    // What the client itself gets while its request is out is the data path's answer (a TCP reset from a node's own
    // stack, an ICMP error), unless it reaches itself through the Service (self-access).
    if (client && c.point === client.point && !client.self) continue;
    const tuple = tupleOf(c.data);
    if (tuple && tuple.proto !== proto) continue;
    const a: Arrival = { point: c.point, capture: c, tuple };
    const b = backendAt(c.point, backends);
    if (b) a.backend = b;
    out.push(a);
  }
  return out;
}

/**
 * Configures the case (ACLs, then Services) and sends each connection from fresh state (`resetEach: false`: one
 * reset for the whole case, for flows that differ anyway): the request from the client, and — when it arrived at
 * exactly one backend — that backend's reply to what it saw. Unknown when the adapter cannot render Services.
 */
export async function runServiceCase(c: ServiceCase, adapter: Adapter, profile?: string, opts: { resetEach?: boolean } = {}): Promise<ServiceRunResult> {
  if (!adapter.capabilities.services || !adapter.applyServices) return { unknown: `adapter ${adapter.name} does not render Services (capabilities.services)` };
  const { correct, given } = await configureCase(withNodeStacks(c.cluster), adapter, profile ? { profile } : {});
  const topology = given.topology;
  const services = resolveServices(c.services, topology);
  const nat = renderServices(topology, services);
  await adapter.applyServices(adapterServiceConfig(nat, topology));
  const hosts = adapterTopology(topology).nodes;
  const sent: ServiceExchange[] = [];
  let packet = 0;
  for (const spec of c.connections) {
    const conn = resolveServiceConnection(services, topology, spec);
    if (!conn) continue;
    const tr = translationOf(conn, topology, nat);
    const backends = tr?.backends ?? [];
    // Fresh state per connection, unless the caller sends many distinct flows that need none (load-spread).
    if (opts.resetEach !== false || sent.length === 0) await adapter.reset();
    const at = packet * 0.001;
    const requestPacket = packet++;
    const layers = firstPacket({ src: { pod: conn.client.name }, dst: { ip: ip4ToString(conn.dst.ip) }, protocol: conn.protocol, port: conn.dst.port }, conn.client.ip, conn.dst.ip, conn.sport);
    const request = await adapter.inject([{ packet: requestPacket, at, from: { pod: conn.client.name }, frame: podFrame(conn.client, layers) }]);
    const arrivals = arrivalsOf(request, requestPacket, backends, new Set(), conn.protocol === 'TCP' ? 6 : 17, { point: `pod:${conn.client.name}:rx`, self: conn.self });
    const ex: ServiceExchange = { conn, backends, verdicts: tr ? backends.map((b) => backendVerdict(correct, conn, b, tr.nodeId, topology)) : [], requestPacket, request, arrivals };
    if (tr) ex.translatedOn = tr.nodeId;
    const only = arrivals.length === 1 ? arrivals[0]! : undefined;
    if (only?.backend && only.tuple) {
      const t = only.tuple;
      const reply = replyPacket({ src: { pod: conn.client.name }, dst: { ip: ip4ToString(t.dst) }, protocol: conn.protocol, port: t.dport }, t.src, t.dst, t.sport);
      ex.replyPacket = packet++;
      if (only.backend.pod !== undefined) {
        const server = topology.podByName.get(only.backend.pod)!;
        ex.reply = await adapter.inject([{ packet: ex.replyPacket, at: at + 0.0005, from: { pod: server.name }, frame: podFrame(server, reply) }]);
      } else {
        const node = topology.nodeById.get(only.backend.hostNode!)!;
        const host = hosts.find((h) => h.id === node.id)!.host!;
        const frame = encodePacket([{ kind: 'ethernet', dst: node.tap0.mac!, src: mac(host.mac) }, ...reply]);
        ex.reply = await adapter.inject([{ packet: ex.replyPacket, at: at + 0.0005, from: { node: node.id, host: true }, frame }]);
      }
    }
    sent.push(ex);
  }
  return { run: { rendered: correct, topology, services, nat, sent } };
}
