// nat-dnat.ts (docs/datapath.md §16.4, §16.5): the backend choice — deterministic, weighted, overridable through
// SimulationOptions.pickBackend — incremental checksum updates, and out2in-only.
import { describe, expect, it } from 'vitest';
import { encodePacket, ip4, ipv4HeaderChecksum, l4Checksum, readU16 } from '../../src/packet/index.ts';
import { defaultPickBackend, rewriteFlow } from '../../src/reference/nodes/nat-dnat.ts';
import { natTuple } from '../../src/reference/nodes/nat-common.ts';
import { parseScenario } from '../../src/reference/scenario.ts';
import { Simulation } from '../../src/reference/simulate.ts';
import type { LbStaticMapping } from '../../src/reference/state/nat.ts';

const mapping = (probs: number[]): LbStaticMapping => ({ service: 'default/web', proto: 6, external: ip4('10.96.0.10'), externalPort: 80, locals: probs.map((p, i) => ({ addr: ip4(`10.1.1.${10 + i}`), port: 8080, probability: p })), selfTwiceNat: true, out2inOnly: true });

describe('defaultPickBackend', () => {
  it('is a function of the flow, and follows the weights over many flows', () => {
    const m = mapping([1, 1, 2]);
    const counts = [0, 0, 0];
    for (let i = 0; i < 4000; i++) {
      const flow = { src: ip4('10.1.2.3') + (i % 7), sport: 1024 + i, dst: m.external, dport: 80, proto: 6 };
      const k = defaultPickBackend(m, flow);
      expect(defaultPickBackend(m, { ...flow })).toBe(k);
      counts[k]!++;
    }
    // expected 1000, 1000, 2000: within 10 % (a hash, not a generator: a fixed set of flows, a fixed answer)
    expect(Math.abs(counts[0]! - 1000)).toBeLessThan(100);
    expect(Math.abs(counts[1]! - 1000)).toBeLessThan(100);
    expect(Math.abs(counts[2]! - 2000)).toBeLessThan(200);
  });

  it('takes the sole local (probability 0)', () => {
    expect(defaultPickBackend(mapping([0]), { src: 1, sport: 2, dst: 3, dport: 80, proto: 6 })).toBe(0);
  });
});

const scenarioInput = {
  version: 1,
  topology: { nodes: [{ id: 1, pods: [{ name: 'client' }, { name: 'a' }, { name: 'b' }] }] },
  services: [{ name: 'web', clusterIP: '10.96.0.10', ports: [{ port: 80 }], endpoints: [{ ip: '10.1.1.3', nodeId: 1, pod: 'default/a', ports: [{ port: 8080 }] }, { ip: '10.1.1.4', nodeId: 1, pod: 'default/b', ports: [{ port: 8080 }] }] }],
};

function syn(sim: Simulation, index: number, from: string, src: string, sport: number, dst: string, dport: number) {
  return sim.inject({ at: index * 0.001, from: { pod: from }, layers: [{ kind: 'ipv4', src: ip4(src), dst: ip4(dst), ttl: 64, flags: 2 }, { kind: 'tcp', srcPort: sport, dstPort: dport, flags: 2, seq: 1, ack: 0, window: 100 }] as never }, index);
}

describe('SimulationOptions.pickBackend', () => {
  const sc = parseScenario(scenarioInput, 'test');
  it('makes the model follow the backend a data path chose; out of range keeps the model’s own', () => {
    for (const chosen of [0, 1]) {
      const seen: number[] = [];
      const sim = new Simulation(sc, 'vpp-18.01-contiv', { pickBackend: ({ mapping: m, flow }) => (seen.push(m.locals.length, flow.sport), chosen) });
      const r = syn(sim, 0, 'client', '10.1.1.2', 40000, '10.96.0.10', 80);
      expect(r.outcomes).toMatchObject([{ kind: 'delivered', pod: chosen === 0 ? 'a' : 'b' }]);
      expect(seen).toEqual([2, 40000]);
    }
    const own = new Simulation(sc, 'vpp-current');
    const hooked = new Simulation(sc, 'vpp-current', { pickBackend: () => 7 });
    expect(syn(hooked, 0, 'client', '10.1.1.2', 40000, '10.96.0.10', 80).outcomes).toEqual(syn(own, 0, 'client', '10.1.1.2', 40000, '10.96.0.10', 80).outcomes);
  });

  it('out2in-only: a backend’s own connection is not translated', () => {
    for (const profile of ['vpp-18.01-contiv', 'vpp-current'] as const) {
      const sim = new Simulation(sc, profile);
      const r = syn(sim, 0, 'a', '10.1.1.3', 8080, '10.1.1.2', 5000);
      expect(r.outcomes).toMatchObject([{ kind: 'delivered', pod: 'client' }]);
      const t = natTuple((r.outcomes[0] as { frame: Uint8Array }).frame, 14);
      expect([t.src, t.sport]).toEqual([ip4('10.1.1.3'), 8080]);
    }
  });
});

