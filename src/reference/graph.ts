// The node table and the dispatcher: a short loop that steps a buffer through nodes, records their trace,
// applies their effects to the VPP instance, and stops at a terminal or at a hop limit (a loop is a model bug).
import type { Buf, Effect, NodeDef, NodeResult, Terminal } from './node-def.ts';
import type { NodeName } from './node-names.ts';
import type { VppInstance } from './state/vpp.ts';
import type { TraceRecord } from '../trace/records.ts';
import { addDnatSession } from './nodes/nat-dnat.ts';
import { aclPluginInIp4Fa } from './nodes/acl-plugin-in-ip4-fa.ts';
import { aclPluginInIp4L2 } from './nodes/acl-plugin-in-ip4-l2.ts';
import { aclPluginOutIp4Fa } from './nodes/acl-plugin-out-ip4-fa.ts';
import { arpInput } from './nodes/arp-input.ts';
import { dpdkInput } from './nodes/dpdk-input.ts';
import { errorDrop } from './nodes/error-drop.ts';
import { ethernetInput } from './nodes/ethernet-input.ts';
import { interfaceOutput } from './nodes/interface-output.ts';
import { interfaceTx } from './nodes/interface-tx.ts';
import { ip4Arp } from './nodes/ip4-arp.ts';
import { ip4Drop } from './nodes/ip4-drop.ts';
import { ip4IcmpError } from './nodes/ip4-icmp-error.ts';
import { ip4Input } from './nodes/ip4-input.ts';
import { ip4LoadBalance } from './nodes/ip4-load-balance.ts';
import { ip4Local } from './nodes/ip4-local.ts';
import { ip4Lookup } from './nodes/ip4-lookup.ts';
import { ip4Rewrite } from './nodes/ip4-rewrite.ts';
import { ip4UdpLookup } from './nodes/ip4-udp-lookup.ts';
import { l2Fwd } from './nodes/l2-fwd.ts';
import { l2InputClassify } from './nodes/l2-input-classify.ts';
import { l2Input } from './nodes/l2-input.ts';
import { l2InputFeatArc, l2InputFeatArcEnd } from './nodes/l2-input-feat-arc.ts';
import { l2Output } from './nodes/l2-output.ts';
import { nat44In2outOutputSlowpath } from './nodes/nat44-in2out-output-slowpath.ts';
import { nat44In2outOutput } from './nodes/nat44-in2out-output.ts';
import { nat44In2outSlowpath } from './nodes/nat44-in2out-slowpath.ts';
import { nat44In2out } from './nodes/nat44-in2out.ts';
import { nat44Out2in } from './nodes/nat44-out2in.ts';
import { virtioInput } from './nodes/virtio-input.ts';
import { pgInput } from './nodes/pg-input.ts';
import { afPacketInput } from './nodes/af-packet-input.ts';
import { ip4SvReassemblyFeature } from './nodes/ip4-sv-reassembly-feature.ts';
import { ip4SvReassemblyOutputFeature } from './nodes/ip4-sv-reassembly-output-feature.ts';
import { natPreOut2in } from './nodes/nat-pre-out2in.ts';
import { natPreIn2outOutput } from './nodes/nat-pre-in2out-output.ts';
import { nat44Classify } from './nodes/nat44-classify.ts';
import { nat44Out2inSlowpath } from './nodes/nat44-out2in-slowpath.ts';
import { drop } from './nodes/drop.ts';
import { vxlan4Encap } from './nodes/vxlan4-encap.ts';
import { vxlan4Input } from './nodes/vxlan4-input.ts';

export type { NodeName };

export const NODES = {
  'virtio-input': virtioInput,
  'dpdk-input': dpdkInput,
  'pg-input': pgInput,
  'af-packet-input': afPacketInput,
  'ethernet-input': ethernetInput,
  'arp-input': arpInput,
  'ip4-input': ip4Input,
  'acl-plugin-in-ip4-fa': aclPluginInIp4Fa,
  'acl-plugin-out-ip4-fa': aclPluginOutIp4Fa,
  'acl-plugin-in-ip4-l2': aclPluginInIp4L2,
  'ip4-sv-reassembly-feature': ip4SvReassemblyFeature,
  'ip4-sv-reassembly-output-feature': ip4SvReassemblyOutputFeature,
  'nat-pre-out2in': natPreOut2in,
  'nat-pre-in2out-output': natPreIn2outOutput,
  'nat44-classify': nat44Classify,
  'nat44-out2in': nat44Out2in,
  'nat44-out2in-slowpath': nat44Out2inSlowpath,
  'nat44-in2out': nat44In2out,
  'nat44-in2out-slowpath': nat44In2outSlowpath,
  'nat44-in2out-output': nat44In2outOutput,
  'nat44-in2out-output-slowpath': nat44In2outOutputSlowpath,
  'ip4-lookup': ip4Lookup,
  'ip4-load-balance': ip4LoadBalance,
  'ip4-rewrite': ip4Rewrite,
  'ip4-local': ip4Local,
  'ip4-udp-lookup': ip4UdpLookup,
  'ip4-icmp-error': ip4IcmpError,
  'ip4-drop': ip4Drop,
  'ip4-arp': ip4Arp,
  'vxlan4-input': vxlan4Input,
  'vxlan4-encap': vxlan4Encap,
  'l2-input': l2Input,
  'l2-input-feat-arc': l2InputFeatArc,
  'l2-input-feat-arc-end': l2InputFeatArcEnd,
  'l2-input-classify': l2InputClassify,
  'l2-fwd': l2Fwd,
  'l2-output': l2Output,
  'interface-output': interfaceOutput,
  'interface-tx': interfaceTx,
  'error-drop': errorDrop,
  drop,
} satisfies Record<NodeName, NodeDef<NodeName>>;

