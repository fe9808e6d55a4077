// Shared body of the three acl-plugin nodes (docs/datapath.md §8): session lookup first, then first match over
// the interface's ACLs; permit+reflect adds a session when the table has room. The nodes differ only in
// direction, where the IP header is, and which feature follows.
import { ACL_DENY, ACL_PERMIT_REFLECT, ACL_SESSION_HIT, fill5tuple, firstMatch, sessionKey, timeoutClassOfFlags, type FiveTuple } from '../state/acl.ts';
import { aclsOf } from '../state/vpp.ts';
import { copyBuf, result, type Buf, type Effect, type NodeContext, type NodeResult } from '../node-def.ts';
import type { TraceBody } from '../../trace/records.ts';
import { aclNextIndex } from './features.ts';
import { hex64 } from './trace-hex.ts';

/** Counters of passing packets (acl-plugin's error strings) */
const ACL_COUNTERS = { permit: 'ACL permit packets', newSession: 'new sessions added', existingSession: 'existing session packets' } as const;

export const ACL_ERRORS = {
  drop: 'ACL deny packets',
  permit: 'ACL permit packets',
  newSession: 'new sessions added',
  existingSession: 'existing session packets',
  tooMany: 'too many sessions to add new',
} as const;

function byteSwap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

/** fa_5tuple_t printed as six little-endian u64 words, VPP 18.01 layout (§8.7). */
export function pktInfo18(t: FiveTuple): [string, string, string, string, string, string] {
  const lsb16 = t.swIfIndex & 0xffff;
  const flagBits = (t.tcpFlagsValid ? 1 : 0) | (t.isInput ? 2 : 0) | (t.l4Valid ? 4 : 0) | (t.nonFirstFragment ? 8 : 0);
  return [
    '0000000000000000',
    // bytes 8..15 of an ip46 address hold the IPv4 address at 12..15; a little-endian u64 print reverses them
    hex64(byteSwap32(t.src), 0),
    '0000000000000000',
    hex64(byteSwap32(t.dst), 0),
    // lsb16(sw_if_index), proto, port1, port0 as four 16-bit fields
    hex64(((lsb16 << 16) | (t.proto & 0xffff)) >>> 0, (((t.port1 & 0xffff) << 16) | (t.port0 & 0xffff)) >>> 0),
    // flags byte, tcp flags byte, 0xffff, sw_if_index
    hex64(((flagBits << 24) | ((t.tcpFlags & 0xff) << 16) | 0xffff) >>> 0, t.swIfIndex >>> 0),
  ];
}

/**
 * Current VPP's fa_5tuple_t as `pkt info` prints it (six little-endian u64 words, V:src/plugins/acl/fa_node.h): the
 * two IPv4 addresses packed into word 3 (destination in the high half), word 4 lsb16(sw_if_index), the l4 flags
 * (is_input, is_slowpath), protocol and the two ports, word 5 the flags byte (tcp flags valid, l4 valid), the TCP
 * flags, 0xffff and the lookup context index. Layout read off a VPP 26.06 lab's traces.
 */
export function pktInfoCurrent(t: FiveTuple, lcIndex: number, slowPath: boolean): [string, string, string, string, string, string] {
  const lsb16 = t.swIfIndex & 0xffff;
  const l4Flags = (t.isInput ? 1 : 0) | (slowPath ? 2 : 0);
  const flagBits = (t.tcpFlagsValid ? 1 : 0) | (t.l4Valid ? 2 : 0);
  return [
    '0000000000000000',
    '0000000000000000',
    '0000000000000000',
    hex64(byteSwap32(t.dst), byteSwap32(t.src)),
    hex64(((lsb16 << 16) | (l4Flags << 8) | (t.proto & 0xff)) >>> 0, (((t.port1 & 0xffff) << 16) | (t.port0 & 0xffff)) >>> 0),
    hex64(((flagBits << 24) | ((t.tcpFlags & 0xff) << 16) | 0xffff) >>> 0, lcIndex >>> 0),
  ];
}

/** The acl-plugin takes its slow path (and says so in the trace) for anything but TCP and UDP. */
export function aclSlowPath(t: FiveTuple): boolean {
  return t.proto !== 6 && t.proto !== 17;
}

export interface AclNodeSpec {
  node: string;
  isInput: boolean;
  /** offset of the IP header in buf.data */
  l3: number;
  /** the feature after this node when the packet is permitted */
  next: string;
}

