// Helpers the invariant files share: decoding the frames a case produced, and the wire captures of a connection.
import { decodePacket, findLayer, type Layer } from '../packet/index.ts';
import type { Capture, Observation } from '../adapters/adapter.ts';
import type { SentConnection } from './harness.ts';

export function layersOf(c: Capture): Layer[] {
  return decodePacket(c.data).layers;
}

/** Frames seen on a node's wire (`node:<id>:wire`; not the host stack's `node:<id>:host`). */
export function wireCaptures(o: Observation | undefined): Capture[] {
  return (o?.captures ?? []).filter((c) => c.point.startsWith('node:') && c.point.endsWith(':wire'));
}

/** The wire captures of a connection's request and reply, each once (a frame is captured on both nodes' wire). */
export function connectionWire(s: SentConnection): Capture[] {
  const seen = new Set<string>();
  const out: Capture[] = [];
  for (const c of [...wireCaptures(s.request), ...wireCaptures(s.reply)]) {
    const k = `${c.packet}|${Buffer.from(c.data).toString('hex')}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(c);
  }
  return out;
}

export function delivered(o: Observation | undefined, pod: string): boolean {
  return (o?.captures ?? []).some((c) => c.point === `pod:${pod}:rx`);
}

/** The request and (when sent) the reply of a connection, each with its packet index. */
export function exchanges(s: SentConnection): { obs: Observation; packet: number }[] {
  const out = [{ obs: s.request, packet: s.requestPacket }];
  if (s.reply && s.replyPacket !== undefined) out.push({ obs: s.reply, packet: s.replyPacket });
  return out;
}

export { findLayer };

/**
 * Whether the pod received an IPv4 packet (not just any frame): a data path whose neighbour for the pod is gone
 * sends the pod an ARP request instead of the packet (VPP's ip4-arp; the model drops without building it).
 */
export function deliveredIp(o: Observation | undefined, pod: string): boolean {
  return (o?.captures ?? []).some((c) => c.point === `pod:${pod}:rx` && c.data.length >= 14 && c.data[12] === 0x08 && c.data[13] === 0x00);
}
