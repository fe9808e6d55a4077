// Load balancing spreads a Service's connections over its endpoints by their weights (docs/datapath.md §16.2;
// P19). A statistical property: one client opens many connections (distinct source ports, so distinct flows) to
// a Service with two to four pod endpoints and no policies, and the arrivals per endpoint are held to the shares
// of the weights Contiv renders on the client's node by Pearson's chi-square test. Confidence: a data path that
// balances as configured fails a case with probability FALSE_ALARM (one in a million), so a run of thousands of
// cases stays quiet; one that sends everything to one endpoint of two fails with p < 1e-9 at 40 connections.
import fc from 'fast-check';
import { ip4ToString } from '../packet/index.ts';
import { clusterArb } from '../generators/cluster.ts';
import type { ServiceCase } from '../generators/services.ts';
import { runServiceCase } from './service-harness.ts';
import { chiSquareTest } from './stats.ts';
import { claim, verdictOf, type Claim, type ClaimMessages, type PropertyDef } from './types.ts';

/** The probability with which a correct data path fails one case. */
export const FALSE_ALARM = 1e-6;
/** Connections per endpoint (the test needs expected counts of at least 5 per category). */
export const CONNECTIONS_PER_ENDPOINT = 20;

const CLAIMS: ClaimMessages = {
  'load-not-spread': (c) => `${c.connection}: arrivals per endpoint ${c.received}, expected shares ${c.expected}`,
  'connection-lost': (c) => `${c.connection}: ${c.received} of the connections arrived at no endpoint (no policies: every one must arrive)`,
};

/** A cluster without policies, one ClusterIP Service over 2–4 distinct pods, and one client sending many connections. */
export function loadCaseArb(): fc.Arbitrary<ServiceCase> {
  return fc
    .tuple(clusterArb({ minPods: 3, maxPods: 6, maxPolicies: 0, topology: 'varied' }), fc.integer({ min: 2, max: 4 }), fc.nat(), fc.constantFrom('TCP' as const, 'UDP' as const), fc.nat(3))
    .map(([cluster, k, client, protocol, which]) => {
      const n = cluster.pods.length;
      const c = client % n;
      // k endpoints other than the client as drawn; shrinking the pod count can make the client one of them (self-access), which found findings/vpp-26.06-lb-self-access-picks-client
      const backends = Array.from({ length: Math.min(k, n - 1) }, (_, i) => (c + 1 + i) % n);
      const connections = Array.from({ length: CONNECTIONS_PER_ENDPOINT * backends.length }, (_, i) => ({ client: c, service: 0, port: 0, via: 'cluster-ip' as const, node: 0, self: false, sport: 20000 + 7 * i }));
      return { cluster, services: [{ type: 'ClusterIP' as const, ports: [{ protocol, which }], backends, notReady: [], hostBackend: undefined, externalTrafficPolicy: 'Cluster' as const }], connections };
    });
}

export const serviceLoadSpread: PropertyDef<ServiceCase> = {
  id: 'service-load-spread',
  description: `a Service's connections are spread over its endpoints by their weights (chi-square, false alarm ${FALSE_ALARM})`,
  seedSteps: ['§16.2', 'P19'],
  claims: CLAIMS,
  arbitrary: loadCaseArb,
  async check(c, adapter) {
    // Distinct source ports make distinct flows: one reset for the case (a VPP lab's reset re-enables NAT44, and
    // thousands of those exhausted a lab VPP's heap).
    const r = await runServiceCase(c, adapter, undefined, { resetEach: false });
    if ('unknown' in r) return { status: 'unknown', reason: r.unknown };
    const sent = r.run.sent;
    const first = sent[0];
    if (!first || first.backends.length < 2) return { status: 'unknown', reason: 'the case has no Service with two endpoints' };
    const what = `${first.conn.client.name} -> ${first.conn.service.namespace}/${first.conn.service.name} ${first.conn.protocol} ×${sent.length}`;
    const keys = first.backends.map((b) => `${ip4ToString(b.ip)}:${b.port}`);
    const counts = keys.map(() => 0);
    let lost = 0;
    for (const ex of sent) {
      const a = ex.arrivals.find((x) => x.backend);
      if (!a) {
        lost++;
        continue;
      }
      counts[keys.indexOf(`${ip4ToString(a.backend!.ip)}:${a.backend!.port}`)]!++;
    }
    const claims: Claim[] = [];
    if (lost > 0) claims.push(claim(CLAIMS, { code: 'connection-lost', connection: what, protocol: first.conn.protocol, layer: 'delivery', expected: '0', received: String(lost) }));
    const weights = first.backends.map((b) => b.probability || 1);
    const t = chiSquareTest(counts, weights);
    const measures = { connections: sent.length, chiSquareMilli: Math.round(t.statistic * 1000) };
    if (t.pValue < FALSE_ALARM) {
      const total = weights.reduce((s, w) => s + w, 0);
      claims.push(claim(CLAIMS, { code: 'load-not-spread', connection: what, protocol: first.conn.protocol, layer: 'load balancing', expected: keys.map((k, i) => `${k} ${((100 * weights[i]!) / total).toFixed(0)}%`).join(', '), received: `${keys.map((k, i) => `${k} ${counts[i]}`).join(', ')} (chi-square ${t.statistic.toFixed(1)}, ${t.dof} dof, p ${t.pValue.toExponential(1)})` }));
    }
    const v = verdictOf(claims);
    return v.status === 'valid' ? { status: 'valid', measures } : v;
  },
};
