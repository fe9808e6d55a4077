// The vppctl rendering (profile vpp-current) without VPP: a snapshot per node of the two-node seed-like cluster,
// the ACL changes between configurations, the undo order, and the errors bad input gets.
import { describe, expect, it } from 'vitest';
import { adapterAcls } from '../../../src/properties/harness.ts';
import { adapterTopology } from '../../../src/properties/resolve.ts';
import { renderCluster } from '../../../src/policy/contiv/render.ts';
import type { Cluster } from '../../../src/policy/types.ts';
import { emptyAclState, labNames, renderAclRemoval, renderAttachChanges, renderNodeConfig, renderRule, tableCommand, tunnelsOf } from '../../../src/adapters/vpp/render-vppctl.ts';

const cluster: Cluster = {
  nodes: [{ name: 'node-1' }, { name: 'node-2' }],
  namespaces: [{ name: 'default', labels: {} }],
  pods: [
    { name: 'client', namespace: 'default', labels: { app: 'client' }, nodeName: 'node-1', containerPorts: [] },
    { name: 'server', namespace: 'default', labels: { app: 'web' }, nodeName: 'node-2', containerPorts: [] },
    { name: 'other', namespace: 'default', labels: { app: 'web' }, nodeName: 'node-1', containerPorts: [] },
  ],
  policies: [{ name: 'web', namespace: 'default', podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }] }],
};
const rendered = renderCluster(cluster);
const topology = adapterTopology(rendered.topology);
const acls = adapterAcls(rendered);

/** The whole script of a node: configuration, then ACL tables (as if VPP numbered them 0, 1, …) and attachments. */
function script(nodeId: number): string {
  const node = topology.nodes.find((n) => n.id === nodeId)!;
  const names = labNames(node, topology, 'host-gbe');
  const lines = renderNodeConfig(node, topology, { gbe: 'host-gbe' }).map((s) => s.do);
  const labIndex = new Map<number, number>();
  for (const t of acls[String(nodeId)]!.tables) {
    lines.push(tableCommand(emptyAclState(), t, nodeId)!.command);
    labIndex.set(t.index, labIndex.size);
  }
  lines.push(...renderAttachChanges(new Map(), acls[String(nodeId)], labIndex, names, nodeId).commands);
  return `${lines.join('\n')}\n`;
}

describe('renderNodeConfig', () => {
  it.each([1, 2])('renders node %i as in the snapshot', async (id) => {
    await expect(script(id)).toMatchFileSnapshot(`__snapshots__/seed-node${id}.vppctl`);
  });

  it('maps the model interface names to the lab names and back', () => {
    const node = topology.nodes[0]!;
    const names = labNames(node, topology, 'host-gbe');
    expect(names.toLab.get('GigabitEthernet0/8/0')).toBe('host-gbe');
    expect(names.toLab.get('tap0')).toBe('loop1');
    for (const p of node.pods) expect(names.toLab.get(p.tap.name)).toMatch(/^pg\d+$/);
    expect(names.toModel.get('loop1')).toBe('tap0');
    expect(tunnelsOf(node, topology).map((t) => t.name)).toEqual(['vxlan_tunnel0']);
  });

  it('undoes everything it creates, in reverse order of creation', () => {
    const steps = renderNodeConfig(topology.nodes[0]!, topology, { gbe: 'host-gbe' });
    const undo = [...steps].reverse().flatMap((s) => (s.undo ? [s.undo] : []));
    expect(undo.indexOf('set interface l3 loop0')).toBeLessThan(undo.indexOf('create bridge-domain 1 del'));
    expect(undo.indexOf('create bridge-domain 1 del')).toBeLessThan(undo.indexOf('delete loopback interface intfc loop0'));
    expect(undo[0]).toBe('nat44 plugin disable');
    for (const s of steps) if (/^(create (loopback|vxlan|bridge)|ip route add|set ip neighbor|l2fib add)/.test(s.do)) expect(s.undo, s.do).toBeDefined();
  });

  it('leaves NAT identity mappings out when asked (a broken lab)', () => {
    const text = renderNodeConfig(topology.nodes[0]!, topology, { gbe: 'host-gbe', nat: { vxlanIdentity: false, addressIdentity: false } }).map((s) => s.do);
    expect(text.some((l) => l.includes('identity mapping'))).toBe(false);
    expect(text).toContain('nat44 add address 192.168.16.1');
  });
});

