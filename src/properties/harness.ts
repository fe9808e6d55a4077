// The case most invariants share: a generated cluster (topology and policies), rendered the way Contiv renders
// it, configured on an adapter, and connections sent one by one from fresh state (request, then the reply when
// the request arrived). The observations come back with what the reference semantics expected.
import fc from 'fast-check';
import { ip4ToString } from '../packet/index.ts';
import type { Adapter, AdapterAclConfig, Observation } from '../adapters/adapter.ts';
import { clusterArb, connectionSpecArb, resolveConnection, type ClusterConstraints, type ConnectionSpec } from '../generators/cluster.ts';
import { renderCluster, type RenderedCluster } from '../policy/contiv/render.ts';
import type { RenderFaults } from '../policy/contiv/processor.ts';
import { contivFormula, firstPacket, replyPacket, type PolicyVerdict } from '../policy/contiv/semantics.ts';
import type { Cluster, Connection } from '../policy/types.ts';
import type { AclRule } from '../reference/state/acl.ts';
import { encodePacket, type Layer } from '../packet/index.ts';
import { POD_MAC, type Pod } from '../reference/topology/topology.ts';
import { rememberModelAcls } from '../reference/known-config.ts';
import { adapterTopology } from './resolve.ts';
import type { Exchange } from './types.ts';

export interface ClusterCase {
  cluster: Cluster;
  connections: ConnectionSpec[];
}

export function clusterCaseArb(constraints: ClusterConstraints = {}, maxConnections = 4): fc.Arbitrary<ClusterCase> {
  // A tuple mapped to the case, not fc.record (which draws a prototype flag per case: see generators/cluster.ts).
  return fc
    .tuple(clusterArb({ minPods: 2, topology: 'varied', maxPods: 8, ...constraints }), fc.array(connectionSpecArb, { minLength: 1, maxLength: maxConnections }))
    .map(([cluster, connections]) => ({ cluster, connections }));
}

function aclRuleJson(r: AclRule): AdapterAclConfig[string]['tables'][number]['rules'][number] {
  const out: AdapterAclConfig[string]['tables'][number]['rules'][number] = {
    action: r.action === 0 ? 'deny' : r.action === 1 ? 'permit' : 'permit+reflect',
    proto: r.proto,
    sport: r.sport,
    dport: r.dport,
  };
  if (r.src) out.src = `${ip4ToString(r.src.network)}/${r.src.prefixLen}`;
  if (r.dst) out.dst = `${ip4ToString(r.dst.network)}/${r.dst.prefixLen}`;
  return out;
}

/** Contiv's rendered ACLs in the adapters' plain form. */
export function adapterAcls(r: RenderedCluster): AdapterAclConfig {
  const out: AdapterAclConfig = {};
  for (const n of r.nodes) {
    const spec = { tables: n.acls.map((a) => ({ index: a.index, tag: a.tag, rules: a.rules.map(aclRuleJson) })), attach: n.attach };
    out[String(n.id)] = spec;
    // The reference adapter takes the model's own configuration instead of parsing the text back (known-config.ts).
    rememberModelAcls(spec, r.topology, n.config);
  }
  return out;
}

export interface SentConnection {
  connection: Connection;
  /** what the contiv semantics (decision formula over the rendered tables) says about the first packet */
  expected: PolicyVerdict;
  request: Observation;
  reply?: Observation;
  /** packet indices of the request and the reply */
  requestPacket: number;
  replyPacket?: number;
}

export interface CaseRun {
  rendered: RenderedCluster;
  sent: SentConnection[];
}

/** An adapter that configures a deliberately faulty rendering (a mutant of Contiv's renderer). */
export function renderFaultsOf(adapter: Adapter): RenderFaults {
  return (adapter as { renderFaults?: RenderFaults }).renderFaults ?? {};
}

/**
 * A cluster rendered twice: as Contiv renders it (`correct`: what is expected), and as the adapter's renderer does
 * (`given`: a mutant's faulty rendering, else the same object).
 */
