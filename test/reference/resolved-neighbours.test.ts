// A scenario can state neighbours already resolved (issue #14, item 5): with the host end of tap0 resolved, as
// Contiv's static entries make it, a pod's packet to its own node's host address and to another node's leaves on
// tap0 (outcome host) instead of waiting for ARP; without the statement both still end at ip4-arp. Bad entries are
// one error line naming the field.
import { describe, expect, test } from 'vitest';
import { decodePacket, findLayer, ip4ToString, macToString } from '../../src/packet/index.ts';
import { parseScenario, ScenarioError, type ScenarioInput } from '../../src/reference/scenario.ts';
import { simulate, type SimulationResult } from '../../src/reference/simulate.ts';
import { derivedNeighbourMac } from '../../src/reference/topology/neighbours.ts';
import { ip4 } from '../../src/packet/index.ts';

const OWN_HOST = '172.30.1.2';
const OTHER_HOST = '172.30.2.2';

/** Two nodes, a pod on each, no ACLs; the client sends UDP to node 1's and node 2's host address. */
function scenario(node: (id: number) => object = () => ({})): ScenarioInput {
  return {
    version: 1,
    topology: { nodes: [{ id: 1, pods: [{ name: 'client' }], ...node(1) }, { id: 2, pods: [{ name: 'server' }], ...node(2) }] },
    packets: [OWN_HOST, OTHER_HOST].map((dst) => ({ from: { pod: 'client' }, frame: [{ kind: 'ipv4', src: '10.1.1.2', dst }, { kind: 'udp', srcPort: 1000, dstPort: 53 }] })),
  } as ScenarioInput;
}

const run = (s: ScenarioInput, profile: 'vpp-18.01-contiv' | 'vpp-current'): SimulationResult => simulate(parseScenario(s), profile);

describe.each(['vpp-18.01-contiv', 'vpp-current'] as const)('host addresses (%s)', (profile) => {
  test('without resolved neighbours a packet to a host address is dropped at ip4-arp (own node and other node)', () => {
    const r = run(scenario(), profile);
    expect(r.packets[0]!.outcomes).toEqual([{ kind: 'dropped', nodeId: 1, node: 'ip4-arp', error: expect.any(String) }]);
    expect(r.packets[1]!.outcomes).toEqual([{ kind: 'dropped', nodeId: 2, node: 'ip4-arp', error: expect.any(String) }]);
  });

  test("with tap0's host end resolved, a pod's packet to its own node's host address leaves on tap0 (host)", () => {
    const r = run(scenario(() => ({ resolvedNeighbours: [{ interface: 'tap0' }] })), profile);
    const [o] = r.packets[0]!.outcomes;
    expect(o).toMatchObject({ kind: 'host', nodeId: 1 });
    const layers = decodePacket((o as { frame: Uint8Array }).frame).layers;
    // rewritten towards the stated neighbour: its (derived) MAC, TTL − 1, nothing crossed the wire
    expect(macToString(findLayer(layers, 'ethernet')!.dst)).toBe(macToString(derivedNeighbourMac(1, ip4(OWN_HOST))));
    expect(ip4ToString(findLayer(layers, 'ipv4')!.dst)).toBe(OWN_HOST);
    expect(findLayer(layers, 'ipv4')!.ttl).toBe(63);
    expect(r.packets[0]!.frames.filter((f) => f.point.endsWith(':wire'))).toEqual([]);
    expect(r.packets[0]!.traces.at(-1)!.path.at(-1)).toBe('interface-output');
  });

  test("with tap0's host end resolved on node 2, the packet to node 2's host address crosses in VXLAN and is delivered there", () => {
    const r = run(scenario((id) => (id === 2 ? { resolvedNeighbours: [{ interface: 'tap0', ip: OTHER_HOST, mac: '52:54:00:00:02:02' }] } : {})), profile);
    const [o] = r.packets[1]!.outcomes;
    expect(o).toMatchObject({ kind: 'host', nodeId: 2 });
    const layers = decodePacket((o as { frame: Uint8Array }).frame).layers;
    expect(macToString(findLayer(layers, 'ethernet')!.dst)).toBe('52:54:00:00:02:02');
    expect(ip4ToString(findLayer(layers, 'ipv4')!.dst)).toBe(OTHER_HOST);
    expect(findLayer(layers, 'ipv4')!.ttl).toBe(62);
    const wire = r.packets[1]!.frames.filter((f) => f.point === 'node:1:wire');
    expect(wire.length).toBeGreaterThan(0);
    expect(findLayer(decodePacket(wire[0]!.data).layers, 'vxlan')).toBeDefined();
    expect(r.packets[1]!.traces.map((t) => t.nodeId)).toEqual([1, 2]);
    // node 1's own host address stays unresolved: only node 2 stated its neighbour
    expect(r.packets[0]!.outcomes[0]).toMatchObject({ kind: 'dropped', node: 'ip4-arp' });
  });
});

