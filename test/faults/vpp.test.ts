// The nemesis on the VPP lab adapter without a lab: each fault it performs becomes the vppctl commands an operator
// would type, on the right node, in order, and they are in the reproduction scripts; faults it cannot perform are
// refused. (The lab itself: `podflow fuzz --adapter vpp --nemesis …`, README, Faults.)
import { describe, expect, it } from 'vitest';
import { VPP_NEMESIS, VppAdapter } from '../../src/adapters/vpp/vpp-adapter.ts';
import { AdapterUnavailable, describeDriftItem } from '../../src/adapters/adapter.ts';
import { VppCliError } from '../../src/adapters/vpp/transport.ts';
import { configItems } from '../../src/reference/state/faults.ts';
import { parseLabFile } from '../../src/adapters/vpp/lab-file.ts';
import type { Transport } from '../../src/adapters/vpp/transport.ts';
import { adapterAcls } from '../../src/properties/harness.ts';
import { adapterTopology } from '../../src/properties/resolve.ts';
import { renderCluster } from '../../src/policy/contiv/render.ts';
import type { Cluster } from '../../src/policy/types.ts';

/** A lab node that accepts every command, numbers new ACLs, and remembers what it was sent. */
function fakeNode(nodeId: number, sent: string[]): Transport {
  let acl = 0;
  return {
    nodeId,
    cli: async (c) => {
      if (c !== 'show interface') sent.push(c);
      return '';
    },
    config: async (c) => {
      sent.push(c);
      return /^set acl-plugin acl (?!index)/.test(c) ? `ACL index:${acl++}\n` : '';
    },
    close: () => {},
    put: async () => {},
    get: async () => {
      throw new Error('no journal');
    },
    remove: async () => {},
  };
}

const cluster: Cluster = {
  nodes: [{ name: 'node-1' }, { name: 'node-2' }],
  namespaces: [{ name: 'default', labels: {} }],
  pods: [
    { name: 'client', namespace: 'default', labels: { app: 'client' }, nodeName: 'node-1', containerPorts: [] },
    { name: 'web', namespace: 'default', labels: { app: 'web' }, nodeName: 'node-2', containerPorts: [] },
  ],
  policies: [{ name: 'web', namespace: 'default', podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }] }] }],
};

describe('VPP lab adapter: faults as vppctl commands', () => {
  it('clears sessions on one node, re-sets every table in place, flaps the pod interface, and records them for reproduction', async () => {
    // Arrange
    const sent = new Map<number, string[]>([[1, []], [2, []]]);
    const lab = parseLabFile(['version: 1', 'nodes:', ...[1, 2].flatMap((id) => [`  - id: ${id}`, '    vppctl: [vppctl, -s, /run/vpp/cli.sock]', `    files: /tmp/lab${id}`, '    gbe: host-gbe'])].join('\n'), 'lab.yaml');
    const vpp = new VppAdapter(lab, { transports: new Map([...sent].map(([id, s]) => [id, fakeNode(id, s)])), settleMs: 0, quietMs: 0 });
    const r = renderCluster(cluster);
    await vpp.setup(adapterTopology(r.topology));
    await vpp.apply(adapterAcls(r));
    for (const s of sent.values()) s.length = 0;
    const web = r.topology.podByName.get('default/web')!;
    // Act
    await vpp.fault({ id: 'acl-sessions-cleared', node: 2 });
    await vpp.fault({ id: 'nat-sessions-cleared', node: 2 });
    await vpp.fault({ id: 'acl-resync' });
    await vpp.fault({ id: 'tap-flap', node: 2, pod: 'default/web' });
    // Assert
    const two = sent.get(2)!;
    expect(two.slice(0, 2)).toEqual(['clear acl-plugin sessions', 'clear nat44 ed sessions']);
    expect(sent.get(1)!).not.toContain('clear acl-plugin sessions');
    expect(two.filter((c) => c.startsWith('set acl-plugin acl index ')).length).toBeGreaterThan(0);
    expect(two.every((c) => !/^set acl-plugin acl (?!index)/.test(c))).toBe(true); // nothing created anew
    expect(two.slice(-2)).toEqual([`set interface state pg${web.tap.name.replace(/^tap/, '')} down`, `set interface state pg${web.tap.name.replace(/^tap/, '')} up`]);
    const script = vpp.reproduction().find((f) => f.name.includes('2'))!.text;
    expect(script.indexOf('clear acl-plugin sessions')).toBeLessThan(script.lastIndexOf('set interface state'));
  });

  it('lists what it performs and refuses the rest', async () => {
    expect([...VPP_NEMESIS]).toEqual(['acl-sessions-cleared', 'nat-sessions-cleared', 'acl-resync', 'acl-replaced', 'tap-flap', 'config-drift']);
    const lab = parseLabFile(['version: 1', 'nodes:', '  - id: 1', '    vppctl: [vppctl]', '    files: /tmp/lab1', '    gbe: host-gbe'].join('\n'), 'lab.yaml');
    const vpp = new VppAdapter(lab, { transports: new Map([[1, fakeNode(1, [])]]) });
    await expect(vpp.fault({ id: 'pod-replaced', node: 1, pod: 'x' })).rejects.toThrow(/cannot perform fault pod-replaced/);
  });
});

