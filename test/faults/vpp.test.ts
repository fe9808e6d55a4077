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
import { fakeNode } from '../support/fake-vpp-node.ts';

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

  it('lists what it performs; node-restart only where it can restart the VPPs (a local lab)', async () => {
    expect([...VPP_NEMESIS]).toEqual(['acl-sessions-cleared', 'nat-sessions-cleared', 'acl-resync', 'acl-replaced', 'tap-flap', 'link-flap', 'pod-replaced', 'node-restart', 'config-drift']);
    const lab = parseLabFile(['version: 1', 'nodes:', '  - id: 1', '    vppctl: [vppctl]', '    files: /tmp/lab1', '    gbe: host-gbe'].join('\n'), 'lab.yaml');
    const vpp = new VppAdapter(lab, { transports: new Map([[1, fakeNode(1, [])]]) });
    // a lab file without runDir, token, pids and namespaces is not a local lab: no restart, so the case is unknown
    expect(vpp.capabilities.faults).not.toContain('node-restart');
    expect(vpp.capabilities.faults).toContain('link-flap');
    const withRestart = new VppAdapter(lab, { transports: new Map([[1, fakeNode(1, [])]]), restart: async () => ({ transport: fakeNode(1, []) }) });
    expect(withRestart.capabilities.faults).toContain('node-restart');
  });
});