describe('resolvedNeighbours input', () => {
  const bad = (entry: object, node: object = {}): string => {
    try {
      run(scenario((id) => (id === 1 ? { ...node, resolvedNeighbours: [entry] } : {})), 'vpp-current');
    } catch (e) {
      expect(e instanceof Error && !e.message.includes('\n')).toBe(true);
      return (e as Error).message;
    }
    return 'no error';
  };

  test('the interface is found from the subnet when not named (the main NIC here)', () => {
    const s = parseScenario(scenario((id) => (id === 1 ? { resolvedNeighbours: [{ ip: '192.168.16.200', mac: '52:54:00:12:34:56' }] } : {})));
    const r = simulate({ ...s, packets: [] }, 'vpp-current');
    const n = r.topology.nodeById.get(1)!.resolvedNeighbours!;
    expect(n).toEqual([{ swIfIndex: r.topology.nodeById.get(1)!.gbe.swIfIndex, ip: ip4('192.168.16.200'), mac: 0x525400123456 }]);
  });

  test.each([
    [{ interface: 'eth0', ip: '172.30.1.2' }, /^topology\.nodes\[0\]\.resolvedNeighbours\[0\]\.interface: node 1 has no interface 'eth0' with a subnet \(one of tap0, loop0, GigabitEthernet0\/8\/0\)$/],
    [{ ip: '10.9.9.9' }, /^topology\.nodes\[0\]\.resolvedNeighbours\[0\]\.ip: 10\.9\.9\.9 is on no subnet of node 1 \(tap0 172\.30\.1\.0\/24, .*\): name its interface$/],
    [{ interface: 'loop0', ip: '172.30.1.2' }, /resolvedNeighbours\[0\]\.ip: 172\.30\.1\.2 is not on loop0's subnet/],
    [{ interface: 'tap0', ip: '172.30.1.1' }, /resolvedNeighbours\[0\]\.ip: 172\.30\.1\.1 is tap0's own address/],
    [{ interface: 'tap0', ip: '172.30.1.255' }, /resolvedNeighbours\[0\]\.ip: 172\.30\.1\.255 is the broadcast address/],
  ])('%j is refused on one line naming the field', (entry, message) => {
    expect(bad(entry)).toMatch(message);
  });

  test('schema errors name the field too: no ip without tap0, a bad MAC, an unknown key', () => {
    const schema = (entry: object): string => {
      try {
        parseScenario(scenario((id) => (id === 1 ? { resolvedNeighbours: [entry] } : {})), 'x.json');
      } catch (e) {
        expect(e).toBeInstanceOf(ScenarioError);
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(schema({ interface: 'loop0' })).toMatch(/^x\.json: invalid scenario: topology\.nodes\[0\]\.resolvedNeighbours\[0\]: give ip/);
    expect(schema({ interface: 'tap0', mac: 'zz' })).toMatch(/topology\.nodes\[0\]\.resolvedNeighbours\[0\]\.mac: expected a MAC address/);
    expect(schema({ interface: 'tap0', host: true })).toMatch(/topology\.nodes\[0\]\.resolvedNeighbours\[0\]: .*host/);
  });

  test('the same neighbour twice is refused', () => {
    try {
      run(scenario((id) => (id === 1 ? { resolvedNeighbours: [{ interface: 'tap0' }, { ip: OWN_HOST }] } : {})), 'vpp-current');
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toBe('topology.nodes[0].resolvedNeighbours[1].ip: 172.30.1.2 on tap0 appears twice');
    }
  });
});
