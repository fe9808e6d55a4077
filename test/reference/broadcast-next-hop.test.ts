// Node ID 255 on Contiv's default /24 networks: its node IP and BVI IP are those subnets' broadcast addresses.
// VPP installs network and broadcast /32 drop routes for connected prefixes, so the route to node 255's pods
// (via 192.168.30.255) never resolves and other nodes drop their traffic at ip4-lookup (seen on VPP 26.06).
// On wider networks the same ID is an ordinary address.
import { describe, expect, it } from 'vitest';
import { ReferenceAdapter } from '../../src/adapters/reference/reference-adapter.ts';
import { runClusterCase } from '../../src/properties/harness.ts';
import type { Cluster } from '../../src/policy/types.ts';

const cluster = (ipam?: Cluster['ipam']): Cluster => ({
  ...(ipam ? { ipam } : {}),
  nodes: [{ name: 'node-1', id: 1 }, { name: 'node-2', id: 255 }],
  namespaces: [{ name: 'default', labels: {} }],
  pods: [
    { name: 'a', namespace: 'default', labels: {}, nodeName: 'node-1', containerPorts: [] },
    { name: 'b', namespace: 'default', labels: {}, nodeName: 'node-2', containerPorts: [] },
  ],
  policies: [],
});

describe.each(['vpp-18.01-contiv', 'vpp-current'] as const)('a route via a subnet broadcast address (%s)', (profile) => {
  it('drops traffic to the pods of node 255 on the default /24 networks, at ip4-lookup of the sending node', async () => {
    const run = await runClusterCase({ cluster: cluster(), connections: [{ from: 0, to: 0, protocol: 'UDP', port: 53 }] }, new ReferenceAdapter({ profile }));
    const [s] = run.sent;
    expect(s!.request.captures.map((c) => c.point)).toEqual(['pod:default/a:tx']);
    const fates = s!.request.outcomes!.get(s!.requestPacket)!;
    expect(fates).toEqual([expect.objectContaining({ kind: 'dropped', nodeId: 1 })]);
    const nodes = (s!.request.traces!.get(s!.requestPacket)![0]!.records as { node: string }[]).map((r) => r.node);
    // current VPP: ip4-drop prints a record, and error-drop's reason follows in a `drop` record
    if (profile === 'vpp-current') expect(nodes.slice(-4)).toEqual(['ip4-lookup', 'ip4-drop', 'error-drop', 'drop']);
    else expect(nodes.slice(-2)).toEqual(['ip4-lookup', 'error-drop']);
  });

  it('delivers to node 255 when the node interconnect and VXLAN networks are wider than /24', async () => {
    const ipam = { podSubnetCidr: '10.1.0.0/16', podNetworkPrefixLen: 24, nodeInterconnectCidr: '10.20.0.0/16', vxlanCidr: '10.30.0.0/20' };
    const run = await runClusterCase({ cluster: cluster(ipam), connections: [{ from: 0, to: 0, protocol: 'UDP', port: 53 }] }, new ReferenceAdapter({ profile }));
    expect(run.sent[0]!.request.captures.some((c) => c.point === 'pod:default/b:rx')).toBe(true);
  });
});
