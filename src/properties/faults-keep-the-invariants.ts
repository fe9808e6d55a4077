// The nemesis (issue 13): connections and faults interleaved — session tables cleared, ACLs re-applied or replaced
// in place, a pod TAP flapped, a pod replaced (src/faults/) — and the invariants still hold. Claims: a connection
// opened after any fault gets the verdict of the policies in force, and its reply and ACK pass by the reflective
// session (§5); a packet of a connection opened before a fault does what the model does given the very same calls
// and faults (the model's meaning of each fault, reference/state/faults.ts); no ACL denies encapsulated traffic
// (traces, P3); and **recovery**: once every fault is healed (a removed policy restored), a fresh connection gets
// the same frames at the same pods as on a freshly configured data path. A fault the adapter cannot perform makes
// the case unknown, never valid.
import fc from 'fast-check';
import { encodePacket, ip4ToString, readU16, toHex, VXLAN_PORT, type Layer } from '../packet/index.ts';
import { l2FlowHash, vxlanSourcePort } from '../reference/flow-hash.ts';
import { canPerform, canPerformFault, configStateDiff, type Adapter, type Capture, type Fault, type FaultId, type KnownDivergence, type Observation } from '../adapters/adapter.ts';
import { clusterArb } from '../generators/cluster.ts';
import { nemesisStepsArb, type NemesisStep } from '../generators/nemesis.ts';
import { FAULT_IDS } from '../faults/index.ts';
import { IDLE_LATE, IDLE_MARGIN, IDLE_SESSIONS } from '../faults/idle-timeout.ts';
import { podKey, renderCluster, type RenderedCluster } from '../policy/contiv/render.ts';
import { contivFormula } from '../policy/contiv/semantics.ts';
import type { Cluster, Connection } from '../policy/types.ts';
import { POD_MAC, type Pod } from '../reference/topology/topology.ts';
import { adapterAcls, modelProfileOf, renderFaultsOf } from './harness.ts';
import { NEMESIS_STEPS, type NemesisWorld } from './nemesis-faults.ts';
import { delivered, deliveredIp, findLayer, layersOf } from './common.ts';
import { adapterTopology } from './resolve.ts';
import { claim, verdictOf, type Claim, type ClaimMessages, type Exchange, type PropertyDef } from './types.ts';

export const NEMESIS_PROPERTY_ID = 'faults-keep-the-invariants';

const CLAIMS: ClaimMessages = {
  'verdict-after-fault': (c) => `after ${c.context}: ${c.connection}: the first packet was ${c.received}, the policies in force ${c.expected === 'delivered' ? 'allow' : 'deny'} it`,
  'reply-dropped': (c) => `after ${c.context}: ${c.connection}: the ${c.probe === 'ack' ? "handshake's ACK" : 'response'} was dropped although the request passed (reflective session, §5)`,
  'differs-from-model': (c) => `after ${c.context}: ${c.connection}: the packet was ${c.received} on the adapter, ${c.expected} by the model given the same calls and faults`,
  'vxlan-source-nated': (c) => `after ${c.context}: ${c.connection}: on ${c.point} the ${c.layer} ${c.field} is ${c.received}, ${c.expected === 'a node IP' ? 'not a node IP (source-NATed)' : `not ${c.expected}`}`,
  'vxlan-source-port': (c) => `after ${c.context}: ${c.connection}: outer UDP source port ${c.received} on ${c.point}, the inner flow's hash gives ${c.expected} (source-NATed?)`,
  'encapsulated-denied': (c) => `after ${c.context}: ${c.connection}: ${c.field} on ${c.point} denied an encapsulated packet`,
  'state-not-recovered': (c) => `after ${c.context}, healed: ${c.field} on ${c.point} ${c.received === '(nothing)' ? `no longer lists ${c.expected}` : `lists ${c.received}${c.expected === '(nothing)' ? '' : ` instead of ${c.expected}`}`}, unlike right after configuration`,
  'not-recovered': (c) => `after ${c.context}, healed: ${c.connection}: the ${c.exchange} was ${c.received} at ${c.point}, on a freshly configured data path ${c.expected}`,
};

export interface NemesisCase {
  cluster: Cluster;
  steps: NemesisStep[];
}

interface Open {
  client: Pod;
  server: Pod;
  protocol: 'TCP' | 'UDP';
  sport: number;
  dport: number;
  label: string;
  /** a packet of it was sent while the wire was lossy: the adapter's sessions for it may differ from the model's */
  tainted: boolean;
  /** the model's times of its packets (a session's last activity is one of them: idle-timeout on a real clock) */
  times: number[];
}

