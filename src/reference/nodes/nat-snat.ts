// Dynamic source NAT of traffic leaving the cluster, and its un-translation (docs/datapath.md §17.4): Contiv puts
// the node IP in the NAT44 address pool and the main NIC in the `out` role with the output feature, so
// `nat44-in2out-output`'s slow path translates a pod's packet to the node IP and a fresh port and keeps a session;
// `nat44-out2in` on the main NIC finds that session by the reply's destination (node IP, port, protocol) and
// rewrites the destination back to the pod. Sources: contiv/vpp 9f521b2eb docs/dev-guide/packet-flow/
// POD_TO_INTERNET.md (its two traces), F:src/plugins/nat/in2out.c and out2in.c (snat_in2out_slow_path,
// create_session_for_static_mapping, snat_out2in_node_fn) and H:src/plugins/nat/nat44-ed/ (a session holds both
// flows: in2out by the inside 5-tuple, out2in by the translated one). The NAT44 node files call in here.
import { readU16, writeU16 } from '../../packet/index.ts';
import type { NatFlow, NatSession, NatSessionFlow } from '../state/nat.ts';
import type { VppInstance } from '../state/vpp.ts';
import type { DataPathFaults } from '../profiles.ts';
import { copyBuf, type Buf, type Effect } from '../node-def.ts';
import type { Nat44EdView } from '../../trace/records.ts';
import { ip4ToString } from '../../packet/index.ts';
import { vppIpProtocolName } from '../../trace/ip4-view.ts';
import { DYNAMIC_PORT_BASE, in2outKey, out2inKey, type NatTuple } from './nat-common.ts';
import { edFlowKey, searchKey } from './nat44-ed.ts';

/** One's-complement sum of 16-bit words (folded). */
function fold(x: number): number {
  while (x > 0xffff) x = (x & 0xffff) + (x >>> 16);
  return x;
}

/**
 * A checksum updated for 16-bit words changed from `old` to `now` (RFC 1624 eqn. 3, VPP's ip_csum_update): what
 * VPP's NAT does, so a checksum that was wrong stays wrong by as much, and one over bytes the model does not know
 * (a trace's TCP options) stays right.
 */
function csumUpdate(csum: number, old: readonly number[], now: readonly number[]): number {
  let x = ~csum & 0xffff;
  for (const w of old) x += ~w & 0xffff;
  for (const w of now) x += w;
  return ~fold(x) & 0xffff;
}

/** Rewrites the source (`which` 'src') or destination address and port of the IPv4 packet at `l3`, updating checksums. */
export function rewriteAddressPort(bytes: Uint8Array, l3: number, t: NatTuple, which: 'src' | 'dst', addr: number, port: number): Uint8Array {
  const data = Uint8Array.from(bytes);
  const at = l3 + (which === 'src' ? 12 : 16);
  const oldAddr = [readU16(data, at), readU16(data, at + 2)];
  const newAddr = [addr >>> 16, addr & 0xffff];
  writeU16(data, at, newAddr[0]!);
  writeU16(data, at + 2, newAddr[1]!);
  writeU16(data, l3 + 10, csumUpdate(readU16(data, l3 + 10), oldAddr, newAddr));
  const ihl = (data[l3]! & 0x0f) * 4;
  const l4 = l3 + ihl;
  const end = l3 + readU16(data, l3 + 2);
  if ((t.proto === 6 || t.proto === 17) && end <= data.length) {
    const portOff = l4 + (which === 'src' ? 0 : 2);
    const oldPort = readU16(data, portOff);
    writeU16(data, portOff, port);
    const csumOff = l4 + (t.proto === 6 ? 16 : 6);
    const c = readU16(data, csumOff);
    // UDP checksum 0: none, left alone; a computed 0 goes out as 0xffff (RFC 768)
    if (!(t.proto === 17 && c === 0)) {
      const u = csumUpdate(c, [...oldAddr, oldPort], [...newAddr, port]);
      writeU16(data, csumOff, t.proto === 17 && u === 0 ? 0xffff : u);
    }
  }
  return data;
}

/** How many dynamic translations the node has made: the index into its pinned `natPorts`. */
function dynamicCount(vpp: VppInstance): number {
  let n = 0;
  for (const s of vpp.natSessions.byKey.values()) if (s.to && s.inside) n++;
  // every session is under two keys (in2out and out2in)
  return n / 2;
}

/** Is the external (address, port, protocol) taken by a translation already? */
function externalTaken(vpp: VppInstance, addr: number, port: number): boolean {
  for (const s of vpp.natSessions.byKey.values()) if (s.to?.addr === addr && s.to.port === port) return true;
  return false;
}

/**
 * Dynamic SNAT to the pool address (the node IP): the port is the node's next pinned `natPorts` entry (in either
 * profile: a pin states what the NAT handed out), else current VPP's NAT44-ED keeps the source port when it is
 * free (profiles.ts natPreservesPort), else 1024 + the session index. ICMP keeps its echo identifier (not rewritten by the model). The session is found later by
 * its in2out key (the inside source) and by its out2in key (the translated destination of the reply); NAT44-ED
 * keys both flows. Returns the translated bytes, the session index and the effect that creates it.
 */
