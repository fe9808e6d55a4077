// The reference adapter's Services (docs/datapath.md §16.3): applyServices takes the per-node adapter form into the
// model's NAT44 mappings, a connection to the Service address is translated to a local and its reply back, a later
// apply() keeps the Services, an empty configuration removes them, and bad input is one error naming the field.
import { describe, expect, it } from 'vitest';
import { ReferenceAdapter } from '../../../src/adapters/reference/reference-adapter.ts';
import type { AdapterServiceConfig, AdapterTopology, PacketFate } from '../../../src/adapters/adapter.ts';
import { labTopology } from '../../../src/cli/lab.ts';
import { encodePacket, ip4 } from '../../../src/packet/index.ts';
import { natTuple } from '../../../src/reference/nodes/nat-common.ts';

const topo: AdapterTopology = labTopology(2, 2);
const pod = (name: string) => topo.nodes.flatMap((n) => n.pods).find((p) => p.name === name)!;
const client = pod('pod1-1');
const local = pod('pod1-2');
const remote = pod('pod2-1');
const VIP = '10.96.0.10';

function services(): AdapterServiceConfig {
  const locals = [
    { ip: local.ip, port: 8080, probability: 1 },
    { ip: remote.ip, port: 8080, probability: 1 },
  ];
  const node = (id: number, inInterfaces: string[]) => ({ mappings: [{ service: 'default/web', protocol: 'TCP' as const, external: { ip: VIP, port: 80 }, locals }], twiceNatPool: `10.1.${id}.254`, inInterfaces });
  return { '1': node(1, [local.tap.name]), '2': node(2, [remote.tap.name]) };
}

function frame(from: typeof client, src: string, sport: number, dst: string, dport: number, flags: number): Uint8Array {
  return encodePacket([
    { kind: 'ethernet', dst: macOf(from.tap.mac), src: macOf(from.mac) },
    { kind: 'ipv4', src: ip4(src), dst: ip4(dst), ttl: 64, flags: 2 },
    { kind: 'tcp', srcPort: sport, dstPort: dport, flags, seq: 1, ack: flags === 0x12 ? 2 : 0, window: 1000 },
  ] as Parameters<typeof encodePacket>[0]);
}

function macOf(s: string): number {
  return parseInt(s.replace(/:/g, ''), 16);
}

async function send(a: ReferenceAdapter, packet: number, from: typeof client, src: string, sport: number, dst: string, dport: number, flags = 2): Promise<PacketFate[]> {
  const obs = await a.inject([{ packet, at: packet * 0.001, from: { pod: from.name }, frame: frame(from, src, sport, dst, dport, flags) }]);
  return obs.outcomes!.get(packet)!;
}

const tuple = (f: PacketFate) => natTuple((f as { frame: Uint8Array }).frame, 14);

describe('reference adapter: applyServices', () => {
  it('declares the capability', () => {
    expect(new ReferenceAdapter().capabilities.services).toBe(true);
  });

  it('translates a connection to the Service to a local and the reply back; apply() keeps the Services; {} removes them', async () => {
    const a = new ReferenceAdapter();
    await a.setup(topo);
    await a.applyServices(services());
    const fates = await send(a, 0, client, client.ip, 40000, VIP, 80);
    expect(fates.map((f) => f.kind)).toEqual(['delivered']);
    const at = fates[0] as Extract<PacketFate, { kind: 'delivered' }>;
    expect([local.name, remote.name]).toContain(at.pod);
    const backend = at.pod === local.name ? local : remote;
    expect(tuple(at)).toMatchObject({ dst: ip4(backend.ip), dport: 8080, src: ip4(client.ip), sport: 40000 });
    // the backend's TAP is NAT44 in on its node
    const vpp = a.simulation.vpps.get(backend === local ? 1 : 2)!;
    expect(vpp.nat.roles.get(vpp.ifByName.get(backend.tap.name)!.swIfIndex)!.inside).toBe(true);
    // the reply: the client sees the Service address and port
    const back = await send(a, 1, backend, backend.ip, 8080, client.ip, 40000, 0x12);
    expect(back.map((f) => f.kind)).toEqual(['delivered']);
    expect(tuple(back[0]!)).toMatchObject({ src: ip4(VIP), sport: 80, dst: ip4(client.ip), dport: 40000 });
    // a later apply() keeps the Services
    await a.apply({});
    const again = await send(a, 2, client, client.ip, 40001, VIP, 80);
    expect(again.map((f) => f.kind)).toEqual(['delivered']);
    expect([ip4(local.ip), ip4(remote.ip)]).toContain(tuple(again[0]!).dst);
    // none left: no translation, no backend TAP in
    await a.applyServices({});
    const gone = await send(a, 3, client, client.ip, 40002, VIP, 80);
    expect(gone.some((f) => f.kind === 'delivered')).toBe(false);
    expect(vpp.nat.roles.get(vpp.ifByName.get(backend.tap.name)!.swIfIndex)!.inside).toBe(false);
    expect([...a.simulation.vpps.values()].flatMap((v) => [...v.natSessions.byKey.values()].filter((s) => s.dnat))).toEqual([]);
  });

  it('follows a given backend choice (setPickBackend), also after a node-restart', async () => {
    for (const target of [local, remote]) {
      const a = new ReferenceAdapter();
      await a.setup(topo);
      await a.applyServices(services());
      a.setPickBackend(({ mapping }) => mapping.locals.findIndex((l) => l.addr === ip4(target.ip)));
      expect((await send(a, 0, client, client.ip, 41000, VIP, 80))[0]).toMatchObject({ kind: 'delivered', pod: target.name });
      await a.fault({ id: 'node-restart', node: 1 });
      expect((await send(a, 1, client, client.ip, 41001, VIP, 80))[0]).toMatchObject({ kind: 'delivered', pod: target.name });
    }
  });

  it('keeps the Services for a node configured afresh (node-restart)', async () => {
    const a = new ReferenceAdapter();
    await a.setup(topo);
    await a.applyServices(services());
    await a.fault({ id: 'node-restart', node: 1 });
    expect(a.simulation.vpps.get(1)!.nat.lb?.length).toBe(1);
  });

  it('rejects bad input with one line naming the field', async () => {
    const a = new ReferenceAdapter();
    await a.setup(topo);
    const bad = services();
    bad['1']!.mappings[0]!.locals[1]!.ip = '10.1.2.x';
    await expect(a.applyServices(bad)).rejects.toThrow(/services\["1"\]\.mappings\[0\]\.locals\[1\]\.ip: expected an IPv4 address/);
    await expect(a.applyServices({ '9': services()['1']! })).rejects.toThrow(/services\["9"\]: no node with ID 9/);
    const proto = services();
    (proto['2']!.mappings[0] as { protocol: string }).protocol = 'SCTP';
    await expect(a.applyServices(proto)).rejects.toThrow(/services\["2"\]\.mappings\[0\]\.protocol: expected TCP or UDP/);
    // nothing was configured by the rejected calls
    expect(a.simulation.vpps.get(1)!.nat.lb ?? []).toEqual([]);
  });
});