/**
 * NODES as a map for the dispatcher: looking a node up by a name that changes every step was V8's slow generic
 * keyed property lookup on the object; a Map lookup by the same (interned) strings is a plain hash probe.
 */
const NODE_BY_NAME: ReadonlyMap<NodeName, NodeDef<NodeName>> = new Map(Object.entries(NODES) as [NodeName, NodeDef<NodeName>][]);

// The registry is consistent: each node is registered under its own name (as vlib registers nodes by name).
for (const [name, def] of NODE_BY_NAME) if (def.name !== name) throw new Error(`model bug: node '${def.name}' is registered as '${name}'`);

/** A node sent a buffer to a node it does not declare as a next (vlib only enqueues to declared next nodes). */
export class ModelGraphError extends Error {
  constructor(readonly from: string, readonly to: string) {
    super(`model bug: ${from} sent a buffer to ${to}, which is not one of its next nodes`);
    this.name = 'ModelGraphError';
  }
}

/** More steps than any path through two VPPs takes (the seed's longest walk has 19 records). */
export const HOP_LIMIT = 64;

export class ModelLoopError extends Error {
  constructor(readonly path: string[]) {
    super(`model bug: a packet took more than ${HOP_LIMIT} steps: ${path.slice(-12).join(' → ')}`);
    this.name = 'ModelLoopError';
  }
}

export interface WalkResult {
  records: TraceRecord[];
  terminal: Terminal;
  buf: Buf;
  /** the nodes visited, in order (model names, not trace names) */
  path: NodeName[];
}

/** Applies a node's effects to the VPP instance (the only place model state changes). */
export function applyEffects(vpp: VppInstance, effects: readonly Effect[], now: number): void {
  for (const e of effects) {
    switch (e.kind) {
      case 'acl-session-add': {
        const flags: [number, number] = [0, 0];
        flags[e.isInput ? 1 : 0] = e.tcpFlags;
        if (vpp.aclSessions.makeRoom(now)) vpp.aclSessions.add(e.key, e.swIfIndex, e.proto, now, flags);
        break;
      }
      case 'acl-session-hit': {
        const s = vpp.aclSessions.byKey.get(e.key);
        if (s) {
          s.lastActive = now;
          s.flagsSeen[e.isInput ? 1 : 0] |= e.tcpFlags;
          const cls = s.proto === 6 ? ((s.flagsSeen[0] | (s.flagsSeen[1] << 8)) & 0x1717) === 0x1212 ? 1 : 2 : 0;
          s.timeoutClass = cls;
        }
        break;
      }
      case 'nat-session-add':
        if (!vpp.natSessions.lookup(e.key)) vpp.natSessions.add(e.key, e.to, e.i2o, e.flow, e.inside, e.alias);
        break;
      case 'nat-dnat-add':
        addDnatSession(vpp, e.session);
        break;
      case 'counter': {
        const k = `${e.node}: ${e.error}`;
        vpp.counters.set(k, (vpp.counters.get(k) ?? 0) + 1);
        break;
      }
    }
  }
}

/**
 * Steps a buffer from `start` until a terminal. Trace records carry the node's printed name and a timestamp
 * of `now` plus one microsecond per record (timestamps are volatile: masked in golden comparisons).
 */
export function walk(vpp: VppInstance, start: NodeName, buf: Buf, now: number): WalkResult {
  const records: TraceRecord[] = [];
  const path: NodeName[] = [];
  const baseUs = Math.round(now * 1e6);
  const ctx = { vpp, now };
  let node: NodeName = start;
  let b = buf;
  // a forked buffer (NodeResult.fork): stepped after each step of the main one, then to its end
  let fork: { node: NodeName; buf: Buf } | undefined;
  const step = (at: NodeName, with_: Buf): NodeResult<NodeName> => {
    if (path.length >= HOP_LIMIT) throw new ModelLoopError(path);
    path.push(at);
    const def = NODE_BY_NAME.get(at)!;
    const res = def.process(with_, ctx);
    const name = res.traceName ?? at;
    const trace = res.trace;
    for (let i = 0; i < trace.length; i++) records.push({ node: name, timeUs: baseUs + records.length, body: trace[i]! });
    if (res.effects) applyEffects(vpp, res.effects, now);
    if (!isTerminal(res.next) && !def.nexts.includes(res.next)) throw new ModelGraphError(at, res.next);
    if (res.fork && !def.nexts.includes(res.fork.next)) throw new ModelGraphError(at, res.fork.next);
    return res;
  };
  const stepFork = (): void => {
    if (!fork) return;
    const res = step(fork.node, fork.buf);
    fork = isTerminal(res.next) ? undefined : { node: res.next as NodeName, buf: res.buf };
  };
  for (;;) {
    const res = step(node, b);
    const forked = res.fork;
    if (!forked) stepFork();
    else fork = { node: forked.next as NodeName, buf: forked.buf };
    b = res.buf;
    if (isTerminal(res.next)) {
      while (fork) stepFork();
      return { records, terminal: res.next, buf: b, path };
    }
    node = res.next;
  }
}

function isTerminal(next: string): next is Terminal {
  return next === 'DELIVER' || next === 'WIRE' || next === 'DROPPED';
}
