// NAT44 endpoint-dependent (current VPP, profile switch natEndpointDependent): the flow lookups of the fast paths,
// the bypass sessions of forwarding, and the trace parts the nat44-ed nodes print (search key, slow-path reason,
// the session's flows). What is translated stays as nat-common.ts decides; this is the ED bookkeeping around it.
// Facts from V:src/plugins/nat/nat44-ed/nat44_ed_in2out.c, nat44_ed_out2in.c, nat44_ed_format.c and a VPP 26.06
// lab (test/fixtures/traces/vpp-26.06): a lookup of the packet's own flow finds a session by either of its flows;
// out2in's slow path with forwarding on keeps the packet and makes a session whose only flow is the reply's
// in2out one; identity mappings match without a session; a TTL of 1 goes to ip4-icmp-error from the fast path.
import { ip4ToString } from '../../packet/index.ts';
import type { NatFlow, NatSession } from '../state/nat.ts';
import type { VppInstance } from '../state/vpp.ts';
import { vppIpProtocolName } from '../../trace/ip4-view.ts';
import type { Nat44EdView } from '../../trace/records.ts';
import type { NatTuple } from './nat-common.ts';

const ED_FLOW = 3;

/** The flow table key of a flow (both directions share one table, as VPP's flow hash). */
export function edFlowKey(f: NatFlow): string {
  return String.fromCharCode(ED_FLOW, f.src >>> 16, f.src & 0xffff, f.sport & 0xffff, f.dst >>> 16, f.dst & 0xffff, f.dport & 0xffff, f.proto & 0xffff);
}

export function flowOf(t: NatTuple): NatFlow {
  return { src: t.src, sport: t.sport, dst: t.dst, dport: t.dport, proto: t.proto };
}

/** The reply's flow: what a bypass session made for `t` holds as its in2out flow. */
export function replyFlow(t: NatTuple): NatFlow {
  return { src: t.dst, sport: t.dport, dst: t.src, dport: t.sport, proto: t.proto };
}

/** The session whose flow is the packet's own, if any. */
export function edLookup(vpp: VppInstance, t: NatTuple): NatSession | undefined {
  return vpp.natSessions.lookup(edFlowKey(flowOf(t)));
}

/** `search key local … remote …` of a fast path: the packet's flow, as looked up (thread and session index volatile). */
export function searchKey(t: NatTuple | undefined): NonNullable<Nat44EdView['lookup']> {
  const f = t ?? { src: 0, sport: 0, dst: 0, dport: 0, proto: 0 };
  return { kind: 'search-key', local: f.src, localPort: f.sport, remote: f.dst, remotePort: f.dport, proto: f.proto, fib: 0, threadIndex: 0, sessionIndex: 0 };
}

const EMPTY_FLOW = 'match: saddr 0.0.0.0 sport 0 daddr 0.0.0.0 dport 0 proto IP6_HOP_BY_HOP_OPTIONS fib_idx 0 ';

function flowText(f: NatFlow): string {
  return `match: saddr ${ip4ToString(f.src)} sport ${f.sport} daddr ${ip4ToString(f.dst)} dport ${f.dport} proto ${vppIpProtocolName(f.proto, 'vpp-current')} fib_idx 0 rewrite: txfib 0 `;
}

/** The trace detail of a fast-path hit on a bypass session: its flows, the search key, TCP state for TCP. */
export function hitDetail(s: NatSession, t: NatTuple, out2in: boolean): Nat44EdView {
  const ed: Nat44EdView = {
    translation: { result: 'success', via: 'i2of', i2of: s.i2o ? flowText(s.i2o) : EMPTY_FLOW, o2if: EMPTY_FLOW },
    lookup: searchKey(t),
  };
  if (out2in) ed.slowPathReason = 'no reason for slow path';
  // A bypass session tracks no TCP state.
  if (t.proto === 6) ed.tcpState = 'closed';
  return ed;
}
