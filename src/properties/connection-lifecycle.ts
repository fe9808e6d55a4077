// Connections over their life (docs/datapath.md §8.4–§8.5, §5 response rule): a step sequence of TCP opens, data
// both ways, closes, UDP exchanges, idle time, policy changes and pods added or deleted (CNI ADD/DEL: the
// policies re-rendered for the new set of pods, running pods keep address and TAP), run as a model-based test.
// Claims: a new connection is judged by the policies in force (also to and from a pod just added); while its
// sessions live (less than 120 s idle) an open connection's packets pass both ways whatever the policies say;
// after longer idleness, a policy change or a re-rendering a packet the policies allow still passes (sessions
// are never needed for what policy allows). Session lifetimes follow §8.5: a UDP exchange's sessions live 600 s
// idle; a TCP connection whose handshake completed has the sessions its server's packets need established (SYN+ACK
// seen on input, SYN-ACK on output) for 24 h, so the server may still send after more than 120 s. Adapters that cannot change pods skip those steps, adapters without
// a virtual clock the idle steps (and say so).
import fc from 'fast-check';
import { encodePacket, ip4ToString, type Layer } from '../packet/index.ts';
import { clusterArb } from '../generators/cluster.ts';
import { describeStep, lifecycleStepArb, type LifecycleStep } from '../generators/lifecycle.ts';
import { podKey, renderCluster, type RenderedCluster } from '../policy/contiv/render.ts';
import { contivFormula } from '../policy/contiv/semantics.ts';
import type { Cluster, Connection } from '../policy/types.ts';
import { POD_MAC } from '../reference/topology/topology.ts';
import { adapterAcls, renderFaultsOf } from './harness.ts';
import { delivered } from './common.ts';
import { adapterTopology } from './resolve.ts';
import { claim, verdictOf, type Claim, type ClaimMessages, type PropertyDef } from './types.ts';

const CLAIMS: ClaimMessages = {
  'first-packet-verdict': (c) => `after ${c.context}: ${c.connection}: the first packet was ${c.received}, the policies ${c.expected === 'delivered' ? 'allow' : 'deny'} it`,
  'response-dropped': (c) => `after ${c.context}: ${c.connection}: the response was dropped`,
  'ack-dropped': (c) => `after ${c.context}: ${c.connection}: the handshake's ACK was dropped`,
  'open-connection-dropped': (c) => `after ${c.context}: ${c.connection}: dropped although ${c.expected}`,
};

export interface LifecycleCase {
  cluster: Cluster;
  steps: LifecycleStep[];
}

const TRANSIENT = 120;
const UDP_IDLE = 600;
const TCP_IDLE = 86_400;

interface Open {
  proto: 'TCP' | 'UDP';
  /** the handshake completed and no policy change or expiry re-created the sessions since (TCP only) */
  established: boolean;
  client: string;
  server: string;
  sport: number;
  dport: number;
  lastActive: number;
  /** a policy change happened since the last packet: sessions of re-isolated interfaces may be gone */
  changed: boolean;
}

