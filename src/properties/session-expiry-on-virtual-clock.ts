// Sessions over time (docs/datapath.md §8.5): a TCP connection that saw SYN and SYN-ACK stays transient; until its
// timeout (120 s) every response-direction packet passes by the reflective sessions; after it, the next one is
// judged by policy like a new connection. Once the client's ACK completed the handshake, the sessions a response
// needs (the client's TAP, the server node's loop0: SYN+ACK seen on input, SYN-ACK on output) are established and
// live for the TCP idle timeout (24 h); a FIN from the client makes them transient again. Needs an adapter on
// virtual time.
import fc from 'fast-check';
import { encodePacket, type Layer } from '../packet/index.ts';
import { contivFormula } from '../policy/contiv/semantics.ts';
import { resolveConnection } from '../generators/cluster.ts';
import { POD_MAC } from '../reference/topology/topology.ts';
import { adapterAcls, clusterCaseArb, describeConnection, renderForAdapter, type ClusterCase } from './harness.ts';
import { delivered } from './common.ts';
import { adapterTopology } from './resolve.ts';
import { claim, VALID, verdictOf, type ClaimMessages, type PropertyDef } from './types.ts';

const CLAIMS: ClaimMessages = {
  expiry: (c) => `${c.connection}: a response ${c.context} was ${c.received}, expected ${c.expected} (transient timeout ${TCP_TRANSIENT_TIMEOUT} s)`,
  'established-expiry': (c) => `${c.connection}: a response ${c.context} was ${c.received}, expected ${c.expected} (established timeout ${TCP_IDLE_TIMEOUT} s)`,
};

export const TCP_TRANSIENT_TIMEOUT = 120;
export const TCP_IDLE_TIMEOUT = 86_400;

/** How far the client got before the idle time: SYN (with the SYN-ACK), the full handshake, or the handshake and a FIN. */
export type Opening = 'syn' | 'handshake' | 'fin';

export interface IdleCase extends ClusterCase {
  idle: number;
  /** default 'syn' (the half-open connection) */
  opening?: Opening;
}

/** Idle times around the timeout that applies (never within a second of it: the packets themselves take 1 ms). */
function idleArb(timeout: number): fc.Arbitrary<number> {
  return fc.oneof(fc.integer({ min: 1, max: timeout - 1 }), fc.integer({ min: timeout + 2, max: timeout + 3 * TCP_TRANSIENT_TIMEOUT }), fc.constantFrom(timeout - 1, timeout + 2));
}

export const sessionExpiryOnVirtualClock: PropertyDef<IdleCase> = {
  id: 'session-expiry-on-virtual-clock',
  description: 'a half-open TCP connection passes responses until its transient session times out (120 s), then policy judges again',
  seedSteps: ['§8.5', 'r3', 'r5'],
  needs: { virtualTime: true },
  claims: CLAIMS,
  arbitrary: () =>
    fc
      .tuple(clusterCaseArb({}, 1), fc.constantFrom<Opening>('syn', 'handshake', 'fin'))
      .chain(([c, opening]) => idleArb(opening === 'handshake' ? TCP_IDLE_TIMEOUT : TCP_TRANSIENT_TIMEOUT).map((idle) => ({ c, opening, idle })))
      .map(({ c, opening, idle }) => ({ ...c, connections: c.connections.map((x) => ({ ...x, protocol: 'TCP' as const })), idle, opening })),
  async check(c, adapter) {
    const conn = resolveConnection(c.cluster, c.connections[0]!);
    if (!conn || !('pod' in conn.src) || !('pod' in conn.dst)) return VALID;
    const { correct, given: configured } = renderForAdapter(c.cluster, adapter);
    if (contivFormula(correct, conn) === 'deny') return VALID;
    await adapter.setup(adapterTopology(configured.topology));
    await adapter.apply(adapterAcls(configured));
    const client = configured.topology.podByName.get(conn.src.pod)!;
    const server = configured.topology.podByName.get(conn.dst.pod)!;
    const seg = (from: typeof client, to: typeof client, sp: number, dp: number, flags: number): Uint8Array =>
      encodePacket([{ kind: 'ethernet', dst: from.tap.mac!, src: POD_MAC }, { kind: 'ipv4', src: from.ip, dst: to.ip, ttl: 64 } as Layer, { kind: 'tcp', srcPort: sp, dstPort: dp, flags }]);
    const sp = 40000;
    await adapter.inject([{ packet: 0, at: 0, from: { pod: client.name }, frame: seg(client, server, sp, conn.port, 0x02) }]);
    await adapter.inject([{ packet: 1, at: 0.001, from: { pod: server.name }, frame: seg(server, client, conn.port, sp, 0x12) }]);
    const opening = c.opening ?? 'syn';
    // The client's ACK (and FIN) pass by policy, which allows the connection.
    const steps = opening === 'syn' ? [] : opening === 'handshake' ? [0x10] : [0x10, 0x11];
    let at = 0.001;
    for (const [i, flags] of steps.entries()) await adapter.inject([{ packet: 2 + i, at: (at += 0.001), from: { pod: client.name }, frame: seg(client, server, sp, conn.port, flags) }]);
    const packet = 2 + steps.length;
    const later = await adapter.inject([{ packet, at: at + c.idle, from: { pod: server.name }, frame: seg(server, client, conn.port, sp, 0x18) }]);
    const got = delivered(later, client.name) ? 'allow' : 'deny';
    // After the timeout the packet is a fresh first packet from server to client.
    const timeout = opening === 'handshake' ? TCP_IDLE_TIMEOUT : TCP_TRANSIENT_TIMEOUT;
    const want = c.idle <= timeout ? 'allow' : contivFormula(correct, { src: conn.dst, dst: conn.src, protocol: 'TCP', port: sp });
    if (got !== want) {
      const say = (v: string): string => (v === 'allow' ? 'delivered' : 'dropped');
      const after = { syn: 'the SYN-ACK', handshake: 'the handshake\'s ACK', fin: 'the client\'s FIN' }[opening];
      return verdictOf([claim(CLAIMS, { code: opening === 'handshake' ? 'established-expiry' : 'expiry', connection: describeConnection(conn), protocol: 'TCP', exchange: 'reply', packet, point: `pod:${client.name}:rx`, layer: 'delivery', expected: say(want), received: say(got), context: `${c.idle} s after ${after}` })]);
    }
    return VALID;
  },
};