export function dynamicSnat(bytes: Uint8Array, l3: number, t: NatTuple, vpp: VppInstance): { data: Uint8Array; index: number; effects: Effect[]; session: NatSession } {
  const index = vpp.natSessions.peekIndex();
  // mutant (profiles.ts DataPathFaults outsideNotSourceNated): the session keeps the pod's own address and port
  const keep = vpp.profile.faults?.outsideNotSourceNated === true;
  const addr = keep ? t.src : vpp.nat.pool[0] ?? t.src;
  const pinned = vpp.node.natPorts?.[dynamicCount(vpp)];
  let port = pinned ?? DYNAMIC_PORT_BASE + index;
  if (pinned === undefined && vpp.profile.natPreservesPort && !externalTaken(vpp, addr, t.sport)) port = t.sport;
  if ((t.proto !== 6 && t.proto !== 17) || keep) port = t.sport;
  const to = { addr, port };
  const inside = { addr: t.src, port: t.sport };
  const reply: NatTuple = { src: t.dst, sport: t.dport, dst: addr, dport: port, proto: t.proto };
  const data = t.proto === 6 || t.proto === 17 ? rewriteAddressPort(bytes, l3, t, 'src', addr, port) : rewriteAddressPort(bytes, l3, t, 'src', addr, t.sport);
  const flow: NatSessionFlow = { proto: t.proto, inside, outside: to, external: { addr: t.dst, port: t.dport }, static: false, forwardingBypass: false };
  const effect: Effect = vpp.profile.natEndpointDependent
    ? { kind: 'nat-session-add', key: edFlowKey(flowOfTuple(t)), alias: [edFlowKey(flowOfTuple(reply)), in2outKey(t)], to, inside, i2o: flowOfTuple(t), flow }
    : { kind: 'nat-session-add', key: in2outKey(t), alias: [out2inKey(reply)], to, inside, flow };
  // the session as it will be (the effect adds it after the node): what the trace prints
  const session: NatSession = { index, key: effect.key, to, inside, flow };
  return { data, index, effects: [effect], session };
}

function flowOfTuple(t: NatTuple): NatFlow {
  return { src: t.src, sport: t.sport, dst: t.dst, dport: t.dport, proto: t.proto };
}

/** The packet translated by a session: the source to the session's outside address (in2out). */
export function snatForward(bytes: Uint8Array, l3: number, t: NatTuple, s: NatSession): Uint8Array {
  return s.to ? rewriteAddressPort(bytes, l3, t, 'src', s.to.addr, t.proto === 6 || t.proto === 17 ? s.to.port : t.sport) : bytes;
}

/** The reply un-translated by a dynamic session: the destination back to the inside address and port (out2in). */
export function snatReverse(bytes: Uint8Array, l3: number, t: NatTuple, s: NatSession, faults?: DataPathFaults): Uint8Array {
  // mutant (profiles.ts DataPathFaults): the session is found, the destination left at the node IP and port
  if (faults?.outsideReplyNotUntranslated) return bytes;
  return s.inside ? rewriteAddressPort(bytes, l3, t, 'dst', s.inside.addr, t.proto === 6 || t.proto === 17 ? s.inside.port : t.dport) : bytes;
}

/** Is this session a dynamic translation (not an identity or forwarding-bypass one)? */
export function isDynamic(s: NatSession | undefined): s is NatSession & { inside: { addr: number; port: number } } {
  return s?.inside !== undefined;
}

/**
 * The NAT44-ED trace detail of a dynamic translation (a VPP 26.06 lab, test/fixtures/traces/vpp-26.06/outside-*.txt,
 * docs/datapath.md §17.7): `translation result 'success' via i2of` (in2out) or `o2if` (out2in), the session's two flows
 * with their rewrites (the out2in rewrite names no source port), the fast path's search key and, out2in, its
 * slow-path reason, and `TCP state: closed` for TCP.
 */
export function dynamicDetail(s: NatSession, t: NatTuple, path: 'in2out-slow' | 'in2out-fast' | 'out2in-fast'): Nat44EdView {
  const f = s.flow!;
  const a = ip4ToString;
  const proto = vppIpProtocolName(f.proto, 'vpp-current');
  const i2of = `match: saddr ${a(f.inside.addr)} sport ${f.inside.port} daddr ${a(f.external.addr)} dport ${f.external.port} proto ${proto} fib_idx 0 rewrite: saddr ${a(f.outside.addr)} sport ${f.outside.port} daddr ${a(f.external.addr)} dport ${f.external.port} txfib 0 `;
  const o2if = `match: saddr ${a(f.external.addr)} sport ${f.external.port} daddr ${a(f.outside.addr)} dport ${f.outside.port} proto ${proto} fib_idx 0 rewrite: saddr ${a(f.external.addr)} daddr ${a(f.inside.addr)} dport ${f.inside.port} txfib 0 `;
  const ed: Nat44EdView = { translation: { result: 'success', via: path === 'out2in-fast' ? 'o2if' : 'i2of', i2of, o2if } };
  if (path !== 'in2out-slow') ed.lookup = searchKey(t);
  if (path === 'out2in-fast') ed.slowPathReason = 'no reason for slow path';
  if (f.proto === 6) ed.tcpState = 'closed';
  return ed;
}

/** A copy of `buf` carrying `data`, its flags unchanged (out2in's un-translation does not mark the buffer natted). */
export function withData(buf: Buf, data: Uint8Array): Buf {
  const out = copyBuf(buf);
  out.data = data;
  return out;
}
