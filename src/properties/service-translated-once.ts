// A connection to a Service (its cluster IP, or a node's IP at a node port) reaches exactly one of the Service's
// ready endpoints, translated once: the destination becomes that endpoint's address and port, the source stays
// the client's (self-access: the node's NAT loopback, self-twice-NAT); and the client sees the reply come from
// the address and port it connected to (docs/datapath.md §16; P16). Whether it must arrive at all is
// service-policy-after-translation's question.
import { ip4ToString } from '../packet/index.ts';
import { serviceCaseArb, type ServiceCase } from '../generators/services.ts';
import { runServiceCase, tupleOf, tupleText, type ServiceExchange } from './service-harness.ts';
import { wireCaptures } from './common.ts';
import { vxlanFrameProblems } from './vxlan-never-source-nated.ts';
import { claim, verdictOf, type Claim, type ClaimFacts, type ClaimMessages, type PropertyDef } from './types.ts';

const CLAIMS: ClaimMessages = {
  'delivered-twice': (c) => `${c.connection}: the request arrived ${c.received}, expected at exactly one endpoint`,
  'not-an-endpoint': (c) => `${c.connection}: the request arrived at ${c.point}, which is no ready endpoint of the Service (${c.expected})`,
  'not-translated': (c) => `${c.connection}: the request reached ${c.point} as ${c.received}, expected the destination translated to ${c.expected}`,
  'source-changed': (c) => `${c.connection}: the request reached ${c.point} from ${c.received}, expected from ${c.expected}`,
  'reply-lost': (c) => `${c.connection}: the endpoint's reply never reached the client`,
  'reply-not-untranslated': (c) => `${c.connection}: the client got the reply as ${c.received}, expected ${c.expected}`,
  // VXLAN between nodes (a remote endpoint) is still never source-NATed (P12)
  'left-unencapsulated': (c) => `${c.connection}: ${c.received}, not in VXLAN; between nodes only VXLAN should cross`,
  'outer-source-nated': (c) => `${c.connection}: outer source ${c.received} on ${c.point} is not a node IP (source-NATed)`,
  'outer-source-port': (c) => `${c.connection}: outer UDP source port ${c.received} on ${c.point}, the flow hash gives ${c.expected}`,
  'inner-addresses-changed': (c) => `${c.connection}: inner addresses on ${c.point} are ${c.received}, expected among ${c.expected}`,
};

export function connectionText(ex: ServiceExchange): string {
  const c = ex.conn;
  return `${c.client.name} -> ${c.service.namespace}/${c.service.name} (${ip4ToString(c.dst.ip)}:${c.dst.port}, ${c.via}${c.self ? ', self-access' : ''}) ${c.protocol}`;
}

export function exchangeFactsOf(ex: ServiceExchange, exchange: 'request' | 'reply'): Omit<ClaimFacts, 'code'> {
  return { connection: connectionText(ex), protocol: ex.conn.protocol, exchange, packet: exchange === 'reply' ? (ex.replyPacket ?? ex.requestPacket) : ex.requestPacket };
}

