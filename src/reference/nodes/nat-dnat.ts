// Services in NAT44 (docs/datapath.md §16.3–§16.5): the destination translation of a connection to a Service
// address and port (a load-balancing static mapping) to one of its locals, the DNAT session that remembers it,
// self-twice-NAT (the client is the chosen local: its source becomes the node's twice-NAT pool address), and the
// reply's un-translation. The NAT44 nodes call in here from small call sites; nothing here is node-specific but the
// trace bodies. Sources: contiv/vpp 9f521b2eb docs/dev-guide/SERVICES.md and docs/dev-guide/packet-flow/
// POD_TO_SERVICE_*.md (the traces: 18.01's out2in DNAT with a session index, the reply's in2out fast-path miss and
// slow-path hit), VPP v18.01 src/plugins/nat/out2in.c and in2out.c (snat_out2in_lb / snat_in2out_lb: endpoint-
// dependent sessions found by the full 5-tuple, the local chosen by a random number against the cumulative
// probabilities), and current VPP src/plugins/nat/nat44-ed/nat44_ed_out2in.c (the slow path's static mapping match
// makes the session, whose in2out flow the reply then finds in the in2out fast path).
import { ip4, ip4ToString, isIp4, readU16, writeU16 } from '../../packet/index.ts';
import { jenkinsMixFinal } from '../flow-hash.ts';
import type { DnatFlow, DnatSession, LbStaticMapping, NatConfig, NatSession } from '../state/nat.ts';
import type { VppInstance } from '../state/vpp.ts';
import type { Interface } from '../topology/topology.ts';
import type { NodeServices } from '../services.ts';
import type { Nat44EdView, TraceBody } from '../../trace/records.ts';
import { vppIpProtocolName } from '../../trace/ip4-view.ts';
import { copyBuf, result, type Buf, type Effect, type NodeResult } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';
import { DYNAMIC_PORT_BASE, natedBuf, natTuple, type NatTuple } from './nat-common.ts';
import { searchKey } from './nat44-ed.ts';

// Session keys of DNAT sessions (opaque, as nat-common.ts's): the request flow (client → service) and the reply
// flow (backend → client, or → the twice-NAT address), each the full 5-tuple, as endpoint-dependent sessions are.
const DNAT_REQUEST = 4;
const DNAT_REPLY = 5;

function flowKey(kind: number, src: number, sport: number, dst: number, dport: number, proto: number): string {
  return String.fromCharCode(kind, src >>> 16, src & 0xffff, sport & 0xffff, dst >>> 16, dst & 0xffff, dport & 0xffff, proto & 0xffff);
}

export function dnatRequestKey(t: DnatFlow): string {
  return flowKey(DNAT_REQUEST, t.src, t.sport, t.dst, t.dport, t.proto);
}

export function dnatReplyKey(t: DnatFlow): string {
  return flowKey(DNAT_REPLY, t.src, t.sport, t.dst, t.dport, t.proto);
}

/** The reply flow a DNAT session un-translates: from the backend to the source the backend saw. */
function replyFlowOf(d: DnatSession): DnatFlow {
  const seen = d.twice ?? d.client;
  return { src: d.backend.addr, sport: d.backend.port, dst: seen.addr, dport: seen.port, proto: d.proto };
}

/** The load-balancing static mapping of a destination (address, port, protocol), if any. */
export function lbMappingOf(nat: NatConfig, dst: number, proto: number, dport: number): LbStaticMapping | undefined {
  if (!nat.lb) return undefined;
  for (const m of nat.lb) if (m.external === dst && m.externalPort === dport && m.proto === proto) return m;
  return undefined;
}

/**
 * The model's deterministic stand-in for VPP's random choice (docs/datapath.md §16.4): VPP draws
 * `rand = 1 + random % total` and takes the first local whose cumulative probability reaches it; the model draws
 * the same way with Jenkins' lookup3 (flow-hash.ts) of the connection's 5-tuple — (src, dst ^ proto,
 * sport << 16 | dport) — in place of the random number. Locals of probability 0 (a sole local) count as 1.
 */
