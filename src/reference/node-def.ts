// The contract of a model graph node (STYLE.md §2): name, successors, error strings, and a pure `process`
// that returns the next node, the buffer, trace bodies and the effects the dispatcher applies to state.
import type { Adjacency } from './state/fib.ts';
import type { VppInstance } from './state/vpp.ts';
import type { TraceBody } from './trace/records.ts';

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
  /** set before ip4-icmp-error: the ICMP error to answer the packet with */
  icmpError?: { type: number; code: number; mtu?: number };
}

export type Effect =
  | { kind: 'acl-session-add'; key: string; swIfIndex: number; proto: number; isInput: boolean; tcpFlags: number }
  | { kind: 'acl-session-hit'; key: string; isInput: boolean; tcpFlags: number }
  | { kind: 'nat-session-add'; key: string; to?: { addr: number; port: number } }
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
}

export interface NodeDef<N extends string = string> {
  name: string;
  nexts: readonly (N | Terminal)[];
  /** error counter id → VPP error string */
  errors: Readonly<Record<string, string>>;
  process(buf: Buf, ctx: NodeContext): NodeResult<N>;
}

export const SW_IF_INDEX_INVALID = 0xffffffff;

/** Sends a buffer to error-drop with the counting node and error string. */
export function toDrop<N extends string>(buf: Buf, node: string, error: string, trace: TraceBody[] = [], extra: Partial<NodeResult<N>> = {}): NodeResult<N> {
  return { ...extra, next: 'error-drop' as N, buf: { ...buf, drop: { node, error } }, trace };
}
