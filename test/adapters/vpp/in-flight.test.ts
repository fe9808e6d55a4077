// When an exchange on a VPP lab is over: the interface counters of `show interface` (a real VPP 26.06 node's output,
// test/fixtures/vpp-show/ifIndex.txt) account for every frame sent — each stream ran, and every frame a main NIC
// transmitted was received by the other nodes' NICs (the lab's underlay floods).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { framesInFlight, interfaceCounters, stuckTxRequests, type InterfaceCounters } from '../../../src/adapters/vpp/in-flight.ts';

const text = readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'vpp-show', 'ifIndex.txt'), 'utf8');

describe('in-flight: interface counters', () => {
  it("reads each interface's admin state and rx/tx packets; zero counters VPP leaves out read 0", () => {
    const c = interfaceCounters(text);
    expect(c.get('host-gbe')).toEqual({ up: true, rx: 69, tx: 70 });
    expect(c.get('local0')).toEqual({ up: false, rx: 0, tx: 0 });
    expect(c.get('loop1')).toEqual({ up: true, rx: 0, tx: 0 });
    expect(c.get('pg5')).toEqual({ up: true, rx: 125, tx: 147 });
    expect(interfaceCounters(text.replace(/\n/g, '\r\n'))).toEqual(c);
  });

  it('text without the interface table is an error, not an empty reading', () => {
    expect(() => interfaceCounters('unknown input `show interfac`\n')).toThrow(/no "Name Idx State MTU" table/);
  });
});

describe('in-flight: frames unaccounted for', () => {
  const node = (gbe: Partial<InterfaceCounters>, pg: Partial<InterfaceCounters> = {}): Map<string, InterfaceCounters> =>
    new Map([
      ['host-gbe', { up: true, rx: 0, tx: 0, ...gbe }],
      ['pg6', { up: true, rx: 0, tx: 0, ...pg }],
    ]);
  const gbe = new Map([
    [1, 'host-gbe'],
    [2, 'host-gbe'],
    [3, 'host-gbe'],
  ]);
  const base = new Map([
    [1, node({ rx: 5, tx: 5 })],
    [2, node({ rx: 5, tx: 5 })],
    [3, node({ rx: 10, tx: 0 })],
  ]);
  const stream = [{ node: 1, ifc: 'pg6', count: 1 }];

  it("a pod's stream that has not run yet is in flight", () => {
    expect(framesInFlight(base, base, gbe, stream)).toBe(1);
  });

  it('a frame node 1 sent that node 2 has not yet received is in flight (the observed lab loss); every node received it: none', () => {
    const sent = new Map([
      [1, node({ rx: 5, tx: 6 }, { rx: 1 })],
      [2, node({ rx: 5, tx: 5 })],
      [3, node({ rx: 11, tx: 0 })],
    ]);
    expect(framesInFlight(base, sent, gbe, stream)).toBe(1);
    const arrived = new Map([...sent, [2, node({ rx: 6, tx: 5 })]]);
    expect(framesInFlight(base, arrived, gbe, stream)).toBe(0);
  });

  it("a node whose NIC is down receives nothing and is not waited for; a counter that went down (restart, clear) is no evidence", () => {
    const down = new Map([
      [1, node({ rx: 5, tx: 6 }, { rx: 1 })],
      [2, node({ rx: 5, tx: 5 })],
      [3, node({ up: false, rx: 10, tx: 0 })],
    ]);
    const b2 = new Map([...base, [2, node({ rx: 4, tx: 5 })]]);
    expect(framesInFlight(base, down, gbe, stream)).toBe(1);
    expect(framesInFlight(b2, new Map([...down, [2, node({ rx: 5, tx: 5 })]]), gbe, stream)).toBe(0);
    expect(framesInFlight(new Map([...base, [2, node({ rx: 50, tx: 5 })]]), down, gbe, stream)).toBe(0);
  });

  it('a frame injected as received on a main NIC counts there, on top of what the other nodes sent it', () => {
    const wire = [{ node: 2, ifc: 'host-gbe', count: 2 }];
    const once = new Map([...base, [2, node({ rx: 6, tx: 5 })]]);
    expect(framesInFlight(base, once, gbe, wire)).toBe(1);
    expect(framesInFlight(base, new Map([...base, [2, node({ rx: 7, tx: 5 })]]), gbe, wire)).toBe(0);
  });
});

describe('in-flight: an af_packet TX ring the kernel stopped taking from', () => {
  const fixture = (f: string): string => readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'vpp-show', f), 'utf8');
  it('counts the frames waiting for the kernel (request:N); a healthy ring and another driver: none', () => {
    expect(stuckTxRequests(fixture('hardware-tx-ring-stuck.txt'))).toBe(2);
    expect(stuckTxRequests(fixture('hardware-tx-ring-ok.txt'))).toBe(0);
    expect(stuckTxRequests('GigabitEthernet0/8/0   1  up  GigabitEthernet0/8/0\n  Link speed: 10 Gbps\n')).toBe(0);
  });
});