export function defaultPickBackend(m: LbStaticMapping, flow: DnatFlow): number {
  const weights = m.locals.map((l) => (l.probability > 0 ? l.probability : 1));
  const total = weights.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  const hash = jenkinsMixFinal(flow.src >>> 0, (flow.dst ^ flow.proto) >>> 0, (((flow.sport & 0xffff) << 16) | (flow.dport & 0xffff)) >>> 0).hash;
  const r = 1 + (hash % total);
  let prefix = 0;
  for (let i = 0; i < weights.length; i++) {
    prefix += weights[i]!;
    if (prefix >= r) return i;
  }
  return weights.length - 1;
}

function pick(vpp: VppInstance, m: LbStaticMapping, flow: DnatFlow): number {
  const chosen = vpp.nat.pickBackend?.({ nodeId: vpp.node.id, mapping: m, flow });
  if (chosen !== undefined && Number.isInteger(chosen) && chosen >= 0 && chosen < m.locals.length) return chosen;
  return defaultPickBackend(m, flow);
}

/** RFC 1624 incremental update of a ones'-complement checksum for 16-bit words changed from `from` to `to`. */
function csumUpdate(csum: number, from: readonly number[], to: readonly number[]): number {
  let sum = ~csum & 0xffff;
  for (let i = 0; i < from.length; i++) sum += (~from[i]! & 0xffff) + (to[i]! & 0xffff);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

const hi = (a: number): number => a >>> 16;
const lo = (a: number): number => a & 0xffff;

/**
 * The IPv4 packet at `l3` with its source and destination (addresses and ports) set, checksums updated
 * incrementally as VPP's NAT does (ip_csum_update): a checksum stays exactly as right or wrong as it was.
 */
export function rewriteFlow(bytes: Uint8Array, l3: number, t: NatTuple, src: number, sport: number, dst: number, dport: number): Uint8Array {
  const data = Uint8Array.from(bytes);
  const ihl = (data[l3]! & 0x0f) * 4;
  const put32 = (o: number, v: number): void => {
    writeU16(data, o, hi(v));
    writeU16(data, o + 2, lo(v));
  };
  put32(l3 + 12, src);
  put32(l3 + 16, dst);
  const addrFrom = [hi(t.src), lo(t.src), hi(t.dst), lo(t.dst)];
  const addrTo = [hi(src), lo(src), hi(dst), lo(dst)];
  writeU16(data, l3 + 10, csumUpdate(readU16(data, l3 + 10), addrFrom, addrTo));
  const l4 = l3 + ihl;
  if ((t.proto === 6 || t.proto === 17) && l4 + (t.proto === 6 ? 18 : 8) <= data.length) {
    writeU16(data, l4, sport);
    writeU16(data, l4 + 2, dport);
    const csumOff = l4 + (t.proto === 6 ? 16 : 6);
    const old = readU16(data, csumOff);
    if (!(t.proto === 17 && old === 0)) writeU16(data, csumOff, csumUpdate(old, [...addrFrom, t.sport, t.dport], [...addrTo, sport, dport]));
  }
  return data;
}

/** A DNAT translation the node applies: the bytes, the session (index as printed) and the effects to record it. */
export interface DnatStep {
  data: Uint8Array;
  index: number;
  effects: Effect[];
  session: DnatSession;
}

/**
 * The twice-NAT source of a self-access connection: the pool address and the client's own port while no other
 * twice-NAT session holds it, else 1024 + the session index. A model choice for both profiles (docs/datapath.md
 * §16.5): VPP 18.01 draws a random port (snat_alloc_outside_address_and_port), current VPP tries ports of its own.
 */
function twiceNatSource(vpp: VppInstance, t: NatTuple, index: number): { addr: number; port: number } | undefined {
  const addr = vpp.nat.twiceNatPool?.[0];
  if (addr === undefined) return undefined;
  const given = vpp.nat.twiceNatPort?.({ nodeId: vpp.node.id, flow: t });
  if (given !== undefined && Number.isInteger(given) && given > 0 && given <= 0xffff) return { addr, port: given };
  for (const s of vpp.natSessions.byKey.values()) if (s.dnat?.twice && s.dnat.twice.addr === addr && s.dnat.twice.port === t.sport) return { addr, port: DYNAMIC_PORT_BASE + index };
  return { addr, port: t.sport };
}

/**
 * out2in (18.01 nat44-out2in; current nat44-ed-out2in and its slow path): a packet of a known Service connection is
 * translated by its session; the first packet to a load-balancing mapping picks a local, makes the session (with
 * self-twice-NAT when the local is the client) and is translated. `create` false: only known sessions (the
 * current fast path, which sends a new connection to its slow path). undefined: not a Service connection.
 */
export function dnatOut2in(vpp: VppInstance, bytes: Uint8Array, l3: number, create: boolean): DnatStep | undefined {
  const t = natTuple(bytes, l3);
  const known = vpp.natSessions.lookup(dnatRequestKey(t));
  if (known?.dnat) {
    const d = known.dnat;
    const src = d.twice ?? d.client;
    return { data: rewriteFlow(bytes, l3, t, src.addr, src.port, d.backend.addr, d.backend.port), index: known.index, effects: [], session: d };
  }
  if (!create) return undefined;
  const m = lbMappingOf(vpp.nat, t.dst, t.proto, t.dport);
  if (!m || m.locals.length === 0) return undefined;
  const local = m.locals[pick(vpp, m, t)]!;
  const index = vpp.natSessions.peekIndex();
  const session: DnatSession = { proto: t.proto, client: { addr: t.src, port: t.sport }, service: { addr: t.dst, port: t.dport }, backend: { addr: local.addr, port: local.port } };
  if (m.selfTwiceNat && local.addr === t.src) {
    const twice = twiceNatSource(vpp, t, index);
    if (twice) session.twice = twice;
  }
  const src = session.twice ?? session.client;
  return { data: rewriteFlow(bytes, l3, t, src.addr, src.port, local.addr, local.port), index, effects: [{ kind: 'nat-dnat-add', session }], session };
}

/**
 * in2out (18.01 nat44-in2out-slowpath, snat_in2out_lb; current nat44-ed-in2out fast path): the reply of a Service
 * connection, found by its flow from the backend, gets the Service address and port back as its source (and the
 * client as its destination after self-twice-NAT). undefined: not a reply of a DNAT session.
 */
export function undnatIn2out(vpp: VppInstance, bytes: Uint8Array, l3: number): DnatStep | undefined {
  const t = natTuple(bytes, l3);
  const s = vpp.natSessions.lookup(dnatReplyKey(t));
  if (!s?.dnat) return undefined;
  const d = s.dnat;
  return { data: rewriteFlow(bytes, l3, t, d.service.addr, d.service.port, d.client.addr, d.client.port), index: s.index, effects: [], session: d };
}

/** Records a new DNAT session under both its flows (graph.ts applies the `nat-dnat-add` effect here). */
export function addDnatSession(vpp: VppInstance, d: DnatSession): void {
  const req: DnatFlow = { src: d.client.addr, sport: d.client.port, dst: d.service.addr, dport: d.service.port, proto: d.proto };
  const key = dnatRequestKey(req);
  if (vpp.natSessions.lookup(key)) return;
  const s = vpp.natSessions.add(key, undefined, undefined, { proto: d.proto, inside: d.backend, outside: d.service, external: d.twice ?? d.client, static: true, forwardingBypass: false });
  s.dnat = d;
  vpp.natSessions.byKey.set(dnatReplyKey(replyFlowOf(d)), s);
}

// ---- call sites: each NAT44 node hands a packet here first (one line per node) ----

/** A flow as nat44_ed_format.c prints it: the match, then the rewrite (its fields and, when set, `txfib`). */
const edFlowText = (f: DnatFlow, rewrite: string): string =>
  `match: saddr ${ip4ToString(f.src)} sport ${f.sport} daddr ${ip4ToString(f.dst)} dport ${f.dport} proto ${vppIpProtocolName(f.proto, 'vpp-current')} fib_idx 0 rewrite: ${rewrite}`;

/**
 * The nat44-ed detail of a DNAT session's translation, as a VPP 26.06 lab printed it (test/fixtures/traces/vpp-26.06/
 * service.*): both flows — the in2out one rewriting the source back to the Service (no `txfib`), the out2in one
 * rewriting the destination to the backend (`txfib 0`); with self-twice-NAT also the other address (the model's
 * rendering, not captured) — and `TCP state: closed` (the model keeps no TCP state; the lab printed `closed` for the
 * SYN and the SYN-ACK). `lookup`: the fast paths' search key; the out2in fast path also its slow-path reason.
 */
function edDetail(d: DnatSession, t: NatTuple, via: 'i2of' | 'o2if', node: 'out2in-fast' | 'out2in-slow' | 'in2out-fast'): Nat44EdView {
  const o2i: DnatFlow = { src: d.client.addr, sport: d.client.port, dst: d.service.addr, dport: d.service.port, proto: d.proto };
  const i2o = replyFlowOf(d);
  const o2iRewrite = `${d.twice ? `saddr ${ip4ToString(d.twice.addr)} sport ${d.twice.port} ` : ''}daddr ${ip4ToString(d.backend.addr)} dport ${d.backend.port} txfib 0 `;
  const i2oRewrite = `saddr ${ip4ToString(d.service.addr)} sport ${d.service.port} ${d.twice ? `daddr ${ip4ToString(d.client.addr)} dport ${d.client.port} ` : ''}`;
  const ed: Nat44EdView = { translation: { result: 'success', via, i2of: edFlowText(i2o, i2oRewrite), o2if: edFlowText(o2i, o2iRewrite) } };
  if (node !== 'out2in-slow') ed.lookup = searchKey(t);
  if (node === 'out2in-fast') ed.slowPathReason = 'no reason for slow path';
  if (t.proto === 6) ed.tcpState = 'closed';
  return ed;
}

/**
 * nat44-out2in's call site. 18.01: known session or new mapping match → `NAT44_OUT2IN … session index N`, next 1.
 * Current VPP's fast path: a known session only (`next index 10`); the slow path (`slowPath`) makes new ones.
 */
export function serviceOut2in(buf: Buf, vpp: VppInstance, traceName: string, slowPath = false): NodeResult<NodeName> | undefined {
  // no mapping, no DNAT session (configureServiceNat drops the sessions of mappings that go): the fuzzer's common case
  if (!vpp.nat.lb || vpp.nat.lb.length === 0) return undefined;
  // mutant (profiles.ts DataPathFaults): the mappings are consulted on the main NIC only
  if (vpp.profile.faults?.serviceDnatOnlyOnMainNic && buf.rx !== vpp.node.gbe.swIfIndex) return undefined;
  const ed = vpp.profile.natEndpointDependent === true;
  const step = dnatOut2in(vpp, buf.data, 0, !ed || slowPath);
  if (!step) return undefined;
  const t = natTuple(buf.data, 0);
  let body: TraceBody;
  if (!ed) body = { kind: 'nat44-out2in', label: vpp.profile.natTraceLabels.out2in, swIfIndex: buf.rx, nextIndex: 1, sessionIndex: step.index };
  else if (slowPath) body = { kind: 'nat44-out2in', label: 'NAT44_OUT2IN_ED_SLOW_PATH', swIfIndex: buf.rx, nextIndex: 10, sessionIndex: step.index, ed: edDetail(step.session, t, 'o2if', 'out2in-slow') };
  else body = { kind: 'nat44-out2in', label: 'NAT44_OUT2IN_ED_FAST_PATH', swIfIndex: buf.rx, nextIndex: 10, sessionIndex: step.index, ed: edDetail(step.session, t, 'o2if', 'out2in-fast') };
  // NAT44-ED's out2in leaves the buffer unmarked (no `natted` on the TX record of a VPP 26.06 lab); 18.01 marks it
  const out = ed ? Object.assign(copyBuf(buf), { data: step.data }) : natedBuf(buf, step.data);
  return result('ip4-lookup', out, [body], traceName, step.effects);
}

/**
 * nat44-in2out's call site for a Service reply. 18.01: only the slow path (`slowPath`) finds it (the fast path's
 * table holds endpoint-dependent sessions as ~0: a miss, docs/datapath.md §16.5) → `session N`, next 0. Current
 * VPP: the fast path finds the session by its in2out flow → `next index 10`.
 */
export function serviceIn2out(buf: Buf, vpp: VppInstance, traceName: string, slowPath: boolean): NodeResult<NodeName> | undefined {
  const ed = vpp.profile.natEndpointDependent === true;
  if (ed === slowPath || !vpp.nat.lb || vpp.nat.lb.length === 0) return undefined;
  const step = undnatIn2out(vpp, buf.data, 0);
  if (!step) return undefined;
  const t = natTuple(buf.data, 0);
  const body: TraceBody = ed
    ? { kind: 'nat44-in2out', label: 'NAT44_IN2OUT_ED_FAST_PATH', swIfIndex: buf.rx, nextIndex: 10, session: step.index, ed: edDetail(step.session, t, 'i2of', 'in2out-fast') }
    : { kind: 'nat44-in2out', label: vpp.profile.natTraceLabels.in2outSlow, swIfIndex: buf.rx, nextIndex: 0, session: step.index };
  // mutant (profiles.ts DataPathFaults): the session is found, the packet left as the backend sent it
  const data = vpp.profile.faults?.serviceReplyNotUntranslated ? buf.data : step.data;
  return result('ip4-lookup', natedBuf(buf, data), [body], traceName);
}

// ---- configuration ----

/** One node's Services in the model's terms: mappings, twice-NAT pool, interfaces marked `in` (docs/datapath.md §16.3). */
export interface NodeServiceNat {
  mappings: LbStaticMapping[];
  twiceNatPool: number[];
  /** the interfaces marked NAT44 `in` besides `out` because a Service backend lies behind them */
  inInterfaces: Interface[];
}

/**
 * Configures a node's Services, replacing the ones before: the mappings and the pool, and the `in` role of the pod
 * TAPs — those of pods the scenario marks `serviceEndpoint` and those given here (tap0 and loop0 are `in` anyway).
 * DNAT sessions of mappings that are gone, or of locals no longer in them, go with them.
 */
export function configureServiceNat(vpp: VppInstance, cfg: NodeServiceNat): void {
  vpp.nat.lb = cfg.mappings;
  vpp.nat.twiceNatPool = cfg.twiceNatPool;
  const inSet = new Set(cfg.inInterfaces.map((i) => i.swIfIndex));
  for (const pod of vpp.node.pods) {
    const role = vpp.nat.roles.get(pod.tap.swIfIndex);
    if (role) role.inside = pod.serviceEndpoint || inSet.has(pod.tap.swIfIndex);
  }
  for (const sw of inSet) {
    const role = vpp.nat.roles.get(sw);
    if (role) role.inside = true;
  }
  for (const [key, s] of [...vpp.natSessions.byKey]) {
    if (!s.dnat) continue;
    const d = s.dnat;
    const m = lbMappingOf(vpp.nat, d.service.addr, d.proto, d.service.port);
    if (!m || !m.locals.some((l) => l.addr === d.backend.addr && l.port === d.backend.port)) vpp.natSessions.byKey.delete(key);
  }
}

/**
 * The model's form of a node's rendering (services.ts `renderServices`): every mapping self-twice-NAT and
 * out2in-only as SERVICES.md documents them (docs/datapath.md §16.2), the NAT loopback as the pool, the TAPs of the
 * node's backend pods `in`.
 */
export function serviceNatOf(vpp: VppInstance, ns: NodeServices): NodeServiceNat {
  const taps = new Map(vpp.node.pods.map((p) => [p.name, p.tap]));
  return {
    mappings: ns.mappings.map((m) => ({ service: m.service, proto: m.proto, external: m.external, externalPort: m.externalPort, locals: m.locals.map((l) => ({ addr: l.addr, port: l.port, probability: l.probability })), selfTwiceNat: true, out2inOnly: true })),
    twiceNatPool: [ns.twiceNatPool],
    inInterfaces: ns.backendPods.flatMap((name) => (taps.has(name) ? [taps.get(name)!] : [])),
  };
}

/** One node's rendered Services in plain, resolved form (structurally the adapters' AdapterServiceConfig entry). */
export interface PlainServiceNat {
  mappings: { service: string; protocol: 'TCP' | 'UDP'; external: { ip: string; port: number }; locals: { ip: string; port: number; probability: number }[] }[];
  twiceNatPool: string;
  inInterfaces: string[];
}

/**
 * One node's Services from the plain form (an adapter's AdapterServiceConfig, a scenario's `serviceNat`: untrusted
 * strings, checked here; an error names the field) as the model configures them: every mapping self-twice-NAT and out2in-only (AdapterServiceConfig says so), the `in` interfaces by
 * VPP name (a name the node lacks — a pod gone since — is skipped). Absent: no Services on the node.
 */
export function serviceNatFromPlain(spec: PlainServiceNat | undefined, vpp: VppInstance, where: string): NodeServiceNat {
  if (!spec) return { mappings: [], twiceNatPool: [], inInterfaces: [] };
  const addr = (v: unknown, field: string): number => {
    if (typeof v !== 'string' || !isIp4(v)) throw new Error(`${where}.${field}: expected an IPv4 address like 10.96.0.10, got ${JSON.stringify(v)}`);
    return ip4(v);
  };
  const port = (v: unknown, field: string): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffff) throw new Error(`${where}.${field}: expected a port 0–65535, got ${JSON.stringify(v)}`);
    return v;
  };
  if (!Array.isArray(spec.mappings)) throw new Error(`${where}.mappings: expected a list`);
  const mappings = spec.mappings.map((m, i) => {
    const f = `mappings[${i}]`;
    if (m.protocol !== 'TCP' && m.protocol !== 'UDP') throw new Error(`${where}.${f}.protocol: expected TCP or UDP, got ${JSON.stringify(m.protocol)}`);
    if (!Array.isArray(m.locals) || m.locals.length === 0) throw new Error(`${where}.${f}.locals: expected at least one local`);
    return {
      service: String(m.service),
      proto: m.protocol === 'TCP' ? 6 : 17,
      external: addr(m.external?.ip, `${f}.external.ip`),
      externalPort: port(m.external?.port, `${f}.external.port`),
      locals: m.locals.map((l, j) => {
        if (typeof l.probability !== 'number' || !Number.isInteger(l.probability) || l.probability < 0 || l.probability > 255) throw new Error(`${where}.${f}.locals[${j}].probability: expected an integer 0–255, got ${JSON.stringify(l.probability)}`);
        return { addr: addr(l.ip, `${f}.locals[${j}].ip`), port: port(l.port, `${f}.locals[${j}].port`), probability: l.probability };
      }),
      selfTwiceNat: true,
      out2inOnly: true,
    };
  });
  if (!Array.isArray(spec.inInterfaces)) throw new Error(`${where}.inInterfaces: expected a list of interface names`);
  const inInterfaces = spec.inInterfaces.flatMap((n) => {
    const i = vpp.ifByName.get(n);
    return i ? [i] : [];
  });
  return { mappings, twiceNatPool: [addr(spec.twiceNatPool, 'twiceNatPool')], inInterfaces };
}
