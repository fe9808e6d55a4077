// The TTL of the ICMP errors VPP sends a pod: current VPP marks them locally originated, so ip4-rewrite leaves
// 255 alone (seen on a VPP 26.06 lab; icmp4.c); 18.01 does not mark them and they leave with 254 (docs/datapath.md §7.1).
import { describe, expect, it } from 'vitest';
import { ReferenceAdapter } from '../../src/adapters/reference/reference-adapter.ts';
import { decodePacket, encodePacket, findLayer } from '../../src/packet/index.ts';
import { adapterAcls } from '../../src/properties/harness.ts';
import { adapterTopology } from '../../src/properties/resolve.ts';
import { renderCluster } from '../../src/policy/contiv/render.ts';
import { POD_MAC } from '../../src/reference/topology/topology.ts';

const r = renderCluster({
  nodes: [{ name: 'node-1' }],
  namespaces: [{ name: 'default', labels: {} }],
  pods: ['a', 'b'].map((name) => ({ name, namespace: 'default', labels: {}, nodeName: 'node-1', containerPorts: [] })),
  policies: [],
});

describe.each([['vpp-18.01-contiv', 254], ['vpp-current', 255]] as const)('ICMP time exceeded to a pod (%s)', (profile, ttl) => {
  it(`leaves VPP with TTL ${ttl}`, async () => {
    const adapter = new ReferenceAdapter({ profile });
    await adapter.setup(adapterTopology(r.topology));
    await adapter.apply(adapterAcls(r));
    const [a, b] = [r.topology.podByName.get('default/a')!, r.topology.podByName.get('default/b')!];
    const frame = encodePacket([{ kind: 'ethernet', dst: a.tap.mac!, src: POD_MAC }, { kind: 'ipv4', src: a.ip, dst: b.ip, ttl: 1 }, { kind: 'udp', srcPort: 5000, dstPort: 53 }]);
    const obs = await adapter.inject([{ packet: 0, at: 0, from: { pod: 'default/a' }, frame }]);
    const back = obs.captures.filter((c) => c.point === 'pod:default/a:rx');
    expect(back).toHaveLength(1);
    const layers = decodePacket(back[0]!.data).layers;
    expect(findLayer(layers, 'icmp')).toMatchObject({ type: 11, code: 0 });
    expect(findLayer(layers, 'ipv4')).toMatchObject({ ttl, src: a.tap.addresses?.[0]?.network ?? expect.any(Number) });
  });
});