describe('VPP lab adapter: config-drift as the del form of the configuring command, then the command itself', () => {
  it('every item of both nodes: removed by a del of a command setup or apply sent, restored by that very command, all in the reproduction script', async () => {
    const sent = new Map<number, string[]>([[1, []], [2, []]]);
    const lab = parseLabFile(['version: 1', 'nodes:', ...[1, 2].flatMap((id) => [`  - id: ${id}`, '    vppctl: [vppctl, -s, /run/vpp/cli.sock]', `    files: /tmp/lab${id}`, '    gbe: host-gbe'])].join('\n'), 'lab.yaml');
    const vpp = new VppAdapter(lab, { transports: new Map([...sent].map(([id, s]) => [id, fakeNode(id, s)])), settleMs: 0, quietMs: 0 });
    const r = renderCluster(cluster);
    await vpp.setup(adapterTopology(r.topology));
    await vpp.apply(adapterAcls(r));
    const configured = new Map([...sent].map(([id, s]) => [id, [...s]]));
    const kinds = new Set<string>();
    for (const node of r.topology.nodes) {
      const s = sent.get(node.id)!;
      for (const item of configItems(node, r.topology.nodes, adapterAcls(r)[String(node.id)])) {
        kinds.add(item.kind);
        s.length = 0;
        await vpp.fault({ id: 'config-drift', node: node.id, item, restore: false });
        expect(s, describeDriftItem(item)).toHaveLength(1);
        const del = s[0]!;
        s.length = 0;
        await vpp.fault({ id: 'config-drift', node: node.id, item, restore: true });
        expect(s, describeDriftItem(item)).toHaveLength(1);
        const restore = s[0]!;
        // the restore is a command the configuration sent; the removal is its del form
        expect(configured.get(node.id), describeDriftItem(item)).toContain(restore);
        const forms = [`${restore} del`, restore.replace(/^set ip neighbor (\S+) (\S+) (\S+) static$/, 'set ip neighbor del $1 $2 $3'), restore.replace(/^l2fib add (\S+) (\d+) .*$/, 'l2fib del $1 $2'), restore.replace(/^ip route add /, 'ip route del ')];
        expect(forms, `${describeDriftItem(item)}: ${del}`).toContain(del);
      }
    }
    expect(kinds).toEqual(new Set(['static-neighbour', 'l2fib', 'route', 'nat-identity', 'nat-interface', 'acl-attachment']));
    const script = vpp.reproduction().find((f) => f.name === 'node1.vppctl')!.text;
    expect(script).toContain('ip route del ');
    expect(script).toContain('nat44 add identity mapping 192.168.16.1 udp 4789 del');
  });

  it('a detached ACL is back in the list apply() compares with: a later policy update does not attach it twice', async () => {
    const sent: string[] = [];
    const lab = parseLabFile(['version: 1', 'nodes:', '  - id: 1', '    vppctl: [vppctl]', '    files: /tmp/lab1', '    gbe: host-gbe', '  - id: 2', '    vppctl: [vppctl]', '    files: /tmp/lab2', '    gbe: host-gbe'].join('\n'), 'lab.yaml');
    const vpp = new VppAdapter(lab, { transports: new Map([[1, fakeNode(1, [])], [2, fakeNode(2, sent)]]), settleMs: 0, quietMs: 0 });
    const r = renderCluster(cluster);
    await vpp.setup(adapterTopology(r.topology));
    await vpp.apply(adapterAcls(r));
    const item = configItems(r.topology.nodes[1]!, r.topology.nodes, adapterAcls(r)['2']).find((i) => i.kind === 'acl-attachment')!;
    await vpp.fault({ id: 'config-drift', node: 2, item, restore: false });
    await vpp.fault({ id: 'config-drift', node: 2, item, restore: true });
    sent.length = 0;
    await vpp.apply(adapterAcls(r));
    expect(sent.filter((c) => c.startsWith('set acl-plugin interface'))).toEqual([]);
  });

  it('an identity mapping VPP refuses to delete although it lists it (after a NAT session clear) makes the drift unavailable, naming the finding', async () => {
    const lab = parseLabFile(['version: 1', 'nodes:', '  - id: 1', '    vppctl: [vppctl]', '    files: /tmp/lab1', '    gbe: host-gbe', '  - id: 2', '    vppctl: [vppctl]', '    files: /tmp/lab2', '    gbe: host-gbe'].join('\n'), 'lab.yaml');
    const refusing = fakeNode(2, []);
    const config = refusing.config;
    refusing.config = async (c) => {
      if (/^nat44 add identity mapping .* del$/.test(c)) throw new VppCliError(2, c, 'nat44 add identity mapping: Mapping not exist.');
      return config(c);
    };
    const vpp = new VppAdapter(lab, { transports: new Map([[1, fakeNode(1, [])], [2, refusing]]), settleMs: 0, quietMs: 0 });
    const r = renderCluster(cluster);
    await vpp.setup(adapterTopology(r.topology));
    const item = configItems(r.topology.nodes[1]!, r.topology.nodes).find((i) => i.kind === 'nat-identity')!;
    const e = await vpp.fault({ id: 'config-drift', node: 2, item, restore: false }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AdapterUnavailable);
    expect((e as Error).message).toMatch(/^vpp: config-drift: node 2 refused `nat44 add identity mapping 192\.168\.16\.2 udp 4789 del` \(Mapping not exist\) .*findings\/vpp-26\.06-nat44-ed-identity-mapping-undeletable$/);
  });

  it('an item the node does not have is an error naming it', async () => {
    const lab = parseLabFile(['version: 1', 'nodes:', '  - id: 1', '    vppctl: [vppctl]', '    files: /tmp/lab1', '    gbe: host-gbe', '  - id: 2', '    vppctl: [vppctl]', '    files: /tmp/lab2', '    gbe: host-gbe'].join('\n'), 'lab.yaml');
    const vpp = new VppAdapter(lab, { transports: new Map([[1, fakeNode(1, [])], [2, fakeNode(2, [])]]), settleMs: 0, quietMs: 0 });
    await vpp.setup(adapterTopology(renderCluster(cluster).topology));
    await expect(vpp.fault({ id: 'config-drift', node: 1, item: { kind: 'static-neighbour', interface: 'tap99', ip: '10.1.1.9', mac: '00:00:00:00:00:02' }, restore: false })).rejects.toThrow(/config-drift: node 1 has no interface 'tap99'/);
  });
});