/** The claims about one exchange (exported for the nemesis and the tests). */
export function translatedOnceClaims(ex: ServiceExchange, natLoopback: number, nodeIps: ReadonlySet<number>, nodeIpOf: (nodeId: number) => number): Claim[] {
  const claims: Claim[] = [];
  // No mapping on the client's node (no ready endpoint, or externalTrafficPolicy Local without a local one — Contiv
  // applies it to the cluster IP too, docs/datapath.md §16.1): the Service address is not translated and is routed
  // like any other; only arriving at a pod or host as if translated would be wrong (the loop below says so).
  const mapped = ex.backends.length > 0;
  // Translated on another node (a node port the client's node has no mapping for): it crossed as plain traffic to
  // that node's IP, source-NATed to the client node's IP (§17.4) — no VXLAN, and that address as source.
  const elsewhere = ex.translatedOn !== undefined && ex.translatedOn !== ex.conn.client.nodeId ? nodeIpOf(ex.conn.client.nodeId) : undefined;
  const req = exchangeFactsOf(ex, 'request');
  const endpoints = ex.backends.map((b) => `${ip4ToString(b.ip)}:${b.port}`).join(', ') || 'none';
  if (ex.arrivals.length > 1) claims.push(claim(CLAIMS, { code: 'delivered-twice', ...req, layer: 'delivery', expected: '1 arrival', received: `${ex.arrivals.length} times (${ex.arrivals.map((a) => a.point).join(', ')})` }));
  for (const a of ex.arrivals) {
    if (!a.backend) {
      claims.push(claim(CLAIMS, { code: 'not-an-endpoint', ...req, point: a.point, layer: 'delivery', expected: endpoints, received: a.tuple ? tupleText(a.tuple) : 'not IPv4' }));
      continue;
    }
    const b = a.backend;
    const t = a.tuple;
    if (!t || t.dst !== b.ip || t.dport !== b.port) {
      claims.push(claim(CLAIMS, { code: 'not-translated', ...req, point: a.point, layer: 'ipv4', field: 'dst', expected: `${ip4ToString(b.ip)}:${b.port}`, received: t ? `${ip4ToString(t.dst)}:${t.dport}` : 'not IPv4' }));
      continue;
    }
    // Self-access: the source becomes the NAT loopback (its port is the twice-NAT's choice); else it is kept.
    const self = b.pod !== undefined && b.pod === ex.conn.client.name;
    const srcOk = elsewhere !== undefined ? t.src === elsewhere : self ? t.src === natLoopback : t.src === ex.conn.client.ip && t.sport === ex.conn.sport;
    const want = elsewhere !== undefined ? `${ip4ToString(elsewhere)} (the client node's IP)` : self ? `${ip4ToString(natLoopback)} (the NAT loopback)` : `${ip4ToString(ex.conn.client.ip)}:${ex.conn.sport}`;
    if (!srcOk) claims.push(claim(CLAIMS, { code: 'source-changed', ...req, point: a.point, layer: 'ipv4', field: 'src', expected: want, received: `${ip4ToString(t.src)}:${t.sport}` }));
  }
  if (ex.reply && ex.replyPacket !== undefined) {
    const rep = exchangeFactsOf(ex, 'reply');
    const point = `pod:${ex.conn.client.name}:rx`;
    const got = ex.reply.captures.filter((c) => c.packet === ex.replyPacket && c.point === point);
    if (got.length === 0) claims.push(claim(CLAIMS, { code: 'reply-lost', ...rep, point, layer: 'delivery', expected: 'delivered', received: 'not delivered' }));
    for (const g of got) {
      const want = `${ip4ToString(ex.conn.dst.ip)}:${ex.conn.dst.port} -> ${ip4ToString(ex.conn.client.ip)}:${ex.conn.sport}`;
      const rt = tupleOf(g.data);
      const text = rt ? tupleText(rt) : 'not IPv4';
      if (text !== want) claims.push(claim(CLAIMS, { code: 'reply-not-untranslated', ...rep, point, layer: 'ipv4', field: 'src', expected: want, received: text }));
    }
  }
  // Last (the delivery claims above say more about a failure): frames between nodes: VXLAN from node IP to node IP, inner addresses the client's (or the NAT loopback) and the endpoints'.
  const inner = new Set([ex.conn.client.ip, natLoopback, ...ex.backends.map((b) => b.ip)]);
  const seen = new Set<string>();
  for (const [obs, packet, exchange] of [[ex.request, ex.requestPacket, 'request'], [ex.reply, ex.replyPacket, 'reply']] as const) {
    for (const w of wireCaptures(obs)) {
      if (!mapped || elsewhere !== undefined || w.packet !== packet) continue;
      const key = Buffer.from(w.data).toString('hex');
      if (seen.has(key)) continue;
      seen.add(key);
      for (const p of vxlanFrameProblems(w, nodeIps, inner)) {
        // A frame that is no VXLAN at all should not be on the wire: a delivery claim, not a field of a frame the model also sends.
        if (p.code === 'not-vxlan') {
          const t = tupleOf(w.data);
          claims.push(claim(CLAIMS, { code: 'left-unencapsulated', ...exchangeFactsOf(ex, exchange), point: w.point, layer: 'delivery', expected: 'VXLAN only', received: `delivered on ${w.point} as ${t ? tupleText(t) : `a ${w.data.length}-byte frame`}` }));
        } else claims.push(claim(CLAIMS, { ...p, ...exchangeFactsOf(ex, exchange), point: w.point }));
      }
    }
  }
  return claims;
}

export const serviceTranslatedOnce: PropertyDef<ServiceCase> = {
  id: 'service-translated-once',
  description: 'a connection to a Service reaches one ready endpoint, translated once, and its reply comes back from the Service address',
  seedSteps: ['§16', 'P16', 'P12'],
  claims: CLAIMS,
  // Few policies: whether they let a connection through is the next property's question; here most should arrive.
  arbitrary: () => serviceCaseArb({ maxPolicies: 2 }),
  async check(c, adapter) {
    const r = await runServiceCase(c, adapter);
    if ('unknown' in r) return { status: 'unknown', reason: r.unknown };
    // Whether a request must arrive is service-policy-after-translation's question; with no arrival there is nothing to check here.
    // An exchange checked something when its request arrived, or when no node maps it (then nothing may arrive);
    // a translated request the policies stopped shows nothing of the translation.
    if (!r.run.sent.some((ex) => ex.arrivals.length > 0 || ex.backends.length === 0)) return { status: 'unknown', reason: 'every request to a Service was translated but stopped by policy (nothing to check)' };
    const claims: Claim[] = [];
    const nodeIps = new Set(r.run.topology.nodes.map((n) => n.ip.network));
    const nodeIpOf = (id: number): number => r.run.topology.nodeById.get(id)!.ip.network;
    for (const ex of r.run.sent) claims.push(...translatedOnceClaims(ex, r.run.topology.nodeById.get(ex.conn.client.nodeId)!.natLoopback, nodeIps, nodeIpOf));
    return verdictOf(claims);
  },
};