describe('VPP lab adapter: link flaps, pod replaced, node restart', () => {
  const lab = parseLabFile(['version: 1', 'nodes:', ...[1, 2].flatMap((id) => [`  - id: ${id}`, '    vppctl: [vppctl, -s, /run/vpp/cli.sock]', `    files: /tmp/lab${id}`, '    gbe: host-gbe'])].join('\n'), 'lab.yaml');
  const configured = async (opts: { restart?: (n: { id: number }) => Promise<{ transport: Transport; pid?: number }> } = {}) => {
    const sent = new Map<number, string[]>([[1, []], [2, []]]);
    const vpp = new VppAdapter(lab, { transports: new Map([...sent].map(([id, s]) => [id, fakeNode(id, s)])), settleMs: 0, quietMs: 0, ...(opts.restart ? { restart: opts.restart } : {}) });
    const r = renderCluster(cluster);
    await vpp.setup(adapterTopology(r.topology));
    await vpp.apply(adapterAcls(r));
    return { vpp, sent, r };
  };
  const script = (vpp: VppAdapter, node: number) => vpp.reproduction().find((f) => f.name === `node${node}.vppctl`)!.text.trimEnd().split('\n');

  it('link-flap sets loop0 or the lab main NIC down, then up, on that node only, and the script holds it', async () => {
    const { vpp, sent } = await configured();
    for (const s of sent.values()) s.length = 0;
    await vpp.fault({ id: 'link-flap', node: 1, link: 'loop0' });
    await vpp.fault({ id: 'link-flap', node: 1, link: 'main-nic' });
    expect(sent.get(1)).toEqual(['set interface state loop0 down', 'set interface state loop0 up', 'set interface state host-gbe down', 'set interface state host-gbe up']);
    expect(sent.get(2)).toEqual([]);
    expect(script(vpp, 1).slice(-4)).toEqual(sent.get(1));
  });

  it('pod-replaced: ACLs detached, the pod undone, the interface deleted, made again as setup made it, ACLs attached again', async () => {
    const { vpp, sent, r } = await configured();
    const web = r.topology.podByName.get('default/web')!;
    const ifc = `pg${web.tap.name.replace(/^tap/, '')}`;
    const setup = [...sent.get(2)!];
    const made = setup.filter((c) => c.split(' ').includes(ifc) && !c.startsWith('set acl-plugin'));
    const attach = setup.filter((c) => c.startsWith(`set acl-plugin interface ${ifc} `));
    expect(made[0]).toBe(`create packet-generator interface ${ifc}`);
    expect(attach.length).toBeGreaterThan(0);
    for (const s of sent.values()) s.length = 0;
    await vpp.fault({ id: 'pod-replaced', node: 2, pod: 'default/web' });
    const two = sent.get(2)!.filter((c) => !/^(clear|show)/.test(c));
    const del = two.indexOf(`delete packet-generator interface ${ifc}`);
    expect(del).toBeGreaterThan(0);
    // before the delete: every ACL of the interface detached, then its NAT role, neighbour, route and state taken back
    expect(two.slice(0, attach.length)).toEqual(attach.map((c) => `${c} del`));
    const ip = `${web.ip >>> 24}.${(web.ip >>> 16) & 255}.${(web.ip >>> 8) & 255}.${web.ip & 255}`;
    expect(two.slice(attach.length, del)).toEqual([`set interface nat44 out ${ifc} del`, `set ip neighbor del ${ifc} ${ip} 00:00:00:00:00:02`, `ip route del ${ip}/32 via ${ifc}`, `set interface state ${ifc} down`, ...made.filter((c) => c.startsWith('set interface ip address')).map((c) => c.replace('set interface ip address', 'set interface ip address del'))]);
    // after it: the same setup steps, then the same attachments, nothing else on any node
    expect(two.slice(del + 1)).toEqual([...made, ...attach]);
    expect(sent.get(1)).toEqual([]);
    expect(script(vpp, 2).slice(-two.length)).toEqual(two);
  });

  it('node-restart: the restarter runs, the new VPP gets every setup step and the ACLs last applied, the script says so in order', async () => {
    const fresh: string[] = [];
    const restarted: number[] = [];
    const { vpp, sent } = await configured({
      restart: async (n) => {
        restarted.push(n.id);
        return { transport: fakeNode(n.id, fresh), pid: 4242 };
      },
    });
    const setup = sent.get(1)!.filter((c) => !/^(clear|show)/.test(c));
    const acl = setup.filter((c) => c.startsWith('set acl-plugin'));
    const steps = setup.filter((c) => !c.startsWith('set acl-plugin'));
    await vpp.fault({ id: 'acl-sessions-cleared', node: 1 });
    await vpp.fault({ id: 'node-restart', node: 1 });
    expect(restarted).toEqual([1]);
    // the new process: the same configuration, then the ACL tables created anew (indices from 0) and attached
    expect(fresh).toEqual([...steps, ...acl]);
    const lines = script(vpp, 1);
    const at = lines.findIndex((l) => l.startsWith('# node-restart: VPP stopped and started again (pid 4242)'));
    expect(at).toBeGreaterThan(lines.indexOf('clear acl-plugin sessions'));
    expect(lines.slice(at + 1, at + 1 + fresh.length)).toEqual(fresh);
    // afterwards the adapter talks to the new process only
    sent.get(1)!.length = 0;
    await vpp.fault({ id: 'acl-sessions-cleared', node: 1 });
    expect(fresh.at(-1)).toBe('clear acl-plugin sessions');
    expect(sent.get(1)).toEqual([]);
  });

  it('node-restart without a restarter is unavailable (the case is unknown), not silently skipped', async () => {
    const { vpp } = await configured();
    await expect(vpp.fault({ id: 'node-restart', node: 1 })).rejects.toThrow(/cannot restart its VPP/);
  });
});

