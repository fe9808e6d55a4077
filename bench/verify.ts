// Verified packets per second, shared by the adapter benches: many flows of one topology (distinct source
// ports), the requests of a batch sent in one inject() call and then their replies in another, every frame a
// pod receives compared byte for byte with what the reference model delivers for it.
import type { Adapter, Injection } from '../src/adapters/adapter.ts';
import { encodePacket, toHex } from '../src/packet/index.ts';
import type { RenderedCluster } from '../src/policy/contiv/render.ts';
import { firstPacket, replyPacket } from '../src/policy/contiv/semantics.ts';
import type { Connection } from '../src/policy/types.ts';
import { POD_MAC } from '../src/reference/topology/topology.ts';

/** Batches of independent frames: requests of `perBatch` flows, then their replies (TCP, UDP, ICMP in turn). */
export function flowBatches(r: RenderedCluster, flows: number, perBatch: number): Injection[][] {
  const pods = [...r.topology.podByName.values()];
  const frame = (pod: (typeof pods)[number], layers: ReturnType<typeof firstPacket>) => encodePacket([{ kind: 'ethernet', dst: pod.tap.mac!, src: POD_MAC }, ...layers]);
  const protocols = ['TCP', 'UDP', 'ICMP'] as const;
  const batches: Injection[][] = [];
  let requests: Injection[] = [];
  let replies: Injection[] = [];
  let packet = 0;
  const flush = (): void => {
    if (requests.length) batches.push(requests, replies);
    requests = [];
    replies = [];
  };
  for (let i = 0; i < flows; i++) {
    const a = pods[i % pods.length]!;
    const b = pods[(i * 7 + 1) % pods.length]!;
    if (a === b) continue;
    const conn: Connection = { src: { pod: a.name }, dst: { pod: b.name }, protocol: protocols[i % 3]!, port: [80, 53, 8080][i % 3]! };
    const sport = 20000 + i;
    // A distinct IP id (and ICMP echo id) per flow, so that every frame of a batch has its own flow key.
    const distinct = (layers: ReturnType<typeof firstPacket>): ReturnType<typeof firstPacket> =>
      layers.map((l) => (l.kind === 'ipv4' ? { ...l, id: (i % 65535) + 1 } : l.kind === 'icmp' ? { ...l, id: sport } : l));
    requests.push({ packet: packet++, at: i * 1e-3, from: { pod: a.name }, frame: frame(a, distinct(firstPacket(conn, a.ip, b.ip, sport))) });
    replies.push({ packet: packet++, at: i * 1e-3 + 5e-4, from: { pod: b.name }, frame: frame(b, distinct(replyPacket(conn, a.ip, b.ip, sport))) });
    if (requests.length >= perBatch) flush();
  }
  flush();
  return batches;
}

/** Sends the batches to the adapter and to the reference; counts pod deliveries equal to the model's. */
export async function verifyBatches(adapter: Adapter, reference: Adapter, batches: Injection[][]): Promise<{ verified: number; mismatched: number; delivered: number; injectMs: number }> {
  let verified = 0;
  let mismatched = 0;
  let delivered = 0;
  let injectMs = 0;
  for (const b of batches) {
    const t0 = performance.now();
    const k = await adapter.inject(b);
    injectMs += performance.now() - t0;
    const m = await reference.inject(b);
    for (const inj of b) {
      const rx = (o: typeof k) => o.captures.filter((c) => c.packet === inj.packet && c.point.endsWith(':rx')).map((c) => `${c.point} ${toHex(c.data)}`).join('|');
      const [x, y] = [rx(k), rx(m)];
      if (x === y) verified++;
      else mismatched++;
      if (x) delivered++;
    }
  }
  return { verified, mismatched, delivered, injectMs };
}