interface AclLike {
  kind: 'acl';
  action: number;
  tuple: { proto: number; port1: number };
}

/** The faults a case's steps need, each once. */
export function faultsOfSteps(steps: readonly NemesisStep[]): FaultId[] {
  return [...new Set(steps.flatMap((s) => (s.kind === 'fault' ? [s.fault] : [])))];
}

/**
 * The nemesis property with faults of the given kinds only (`podflow fuzz --nemesis ID,…`); the same id for every
 * selection (a case replays whatever faults it holds).
 */
export function nemesisProperty(faults: readonly FaultId[] = FAULT_IDS): PropertyDef<NemesisCase> {
  return {
    id: NEMESIS_PROPERTY_ID,
    description: 'under faults (session clears, ACL resync and replace, TAP flap, pod replaced) verdicts follow the policies and the model, and the healed data path is as fresh',
    seedSteps: ['§8.4', '§9', '§5', 'I10', 'I11', 'P3'],
    claims: CLAIMS,
    arbitrary: () => fc.tuple(clusterArb({ minPods: 2, maxPods: 5 }), nemesisStepsArb(faults)).map(([cluster, steps]) => ({ cluster, steps })),
    check: (c, adapter, ctx) => checkNemesis(c, adapter, ctx.reference(modelProfileOf(adapter)), () => ctx.reference(modelProfileOf(adapter))),
  };
}

export const faultsKeepTheInvariants: PropertyDef<NemesisCase> = nemesisProperty();

