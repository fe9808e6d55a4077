// The model's session tables as `show acl-plugin sessions` and `show nat44 sessions` would list them
// (Adapter.sessionState, the text forms of adapters/adapter.ts SESSION_FORMS): reflective ACL sessions by interface
// name and 5-tuple key with the TCP flags seen; NAT44 sessions by protocol, inside, outside and external host with
// their kind. Pool indices and times are the model's bookkeeping, not state a data path prints the same: left out.
import { ip4ToString } from '../../packet/index.ts';
import type { VppInstance } from './vpp.ts';
import type { AclSession } from './acl.ts';
import type { NatSession } from './nat.ts';

const PROTO_NAMES: Record<number, string> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP' };

/** A protocol as NAT44-ED prints it (`TCP`, `UDP`, `ICMP`; others by number, and without ports). */
export function natProtoName(proto: number): string {
  return PROTO_NAMES[proto] ?? String(proto);
}

const hex = (n: number): string => `0x${n.toString(16)}`;

/** One ACL session: `<interface> <proto> <src>:<p0> -> <dst>:<p1>` → `tcp flags out 0x.. in 0x..` or `-`. */
export function aclSessionEntry(s: AclSession, ifName: (sw: number) => string): [string, string] {
  // the key's 16-bit code units (acl.ts keyOf): address halves, ports, protocol, lsb16(sw_if_index)
  const u = [...s.key].map((c) => c.charCodeAt(0));
  const src = ((u[0]! << 16) | u[1]!) >>> 0;
  const dst = ((u[2]! << 16) | u[3]!) >>> 0;
  const key = `${ifName(s.swIfIndex)} ${u[6]} ${ip4ToString(src)}:${u[4]} -> ${ip4ToString(dst)}:${u[5]}`;
  return [key, s.proto === 6 ? `tcp flags out ${hex(s.flagsSeen[0])} in ${hex(s.flagsSeen[1])}` : '-'];
}

/**
 * One NAT44 session. A session the model created with its whole flow prints as VPP prints it; one known only by its
 * lookup key (direction, one address and port, protocol: nodes/nat-common.ts) prints `?` for what it does not know.
 */
export function natSessionEntry(s: NatSession): [string, string] {
  const f = s.flow ?? flowOfI2o(s);
  if (f) {
    const at = (e: { addr: number; port: number }): string => (PROTO_NAMES[f.proto] ? `${ip4ToString(e.addr)}:${e.port}` : ip4ToString(e.addr));
    const kind = `${f.static ? 'static' : 'dynamic'} translation${f.forwardingBypass ? ', forwarding-bypass' : ''}`;
    // the external host always with its port (`external host A:P`; 0 for protocols without ports)
    return [`${natProtoName(f.proto)} in ${at(f.inside)} out ${at(f.outside)} ext ${ip4ToString(f.external.addr)}:${f.external.port}`, kind];
  }
  const u = [...s.key].map((c) => c.charCodeAt(0));
  const addr = ip4ToString(((u[1]! << 16) | u[2]!) >>> 0);
  const here = PROTO_NAMES[u[4]!] ? `${addr}:${u[3]}` : addr;
  const proto = natProtoName(u[4]!);
  // in2out (1): found by the inside address; out2in (2): by the outside one (an identity mapping: the same)
  if (u[0] === 1) return [`${proto} in ${here} out ${s.to ? `${ip4ToString(s.to.addr)}:${s.to.port}` : here} ext ?`, s.to ? 'dynamic translation' : 'static translation'];
  return [`${proto} in ${here} out ${here} ext ?`, 'static translation'];
}

/**
 * The whole flow of a session the walk created with its in2out flow (NAT44-ED, nodes/nat-common.ts): inside is the
 * flow's source, external its destination; outside the translation when there is one, else the inside itself — a
 * session that translates nothing is the slow path's forwarding bypass.
 */
function flowOfI2o(s: NatSession): NatSession['flow'] {
  const i = s.i2o;
  if (!i) return undefined;
  const inside = { addr: i.src, port: i.sport };
  return { proto: i.proto, inside, outside: s.to ?? inside, external: { addr: i.dst, port: i.dport }, static: false, forwardingBypass: s.to === undefined };
}

/** By `node <id> acl|nat44` → key → value; ACL sessions idle past their timeout at `now` (when given) are gone. */
export function modelSessionState(vpps: Iterable<VppInstance>, now?: number): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const v of vpps) {
    const name = (sw: number): string => v.ifBySw.get(sw)?.name ?? `sw_if_index${sw}`;
    const acl: Record<string, string> = {};
    for (const s of v.aclSessions.byKey.values()) {
      if (now !== undefined && !v.aclSessions.lookup(s.key, now)) continue;
      const [k, val] = aclSessionEntry(s, name);
      acl[k] = val;
    }
    const nat: Record<string, string> = {};
    for (const s of v.natSessions.byKey.values()) {
      const [k, val] = natSessionEntry(s);
      nat[k] = val;
    }
    out[`node ${v.node.id} acl`] = acl;
    out[`node ${v.node.id} nat44`] = nat;
  }
  return out;
}
