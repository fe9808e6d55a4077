// The nemesis on the VPP lab adapter without a lab: each fault it performs becomes the vppctl commands an operator
// would type, on the right node, in order, and they are in the reproduction scripts; faults it cannot perform are
// refused. (The lab itself: `podflow fuzz --adapter vpp --nemesis …`, README, Faults.)
import { describe, expect, it } from 'vitest';
import { VPP_NEMESIS, VppAdapter } from '../../src/adapters/vpp/vpp-adapter.ts';
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
    expect([...VPP_NEMESIS]).toEqual(['acl-sessions-cleared', 'nat-sessions-cleared', 'acl-resync', 'acl-replaced', 'tap-flap']);
    const lab = parseLabFile(['version: 1', 'nodes:', '  - id: 1', '    vppctl: [vppctl]', '    files: /tmp/lab1', '    gbe: host-gbe'].join('\n'), 'lab.yaml');
    const vpp = new VppAdapter(lab, { transports: new Map([[1, fakeNode(1, [])]]) });
    await expect(vpp.fault({ id: 'pod-replaced', node: 1, pod: 'x' })).rejects.toThrow(/cannot perform fault pod-replaced/);
  });
});
