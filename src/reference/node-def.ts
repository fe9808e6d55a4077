// The contract of a model graph node (docs/architecture.md §2): name, successors, error strings, and a pure `process`
// that returns the next node, the buffer, trace bodies and the effects the dispatcher applies to state.
import type { Adjacency } from './state/fib.ts';
import type { DnatSession, NatFlow, NatSessionFlow } from './state/nat.ts';
import type { VppInstance } from './state/vpp.ts';
import type { TraceBody } from '../trace/records.ts';

/** The vlib buffer as the model keeps it. */
export interface Buf {
  /** bytes from current_data to the end */
  data: Uint8Array;
  /** vlib current_data (negative once headers were prepended before the original start) */
  currentData: number;
  /** sw_if_index[VLIB_RX] */
  rx: number;
  /** sw_if_index[VLIB_TX] (~0 = unset) */
  tx: number;
  /** the adjacency chosen by lookup (ip4-rewrite's input) */
  adj?: Adjacency;
  /** the FIB entry's dpo-idx printed by ip4-lookup / ip4-load-balance */
  lbDpoIdx?: number;
  /** vnet_buffer(b)->ip.flow_hash as printed by lookup and rewrite */
  flowHash: number;
  /** L2 split-horizon group of the RX side */
  shg: number;
  bdIndex?: number;
  /** the NAT `nated` buffer flag */
  nated: boolean;
  /** set by DPDK for received frames */
  l4ChecksumComputed: boolean;
  /** the reason a packet goes to error-drop: the counting node and VPP's error string */
  drop?: { node: string; error: string };
  /** VNET_BUFFER_F_LOCALLY_ORIGINATED: ip4-rewrite leaves the TTL alone (and clears the flag) */
  locallyOriginated?: boolean;
  /** set before ip4-icmp-error: the ICMP error to answer the packet with */
  icmpError?: { type: number; code: number; mtu?: number };
  /** vnet_buffer l2_hdr_offset / l3_hdr_offset as ethernet-input and l2-input last set them (current VPP prints them) */
  l2HdrOffset?: number;
  l3HdrOffset?: number;
  /** b->error as the last counting node set it (current VPP's ip4-drop keeps it: the `drop` record prints it) */
  lastError?: { node: string; error: string };
}

export type Effect =
  | { kind: 'acl-session-add'; key: string; swIfIndex: number; proto: number; isInput: boolean; tcpFlags: number }
  | { kind: 'acl-session-hit'; key: string; isInput: boolean; tcpFlags: number }
  | { kind: 'nat-session-add'; key: string; to?: { addr: number; port: number }; i2o?: NatFlow; inside?: { addr: number; port: number }; alias?: string[]; flow?: NatSessionFlow }
  /** a Service connection's DNAT session (nodes/nat-dnat.ts) */
  | { kind: 'nat-dnat-add'; session: DnatSession }
  | { kind: 'counter'; node: string; error: string };

/** Where a walk ends: into a pod, onto the wire of the main NIC, or dropped. */
export type Terminal = 'DELIVER' | 'WIRE' | 'DROPPED';

export interface NodeContext {
  vpp: VppInstance;
  /** virtual time, seconds */
  now: number;
}

export interface NodeResult<N extends string = string> {
  next: N | Terminal;
  buf: Buf;
  /** trace bodies of this node (usually one) */
  trace: TraceBody[];
  /** the name printed in the trace header when it differs from the node's (e.g. `tap12-output`, NAT node names per profile) */
  traceName?: string;
  effects?: Effect[];
  /**
   * A second buffer the node sends on besides `buf` (current VPP's ip4-icmp-error: the error goes on as `buf`, the
   * answered packet to ip4-drop). The dispatcher steps it after each step of the first, as VPP's frames interleave.
   */
  fork?: { next: N; buf: Buf };
}

export interface NodeDef<N extends string = string> {
  name: string;
  nexts: readonly (N | Terminal)[];
  /** error counter id → VPP error string */
  errors: Readonly<Record<string, string>>;
  process(buf: Buf, ctx: NodeContext): NodeResult<N>;
}

export const SW_IF_INDEX_INVALID = 0xffffffff;

/**
 * A node's result. Nodes build results here rather than as object literals so that every result has the same
 * keys in the same order: the dispatcher reads five fields of each, and V8 reads fields of objects of many
 * different shapes through a slow generic lookup.
 */
export function result<N extends string>(next: NoInfer<N> | Terminal, buf: Buf, trace: TraceBody[], traceName?: string, effects?: Effect[]): NodeResult<N> {
  return { next, buf, trace, traceName, effects };
}

/**
 * A copy of `buf` for a node to change (nodes return new buffers, never edit the one they were given). Every
 * field is written out, optional ones as undefined, rather than spread: V8 copied spread buffers through its slow
 * generic path (the ~0 TX index is a heap number), a dozen times per walk; one literal also keeps one shape.
 */
export function copyBuf(buf: Buf): Buf {
  const copy: { [K in keyof Required<Buf>]: Buf[K] } = {
    data: buf.data,
    currentData: buf.currentData,
    rx: buf.rx,
    tx: buf.tx,
    adj: buf.adj,
    lbDpoIdx: buf.lbDpoIdx,
    flowHash: buf.flowHash,
    shg: buf.shg,
    bdIndex: buf.bdIndex,
    nated: buf.nated,
    l4ChecksumComputed: buf.l4ChecksumComputed,
    drop: buf.drop,
    locallyOriginated: buf.locallyOriginated,
    icmpError: buf.icmpError,
    l2HdrOffset: buf.l2HdrOffset,
    l3HdrOffset: buf.l3HdrOffset,
    lastError: buf.lastError,
  };
  return copy;
}

/** A buffer as a frame arrives on `rx`: at the start of the frame, TX unset (~0), no metadata yet. */
export function newBuf(data: Uint8Array, rx: number): Buf {
  // Every field present, optional ones as undefined, in copyBuf's order: all buffers of a walk share one shape.
  const buf: { [K in keyof Required<Buf>]: Buf[K] } = {
    data,
    currentData: 0,
    rx,
    tx: SW_IF_INDEX_INVALID,
    adj: undefined,
    lbDpoIdx: undefined,
    flowHash: 0,
    shg: 0,
    bdIndex: undefined,
    nated: false,
    l4ChecksumComputed: false,
    drop: undefined,
    locallyOriginated: undefined,
    icmpError: undefined,
    l2HdrOffset: undefined,
    l3HdrOffset: undefined,
    lastError: undefined,
  };
  return buf;
}

/** vlib_buffer_advance: a copy of `buf` whose current data starts `n` bytes further on. */
export function advanceBuf(buf: Buf, n: number): Buf {
  const b = copyBuf(buf);
  b.data = buf.data.subarray(n);
  b.currentData = buf.currentData + n;
  return b;
}

/** A copy of `buf` carrying the ICMP error ip4-icmp-error is to answer it with. */
export function withIcmpError(buf: Buf, icmpError: NonNullable<Buf['icmpError']>): Buf {
  const b = copyBuf(buf);
  b.icmpError = icmpError;
  return b;
}

/** Sends a buffer to error-drop with the counting node and error string. */
export function toDrop<N extends string>(buf: Buf, node: string, error: string, trace: TraceBody[] = [], extra: Partial<NodeResult<N>> = {}): NodeResult<N> {
  const dropped = copyBuf(buf);
  dropped.drop = { node, error };
  return result<N>('error-drop' as N, dropped, trace, extra.traceName, extra.effects);
}