async function checkNemesis(c: NemesisCase, adapter: Adapter, model: Adapter, fresh: () => Adapter): Promise<Awaited<ReturnType<PropertyDef<NemesisCase>['check']>>> {
  // An adapter that performs no fault at all cannot say anything about faults, even for a case without any.
  if (!adapter.fault || (adapter.capabilities.faults ?? []).length === 0) return { status: 'unknown', reason: `${adapter.name} performs no fault` };
  const cannot = faultsOfSteps(c.steps).filter((id) => !canPerform(adapter, id));
  if (cannot.length > 0) return { status: 'unknown', reason: `${adapter.name} cannot perform fault ${cannot.join(', ')}` };

  // Rendering as the lifecycle does: the adapter gets its renderer's output (a mutant's, when it has one), what is
  // expected comes from Contiv's. Pods keep the addresses and TAPs of the first rendering (pinned).
  const renderFaults = renderFaultsOf(adapter);
  const faulty = Object.keys(renderFaults).length > 0;
  let cluster: Cluster = c.cluster;
  const removed = new Set<number>();
  const render = (): { correct: RenderedCluster; given: RenderedCluster } => {
    const k: Cluster = { ...cluster, policies: cluster.policies.filter((_, i) => !removed.has(i)) };
    const correct = renderCluster(k);
    return { correct, given: faulty ? renderCluster(k, renderFaults) : correct };
  };
  let r = render();
  cluster = {
    ...cluster,
    pods: cluster.pods.map((p) => {
      const m = r.given.topology.podByName.get(podKey(p))!;
      return { ...p, ip: ip4ToString(m.ip), tap: { name: m.tap.name, swIfIndex: m.tap.swIfIndex } };
    }),
  };
  r = render();
  const topology = adapterTopology(r.given.topology);
  const full = r.given;
  // A case with idle time sets every data path up with short session timeouts (real ones wait for them).
  const idling = c.steps.some((s) => s.kind === 'fault' && s.fault === 'idle-timeout');
  const setupOptions = idling ? { sessions: { ...IDLE_SESSIONS } } : undefined;
  for (const a of [adapter, model]) {
    await a.setup(topology, setupOptions);
    await a.apply(adapterAcls(r.given));
  }
  const pods = [...r.given.topology.podByName.values()];
  const nodes = r.given.topology.nodes;
  // the configuration as the data path reports it, freshly configured (compared once every fault is healed)
  const freshState = adapter.configState ? await adapter.configState() : undefined;

  let now = 0;
  let packet = 0;
  // On a data path in real time with short timeouts, the model's clock is the wall clock since setup (packets take
  // real time, and the idle steps are real waits); on virtual time, a millisecond per packet and the idle seconds.
  const wall = idling && !adapter.capabilities.virtualTime;
  const t0 = performance.now();
  const tick = (): number => (now = wall ? Math.max(now + 0.001, (performance.now() - t0) / 1000) : now + 0.001);
  /** Whether a session last active at one of `times` may or may not have timed out by `t`: too close to call. */
  const tooClose = (times: readonly number[], t: number): boolean =>
    wall && times.some((p) => Object.values(IDLE_SESSIONS).some((T) => t - p - T > -IDLE_MARGIN && t - p - T < IDLE_LATE));
  let lastSent = 0;
  const claims: Claim[] = [];
  const done: string[] = [];
  const context = (): string => (done.length ? done.join('; ') : 'no fault');
  // `degraded`: sent while a fault that takes configuration away was in effect (VXLAN may then be translated: judged
  // against the model only)
  const traced: { obs: Observation; packet: number; connection: string; protocol: string; exchange: Exchange; degraded?: boolean }[] = [];
  /** Sends one frame from pod `s` to the adapter and to the model; whether each delivered it to `d`. */
  const send = async (s: Pod, d: Pod, layers: Layer[], connection: string, protocol: string, exchange: Exchange): Promise<{ got: boolean; model: boolean; packet: number }> => {
    tick();
    lastSent = now;
    const p = packet++;
    const inj = [{ packet: p, at: now, from: { pod: s.name }, frame: encodePacket([{ kind: 'ethernet', dst: s.tap.mac!, src: POD_MAC }, ...layers]) }];
    const obs = await adapter.inject(inj);
    const m = await model.inject(inj);
    traced.push({ obs, packet: p, connection, protocol, exchange, degraded: degraded() });
    return { got: deliveredIp(obs, d.name), model: deliveredIp(m, d.name), packet: p };
  };
  const l4 = (o: { protocol: 'TCP' | 'UDP'; sport: number; dport: number }, flags: number, payload: number): Layer[] =>
    o.protocol === 'TCP' ? [{ kind: 'tcp', srcPort: o.sport, dstPort: o.dport, flags }] : [{ kind: 'udp', srcPort: o.sport, dstPort: o.dport }, { kind: 'raw', data: Uint8Array.of(payload) }];
  const ip = (s: Pod, d: Pod): Layer => ({ kind: 'ipv4', src: s.ip, dst: d.ip, ttl: 64 });

  /**
   * A new connection: the first packet judged by the policies in force, the reply and ACK by the reflective session.
   * While a fault degrades the data path they are judged against the model under the same faults instead (what
   * the policies deny must still never arrive); while the wire is lossy only that is judged, and the connection is
   * tainted: its later packets are not compared with the model (a lost frame leaves the sessions differing).
   */
  const connect = async (a: Pod, b: Pod, protocol: 'TCP' | 'UDP', port: number, label: string, correct: RenderedCluster): Promise<Open | undefined> => {
    const sport = 40000 + packet;
    const times: number[] = [];
    const conn: Connection = { src: { pod: a.name }, dst: { pod: b.name }, protocol, port };
    const want = contivFormula(correct, conn) === 'allow';
    const tainted = lossy();
    const asModel = degraded();
    const differs = (x: { got: boolean; model: boolean; packet: number }, to: Pod, exchange: Exchange, probe: string): boolean => {
      if (tainted || x.got === x.model) return false;
      claims.push(claim(CLAIMS, { code: 'differs-from-model', connection: label, protocol, exchange, packet: x.packet, point: `pod:${to.name}:rx`, layer: 'delivery', expected: x.model ? 'delivered' : 'dropped', received: x.got ? 'delivered' : 'dropped', probe, context: context() }));
      return true;
    };
    const req = await send(a, b, [ip(a, b), ...l4({ protocol, sport, dport: port }, 0x02, 1)], label, protocol, 'request');
    times.push(lastSent);
    if (req.got && !want && !permissive()) claims.push(claim(CLAIMS, { code: 'verdict-after-fault', connection: label, protocol, exchange: 'request', packet: req.packet, point: `pod:${b.name}:rx`, layer: 'delivery', expected: 'dropped', received: 'delivered', probe: 'connect', context: context() }));
    else if (asModel) differs(req, b, 'request', 'connect');
    else if (!tainted && req.got !== want) claims.push(claim(CLAIMS, { code: 'verdict-after-fault', connection: label, protocol, exchange: 'request', packet: req.packet, point: `pod:${b.name}:rx`, layer: 'delivery', expected: want ? 'delivered' : 'dropped', received: req.got ? 'delivered' : 'dropped', probe: 'connect', context: context() }));
    if (!req.got || (asModel && !req.model)) return undefined;
    const rep = await send(b, a, [ip(b, a), ...l4({ protocol, sport: port, dport: sport }, 0x12, 2)], label, protocol, 'reply');
    times.push(lastSent);
    if (asModel) {
      if (differs(rep, a, 'reply', 'reply') || !rep.got) return undefined;
    } else if (!rep.got) {
      if (!tainted) claims.push(claim(CLAIMS, { code: 'reply-dropped', connection: label, protocol, exchange: 'reply', packet: rep.packet, point: `pod:${a.name}:rx`, layer: 'delivery', expected: 'delivered', received: 'dropped', probe: 'reply', context: context() }));
      return undefined;
    }
    if (protocol === 'TCP') {
      const ack = await send(a, b, [ip(a, b), ...l4({ protocol, sport, dport: port }, 0x10, 3)], label, protocol, 'request');
      times.push(lastSent);
      if (asModel) {
        if (differs(ack, b, 'request', 'ack') || !ack.got) return undefined;
      } else if (!ack.got) {
        if (!tainted) claims.push(claim(CLAIMS, { code: 'reply-dropped', connection: label, protocol, exchange: 'request', packet: ack.packet, point: `pod:${b.name}:rx`, layer: 'delivery', expected: 'delivered', received: 'dropped', probe: 'ack', context: context() }));
        return undefined;
      }
    }
    return { client: a, server: b, protocol, sport, dport: port, label, tainted: tainted || lossy(), times };
  };

  const fault = async (f: Fault, label: string): Promise<void> => {
    await adapter.fault!(f);
    await model.fault!(f);
    // the model's clock moved on by the idle time (a real clock moved on by itself: the adapter waited)
    if (f.id === 'idle-timeout' && !wall) now += f.seconds;
    done.push(label);
  };

  const world: NemesisWorld = { nodes, pods, inEffect: new Map() };
  if (adapter.capabilities.driftKinds) world.driftKinds = adapter.capabilities.driftKinds;
  if (adapter.capabilities.wireImpairments) world.wireImpairments = adapter.capabilities.wireImpairments;
  world.acls = () => adapterAcls(r.given);
  const degraded = (): boolean => [...world.inEffect.values()].some((e) => e.degrades);
  const lossy = (): boolean => [...world.inEffect.values()].some((e) => e.lossy);
  const permissive = (): boolean => [...world.inEffect.values()].some((e) => e.permissive === true);
  const open: Open[] = [];
  const pick = (from: number, to: number): [Pod, Pod] => [pods[from % pods.length]!, pods[(from + 1 + (to % (pods.length - 1))) % pods.length]!];
  for (const step of c.steps) {
    switch (step.kind) {
      case 'connect': {
        const [a, b] = pick(step.from, step.to);
        const o = await connect(a, b, step.protocol, step.port, `${a.name} -> ${b.name} ${step.protocol}/${step.port}`, r.correct);
        if (o) open.push(o);
        break;
      }
      case 'data': {
        if (open.length === 0) break;
        const o = open[step.conn % open.length]!;
        const [s, d, sport, dport] = step.fromServer ? [o.server, o.client, o.dport, o.sport] : [o.client, o.server, o.sport, o.dport];
        const label = `${o.label} (opened before: ${step.fromServer ? 'server' : 'client'} sends)`;
        // its sessions idle for about as long as their timeout (real clock): whether they are gone cannot be told
        if (tooClose(o.times, wall ? (performance.now() - t0) / 1000 : now)) o.tainted = true;
        const x = await send(s, d, [ip(s, d), ...l4({ protocol: o.protocol, sport, dport }, 0x18, 4)], label, o.protocol, step.fromServer ? 'reply' : 'request');
        if (lossy()) o.tainted = true;
        o.times.push(lastSent);
        if (!o.tainted && x.got !== x.model) claims.push(claim(CLAIMS, { code: 'differs-from-model', connection: label, protocol: o.protocol, exchange: step.fromServer ? 'reply' : 'request', packet: x.packet, point: `pod:${d.name}:rx`, layer: 'delivery', expected: x.model ? 'delivered' : 'dropped', received: x.got ? 'delivered' : 'dropped', probe: 'data', context: context() }));
        break;
      }
      case 'fault': {
        // faults in effect this step configures again by itself are healed first (config-drift)
        for (const [key, e] of [...world.inEffect]) {
          if (!e.healedBy?.(step)) continue;
          await fault(e.heal, e.healLabel);
          world.inEffect.delete(key);
        }
        if (step.fault !== 'acl-replaced') {
          const toFault = NEMESIS_STEPS[step.fault];
          if (!toFault) throw new Error(`nemesis: no step handler for fault ${step.fault}`);
          const sf = toFault(step, world);
          if (!sf) break;
          if (!canPerformFault(adapter, sf.fault)) {
            // this very fault (a config-drift item the data path has no equivalent of): heal, then unknown
            for (const [key, e] of [...world.inEffect].reverse()) {
              await fault(e.heal, e.healLabel);
              world.inEffect.delete(key);
            }
            await model.teardown();
            return { status: 'unknown', reason: `${adapter.name} cannot perform ${sf.label}` };
          }
          const healing = sf.start && world.inEffect.get(sf.start.key);
          if (healing) {
            await fault(healing.heal, healing.healLabel);
            world.inEffect.delete(sf.start!.key);
          } else {
            await fault(sf.fault, sf.label);
            if (sf.start) world.inEffect.set(sf.start.key, sf.start);
          }
          break;
        }
        switch (step.fault) {
          case 'acl-replaced': {
            if (cluster.policies.length === 0) {
              done.push('acl-replaced (skipped: no policy)');
              break;
            }
            const k = step.policy % cluster.policies.length;
            const restore = removed.has(k);
            if (restore) removed.delete(k);
            else removed.add(k);
            r = render();
            const p = cluster.policies[k]!;
            await fault({ id: 'acl-replaced', acls: adapterAcls(r.given) }, `acl-replaced (policy ${p.namespace}/${p.name} ${restore ? 'restored' : 'removed'})`);
            break;
          }
        }
        break;
      }
    }
  }

  // Heal: every fault still in effect healed, the latest first; every removed policy restored (the other faults
  // heal themselves: the TAP is up, the pod is back).
  for (const [key, e] of [...world.inEffect].reverse()) {
    await fault(e.heal, e.healLabel);
    world.inEffect.delete(key);
  }
  if (removed.size > 0) {
    removed.clear();
    r = render();
    await fault({ id: 'acl-replaced', acls: adapterAcls(r.given) }, 'acl-replaced (every policy restored)');
  }
  // Recovery of the configuration: what the data path reports is what it reported freshly configured.
  if (freshState) {
    for (const d of configStateDiff(freshState, await adapter.configState!())) {
      const cut = (l: string | undefined): string => (l === undefined ? '(nothing)' : l.length > 240 ? `${l.slice(0, 240)}…` : l);
      const node = /^node (\d+)/.exec(d.key)?.[1];
      claims.push(claim(CLAIMS, { code: 'state-not-recovered', point: node !== undefined ? `node:${node}` : d.key, layer: 'show', field: d.key, expected: cut(d.onlyA), received: cut(d.onlyB), probe: 'recovery', context: context() }));
    }
  }
  // Recovery: fresh connections (those of the case, else pod#0 -> pod#1 TCP/80) against a freshly configured model.
  const clean = fresh();
  await clean.setup(topology, setupOptions);
  await clean.apply(adapterAcls(full));
  const masks: readonly KnownDivergence[] = (adapter.capabilities.knownDivergences ?? []).filter((d) => d.mask && (d.property === NEMESIS_PROPERTY_ID || d.property === 'reference-agrees-with-adapter'));
  const rx = (o: Observation): string[] =>
    o.captures
      .filter((k) => k.point.endsWith(':rx'))
      .map((k: Capture) => {
        const data = Uint8Array.from(k.data);
        for (const d of masks) if (new RegExp(d.mask!.point).test(k.point)) for (const [off, len] of d.mask!.bytes) data.fill(0, off, off + len);
        return `${k.point} ${toHex(data)}`;
      });
  const probes = c.steps.flatMap((s) => (s.kind === 'connect' ? [s] : [])).slice(0, 3);
  if (probes.length === 0) probes.push({ kind: 'connect', from: 0, to: 0, protocol: 'TCP', port: 80 });
  for (const s of probes) {
    const [a, b] = pick(s.from, s.to);
    const label = `${a.name} -> ${b.name} ${s.protocol}/${s.port} (new)`;
    const sport = 50000 + packet;
    for (const [exchange, from, to, sp, dp, flags] of [['request', a, b, sport, s.port, 0x02], ['reply', b, a, s.port, sport, 0x12]] as const) {
      tick();
      const p = packet++;
      const inj = [{ packet: p, at: now, from: { pod: from.name }, frame: encodePacket([{ kind: 'ethernet', dst: from.tap.mac!, src: POD_MAC }, ip(from, to), ...l4({ protocol: s.protocol, sport: sp, dport: dp }, flags, 5)]) }];
      const got = await adapter.inject(inj);
      const want = await clean.inject(inj);
      traced.push({ obs: got, packet: p, connection: label, protocol: s.protocol, exchange });
      const [fx, fy] = [rx(got), rx(want)];
      if (fx.join('|') !== fy.join('|')) {
        // the first capture point where they differ: a frame missing, extra, or with other bytes
        const at = (l: string): string => l.split(' ')[0]!;
        const first = at(fx.find((l, j) => l !== fy[j]) ?? fy.find((l, j) => l !== fx[j])!);
        const [g, w] = [fx.find((l) => at(l) === first), fy.find((l) => at(l) === first)];
        const received = g === undefined ? 'dropped' : w === undefined ? 'delivered' : 'delivered with other bytes';
        claims.push(claim(CLAIMS, { code: 'not-recovered', connection: label, protocol: s.protocol, exchange, packet: p, point: first, layer: 'delivery', field: 'frames', expected: w === undefined ? 'dropped' : 'delivered', received, probe: 'recovery', context: context() }));
      }
      if (!delivered(want, to.name) || !delivered(got, to.name)) break;
    }
  }
  await clean.teardown();
  await model.teardown();

  // VXLAN is never source-NATed, under any fault: every frame on a wire carries a node IP as outer source and the
  // pods' own addresses inside (I11, §9; the identity mappings are configuration a session clear keeps).
  const nodeIps = new Set(nodes.map((n) => n.ip.network));
  for (const t of traced) {
    if (t.degraded) continue;
    const inj = t.obs.captures.find((k) => k.packet === t.packet && k.point.endsWith(':tx'));
    const sent = inj ? findLayer(layersOf(inj), 'ipv4') : undefined;
    for (const w of t.obs.captures.filter((k) => k.packet === t.packet && /^node:\d+:wire$/.test(k.point))) {
      const outer = findLayer(layersOf(w), 'ipv4');
      if (!outer || outer.protocol !== 17 || w.data.length < 64) continue;
      const facts = { connection: t.connection, protocol: t.protocol, exchange: t.exchange, packet: t.packet, point: w.point, context: context() };
      if (!nodeIps.has(outer.src)) claims.push(claim(CLAIMS, { code: 'vxlan-source-nated', ...facts, layer: 'outer ipv4', field: 'src', expected: 'a node IP', received: ip4ToString(outer.src) }));
      // a source-NATed outer packet gets a pool port instead of the inner flow's hash (§6.4)
      const want = vxlanSourcePort(l2FlowHash(w.data.subarray(50)));
      const sport = readU16(w.data, 34);
      if (sport !== want) claims.push(claim(CLAIMS, { code: 'vxlan-source-port', ...facts, layer: 'outer udp', field: 'srcPort', expected: String(want), received: String(sport) }));
      const inner = findLayer(layersOf({ ...w, data: w.data.subarray(50) }), 'ipv4');
      if (sent && inner && (inner.src !== sent.src || inner.dst !== sent.dst)) {
        claims.push(claim(CLAIMS, { code: 'vxlan-source-nated', ...facts, layer: 'inner ipv4', field: 'src/dst', expected: `${ip4ToString(sent.src)} -> ${ip4ToString(sent.dst)}`, received: `${ip4ToString(inner.src)} -> ${ip4ToString(inner.dst)}` }));
      }
    }
  }
  // Encapsulated traffic is never denied by an ACL (traces, when the adapter has them; P3, I10).
  for (const t of traced) {
    for (const tr of t.obs.traces?.get(t.packet) ?? []) {
      for (const rec of tr.records as { node: string; body: unknown }[]) {
        const b = rec.body as AclLike;
        if (b?.kind === 'acl' && b.tuple.proto === 17 && b.tuple.port1 === VXLAN_PORT && b.action === 0) {
          claims.push(claim(CLAIMS, { code: 'encapsulated-denied', connection: t.connection, protocol: t.protocol, exchange: t.exchange, packet: t.packet, point: `node:${tr.nodeId}`, layer: 'acl', field: rec.node, expected: 'permit', received: 'deny', context: context() }));
        }
      }
    }
  }
  return verdictOf(claims);
}