describe('ACL rendering', () => {
  it('renders a rule with every field VPP needs, any protocol as no proto', () => {
    expect(renderRule({ action: 'permit+reflect', proto: 0, sport: [0, 65535], dport: [0, 65535] })).toBe('permit+reflect src 0.0.0.0/0 dst 0.0.0.0/0 sport 0-65535 dport 0-65535');
    expect(renderRule({ action: 'deny', src: '10.1.1.0/24', dst: '10.1.2.13/32', proto: 6, sport: [0, 65535], dport: [8080, 8080] })).toBe('deny src 10.1.1.0/24 dst 10.1.2.13/32 proto 6 sport 0-65535 dport 8080-8080');
  });

  it('replaces a changed table in place and leaves an unchanged one alone', () => {
    const table = { index: 3, tag: 't', rules: [{ action: 'permit' as const, proto: 17, sport: [0, 65535] as [number, number], dport: [53, 53] as [number, number] }] };
    const created = tableCommand(emptyAclState(), table, 1)!;
    expect(created).toEqual({ command: 'set acl-plugin acl permit src 0.0.0.0/0 dst 0.0.0.0/0 proto 17 sport 0-65535 dport 53-53 tag t', creates: true });
    const state = { ...emptyAclState(), labIndex: new Map([[3, 0]]), rules: new Map([[0, created.command.replace('set acl-plugin acl ', '')]]) };
    expect(tableCommand(state, table, 1)).toBeUndefined();
    expect(tableCommand(state, { ...table, rules: [{ ...table.rules[0]!, dport: [54, 54] }] }, 1)!.command).toMatch(/^set acl-plugin acl index 0 permit .* dport 54-54 tag t$/);
  });

  it('detaches before it attaches, and only what changed', () => {
    const node = topology.nodes[0]!;
    const names = labNames(node, topology, 'host-gbe');
    const [a, b] = node.pods.map((p) => p.tap.name);
    const prev = new Map([[names.toLab.get(a!)!, { input: [0], output: [1] }]]);
    const want = { tables: [], attach: [{ interface: a!, input: [0], output: [] }, { interface: b!, input: [0], output: [2] }] };
    const r = renderAttachChanges(prev, want, new Map([[0, 0], [2, 2]]), names, 1);
    expect(r.commands).toEqual([`set acl-plugin interface ${names.toLab.get(a!)} output acl 1 del`, `set acl-plugin interface ${names.toLab.get(b!)} input acl 0`, `set acl-plugin interface ${names.toLab.get(b!)} output acl 2`]);
    expect(renderAclRemoval({ labIndex: new Map(), rules: new Map([[0, 'x'], [2, 'y']]), attach: r.attach })).toEqual([
      `set acl-plugin interface ${names.toLab.get(a!)} input acl 0 del`,
      `set acl-plugin interface ${names.toLab.get(b!)} input acl 0 del`,
      `set acl-plugin interface ${names.toLab.get(b!)} output acl 2 del`,
      'delete acl-plugin acl index 2',
      'delete acl-plugin acl index 0',
    ]);
  });

  it('refuses what VPP would silently misread', () => {
    const rule = { action: 'permit' as const, proto: 6, sport: [0, 65535] as [number, number], dport: [80, 80] as [number, number] };
    expect(() => tableCommand(emptyAclState(), { index: 1, rules: [] }, 2)).toThrow(/node 2: ACL 1 has no rules/);
    expect(() => tableCommand(emptyAclState(), { index: 1, rules: [{ ...rule, src: 'bad-prefix' }] }, 2)).toThrow(/'bad-prefix' is not an IPv4 prefix/);
    const names = labNames(topology.nodes[0]!, topology, 'host-gbe');
    expect(() => renderAttachChanges(new Map(), { tables: [], attach: [{ interface: 'tap999', input: [0], output: [] }] }, new Map([[0, 0]]), names, 1)).toThrow(/attach to 'tap999', which the lab does not have/);
    expect(() => renderAttachChanges(new Map(), { tables: [], attach: [{ interface: 'loop0', input: [7], output: [] }] }, new Map(), names, 1)).toThrow(/uses ACL 7, which is not defined/);
  });
});
