// The reference adapter carries host and outside traffic (docs/datapath.md §17): a topology whose nodes have a host
// stack and a default gateway (AdapterNode.host / .gateway) configures the model with them, a frame injected from a
// node's host stack enters on tap0, a pod's packet to the outside ends with the fate `outside` (its frame, node IP as
// source), and the reply from the gateway comes back to the pod. Both profiles; plain data in and out.
import { describe, expect, test } from 'vitest';
import { ReferenceAdapter } from '../../../src/adapters/reference/reference-adapter.ts';
import { decodePacket, encodePacket, findLayer, ip4, ip4ToString, mac } from '../../../src/packet/index.ts';
import { adapterTopology } from '../../../src/properties/resolve.ts';
import { Simulation } from '../../../src/reference/simulate.ts';
import { loadExample } from '../../support/scenarios.ts';

describe.each(['vpp-18.01-contiv', 'vpp-current'] as const)('reference adapter, host and outside (%s)', (profile) => {
  test('the resolved topology carries the host stack and the gateway; the adapter builds the same model from it', async () => {
    const sim = new Simulation(loadExample('flows/pod-to-host.json'), profile);
    const t = adapterTopology(sim.topology);
    expect(t.nodes[0]!.host).toEqual({ ip: '172.30.1.2/24', mac: '3e:1b:70:2d:4d:51', addresses: ['10.20.0.2'] });
    const a = new ReferenceAdapter({ profile });
    await a.setup(JSON.parse(JSON.stringify(t)));
    const n = a.simulation.topology.nodes[0]!;
    expect([n.hostIps, n.hostMac]).toEqual([sim.topology.nodes[0]!.hostIps, sim.topology.nodes[0]!.hostMac]);
  });

  test('pod → outside is the fate outside (source the node IP), the gateway’s reply is delivered to the pod; host injections enter on tap0', async () => {
    const sc = loadExample('flows/pod-to-outside.json');
    const sim = new Simulation(sc, profile);
    const a = new ReferenceAdapter({ profile });
    await a.setup(JSON.parse(JSON.stringify(adapterTopology(sim.topology))));
    expect(a.simulation.topology.nodes[0]!.defaultGateway).toEqual(sim.topology.nodes[0]!.defaultGateway);
    const pod = sim.topology.podByName.get('client')!;
    const obs = await a.inject([{ packet: 0, at: 1, from: { pod: 'client' }, frame: sim.podFrame(pod, sc.packets[0]!.layers!) }]);
    const [fate] = obs.outcomes!.get(0)!;
    expect(fate!.kind).toBe('outside');
    const ip = findLayer(decodePacket((fate as { frame: Uint8Array }).frame).layers, 'ipv4')!;
    expect(ip4ToString(ip.src)).toBe('192.168.16.1');
    expect(obs.captures.map((c) => c.point)).toEqual(['pod:client:tx', 'node:1:wire']);
    // the outside server answers the translated port (the adapter's own choice: natPorts is a model pin, not topology)
    const l4 = findLayer(decodePacket((fate as { frame: Uint8Array }).frame).layers, 'tcp')!;
    const reply = encodePacket([
      { kind: 'ethernet', src: mac('08:00:27:02:a5:36'), dst: mac('08:00:27:44:9f:d8') },
      { kind: 'ipv4', src: ip4('31.134.97.51'), dst: ip4('192.168.16.1'), ttl: 63 },
      { kind: 'tcp', srcPort: 80, dstPort: l4.srcPort!, flags: 0x12, window: 65535 },
    ]);
    const back = await a.inject([{ packet: 1, at: 1.001, from: { node: 1, wire: true }, frame: reply }]);
    expect(back.outcomes!.get(1)).toMatchObject([{ kind: 'delivered', pod: 'client' }]);
    const delivered = findLayer(decodePacket((back.outcomes!.get(1)![0] as { frame: Uint8Array }).frame).layers, 'tcp')!;
    expect(delivered.dstPort).toBe(41084);
    const host = await a.inject([{ packet: 2, at: 1.002, from: { node: 1, host: true }, frame: sim.hostFrameOf(1, [{ kind: 'ipv4', src: ip4('172.30.1.2'), dst: ip4('10.1.1.3') }, { kind: 'udp', srcPort: 53, dstPort: 4000 }]) }]);
    expect(host.outcomes!.get(2)).toMatchObject([{ kind: 'delivered', pod: 'client' }]);
    expect(host.captures[0]!.point).toBe('node:1:host');
  });
});
