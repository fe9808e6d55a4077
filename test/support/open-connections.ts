// An adapter configured for the client/web cluster with client -> web-a:80 and client -> web-b:80 opened (SYN,
// SYN-ACK): the reflective sessions of both connections exist, so what a fault does to them shows in the next reply.
import { expect } from 'vitest';
import type { Adapter } from '../../src/adapters/adapter.ts';
import { encodePacket } from '../../src/packet/index.ts';
import { adapterAcls } from '../../src/properties/harness.ts';
import { adapterTopology } from '../../src/properties/resolve.ts';
import { renderCluster } from '../../src/policy/contiv/render.ts';
import { POD_MAC } from '../../src/reference/topology/topology.ts';
import { IDLE_SESSIONS } from '../../src/faults/idle-timeout.ts';
import { CLIENT_AND_WEB } from './clusters.ts';

export async function withOpenConnections<A extends Adapter>(adapter: A) {
  const r = renderCluster(CLIENT_AND_WEB);
  await adapter.setup(adapterTopology(r.topology));
  await adapter.apply(adapterAcls(r));
  const pod = (n: string) => r.topology.podByName.get(`default/${n}`)!;
  let packet = 0;
  /** Sends one TCP segment from pod to pod; true when the destination pod received it. */
  const send = async (from: string, to: string, sport: number, dport: number, flags: number) => {
    const [s, d] = [pod(from), pod(to)];
    const frame = encodePacket([{ kind: 'ethernet', dst: s.tap.mac!, src: POD_MAC }, { kind: 'ipv4', src: s.ip, dst: d.ip, ttl: 64 }, { kind: 'tcp', srcPort: sport, dstPort: dport, flags }]);
    const obs = await adapter.inject([{ packet: packet, at: packet++ * 0.001, from: { pod: s.name }, frame }]);
    return obs.captures.some((c) => c.point === `pod:${d.name}:rx`);
  };
  for (const web of ['web-a', 'web-b']) {
    expect(await send('client', web, 40000, 80, 0x02)).toBe(true);
    expect(await send(web, 'client', 80, 40000, 0x12)).toBe(true);
  }
  return { adapter, r, pod, send };
}

/**
 * A real data path and the model configured alike for the client/web cluster with the nemesis's short session
 * timeouts, driven on the wall clock: `send` gives one TCP segment to both and answers [delivered on the data
 * path, delivered by the model]; `idle` waits on both.
 */
export async function onBothWithShortTimeouts(real: Adapter, model: Adapter) {
  const r = renderCluster(CLIENT_AND_WEB);
  for (const a of [real, model]) {
    await a.setup(adapterTopology(r.topology), { sessions: { ...IDLE_SESSIONS } });
    await a.apply(adapterAcls(r));
  }
  const t0 = performance.now();
  const pod = (n: string) => r.topology.podByName.get(`default/${n}`)!;
  let packet = 0;
  const send = async (from: string, to: string, sport: number, dport: number, flags: number): Promise<[boolean, boolean]> => {
    const [s, d] = [pod(from), pod(to)];
    const frame = encodePacket([{ kind: 'ethernet', dst: s.tap.mac!, src: POD_MAC }, { kind: 'ipv4', src: s.ip, dst: d.ip, ttl: 64 }, { kind: 'tcp', srcPort: sport, dstPort: dport, flags }]);
    const inj = [{ packet: packet++, at: (performance.now() - t0) / 1000, from: { pod: s.name }, frame }];
    const got = (await real.inject(inj)).captures.some((c) => c.point === `pod:${d.name}:rx`);
    const want = (await model.inject(inj)).captures.some((c) => c.point === `pod:${d.name}:rx`);
    return [got, want];
  };
  const idle = async (seconds: number) => {
    await real.fault!({ id: 'idle-timeout', seconds });
    await model.fault!({ id: 'idle-timeout', seconds });
  };
  return { r, pod, send, idle };
}
