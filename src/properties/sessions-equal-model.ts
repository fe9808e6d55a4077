// State differential (issue 14, item 3): after each exchange the data path's session tables — the reflective ACL
// sessions and the NAT44 sessions of every node — equal the model's given the same calls, key for key, with timers
// and indices left out (Adapter.sessionState, text forms in adapters/adapter.ts SESSION_FORMS). Connections of a
// generated cluster are sent one after the other without resetting in between, so sessions accumulate as on a
// node. A difference is a claim naming the node, the table, the session key, and what each side holds; the first
// exchange after which the tables differ ends the case (what follows would repeat it). An adapter that cannot
// report its sessions makes the case unknown, never valid.
import { encodePacket, type Layer } from '../packet/index.ts';
import { sessionStateDiff, type Observation, type SessionState } from '../adapters/adapter.ts';
import { resolveConnection } from '../generators/cluster.ts';
import { firstPacket, replyPacket } from '../policy/contiv/semantics.ts';
import { POD_MAC, type Pod } from '../reference/topology/topology.ts';
import { adapterAcls, clusterCaseArb, describeConnection, modelProfileOf, renderForAdapter, type ClusterCase } from './harness.ts';
import { adapterTopology } from './resolve.ts';
import { claim, verdictOf, type Claim, type ClaimMessages, type Exchange, type InvalidVerdict, type PropertyDef, type Verdict } from './types.ts';

export const SESSIONS_PROPERTY_ID = 'sessions-equal-model';

const NONE = '(none)';

const CLAIMS: ClaimMessages = {
  'session-differs': (c) =>
    `${c.connection}: after the ${c.exchange}, ${c.point}'s ${c.layer} sessions ${
      c.received === NONE ? `lack ${c.field} (the model's hold it: ${c.expected})` : c.expected === NONE ? `hold ${c.field} (${c.received}), the model's do not` : `hold ${c.field} as ${c.received}, the model's as ${c.expected}`
    }`,
};

/** The claims for every session where `got` differs from `want` (tables named `node <id> <table>`). */
export function sessionClaims(want: SessionState, got: SessionState, facts: { connection: string; protocol: string; exchange: Exchange; packet: number }): Claim[] {
  return sessionStateDiff(want, got).map((d) => {
    const [, node, table] = /^(node \d+) (\S+)$/.exec(d.table) ?? [undefined, d.table, 'sessions'];
    return claim(CLAIMS, { code: 'session-differs', ...facts, point: node!, layer: table!, field: d.key, expected: d.expected ?? NONE, received: d.received ?? NONE });
  });
}

const arrived = (o: Observation, pod: string): boolean => o.captures.some((k) => k.point === `pod:${pod}:rx`);

export const sessionsEqualModel: PropertyDef<ClusterCase> = {
  id: SESSIONS_PROPERTY_ID,
  description: "after each exchange the data path's ACL and NAT44 session tables equal the model's, key for key (timers masked)",
  seedSteps: ['§8.4', '§9', '§5'],
  claims: CLAIMS,
  arbitrary: () => clusterCaseArb(),
  async check(c, adapter, ctx): Promise<Verdict> {
    if (!adapter.sessionState) return { status: 'unknown', reason: `${adapter.name} cannot report its session tables` };
    const model = ctx.reference(modelProfileOf(adapter));
    // The adapter gets its renderer's ACLs (a mutant's, when it has one); the model Contiv's, on the same topology.
    const { correct, given } = renderForAdapter(c.cluster, adapter);
    const topology = adapterTopology(given.topology);
    for (const [a, r] of [[adapter, given], [model, correct]] as const) {
      await a.setup(topology);
      await a.apply(adapterAcls(r));
      await a.reset();
    }
    const frame = (pod: Pod, layers: Layer[]): Uint8Array => encodePacket([{ kind: 'ethernet', dst: pod.tap.mac!, src: POD_MAC }, ...layers]);
    let packet = 0;
    let compared = 0;
    // every entry of both sides' tables after each exchange, equal or not (one table read is one comparison)
    const measures = { 'session entries equal': 0, 'session entries differing': 0, 'session table reads': 0 };
    for (const spec of c.connections) {
      const conn = resolveConnection(c.cluster, spec);
      if (!conn || !('pod' in conn.src) || !('pod' in conn.dst)) continue;
      const client = given.topology.podByName.get(conn.src.pod)!;
      const server = given.topology.podByName.get(conn.dst.pod)!;
      const exchanges: [Exchange, Pod, Pod, Layer[]][] = [
        ['request', client, server, firstPacket(conn, client.ip, server.ip)],
        ['reply', server, client, replyPacket(conn, client.ip, server.ip)],
      ];
      for (const [exchange, from, to, layers] of exchanges) {
        const p = packet++;
        const injection = { packet: p, at: p * 0.001, from: { pod: from.name }, frame: frame(from, layers) };
        await adapter.inject([injection]);
        const seen = await model.inject([{ ...injection, frame: Uint8Array.from(injection.frame) }]);
        compared++;
        measures['session table reads']++;
        const [want, got] = [await model.sessionState!(), await adapter.sessionState()];
        const claims = sessionClaims(want, got, { connection: describeConnection(conn), protocol: conn.protocol, exchange, packet: p });
        const keys = Object.entries(want).reduce((s, [t, e]) => s + new Set([...Object.keys(e), ...Object.keys(got[t] ?? {})]).size, 0) + Object.entries(got).reduce((s, [t, e]) => s + (t in want ? 0 : Object.keys(e).length), 0);
        measures['session entries equal'] += keys - claims.length;
        measures['session entries differing'] += claims.length;
        if (claims.length > 0) return { ...(verdictOf(claims) as InvalidVerdict), measures };
        // the server answers what reached it on the model (the adapter is held to the same calls)
        if (!arrived(seen, to.name)) break;
      }
    }
    // no connection between pods to send: no table was compared
    if (compared === 0) return { status: 'unknown', reason: 'the case has no connection between pods: no session table was compared' };
    return { status: 'valid', measures };
  },
};