export function aclProcess<N extends string>(buf: Buf, ctx: NodeContext, spec: AclNodeSpec): NodeResult<N> {
  const { vpp, now } = ctx;
  const sw = spec.isInput ? buf.rx : buf.tx;
  const t = fill5tuple(buf.data, spec.l3, spec.isInput, sw);
  const key = sessionKey(t, vpp.profile);
  const effects: Effect[] = [];
  let action: number;
  let matchAcl = -1;
  let matchRule = -1;
  let traceBits = 0;
  let error: string | undefined;
  const session = vpp.aclSessions.lookup(key, now);
  if (session) {
    if (session.swIfIndex !== sw) {
      // A hit on another interface with the same lsb16(sw_if_index) drops the packet (§8.4).
      action = ACL_DENY;
      error = ACL_ERRORS.drop;
    } else {
      action = ACL_SESSION_HIT;
      matchRule = session.poolIndex;
      traceBits = 0x80000000;
      if (t.tcpFlagsValid) {
        const seenOut = session.flagsSeen[0] | (spec.isInput ? 0 : t.tcpFlags);
        const seenIn = session.flagsSeen[1] | (spec.isInput ? t.tcpFlags : 0);
        const cls = timeoutClassOfFlags(session.proto, seenOut, seenIn);
        if (cls !== session.timeoutClass) traceBits = (traceBits | 0x00010000 | (session.timeoutClass << 8) | cls) >>> 0;
      }
      effects.push({ kind: 'acl-session-hit', key, isInput: spec.isInput, tcpFlags: t.tcpFlagsValid ? t.tcpFlags : 0 });
    }
  } else {
    const m = firstMatch(aclsOf(vpp, sw, spec.isInput), t, vpp.profile.faults?.aclLastMatch === true);
    if (!m) {
      action = ACL_DENY;
      error = ACL_ERRORS.drop;
    } else {
      matchAcl = m.acl;
      matchRule = m.rule;
      action = m.action;
      if (m.action === ACL_DENY) error = ACL_ERRORS.drop;
      else if (m.action === ACL_PERMIT_REFLECT) {
        if (vpp.aclSessions.hasRoom(now)) effects.push({ kind: 'acl-session-add', key, swIfIndex: sw, proto: t.proto, isInput: spec.isInput, tcpFlags: t.tcpFlagsValid ? t.tcpFlags : 0 });
        else {
          action = ACL_DENY;
          error = ACL_ERRORS.tooMany;
        }
      }
    }
  }
  const trace: TraceBody = {
    kind: 'acl',
    swIfIndex: sw,
    nextIndex: error ? 0 : aclNextIndex(spec.next),
    action,
    matchAcl,
    matchRule,
    traceBits,
    pktInfo: pktInfo18(t),
    tuple: {
      isInput: spec.isInput,
      swIfIndex: sw,
      lsb16: sw & 0xffff,
      isIp6: false,
      nonFirstFragment: t.nonFirstFragment,
      src: t.src,
      dst: t.dst,
      proto: t.proto,
      l4Valid: t.l4Valid,
      port0: t.port0,
      port1: t.port1,
      tcpFlagsValid: t.tcpFlagsValid,
      tcpFlags: t.tcpFlags,
      rsvd: 0,
    },
  };
  if (vpp.profile.traceFormat === 'vpp-current') {
    // A session hit prints lookup context -1 (no ACL was evaluated); the tuple keeps 0. Context numbers are the
    // acl-plugin's allocation (masked: acl-indices).
    const slow = aclSlowPath(t);
    trace.lcIndex = action === ACL_SESSION_HIT ? -1 : 0;
    trace.tuple.lcIndex = 0;
    trace.tuple.isSlowpath = slow;
    trace.pktInfo = pktInfoCurrent(t, 0, slow);
  }
  if (error) {
    const dropped = copyBuf(buf);
    dropped.drop = { node: spec.node, error };
    return result('error-drop' as N, dropped, [trace], undefined, effects);
  }
  // The acl-plugin counts every packet through the buffer's error (V:src/plugins/acl/dataplane_node.c).
  const passed = copyBuf(buf);
  const counted = action === ACL_SESSION_HIT ? ACL_COUNTERS.existingSession : effects.some((e) => e.kind === 'acl-session-add') ? ACL_COUNTERS.newSession : ACL_COUNTERS.permit;
  passed.lastError = { node: spec.node, error: counted };
  return result(spec.next as N, passed, [trace], undefined, effects);
}