describe('VPP lab adapter: wire-impaired and idle-timeout', () => {
  const labText = (local: boolean) =>
    ['version: 1', ...(local ? ['namespaces: [pfvppab-ul, pfvppab-n1, pfvppab-n2]'] : []), 'nodes:', ...[1, 2].flatMap((id) => [`  - id: ${id}`, '    vppctl: [vppctl, -s, /run/vpp/cli.sock]', `    files: /tmp/lab${id}`, '    gbe: host-gbe', ...(local ? [`    netns: pfvppab-n${id}`] : [])])].join('\n');
  /** A host where node N's gbe is `gbe@if(10+N)` and index 10+N in the underlay is the port `n<N>`; tc succeeds. */
  const fakeHost = (ran: string[][]) => async (argv: string[]) => {
    ran.push(argv);
    const ns = argv[2]!;
    if (argv[0] === 'ip' && ns.endsWith('-ul')) return { status: 0, stdout: '1: lo: <LOOPBACK>\n2: br0: <BROADCAST>\n11: n1@if2: <BROADCAST>\n12: n2@if2: <BROADCAST>\n', stderr: '' };
    if (argv[0] === 'ip') return { status: 0, stdout: `2: gbe@if${10 + Number(ns.slice(-1))}: <BROADCAST,UP> mtu 1500\n`, stderr: '' };
    return { status: 0, stdout: '', stderr: '' };
  };
  const configured = async (local: boolean, ran: string[][] = [], slept: number[] = []) => {
    const sent = new Map<number, string[]>([[1, []], [2, []]]);
    const vpp = new VppAdapter(parseLabFile(labText(local), 'lab.yaml'), { transports: new Map([...sent].map(([id, s]) => [id, fakeNode(id, s)])), settleMs: 0, quietMs: 0, exec: fakeHost(ran), sleep: async (ms) => void slept.push(ms) });
    const r = renderCluster(cluster);
    await vpp.setup(adapterTopology(r.topology), { sessions: { udpIdle: 2, tcpTransient: 2, tcpIdle: 6 } });
    await vpp.apply(adapterAcls(r));
    return { vpp, sent };
  };

  it('impairs the underlay port of the node (found by its veth peer), heals it, and heals what is left at teardown', async () => {
    // Arrange
    const ran: string[][] = [];
    const { vpp } = await configured(true, ran);
    expect(vpp.capabilities.faults).toContain('wire-impaired');
    // Act
    await vpp.fault({ id: 'wire-impaired', node: 2, impairment: 'drop' });
    await vpp.fault({ id: 'wire-impaired', node: 2, impairment: 'healed' });
    await vpp.fault({ id: 'wire-impaired', node: 1, impairment: 'reorder' });
    await vpp.teardown();
    // Assert
    const inNs = ran.filter((a) => a[0] === 'ip' && a[1] === 'netns').map((a) => a.join(' '));
    expect(inNs).toEqual([
      'ip netns exec pfvppab-ul nft add table bridge podflow_wire_n2; add chain bridge podflow_wire_n2 towards { type filter hook forward priority 0; policy accept; }; add rule bridge podflow_wire_n2 towards oifname "n2" numgen random mod 100 < 30 drop',
      'ip netns exec pfvppab-ul nft delete table bridge podflow_wire_n2',
      'ip netns exec pfvppab-ul tc qdisc replace dev n1 root netem delay 20ms reorder 50%',
      // teardown heals what is still impaired
      'ip netns exec pfvppab-ul tc qdisc del dev n1 root',
    ]);
    expect(ran.some((a) => a.join(' ') === 'ip -n pfvppab-n2 -o link show dev gbe')).toBe(true);
  });

  it('records the tc commands as comments in the node script', async () => {
    const { vpp } = await configured(true);
    await vpp.fault({ id: 'wire-impaired', node: 1, impairment: 'duplicate' });
    const script = vpp.reproduction().find((f) => f.name === 'node1.vppctl')!.text;
    expect(script).toContain('# wire-impaired (duplicate), not vppctl: ran on the lab host: ip netns exec pfvppab-ul nft add table netdev podflow_wire_n1; add chain netdev podflow_wire_n1 towards { type filter hook egress device "n1" priority 0; policy accept; }; add rule netdev podflow_wire_n1 towards meta mark != 0x706657 numgen random mod 100 < 50 meta mark set 0x706657 dup to "n1"');
    await vpp.fault({ id: 'wire-impaired', node: 1, impairment: 'healed' });
    expect(vpp.reproduction().find((f) => f.name === 'node1.vppctl')!.text).toContain('# wire-impaired healed, not vppctl: ran on the lab host: ip netns exec pfvppab-ul nft delete table netdev podflow_wire_n1');
  });

  it('a lab whose file lists no namespaces cannot impair its wire: the fault is not in its capabilities and refused', async () => {
    const { vpp } = await configured(false);
    expect(vpp.capabilities.faults).not.toContain('wire-impaired');
    expect(vpp.capabilities.faults).toContain('idle-timeout');
    await expect(vpp.fault({ id: 'wire-impaired', node: 1, impairment: 'drop' })).rejects.toThrow(/cannot perform fault wire-impaired/);
  });

  it('a command that fails (a kernel without netem) makes the fault unavailable (one line), never silently done', async () => {
    const sent = new Map<number, string[]>([[1, []], [2, []]]);
    const host = fakeHost([]);
    const vpp = new VppAdapter(parseLabFile(labText(true), 'lab.yaml'), { transports: new Map([...sent].map(([id, s]) => [id, fakeNode(id, s)])), settleMs: 0, quietMs: 0, exec: async (a) => (a[4] === 'tc' ? { status: 2, stdout: '', stderr: 'Error: Specified qdisc kind is unknown.\n' } : host(a)) });
    const r = renderCluster(cluster);
    await vpp.setup(adapterTopology(r.topology));
    await expect(vpp.fault({ id: 'wire-impaired', node: 1, impairment: 'reorder' })).rejects.toThrow(/^vpp: node 1: ip netns exec pfvppab-ul tc qdisc replace dev n1 root netem delay 20ms reorder 50%: Error: Specified qdisc kind is unknown\.$/);
  });

  it('idle-timeout waits the seconds (no command), and the short session timeouts were set at setup', async () => {
    const slept: number[] = [];
    const { vpp, sent } = await configured(false, [], slept);
    expect(sent.get(1)).toEqual(expect.arrayContaining(['set acl-plugin session timeout udp idle 2', 'set acl-plugin session timeout tcp idle 6', 'set acl-plugin session timeout tcp transient 2']));
    const before = sent.get(1)!.length;
    await vpp.fault({ id: 'idle-timeout', seconds: 4 });
    expect(slept).toEqual([4000]);
    expect(sent.get(1)!.length).toBe(before);
    expect(vpp.reproduction()[0]!.text).toContain('# idle-timeout: no traffic for 4 s');
    await expect(vpp.fault({ id: 'idle-timeout', seconds: Number.NaN })).rejects.toThrow(/seconds must be a number ≥ 0/);
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
    expect((e as Error).message).toMatch(/^vpp: config-drift: node 2 refused `nat44 add identity mapping 192\.168\.16\.2 udp 4789 del` \(Mapping not exist\) .*findings\/vpp-26\.06-nat44-ed-session-clear-breaks-identity-mappings$/);
  });

  it('an item the node does not have is an error naming it', async () => {
    const lab = parseLabFile(['version: 1', 'nodes:', '  - id: 1', '    vppctl: [vppctl]', '    files: /tmp/lab1', '    gbe: host-gbe', '  - id: 2', '    vppctl: [vppctl]', '    files: /tmp/lab2', '    gbe: host-gbe'].join('\n'), 'lab.yaml');
    const vpp = new VppAdapter(lab, { transports: new Map([[1, fakeNode(1, [])], [2, fakeNode(2, [])]]), settleMs: 0, quietMs: 0 });
    await vpp.setup(adapterTopology(renderCluster(cluster).topology));
    await expect(vpp.fault({ id: 'config-drift', node: 1, item: { kind: 'static-neighbour', interface: 'tap99', ip: '10.1.1.9', mac: '00:00:00:00:00:02' }, restore: false })).rejects.toThrow(/config-drift: node 1 has no interface 'tap99'/);
  });
});
