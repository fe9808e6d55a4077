// Network policies judge a connection to a Service after translation, as upstream Kubernetes specifies: they see
// the endpoint the connection was balanced to, at the port it listens on, never the Service address. So a
// connection reaches an endpoint only when the policies allow client → that endpoint; it must arrive when they
// allow every endpoint, and must not when they allow none (docs/datapath.md §16, §10; P17). Contiv enforces it
// with egress-only ACLs placed after DNAT (§3.3). The verdict per endpoint is Contiv's rendering of the
// policies (the decision formula, §5) — where that departs from upstream is the policy tool's business
// (§10.10) — and a pod reaching itself through its Service is always allowed (the NAT-loopback permit).
import { ip4ToString } from '../packet/index.ts';
import { serviceCaseArb, type ServiceCase } from '../generators/services.ts';
import { runServiceCase } from './service-harness.ts';
import { exchangeFactsOf } from './service-translated-once.ts';
import { claim, verdictOf, type Claim, type ClaimMessages, type PropertyDef } from './types.ts';

const CLAIMS: ClaimMessages = {
  'denied-endpoint-reached': (c) => `${c.connection}: the request reached ${c.point} (${c.received}), though the policies deny client → that endpoint`,
  'allowed-not-delivered': (c) => `${c.connection}: the request arrived nowhere, though the policies allow every endpoint (${c.expected})`,
  'denied-delivered': (c) => `${c.connection}: the request arrived at ${c.point}, though the policies deny every endpoint`,
  'denied-reached-via-node-ip': (c) => `${c.connection}: the request reached ${c.point} (${c.received}) through another node's IP, though the client's egress policies deny that node port`,
  'self-access-not-delivered': (c) => `${c.connection}: the request never reached the pod itself, though a pod may always reach itself through its Service (the NAT-loopback permit)`,
};

export const servicePolicyAfterTranslation: PropertyDef<ServiceCase> = {
  id: 'service-policy-after-translation',
  description: 'policies judge a Service connection by the endpoint it was translated to, as Kubernetes specifies',
  seedSteps: ['§16', '§3.3', 'P17'],
  claims: CLAIMS,
  arbitrary: () => serviceCaseArb(),
  async check(c, adapter) {
    const r = await runServiceCase(c, adapter);
    if ('unknown' in r) return { status: 'unknown', reason: r.unknown };
    if (r.run.sent.length === 0) return { status: 'unknown', reason: 'no connection to a Service was sent' };
    const claims: Claim[] = [];
    for (const ex of r.run.sent) {
      if (ex.backends.length === 0) continue;
      const req = exchangeFactsOf(ex, 'request');
      const allowed = ex.backends.filter((_, i) => ex.verdicts[i] === 'allow');
      for (const a of ex.arrivals) {
        const i = a.backend ? ex.backends.indexOf(a.backend as (typeof ex.backends)[number]) : -1;
        if (i < 0) continue; // not an endpoint: service-translated-once says so
        if (ex.verdicts[i] !== 'allow') {
          // A node port another node translates: the request left the client's node as traffic to that node's IP,
          // where the client's egress policy had to stop it (the Global ACL on the main NIC, docs/datapath.md §17.4).
          const elsewhere = ex.translatedOn !== undefined && ex.translatedOn !== ex.conn.client.nodeId;
          const code = elsewhere ? 'denied-reached-via-node-ip' : allowed.length === 0 ? 'denied-delivered' : 'denied-endpoint-reached';
          claims.push(claim(CLAIMS, { code, ...req, point: a.point, layer: 'acl', expected: 'deny', received: `${ip4ToString(a.backend!.ip)}:${a.backend!.port}` }));
        }
      }
      if (ex.arrivals.length === 0 && allowed.length === ex.backends.length) {
        claims.push(claim(CLAIMS, { code: ex.conn.self ? 'self-access-not-delivered' : 'allowed-not-delivered', ...req, layer: 'delivery', expected: allowed.map((b) => `${ip4ToString(b.ip)}:${b.port}`).join(', '), received: 'no arrival' }));
      }
    }
    return verdictOf(claims);
  },
};
