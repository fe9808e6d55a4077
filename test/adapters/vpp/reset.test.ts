// reset() forgets what frames and faults left (sessions, NAT, drift) and does nothing on a configuration nothing
// touched since setup or the last reset; every lab node gets its configuration, and its commands stay in order.
import { describe, expect, it } from 'vitest';
import { VppAdapter } from '../../../src/adapters/vpp/vpp-adapter.ts';
import { parseLabFile } from '../../../src/adapters/vpp/lab-file.ts';
import { adapterAcls } from '../../../src/properties/harness.ts';
import { adapterTopology } from '../../../src/properties/resolve.ts';
import { renderCluster } from '../../../src/policy/contiv/render.ts';
import { renderNodeConfig } from '../../../src/adapters/vpp/render-vppctl.ts';
import { CLIENT_AND_WEB } from '../../support/clusters.ts';
import { fakeNode } from '../../support/fake-vpp-node.ts';

describe('VPP lab adapter: reset and setup', () => {
  const lab = parseLabFile(['version: 1', 'nodes:', ...[1, 2].flatMap((id) => [`  - id: ${id}`, '    vppctl: [vppctl, -s, /run/vpp/cli.sock]', `    files: /tmp/lab${id}`, '    gbe: host-gbe'])].join('\n'), 'lab.yaml');
  const r = renderCluster(CLIENT_AND_WEB);
  const topology = adapterTopology(r.topology);

  it('configures every node with its own steps in order', async () => {
    const sent = new Map<number, string[]>([[1, []], [2, []]]);
    const vpp = new VppAdapter(lab, { transports: new Map([...sent].map(([id, s]) => [id, fakeNode(id, s)])), settleMs: 0, quietMs: 0 });
    await vpp.setup(topology);
    const nodes = [...topology.nodes].sort((a, b) => a.id - b.id);
    for (const [i, n] of nodes.entries()) expect(sent.get(i + 1)).toEqual(renderNodeConfig(n, topology, { gbe: 'host-gbe' }).map((s) => s.do));
  });

  it('does nothing on a fresh configuration, and forgets sessions once a fault touched the data path', async () => {
    // Arrange
    const sent = new Map<number, string[]>([[1, []], [2, []]]);
    const vpp = new VppAdapter(lab, { transports: new Map([...sent].map(([id, s]) => [id, fakeNode(id, s)])), settleMs: 0, quietMs: 0 });
    await vpp.setup(topology);
    await vpp.apply(adapterAcls(r));
    for (const s of sent.values()) s.length = 0;
    // Act + Assert: nothing touched it since setup
    await vpp.reset();
    expect([...sent.values()].flat()).toEqual([]);
    // a fault on node 2: both nodes forget their sessions, NAT included, then a second reset has nothing to do
    await vpp.fault({ id: 'acl-sessions-cleared', node: 2 });
    for (const s of sent.values()) s.length = 0;
    await vpp.reset();
    for (const s of sent.values()) {
      expect(s[0]).toBe('clear acl-plugin sessions');
      expect(s).toContain('nat44 plugin disable');
      expect(s.slice(-3)).toEqual(['clear trace', 'clear errors', 'clear interfaces']);
    }
    for (const s of sent.values()) s.length = 0;
    await vpp.reset();
    expect([...sent.values()].flat()).toEqual([]);
    // the same topology again: a reset, nothing configured anew
    await vpp.fault({ id: 'acl-sessions-cleared', node: 1 });
    for (const s of sent.values()) s.length = 0;
    await vpp.setup(topology);
    expect(sent.get(1)![0]).toBe('clear acl-plugin sessions');
    expect(sent.get(1)!.some((c) => c.startsWith('create loopback interface'))).toBe(false);
  });

  it('applies Services after the configuration, replaces them in reverse order, keeps them over a reset and journals their undo', async () => {
    // Arrange
    const sent = new Map<number, string[]>([[1, []], [2, []]]);
    const journal = new Map<number, string>();
    const transports = new Map([...sent].map(([id, s]) => [id, { ...fakeNode(id, s), put: async (path: string, data: Uint8Array) => void (path.endsWith('podflow-applied.json') && journal.set(id, new TextDecoder().decode(data))) }]));
    const vpp = new VppAdapter(lab, { transports, settleMs: 0, quietMs: 0 });
    await vpp.setup(topology);
    const node1 = topology.nodes.find((n) => n.id === 1)!;
    const web = (id: number) => ({ twiceNatPool: `10.1.${id}.254`, inInterfaces: [node1.pods[0]!.tap.name], mappings: [{ service: 'default/web', protocol: 'TCP' as const, external: { ip: '10.96.0.10', port: 80 }, locals: [{ ip: '10.1.1.2', port: 8080, probability: 1 }, { ip: '10.1.2.2', port: 8080, probability: 1 }] }] });
    const lb = 'nat44 add load-balancing static mapping protocol tcp external 10.96.0.10:80 local 10.1.1.2:8080 probability 1 local 10.1.2.2:8080 probability 1 self-twice-nat out2in-only';
    for (const s of sent.values()) s.length = 0;
    // Act: Services on node 1 only
    await vpp.applyServices({ '1': web(1) });
    // Assert
    expect(sent.get(1)).toEqual(['nat44 add address 10.1.1.254 twice-nat', `set interface nat44 in pg${/\d+/.exec(node1.pods[0]!.tap.name)![0]}`, lb]);
    expect(sent.get(2)).toEqual([]);
    expect(JSON.parse(journal.get(1)!).undo.slice(0, 3)).toEqual([`${lb} del`, `set interface nat44 in pg${/\d+/.exec(node1.pods[0]!.tap.name)![0]} del`, 'nat44 add address 10.1.1.254 twice-nat del']);
    // a reset (after traffic) enables NAT again: the Services come back with the rest of it
    await vpp.inject([]);
    for (const s of sent.values()) s.length = 0;
    await vpp.reset();
    const after = sent.get(1)!;
    expect(after.indexOf(lb)).toBeGreaterThan(after.indexOf('nat44 plugin disable'));
    // replaced: the old ones go first, last one first
    for (const s of sent.values()) s.length = 0;
    await vpp.applyServices({});
    expect(sent.get(1)!.slice(0, 3)).toEqual([`${lb} del`, `set interface nat44 in pg${/\d+/.exec(node1.pods[0]!.tap.name)![0]} del`, 'nat44 add address 10.1.1.254 twice-nat del']);
    await expect(vpp.applyServices({ '7': web(7) })).rejects.toThrow(/services for node 7, which the topology does not have/);
  });
});