export function renderForAdapter(cluster: Cluster, adapter: Adapter): { correct: RenderedCluster; given: RenderedCluster } {
  const correct = renderCluster(cluster);
  const faults = renderFaultsOf(adapter);
  return { correct, given: Object.keys(faults).length > 0 ? renderCluster(cluster, faults) : correct };
}

/** Renders the cluster for the adapter (renderForAdapter), sets it up with that topology and applies its ACLs. */
export async function configureCase(cluster: Cluster, adapter: Adapter, options: Parameters<Adapter['setup']>[1] = {}): Promise<{ correct: RenderedCluster; given: RenderedCluster }> {
  const r = renderForAdapter(cluster, adapter);
  await adapter.setup(adapterTopology(r.given.topology), options);
  await adapter.apply(adapterAcls(r.given));
  return r;
}

/** The frame a pod sends (a module function, not a closure per connection: tsx names closures at a cost). */
function podFrame(pod: Pod, layers: Layer[]): Uint8Array {
  layers.unshift({ kind: 'ethernet', dst: pod.tap.mac!, src: POD_MAC });
  return encodePacket(layers);
}

/**
 * Configures the adapter for the case and sends every connection from fresh state. The adapter gets the ACLs
 * its renderer produces; what is expected comes from the correct rendering (Contiv's semantics).
 */
export async function runClusterCase(c: ClusterCase, adapter: Adapter, profile?: string): Promise<CaseRun> {
  const { correct, given: rendered } = await configureCase(c.cluster, adapter, profile ? { profile } : {});
  const sent: SentConnection[] = [];
  let packet = 0;
  for (const spec of c.connections) {
    const conn = resolveConnection(c.cluster, spec);
    if (!conn || !('pod' in conn.src) || !('pod' in conn.dst)) continue;
    const client = rendered.topology.podByName.get(conn.src.pod)!;
    const server = rendered.topology.podByName.get(conn.dst.pod)!;
    await adapter.reset();
    const at = packet * 0.001;
    const requestPacket = packet++;
    const request = await adapter.inject([{ packet: requestPacket, at, from: { pod: client.name }, frame: podFrame(client, firstPacket(conn, client.ip, server.ip)) }]);
    const s: SentConnection = { connection: conn, expected: contivFormula(correct, conn), request, requestPacket };
    if (request.captures.some((x) => x.point === `pod:${server.name}:rx`)) {
      s.replyPacket = packet++;
      s.reply = await adapter.inject([{ packet: s.replyPacket, at: at + 0.0005, from: { pod: server.name }, frame: podFrame(server, replyPacket(conn, client.ip, server.ip)) }]);
    }
    sent.push(s);
  }
  return { rendered: correct, sent };
}

/** The facts that name a connection's exchange in a claim (which connection, its protocol, request or reply, the packet). */
export function exchangeFacts(s: SentConnection, exchange: Exchange): { connection: string; protocol: string; exchange: Exchange; packet: number } {
  return { connection: describeConnection(s.connection), protocol: s.connection.protocol, exchange, packet: exchange === 'reply' ? (s.replyPacket ?? s.requestPacket) : s.requestPacket };
}

/** Which exchange of a connection a packet index belongs to. */
export function exchangeOf(s: SentConnection, packet: number): Exchange {
  return packet === s.replyPacket ? 'reply' : 'request';
}

export function describeConnection(c: Connection): string {
  const end = (e: Connection['src']): string => ('pod' in e ? e.pod : e.ip);
  return `${end(c.src)} -> ${end(c.dst)} ${c.protocol}${c.protocol === 'ICMP' ? '' : `/${c.port}`}`;
}

/** The profile of the model an adapter is compared with (its capabilities, the reference's own name, else 18.01). */
export function modelProfileOf(adapter: Adapter): string {
  return adapter.capabilities.referenceProfile ?? /^reference\((.+)\)$/.exec(adapter.name)?.[1] ?? 'vpp-18.01-contiv';
}
