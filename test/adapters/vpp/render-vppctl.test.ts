// The vppctl rendering (profile vpp-current) without VPP: a snapshot per node of the two-node seed-like cluster,
// the ACL changes between configurations, the undo order, and the errors bad input gets.
import { describe, expect, it } from 'vitest';
import { adapterAcls } from '../../../src/properties/harness.ts';
import { adapterTopology } from '../../../src/properties/resolve.ts';
import { renderCluster } from '../../../src/policy/contiv/render.ts';
import type { Cluster } from '../../../src/policy/types.ts';
import { emptyAclState, hostEnds, labNames, renderAclRemoval, renderAttachChanges, renderNodeConfig, renderRule, renderServiceSteps, tableCommand, tunnelsOf } from '../../../src/adapters/vpp/render-vppctl.ts';
import type { AdapterServiceConfig } from '../../../src/adapters/adapter.ts';

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
  it("routes another node's host network and management IP via its BVI, and takes them back (§17.3)", () => {
    const withHost = { ...topology, nodes: topology.nodes.map((n) => (n.id === 2 ? { ...n, host: { ip: '172.30.2.2/24', mac: '52:54:00:12:34:02', addresses: ['10.20.0.3'] } } : n)) };
    const steps = renderNodeConfig(withHost.nodes[0]!, withHost, { gbe: 'host-gbe' });
    const routes = steps.filter((s) => / via 192\.168\.30\.2$/.test(s.do));
    expect(routes.map((s) => s.do)).toEqual(['ip route add 10.1.2.0/24 via 192.168.30.2', 'ip route add 172.30.2.0/24 via 192.168.30.2', 'ip route add 10.20.0.3/32 via 192.168.30.2']);
    expect(routes.map((s) => s.undo)).toEqual(routes.map((s) => s.do.replace('ip route add', 'ip route del')));
    // node 2 has no management IP in the plain topology: no /32 route to it
    expect(renderNodeConfig(topology.nodes[0]!, topology, { gbe: 'host-gbe' }).filter((s) => /\/32 via 192\.168\.30\.2$/.test(s.do))).toEqual([]);
  });

  it.each([1, 2])('renders node %i as in the snapshot', async (id) => {
    await expect(script(id)).toMatchFileSnapshot(`__snapshots__/seed-node${id}.vppctl`);
  });

  it('maps the model interface names to the lab names and back', () => {
    const node = topology.nodes[0]!;
    const names = labNames(node, topology, 'host-gbe');
    expect(names.toLab.get('GigabitEthernet0/8/0')).toBe('host-gbe');
    expect(names.toLab.get('tap0')).toBe('pg0');
    for (const p of node.pods) expect(names.toLab.get(p.tap.name)).toMatch(/^pg\d+$/);
    expect(names.toModel.get('pg0')).toBe('tap0');
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

describe('host interconnect and default gateway (docs/datapath.md §17)', () => {
  it('makes tap0 a packet-generator interface with its MAC and address, the host end a static neighbour', () => {
    const node = { ...topology.nodes[0]!, host: { ip: '172.30.1.2/24', mac: '3e:1b:70:2d:4d:51', addresses: ['10.20.0.2'] } };
    const lines = renderNodeConfig(node, topology, { gbe: 'host-gbe' }).map((s) => s.do);
    expect(lines).toContain('create packet-generator interface pg0');
    expect(lines).toContain('set interface mac address pg0 01:23:45:67:89:42');
    expect(lines).toContain('set interface ip address pg0 172.30.1.1/24');
    expect(lines).toContain('set ip neighbor pg0 172.30.1.2 3e:1b:70:2d:4d:51 static');
    expect(lines).toContain('ip route add 10.20.0.2/32 via 172.30.1.2 pg0');
    expect(lines).toContain('set interface nat44 in pg0 out pg0');
    expect(lines.some((l) => /loop1/.test(l))).toBe(false);
  });

  it('derives tap0 from the host end, Contiv\'s default without one, and refuses a bad address', () => {
    expect(hostEnds({ ...topology.nodes[1]!, host: { ip: '172.31.9.5/16', mac: 'aa:bb:cc:dd:ee:ff', addresses: [] } }).tap0).toBe('172.31.0.1/16');
    expect(hostEnds({ ...topology.nodes[1]!, host: { ip: '172.30.2.1/24', mac: 'aa:bb:cc:dd:ee:ff', addresses: [] } }).tap0).toBe('172.30.2.2/24');
    expect(hostEnds(topology.nodes[1]!)).toEqual({ tap0: '172.30.2.1/24', host: '172.30.2.2', prefix: 24, addresses: [] });
    expect(() => hostEnds({ ...topology.nodes[1]!, host: { ip: '172.30.2.2/24', mac: 'aa:bb:cc:dd:ee:ff', addresses: ['10.20.0.300'] } })).toThrow(/host.addresses\[0\] '10.20.0.300'/);
    expect(() => hostEnds({ ...topology.nodes[1]!, host: { ip: 'vpp1', mac: 'aa:bb:cc:dd:ee:ff', addresses: [] } })).toThrow(/host.ip 'vpp1'/);
  });

  it('routes 0.0.0.0/0 via the gateway on the main NIC only when the node names one, and takes it back', () => {
    const none = renderNodeConfig(topology.nodes[0]!, topology, { gbe: 'host-gbe' });
    expect(none.some((s) => s.do.startsWith('ip route add 0.0.0.0/0'))).toBe(false);
    const gw = renderNodeConfig({ ...topology.nodes[0]!, gateway: { ip: '192.168.16.254', mac: '08:00:27:02:a5:36' } }, topology, { gbe: 'host-gbe' });
    expect(gw).toContainEqual({ do: 'set ip neighbor host-gbe 192.168.16.254 08:00:27:02:a5:36 static', undo: 'set ip neighbor del host-gbe 192.168.16.254 08:00:27:02:a5:36' });
    expect(gw).toContainEqual({ do: 'ip route add 0.0.0.0/0 via 192.168.16.254 host-gbe', undo: 'ip route del 0.0.0.0/0 via 192.168.16.254 host-gbe' });
  });
});

describe('renderServiceSteps (docs/datapath.md §16.2)', () => {
  const node = topology.nodes[0]!;
  const names = labNames(node, topology, 'host-gbe');
  const tap = node.pods[0]!.tap.name;
  const svc: AdapterServiceConfig[string] = {
    twiceNatPool: '10.1.1.254',
    inInterfaces: [tap, 'loop0', 'tap0'],
    mappings: [
      { service: 'default/web', protocol: 'TCP', external: { ip: '10.96.0.10', port: 80 }, locals: [{ ip: '10.1.1.3', port: 8080, probability: 2 }, { ip: '10.1.2.2', port: 8080, probability: 1 }] },
      { service: 'default/dns', protocol: 'UDP', external: { ip: '10.96.0.11', port: 53 }, locals: [{ ip: '10.1.2.2', port: 5353, probability: 0 }] },
    ],
  };

  it('renders the twice-NAT pool, the in roles of backends, LB and plain static mappings, each with its del form', () => {
    expect(renderServiceSteps(node, svc, names)).toEqual([
      { do: 'nat44 add address 10.1.1.254 twice-nat', undo: 'nat44 add address 10.1.1.254 twice-nat del' },
      { do: `set interface nat44 in ${names.toLab.get(tap)}`, undo: `set interface nat44 in ${names.toLab.get(tap)} del` },
      {
        do: 'nat44 add load-balancing static mapping protocol tcp external 10.96.0.10:80 local 10.1.1.3:8080 probability 2 local 10.1.2.2:8080 probability 1 self-twice-nat out2in-only',
        undo: 'nat44 add load-balancing static mapping protocol tcp external 10.96.0.10:80 local 10.1.1.3:8080 probability 2 local 10.1.2.2:8080 probability 1 self-twice-nat out2in-only del',
      },
      { do: 'nat44 add static mapping udp local 10.1.2.2 5353 external 10.96.0.11 53 self-twice-nat out2in-only', undo: 'nat44 add static mapping udp local 10.1.2.2 5353 external 10.96.0.11 53 self-twice-nat out2in-only del' },
    ]);
    expect(renderServiceSteps(node, undefined, names)).toEqual([]);
  });

  it('refuses what VPP would misread or the node does not have, naming the field', () => {
    expect(() => renderServiceSteps(node, { ...svc, twiceNatPool: '10.1.1.256' }, names)).toThrow(/node 1: services: twiceNatPool '10.1.1.256'/);
    expect(() => renderServiceSteps(node, { ...svc, inInterfaces: ['tap99'] }, names)).toThrow(/inInterfaces names 'tap99'/);
    expect(() => renderServiceSteps(node, { ...svc, mappings: [{ ...svc.mappings[0]!, external: { ip: '10.96.0.10', port: 0 } }] }, names)).toThrow(/mappings\[0\].external.port 0/);
    expect(() => renderServiceSteps(node, { ...svc, mappings: [{ ...svc.mappings[0]!, locals: [] }] }, names)).toThrow(/mappings\[0\] \(default\/web\) has no locals/);
    expect(() => renderServiceSteps(node, { ...svc, mappings: [{ ...svc.mappings[0]!, protocol: 'SCTP' as 'TCP' }] }, names)).toThrow(/protocol 'SCTP'/);
    expect(() => renderServiceSteps(node, { ...svc, mappings: [{ ...svc.mappings[0]!, locals: [svc.mappings[0]!.locals[0]!, { ip: '10.1.2.2', port: 1, probability: 300 }] }] }, names)).toThrow(/locals\[1\].probability 300/);
  });
});
