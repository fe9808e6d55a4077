// The host and outside flows of examples/flows/ (docs/datapath.md §17) in both profiles: each request and reply
// reaches the host stack, the pod, or the outside as Contiv's design says — delivered to the host over tap0 with the
// host's address, out to the gateway with the node IP as source and the pod's address nowhere, the reply
// un-translated back to the pod that asked; nothing dropped, and the VXLAN outer header never translated.
import { describe, expect, test } from 'vitest';
import { decodePacket, findLayer, ip4ToString, macToString, type Layer } from '../../src/packet/index.ts';
import { parseScenario } from '../../src/reference/scenario.ts';
import { simulate, type Outcome, type SimulationResult } from '../../src/reference/simulate.ts';
import { loadExample } from '../support/scenarios.ts';

const PROFILES = ['vpp-18.01-contiv', 'vpp-current'] as const;

function layersOf(frame: Uint8Array): Layer[] {
  return decodePacket(frame).layers;
}

function ipOf(frame: Uint8Array): { src: string; dst: string } {
  const l = findLayer(layersOf(frame), 'ipv4')!;
  return { src: ip4ToString(l.src), dst: ip4ToString(l.dst) };
}

function portsOf(frame: Uint8Array): [number, number] {
  const ls = layersOf(frame);
  const l4 = findLayer(ls, 'tcp') ?? findLayer(ls, 'udp')!;
  return [l4.srcPort ?? -1, l4.dstPort ?? -1];
}

const only = (r: SimulationResult, i: number): Outcome => {
  expect(r.packets[i]!.outcomes).toHaveLength(1);
  return r.packets[i]!.outcomes[0]!;
};

describe.each(PROFILES)('host and outside flows (%s)', (profile) => {
  test('pod → its own node’s host (management IP via tap0) and the host’s reply', () => {
    const r = simulate(loadExample('flows/pod-to-host.json'), profile);
    const req = only(r, 0);
    expect(req).toMatchObject({ kind: 'host', nodeId: 1 });
    const f = (req as { frame: Uint8Array }).frame;
    expect(ipOf(f)).toEqual({ src: '10.1.1.3', dst: '10.20.0.2' });
    expect(macToString(findLayer(layersOf(f), 'ethernet')!.dst)).toBe('3e:1b:70:2d:4d:51');
    expect(r.packets[0]!.frames.map((x) => x.point)).toEqual(['pod:client:tx', 'node:1:host']);
    const rep = only(r, 1);
    expect(rep).toMatchObject({ kind: 'delivered', nodeId: 1, pod: 'client' });
    expect(ipOf((rep as { frame: Uint8Array }).frame)).toEqual({ src: '10.20.0.2', dst: '10.1.1.3' });
  });

  test('host → a pod on its node and the pod’s reply back over tap0 (the host end learned from the host’s frame)', () => {
    const r = simulate(loadExample('flows/host-to-pod.json'), profile);
    expect(only(r, 0)).toMatchObject({ kind: 'delivered', nodeId: 1, pod: 'server' });
    const rep = only(r, 1);
    expect(rep).toMatchObject({ kind: 'host', nodeId: 1 });
    const f = (rep as { frame: Uint8Array }).frame;
    expect(ipOf(f)).toEqual({ src: '10.1.1.6', dst: '172.30.1.2' });
    expect(macToString(findLayer(layersOf(f), 'ethernet')!.dst)).toBe('3e:1b:70:2d:4d:51');
  });

  test('pod → another node’s host over VXLAN (management IP and host end), the replies back; the outer header untranslated', () => {
    const r = simulate(loadExample('flows/pod-to-remote-host.json'), profile);
    for (const [i, dst] of [[0, '10.20.0.3'], [2, '172.30.2.2']] as const) {
      const o = only(r, i);
      expect(o).toMatchObject({ kind: 'host', nodeId: 2 });
      expect(ipOf((o as { frame: Uint8Array }).frame)).toEqual({ src: '10.1.1.3', dst });
      expect(r.packets[i]!.traces.map((t) => t.nodeId)).toEqual([1, 2]);
      const wire = r.packets[i]!.frames.find((x) => x.point === 'node:1:wire')!;
      expect(findLayer(layersOf(wire.data), 'vxlan')).toBeDefined();
      expect(ipOf(wire.data)).toEqual({ src: '192.168.16.1', dst: '192.168.16.2' });
    }
    for (const [i, src] of [[1, '10.20.0.3'], [3, '172.30.2.2']] as const) {
      const o = only(r, i);
      expect(o).toMatchObject({ kind: 'delivered', nodeId: 1, pod: 'client' });
      expect(ipOf((o as { frame: Uint8Array }).frame)).toEqual({ src, dst: '10.1.1.3' });
      expect(r.packets[i]!.traces.map((t) => t.nodeId)).toEqual([2, 1]);
    }
  });

  test('pod → outside: leaves to the gateway with the node IP as source; the reply is translated back to the pod', () => {
    const r = simulate(loadExample('flows/pod-to-outside.json'), profile);
    const out = only(r, 0);
    expect(out).toMatchObject({ kind: 'outside', nodeId: 1 });
    const f = (out as { frame: Uint8Array }).frame;
    expect(ipOf(f)).toEqual({ src: '192.168.16.1', dst: '31.134.97.51' });
    expect(portsOf(f)).toEqual([25801, 80]);
    expect(macToString(findLayer(layersOf(f), 'ethernet')!.dst)).toBe('08:00:27:02:a5:36');
    expect(r.packets[0]!.frames.at(-1)!.point).toBe('node:1:wire');
    const back = only(r, 1);
    expect(back).toMatchObject({ kind: 'delivered', nodeId: 1, pod: 'client' });
    expect(ipOf((back as { frame: Uint8Array }).frame)).toEqual({ src: '31.134.97.51', dst: '10.1.1.3' });
    expect(portsOf((back as { frame: Uint8Array }).frame)).toEqual([80, 41084]);
  });

  test('two pods to the same outside server: two translations, each reply to the pod that asked', () => {
    const base = loadExample('flows/pod-to-outside.json');
    const input = JSON.parse(JSON.stringify({ ...base, packets: [] }));
    const node = input.topology.nodes[0];
    node.natPorts = undefined;
    node.pods.push({ name: 'other', ip: '10.1.1.4' });
    const syn = (pod: string, src: string) => ({ from: { pod }, frame: [{ kind: 'ipv4', src, dst: '31.134.97.51' }, { kind: 'udp', srcPort: 5000, dstPort: 53 }] });
    const s = parseScenario({ version: 1, topology: input.topology, packets: [syn('client', '10.1.1.3'), syn('other', '10.1.1.4')] });
    const sim = simulate(s, profile);
    const outs = [0, 1].map((i) => (only(sim, i) as { frame: Uint8Array }).frame);
    const ports = outs.map((f) => portsOf(f)[0]);
    expect(outs.map((f) => ipOf(f).src)).toEqual(['192.168.16.1', '192.168.16.1']);
    expect(ports[0]).not.toBe(ports[1]);
    // the replies, from the gateway's MAC to the node's NIC, to each translated port
    const gbe = s.topology.nodes[0]!.gbe.mac!;
    const replies = ports.map((port) => ({ from: { node: 1, wire: true as const }, frame: [{ kind: 'ethernet', src: '08:00:27:02:a5:36', dst: gbe }, { kind: 'ipv4', src: '31.134.97.51', dst: '192.168.16.1' }, { kind: 'udp', srcPort: 53, dstPort: port }] }));
    const both = parseScenario({ version: 1, topology: input.topology, packets: [syn('client', '10.1.1.3'), syn('other', '10.1.1.4'), ...replies] });
    const r = simulate(both, profile);
    expect(only(r, 2)).toMatchObject({ kind: 'delivered', pod: 'client' });
    expect(only(r, 3)).toMatchObject({ kind: 'delivered', pod: 'other' });
    expect(ipOf((only(r, 3) as { frame: Uint8Array }).frame).dst).toBe('10.1.1.4');
  });
});