describe('rewriteFlow', () => {
  it('updates the IP and TCP checksums incrementally: a correct checksum stays correct', () => {
    const bytes = encodePacket([{ kind: 'ipv4', src: ip4('10.1.1.3'), dst: ip4('10.96.0.10'), ttl: 64, flags: 2 }, { kind: 'tcp', srcPort: 51082, dstPort: 80, flags: 2, seq: 7, ack: 0, window: 100 }] as never);
    const out = rewriteFlow(bytes, 0, natTuple(bytes, 0), ip4('10.1.1.254'), 1024, ip4('10.1.1.5'), 8080);
    const copy = Uint8Array.from(out);
    copy[10] = 0;
    copy[11] = 0;
    expect(readU16(out, 10)).toBe(ipv4HeaderChecksum(copy, 0, 20));
    const end = readU16(out, 2);
    const c2 = Uint8Array.from(out);
    c2[36] = 0;
    c2[37] = 0;
    expect(readU16(out, 36)).toBe(l4Checksum(c2, 20, end, 36, ip4('10.1.1.254'), ip4('10.1.1.5'), 6));
    expect(natTuple(out, 0)).toMatchObject({ src: ip4('10.1.1.254'), sport: 1024, dst: ip4('10.1.1.5'), dport: 8080 });
  });
});

describe('later packets of a Service connection', () => {
  const sc = parseScenario(scenarioInput, 'test');
  it.each(['vpp-18.01-contiv', 'vpp-current'] as const)('take the session, not a new choice (%s)', (profile) => {
    let calls = 0;
    const sim = new Simulation(sc, profile, { pickBackend: () => calls++ });
    const first = syn(sim, 0, 'client', '10.1.1.2', 40000, '10.96.0.10', 80);
    const again = syn(sim, 1, 'client', '10.1.1.2', 40000, '10.96.0.10', 80);
    expect(calls).toBe(1);
    expect(again.outcomes).toMatchObject([{ kind: 'delivered', pod: (first.outcomes[0] as { pod: string }).pod }]);
    const nat = again.traces[0]!.records.filter((r) => r.body.kind === 'nat44-out2in');
    // 18.01: nat44-out2in with the session's index; current VPP: the fast path finds it (no slow path)
    expect(nat.map((r) => r.node)).toEqual(profile === 'vpp-current' ? ['nat44-ed-out2in'] : ['nat44-out2in']);
    expect(nat.map((r) => (r.body.kind === 'nat44-out2in' ? r.body.sessionIndex : undefined))).toEqual([0]);
  });

  it('a UDP Service translates too, a zero UDP checksum stays zero', () => {
    const udp = parseScenario({ ...scenarioInput, services: [{ ...scenarioInput.services[0]!, ports: [{ protocol: 'UDP', port: 53 }], endpoints: [{ ip: '10.1.1.3', nodeId: 1, ports: [{ port: 5353 }] }] }] }, 'udp');
    const sim = new Simulation(udp, 'vpp-18.01-contiv');
    const r = sim.inject({ at: 0, from: { pod: 'client' }, layers: [{ kind: 'ipv4', src: ip4('10.1.1.2'), dst: ip4('10.96.0.10'), ttl: 64 }, { kind: 'udp', srcPort: 3333, dstPort: 53, checksum: 0 }] as never }, 0);
    expect(r.outcomes).toMatchObject([{ kind: 'delivered', pod: 'a' }]);
    const f = (r.outcomes[0] as { frame: Uint8Array }).frame;
    expect(natTuple(f, 14)).toMatchObject({ dst: ip4('10.1.1.3'), dport: 5353, proto: 17 });
    expect(readU16(f, 14 + 20 + 6)).toBe(0);
  });
});
