// What the model's speed work must not change: cached FIB resolutions follow route changes, buffer memory hands
// out fresh zeroed bytes, a packet's frame is re-encoded when its layers change, and trace records stay plain
// data (JSON and structured clones see the same values as the model's own objects).
import { describe, expect, test } from 'vitest';
import { ip4, type Layer } from '../../src/packet/index.ts';
import { Simulation } from '../../src/reference/simulate.ts';
import { BufferMemory } from '../../src/reference/state/buffers.ts';
import { Fib, NeighborTable } from '../../src/reference/state/fib.ts';
import { loadExample } from '../support/scenarios.ts';

describe('FIB resolution cache', () => {
  test('a route added or removed after a lookup changes the next resolution', () => {
    // Arrange
    const fib = new Fib();
    fib.add(ip4('10.0.0.0'), 8, { kind: 'connected', swIfIndex: 1 }, 'test');
    const dst = ip4('10.1.2.3');
    expect(fib.resolve(dst)).toMatchObject({ kind: 'forward', adjacency: { swIfIndex: 1, nextHop: dst } });

    // Act / Assert: a longer prefix wins at once, and its removal restores the first answer
    fib.add(ip4('10.1.0.0'), 16, { kind: 'receive', swIfIndex: 2 }, 'test');
    expect(fib.resolve(dst).kind).toBe('local');
    fib.remove(ip4('10.1.0.0'), 16);
    expect(fib.resolve(dst)).toMatchObject({ kind: 'forward', adjacency: { swIfIndex: 1, nextHop: dst } });
  });

  test('an adjacency keeps its dpo-idx and prints its next hop as dotted quad', () => {
    const fib = new Fib();
    const a = fib.adjacency(3, ip4('192.168.30.2'));
    expect(fib.adjacency(3, ip4('192.168.30.2'))).toBe(a);
    expect(a.nextHopText).toBe('192.168.30.2');
    expect(fib.adjacency(4, ip4('192.168.30.2')).dpoIdx).not.toBe(a.dpoIdx);
  });

  test('neighbours are per interface', () => {
    const n = new NeighborTable();
    n.set(1, ip4('10.0.0.1'), 0x0800270000aa);
    expect(n.get(1, ip4('10.0.0.1'))).toBe(0x0800270000aa);
    expect(n.get(2, ip4('10.0.0.1'))).toBeUndefined();
    n.delete(1, ip4('10.0.0.1'));
    expect(n.get(1, ip4('10.0.0.1'))).toBeUndefined();
  });
});

describe('buffer memory', () => {
  test('every allocation is n zeroed bytes of its own, small or large', () => {
    const mem = new BufferMemory();
    const frames = Array.from({ length: 200 }, (_, i) => mem.alloc(60 + (i % 90)));
    frames.push(mem.alloc(3000));
    for (const f of frames) expect(f.every((b) => b === 0)).toBe(true);
    frames.forEach((f, i) => f.fill((i % 255) + 1));
    frames.forEach((f, i) => expect(f.every((b) => b === (i % 255) + 1)).toBe(true));
    expect(frames.map((f) => f.length).slice(0, 3)).toEqual([60, 61, 62]);
  });
});

describe('a simulation', () => {
  const tcp = (ttl: number): Layer[] => [
    { kind: 'ipv4', src: ip4('10.1.1.12'), dst: ip4('10.1.2.13'), ttl, flags: 2 },
    { kind: 'tcp', srcPort: 40000, dstPort: 8080, flags: 2 },
  ];

  test('encodes a packet again when it is given other layers', () => {
    // Arrange
    const sim = new Simulation(loadExample('seed-pod-to-pod-different-nodes.json'));
    const p = { at: 1, from: { pod: 'client' }, layers: tcp(64) };

    // Act
    const first = sim.inject(p, 0).frames[0]!.data;
    const again = sim.inject(p, 1).frames[0]!.data;
    p.layers = tcp(2);
    const changed = sim.inject(p, 2).frames[0]!.data;

    // Assert: TTL is byte 14 + 8 of the pod's frame
    expect(Array.from(again)).toEqual(Array.from(first));
    expect([first[22], changed[22]]).toEqual([64, 2]);
  });

  test('produces trace records that JSON and structured clones see unchanged', () => {
    const sim = new Simulation(loadExample('seed-pod-to-pod-different-nodes.json'));
    const p = sim.scenario.packets[0]!;
    for (let i = 0; i < 3; i++) {
      const r = sim.inject(p, i);
      const json = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (x instanceof Uint8Array ? Array.from(x) : x));
      expect(json(structuredClone(r))).toBe(json(r));
      expect(structuredClone(r.traces)).toEqual(r.traces);
    }
  });
});