describe('host and gateway fields: bad input is one line naming the field', () => {
  const run = (node: object): string => {
    try {
      simulate(parseScenario({ version: 1, topology: { nodes: [{ id: 1, pods: [{ name: 'a' }], ...node }] } }, 's.json'));
      return 'accepted';
    } catch (e) {
      return (e as Error).message;
    }
  };
  test.each([
    [{ hostIps: ['172.30.1.2'] }, /^topology\.nodes\[0\]\.hostIps\[0\]: 172\.30\.1\.2 is the host end of tap0/],
    [{ hostIps: ['10.20.0.2', '10.1.1.7'] }, /^topology\.nodes\[0\]\.hostIps\[1\]: 10\.1\.1\.7 is in the node's pod network$/],
    [{ hostIps: ['192.168.16.1'] }, /^topology\.nodes\[0\]\.hostIps\[0\]: 192\.168\.16\.1 is the node IP$/],
    [{ gateway: { ip: '10.0.0.1', mac: '02:00:00:00:00:01' } }, /^topology\.nodes\[0\]\.gateway\.ip: 10\.0\.0\.1 is not another address of the main NIC's subnet 192\.168\.16\.1\/24$/],
    [{ gateway: { ip: '192.168.16.1', mac: '02:00:00:00:00:01' } }, /^topology\.nodes\[0\]\.gateway\.ip: /],
    [{ gateway: { ip: '192.168.16.100' } }, /^s\.json: invalid scenario: topology\.nodes\[0\]\.gateway\.mac: /],
    [{ natPorts: [80] }, /^s\.json: invalid scenario: topology\.nodes\[0\]\.natPorts\[0\]: /],
    [{ hostMac: 'nope' }, /^s\.json: invalid scenario: topology\.nodes\[0\]\.hostMac: expected a MAC address/],
  ])('%j', (node, re) => {
    const msg = run(node);
    expect(msg).toMatch(re);
    expect(msg).not.toContain('\n');
  });

  test('without a gateway a packet to an outside address has no route; with one it leaves', () => {
    const pkt = { from: { pod: 'a' }, frame: [{ kind: 'ipv4', src: '10.1.1.2', dst: '8.8.8.8' }, { kind: 'udp', srcPort: 1, dstPort: 53 }] };
    const without = simulate(parseScenario({ version: 1, topology: { nodes: [{ id: 1, pods: [{ name: 'a' }] }] }, packets: [pkt] }));
    expect(without.packets[0]!.outcomes[0]).toMatchObject({ kind: 'dropped', node: 'ip4-drop' });
    const withGw = simulate(parseScenario({ version: 1, topology: { nodes: [{ id: 1, pods: [{ name: 'a' }], gateway: { ip: '192.168.16.254', mac: '02:00:00:00:00:fe' } }] }, packets: [pkt] }));
    expect(withGw.packets[0]!.outcomes[0]).toMatchObject({ kind: 'outside', nodeId: 1 });
  });
});