export const connectionLifecycle: PropertyDef<LifecycleCase> = {
  id: 'connection-lifecycle',
  description: 'open connections pass both ways while their sessions live; new ones follow the policies in force',
  seedSteps: ['§8.4', '§8.5', 'I14', 'r3'],
  claims: CLAIMS,
  arbitrary: () => fc.record({ cluster: clusterArb({ minPods: 2, maxPods: 5 }), steps: fc.array(lifecycleStepArb, { minLength: 1, maxLength: 12 }) }, { noNullPrototype: true }),
  async check(c, adapter) {
    const faults = renderFaultsOf(adapter);
    const faulty = Object.keys(faults).length > 0;
    // The cluster changes when pods come and go; the running pods keep their addresses and TAPs (pinned below).
    let cluster: Cluster = { ...c.cluster, pods: [...c.cluster.pods] };
    let correct!: { on: RenderedCluster; off: RenderedCluster };
    let full!: RenderedCluster;
    let none!: RenderedCluster;
    const render = (): void => {
      correct = { on: renderCluster(cluster), off: renderCluster({ ...cluster, policies: [] }) };
      // What the adapter gets: Contiv's rendering, or a mutant's faulty one (rendered again only then).
      full = faulty ? renderCluster(cluster, faults) : correct.on;
      none = faulty ? renderCluster({ ...cluster, policies: [] }, faults) : correct.off;
    };
    const pin = (): void => {
      cluster = {
        ...cluster,
        pods: cluster.pods.map((p) => {
          const m = full.topology.podByName.get(podKey(p))!;
          return { ...p, ip: ip4ToString(m.ip), tap: { name: m.tap.name, swIfIndex: m.tap.swIfIndex } };
        }),
      };
    };
    render();
    pin();
    await adapter.setup(adapterTopology(full.topology));
    await adapter.apply(adapterAcls(full));
    let pods = [...full.topology.podByName.values()];
    let added = 0;
    let on = true;
    let now = 0;
    let packet = 0;
    const open: Open[] = [];
    const allows = (r: RenderedCluster, conn: Connection): boolean => contivFormula(r, conn) === 'allow';
    const send = async (from: string, to: string, layers: (s: typeof pods[number], d: typeof pods[number]) => Layer[]): Promise<boolean> => {
      const s = full.topology.podByName.get(from)!;
      const d = full.topology.podByName.get(to)!;
      now += 0.001;
      const obs = await adapter.inject([{ packet: packet++, at: now, from: { pod: from }, frame: encodePacket([{ kind: 'ethernet', dst: s.tap.mac!, src: POD_MAC }, ...layers(s, d)]) }]);
      return delivered(obs, to);
    };
    const tcp = (sp: number, dp: number, flags: number) => (s: typeof pods[number], d: typeof pods[number]): Layer[] => [{ kind: 'ipv4', src: s.ip, dst: d.ip, ttl: 64 }, { kind: 'tcp', srcPort: sp, dstPort: dp, flags }];
    const done: string[] = [];
    const claims: Claim[] = [];
    // A failure is claimed and the sequence goes on (what the data path did is what the next steps start from).
    const fail = (step: LifecycleStep, code: string, protocol: string, point: string, expected: string, received: string, exchange: 'request' | 'reply' = 'request'): void => {
      claims.push(claim(CLAIMS, { code, connection: describeStep(step), protocol, exchange, packet: packet - 1, point, layer: 'delivery', expected, received, probe: step.kind, context: done.length ? done.join('; ') : 'no step' }));
    };
    for (const step of c.steps) {
      const rules = on ? correct.on : correct.off;
      switch (step.kind) {
        case 'open-tcp':
        case 'udp': {
          const a = pods[step.from % pods.length]!;
          const b = pods[(step.from + 1 + (step.to % (pods.length - 1))) % pods.length]!;
          const sport = 40000 + packet;
          const proto = step.kind === 'udp' ? 'UDP' : 'TCP';
          const want = allows(rules, { src: { pod: a.name }, dst: { pod: b.name }, protocol: proto, port: step.port });
          const got = step.kind === 'udp'
            ? await send(a.name, b.name, (s, d) => [{ kind: 'ipv4', src: s.ip, dst: d.ip, ttl: 64 }, { kind: 'udp', srcPort: sport, dstPort: step.port }, { kind: 'raw', data: Uint8Array.of(1) }])
            : await send(a.name, b.name, tcp(sport, step.port, 0x02));
          if (got !== want) fail(step, 'first-packet-verdict', proto, `pod:${b.name}:rx`, want ? 'delivered' : 'dropped', got ? 'delivered' : 'dropped');
          if (!got) break;
          const back = step.kind === 'udp'
            ? await send(b.name, a.name, (s, d) => [{ kind: 'ipv4', src: s.ip, dst: d.ip, ttl: 64 }, { kind: 'udp', srcPort: step.port, dstPort: sport }, { kind: 'raw', data: Uint8Array.of(2) }])
            : await send(b.name, a.name, tcp(step.port, sport, 0x12));
          if (!back) {
            fail(step, 'response-dropped', proto, `pod:${a.name}:rx`, 'delivered', 'dropped', 'reply');
            break;
          }
          if (step.kind === 'open-tcp') {
            if (!(await send(a.name, b.name, tcp(sport, step.port, 0x10)))) {
              fail(step, 'ack-dropped', proto, `pod:${b.name}:rx`, 'delivered', 'dropped');
              break;
            }
          }
          open.push({ proto, established: proto === 'TCP', client: a.name, server: b.name, sport, dport: step.port, lastActive: now, changed: false });
          break;
        }
        case 'data':
        case 'close': {
          // data: any open connection or UDP flow; a FIN only on a TCP connection
          const among = step.kind === 'close' ? open.filter((x) => x.proto === 'TCP') : open;
          if (among.length === 0) break;
          const o = among[step.conn % among.length]!;
          const fromServer = step.kind === 'data' && step.fromServer;
          const [src, dst, sp, dp] = fromServer ? [o.server, o.client, o.dport, o.sport] : [o.client, o.server, o.sport, o.dport];
          const got = o.proto === 'UDP'
            ? await send(src, dst, (s, d) => [{ kind: 'ipv4', src: s.ip, dst: d.ip, ttl: 64 }, { kind: 'udp', srcPort: sp, dstPort: dp }, { kind: 'raw', data: Uint8Array.of(3) }])
            : await send(src, dst, tcp(sp, dp, step.kind === 'close' ? 0x11 : 0x18));
          const policyAllows = allows(rules, { src: { pod: src }, dst: { pod: dst }, protocol: o.proto, port: dp });
          const idle = now - o.lastActive;
          // The sessions the server's packets need are established after the handshake (§8.5); the client's
          // packets pass by policy (unchanged since the connection opened) once the transient ones expired.
          const lifetime = o.proto === 'UDP' ? UDP_IDLE : o.established && fromServer ? TCP_IDLE : TRANSIENT;
          const sessionsLive = idle <= lifetime && !o.changed;
          if (!got && (sessionsLive || policyAllows)) {
            const when = `${idle.toFixed(0)} s after its last packet${o.changed ? ', policies changed since' : ''}`;
            claims.push(claim(CLAIMS, { code: 'open-connection-dropped', connection: `${describeStep(step)} (${o.proto}, ${when})`, protocol: o.proto, exchange: fromServer ? 'reply' : 'request', packet: packet - 1, point: `pod:${dst}:rx`, layer: 'delivery', expected: sessionsLive ? `its sessions live (${lifetime} s idle timeout)` : 'the policies allow it', received: 'dropped', probe: step.kind, context: done.length ? done.join('; ') : 'no step' }));
          }
          if (got) {
            // Passing after a policy change or after its sessions expired, it made new (transient) sessions.
            if (o.changed || idle > lifetime) o.established = false;
            o.lastActive = now;
            o.changed = false;
          }
          if (step.kind === 'close') open.splice(open.indexOf(o), 1);
          break;
        }
        case 'idle':
          // Idle time needs a virtual clock (a real data path would have to wait minutes): skipped without one.
          if (!adapter.capabilities.virtualTime) {
            done.push(`${describeStep(step)} (skipped: ${adapter.name} has no virtual clock)`);
            continue;
          }
          now += step.seconds;
          break;
        case 'pod': {
          if (!adapter.updateTopology) {
            done.push(`${describeStep(step)} (skipped: ${adapter.name} cannot change pods)`);
            continue;
          }
          if (step.add ? cluster.pods.length >= 12 : cluster.pods.length <= 2) {
            done.push(`${describeStep(step)} (skipped: ${cluster.pods.length} pods)`);
            continue;
          }
          const like = cluster.pods[step.pod % cluster.pods.length]!;
          if (step.add) {
            const { ip: _ip, tap: _tap, ...rest } = like;
            cluster = { ...cluster, pods: [...cluster.pods, { ...rest, name: `added-${added++}`, nodeName: cluster.nodes[step.node % cluster.nodes.length]!.name }] };
          } else {
            cluster = { ...cluster, pods: cluster.pods.filter((p) => p !== like) };
            const gone = podKey(like);
            for (let k = open.length - 1; k >= 0; k--) if (open[k]!.client === gone || open[k]!.server === gone) open.splice(k, 1);
          }
          render();
          pin();
          await adapter.updateTopology(adapterTopology(full.topology));
          await adapter.apply(adapterAcls(on ? full : none));
          pods = [...full.topology.podByName.values()];
          // Re-rendered tables may leave an interface without ACLs, and its sessions go with them (§8.4).
          for (const o of open) o.changed = true;
          done.push(`${describeStep(step)}${step.add ? ` (${podKey(cluster.pods[cluster.pods.length - 1]!)})` : ` (${podKey(like)})`}`);
          continue;
        }
        case 'policies':
          if (step.on !== on) {
            on = step.on;
            await adapter.apply(adapterAcls(on ? full : none));
            for (const o of open) o.changed = true;
          }
          break;
      }
      done.push(describeStep(step));
    }
    return verdictOf(claims);
  },
};

