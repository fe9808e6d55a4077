// Kernel adapter rendering, without root: the namespace commands (renderNetns, the incremental diff), the
// nftables ruleset (renderNftables), command batching and the known-divergences file. Unit category.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { AdapterNode, AdapterTopology } from '../../../src/adapters/adapter.ts';
import { combinedSteps, namespaceOf, stepFailure } from '../../../src/adapters/kernel/exec.ts';
import { excusingDivergence, KERNEL_KNOWN_DIVERGENCES } from '../../../src/adapters/kernel/known-divergences.ts';
import { linuxInterfaceMap, namespaceNames, runPrefix, validateTopology } from '../../../src/adapters/kernel/names.ts';
import { netObjects, networkOf, podSubnetOf, renderNetns, renderNetnsDiff } from '../../../src/adapters/kernel/render-netns.ts';
import { allocateSessionSlots, renderNftables, resolveAttachments, ruleMatch, serviceRules } from '../../../src/adapters/kernel/render-nftables.ts';
import { clusterArb } from '../../../src/generators/cluster.ts';
import { renderCluster } from '../../../src/policy/contiv/render.ts';
import { adapterAcls } from '../../../src/properties/harness.ts';
import { PROPERTIES } from '../../../src/properties/index.ts';
import { adapterTopology } from '../../../src/properties/resolve.ts';

const PREFIX = 'pf-42-abc-';

function node(id: number, pods: { name: string; ip: string; tap: string; tapMac: string }[]): AdapterNode {
  return {
    id,
    name: `node${id}`,
    nodeIp: `192.168.16.${id}/24`,
    gbe: { name: 'GigabitEthernet0/8/0', mac: `08:00:27:00:00:0${id}` },
    bvi: { ip: `192.168.30.${id}/24`, mac: `1a:2b:3c:4d:5e:0${id}` },
    vni: 10,
    pods: pods.map((p) => ({ name: p.name, ip: p.ip, mac: '00:00:00:00:00:02', tap: { name: p.tap, mac: p.tapMac }, gateway: `10.1.${id}.1` })),
  };
}

const TOPO: AdapterTopology = {
  nodes: [
    node(1, [
      { name: 'client', ip: '10.1.1.12', tap: 'tap11', tapMac: '02:fe:69:99:eb:9d' },
      { name: 'server', ip: '10.1.1.9', tap: 'tap8', tapMac: '02:fe:16:79:39:cb' },
    ]),
    node(2, [{ name: 'remote', ip: '10.1.2.13', tap: 'tap12', tapMac: '02:fe:47:84:04:5d' }]),
  ],
};

const has = (cmds: string[][], ...needle: string[]) => cmds.some((c) => needle.every((n, i) => c.join(' ').includes(n) && i >= 0));

describe('renderNetns: the Contiv design as ip/bridge commands inside namespaces', () => {
  const cmds = renderNetns(TOPO, PREFIX);

  test('every command names one of the run\'s namespaces: nothing is configured in the root namespace', () => {
    for (const c of cmds) expect(namespaceOf(c), c.join(' ')).toMatch(/^pf-42-abc-/);
    // veth pairs are created inside a namespace with the peer moved straight into another one
    for (const c of cmds.filter((x) => x.includes('veth'))) expect(c.slice(0, 3)).toEqual(['ip', '-n', c[2]!]);
  });

  test('node 1 gets the VXLAN device (VNI 10, port 4789, no learning, TTL 253) in the BVI bridge with the BVI address and MAC', () => {
    const N = `${PREFIX}n0`;
    expect(cmds).toContainEqual(['ip', '-n', N, 'link', 'add', 'name', 'vxlan10', 'type', 'vxlan', 'id', '10', 'dstport', '4789', 'nolearning', 'ttl', '253', 'tos', '0', 'df', 'unset', 'noudpcsum']);
    expect(cmds).toContainEqual(['ip', '-n', N, 'link', 'set', 'dev', 'vxlan10', 'master', 'loop0']);
    expect(cmds).toContainEqual(['ip', '-n', N, 'link', 'set', 'dev', 'vxlan10', 'type', 'bridge_slave', 'learning', 'off', 'flood', 'off', 'mcast_flood', 'off', 'bcast_flood', 'off', 'neigh_suppress', 'off']);
    expect(cmds).toContainEqual(['ip', '-n', N, 'link', 'set', 'dev', 'loop0', 'address', '1a:2b:3c:4d:5e:01']);
    expect(cmds).toContainEqual(['ip', '-n', N, 'addr', 'add', '192.168.30.1/32', 'dev', 'loop0']);
    expect(cmds).toContainEqual(['ip', '-n', N, 'link', 'set', 'dev', 'vxlan10', 'type', 'vxlan', 'local', '192.168.16.1']);
  });

  test('per remote node: static neighbour, static FDB in the bridge and on the VXLAN device, and a route to its pods (§2.7)', () => {
    const N = `${PREFIX}n0`;
    expect(cmds).toContainEqual(['ip', '-n', N, 'neigh', 'replace', '192.168.30.2', 'lladdr', '1a:2b:3c:4d:5e:02', 'dev', 'loop0', 'nud', 'permanent']);
    expect(cmds).toContainEqual(['bridge', '-n', N, 'fdb', 'replace', '1a:2b:3c:4d:5e:02', 'dev', 'vxlan10', 'master', 'static']);
    expect(cmds).toContainEqual(['bridge', '-n', N, 'fdb', 'replace', '1a:2b:3c:4d:5e:02', 'dev', 'vxlan10', 'dst', '192.168.16.2', 'self', 'permanent']);
    expect(cmds).toContainEqual(['ip', '-n', N, 'route', 'replace', '10.1.2.0/24', 'via', '192.168.30.2', 'dev', 'loop0', 'onlink']);
    expect(cmds).toContainEqual(['ip', '-n', N, 'neigh', 'replace', '192.168.16.2', 'lladdr', '08:00:27:00:00:02', 'dev', 'gbe', 'nud', 'permanent']);
    // no route to the node's own pod network: only /32 per pod (§2.5), and a silent default drop
    expect(has(cmds, `-n ${N} route replace 10.1.1.0/24`)).toBe(false);
    expect(cmds).toContainEqual(['ip', '-n', N, 'route', 'replace', 'blackhole', 'default']);
  });

  test('a pod is configured as Contiv does (§2.5): /32, link route and default via the gateway, static ARP for it; the node routes the /32 to its TAP', () => {
    const N = `${PREFIX}n0`;
    const P = `${PREFIX}p0-0`;
    expect(cmds).toContainEqual(['ip', '-n', N, 'link', 'add', 'name', 'ptap0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', P]);
    expect(cmds).toContainEqual(['ip', '-n', N, 'link', 'set', 'dev', 'ptap0', 'address', '02:fe:69:99:eb:9d']);
    expect(cmds).toContainEqual(['ip', '-n', N, 'route', 'replace', '10.1.1.12/32', 'dev', 'ptap0']);
    expect(cmds).toContainEqual(['ip', '-n', N, 'neigh', 'replace', '10.1.1.12', 'lladdr', '00:00:00:00:00:02', 'dev', 'ptap0', 'nud', 'permanent']);
    expect(cmds).toContainEqual(['ip', '-n', P, 'addr', 'add', '10.1.1.12/32', 'dev', 'eth0']);
    expect(cmds).toContainEqual(['ip', '-n', P, 'route', 'replace', '10.1.1.1/32', 'dev', 'eth0', 'scope', 'link']);
    expect(cmds).toContainEqual(['ip', '-n', P, 'route', 'replace', 'default', 'via', '10.1.1.1', 'dev', 'eth0']);
    expect(cmds).toContainEqual(['ip', '-n', P, 'neigh', 'replace', '10.1.1.1', 'lladdr', '02:fe:69:99:eb:9d', 'dev', 'eth0', 'nud', 'permanent']);
  });

  test('the underlay delivers by static FDB only (no learning, no flooding)', () => {
    const U = `${PREFIX}u`;
    expect(cmds).toContainEqual(['bridge', '-n', U, 'fdb', 'replace', '08:00:27:00:00:02', 'dev', 'u1', 'master', 'static']);
    expect(cmds).toContainEqual(['ip', '-n', U, 'link', 'set', 'dev', 'u1', 'type', 'bridge_slave', 'learning', 'off', 'flood', 'off', 'mcast_flood', 'off', 'bcast_flood', 'off']);
  });

  test('node namespaces get forwarding, no rp_filter, no IPv6; pods are muted unless asked not to be', () => {
    expect(cmds.find((c) => c.includes('sysctl') && c.includes(`${PREFIX}n0`))).toEqual(expect.arrayContaining(['net.ipv4.ip_forward=1', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv6.conf.all.disable_ipv6=1']));
    expect(has(cmds, 'podflow_mute')).toBe(true);
    expect(has(renderNetns(TOPO, PREFIX, { mutePods: false }), 'podflow_mute')).toBe(false);
  });
});

describe('renderNetnsDiff: incremental setup', () => {
  const names = namespaceNames(PREFIX);
  const a = netObjects(TOPO, names);

  test('the same topology needs no command', () => {
    const d = renderNetnsDiff(a, netObjects(TOPO, names));
    expect(d.del).toEqual([]);
    expect(d.add.flat()).toEqual([]);
  });

  test('a pod with a new address re-runs only that pod\'s configuration; namespaces and devices stay', () => {
    const t2 = structuredClone(TOPO);
    t2.nodes[0]!.pods[1]!.ip = '10.1.1.20';
    const d = renderNetnsDiff(a, netObjects(t2, names));
    expect(d.add.slice(0, 3).flat()).toEqual([]);
    expect(d.changed.every((k) => k.includes('p0-1') || k.includes('10.1.1.') || k.includes('ptap1'))).toBe(true);
    expect(d.del).toContainEqual(['ip', '-n', `${PREFIX}p0-1`, 'addr', 'del', '10.1.1.9/32', 'dev', 'eth0']);
    expect(d.add[3]).toContainEqual(['ip', '-n', `${PREFIX}p0-1`, 'addr', 'add', '10.1.1.20/32', 'dev', 'eth0']);
    // deleting the pod's only address flushes its routes and gateway neighbour: they are re-added
    expect(d.add[3]).toContainEqual(['ip', '-n', `${PREFIX}p0-1`, 'route', 'replace', 'default', 'via', '10.1.1.1', 'dev', 'eth0']);
    expect(d.add[3]).toContainEqual(['ip', '-n', `${PREFIX}p0-1`, 'neigh', 'replace', '10.1.1.1', 'lladdr', '02:fe:16:79:39:cb', 'dev', 'eth0', 'nud', 'permanent']);
  });

  test('a new BVI MAC re-adds every neighbour of loop0 (a MAC change flushes them, permanent ones included)', () => {
    const t2 = structuredClone(TOPO);
    t2.nodes[0]!.bvi.mac = '1a:2b:3c:4d:5e:77';
    const d = renderNetnsDiff(a, netObjects(t2, names));
    expect(d.add[3]).toContainEqual(['ip', '-n', `${PREFIX}n0`, 'neigh', 'replace', '192.168.30.2', 'lladdr', '1a:2b:3c:4d:5e:02', 'dev', 'loop0', 'nud', 'permanent']);
  });

  test('a smaller topology deletes configuration but keeps namespaces and devices for later', () => {
    const t2: AdapterTopology = { nodes: [TOPO.nodes[0]!, { ...TOPO.nodes[1]!, pods: [] }] };
    const d = renderNetnsDiff(a, netObjects(t2, names));
    expect(d.del.some((c) => c.includes('netns') && c.includes('del'))).toBe(false);
    expect(d.del.some((c) => c[3] === 'link' && c[4] === 'del')).toBe(false);
    expect(d.del).toContainEqual(['ip', '-n', `${PREFIX}p1-0`, 'addr', 'del', '10.1.2.13/32', 'dev', 'eth0']);
    expect(d.state.map((o) => o.key)).toContain(`ns:${PREFIX}p1-0`);
    // and growing back needs no new namespace either
    const back = renderNetnsDiff(d.state, netObjects(TOPO, names));
    expect(back.add[0]).toEqual([]);
  });
});

describe('pod networks and addresses', () => {
  test('the pod network computed from the IPAM settings equals the one IPAM resolved, for generated clusters', () => {
    fc.assert(
      fc.property(clusterArb({ topology: 'varied' }), (cluster) => {
        const t = adapterTopology(renderCluster(cluster).topology);
        for (const n of t.nodes) expect(podSubnetOf(t, { ...n, podSubnet: undefined })).toBe(n.podSubnet);
      }),
      { seed: 6, numRuns: 100 },
    );
  });

  test('networkOf masks the host part', () => {
    expect(networkOf('192.168.16.255/24')).toBe('192.168.16.0/24');
    expect(networkOf('10.1.2.3/16')).toBe('10.1.0.0/16');
    expect(networkOf('10.1.2.3/0')).toBe('0.0.0.0/0');
  });

  test('bad input is refused with the field named', () => {
    const bad = structuredClone(TOPO);
    bad.nodes[1]!.pods[0]!.ip = '10.1.2.300';
    expect(() => validateTopology(bad)).toThrow(/topology\.nodes\[1\]\.pods\[0\]\.ip/);
    const dup = structuredClone(TOPO);
    dup.nodes[1]!.id = 1;
    expect(() => validateTopology(dup)).toThrow(/appears twice/);
    expect(() => runPrefix(1, 'BAD!')).toThrow(/tag/);
  });
});

const ACL = {
  tables: [
    { index: 0, tag: 'contiv/vpp-policy-REFLECTION', rules: [{ action: 'permit+reflect' as const, proto: 0, sport: [0, 65535] as [number, number], dport: [0, 65535] as [number, number] }] },
    {
      index: 1,
      rules: [
        { action: 'permit' as const, src: '10.1.1.12/32', proto: 6, sport: [0, 65535] as [number, number], dport: [8080, 8080] as [number, number] },
        { action: 'deny' as const, proto: 0, sport: [0, 65535] as [number, number], dport: [0, 65535] as [number, number] },
      ],
    },
    { index: 2, tag: 'contiv/vpp-policy-NODE-GLOBAL', rules: [{ action: 'permit' as const, proto: 0, sport: [0, 65535] as [number, number], dport: [0, 65535] as [number, number] }] },
  ],
  attach: [
    { interface: 'tap8', input: [0], output: [1] },
    { interface: 'loop0', input: [0], output: [2] },
    { interface: 'GigabitEthernet0/8/0', input: [0], output: [2] },
    { interface: 'tap0', input: [0], output: [2] },
  ],
};

describe('renderNftables: ACLs as one atomic ruleset per node', () => {
  const n = TOPO.nodes[0]!;
  const slots = allocateSessionSlots(['ptap1', 'loop0', 'gbe'], new Map(), new Set())!.slots;
  const text = renderNftables(n, ACL, { slots });

  test('the ruleset replaces everything atomically and maps VPP interface names to Linux devices', () => {
    expect(text.startsWith('flush ruleset\n')).toBe(true);
    expect(linuxInterfaceMap(n).get('tap8')).toBe('ptap1');
    expect(resolveAttachments(n, ACL).map((a) => a.ifname)).toEqual(['ptap1', 'loop0', 'gbe', 'tap0']); // tap0: the host interconnect (§17)
    expect(text).toContain('iifname "ptap1" jump acl_in_ptap1');
    expect(text).toContain('oifname "ptap1" jump acl_out_ptap1');
  });

  test('rules are first-match in order and an attached list that matches nothing denies (§8.2)', () => {
    const out = text.slice(text.indexOf('chain acl_out_ptap1'), text.indexOf('\n  }', text.indexOf('chain acl_out_ptap1')));
    const i = out.indexOf('ip saddr 10.1.1.12/32 meta l4proto tcp th dport 8080 return');
    const j = out.indexOf('drop comment "acl 1 rule 1"');
    expect(i).toBeGreaterThan(0);
    expect(j).toBeGreaterThan(i);
    expect(out.trimEnd().endsWith('drop comment "no rule matched"')).toBe(true);
  });

  test('a reflective match on input marks the session for its direction; output hits the mirrored direction first (§8.4)', () => {
    const slot = slots.get('ptap1')!;
    const O = `0x${(1 << (2 * slot)).toString(16).padStart(8, '0')}`;
    const R = `0x${(1 << (2 * slot + 1)).toString(16).padStart(8, '0')}`;
    expect(text).toContain(`ct direction original ct mark set ct mark | ${O} return comment "acl 0 rule 0 reflect"`);
    expect(text).toContain(`ct state { new, established } ct direction reply ct mark & ${O} == ${O} meta l4proto != icmp return comment "session"`);
    expect(text).toContain(`ct state { new, established } ct direction reply ct mark & ${R} == ${R} return comment "session"`);
  });

  test('profile vpp-current lets ICMP replies hit sessions; 18.01 judges them by rules (§8.3)', () => {
    expect(renderNftables(n, ACL, { slots, icmpRepliesHitSessions: true })).not.toContain('meta l4proto != icmp');
  });

  test('what leaves through loop0 meets loop0\'s input ACL after its output ACL (the L2 path, §3.4)', () => {
    const fwd = text.slice(text.indexOf('chain forward'));
    expect(fwd.indexOf('oifname "loop0" jump acl_in_loop0')).toBeGreaterThan(fwd.indexOf('oifname "loop0" jump acl_out_loop0'));
  });

  test('NAT masquerades only what is not the node\'s own traffic, so VXLAN is never translated', () => {
    expect(text).toContain('oifname "gbe" ip saddr != 192.168.16.1 masquerade');
    expect(text).not.toContain('snat to');
  });

  test('the deliberately broken renderings differ exactly where they should', () => {
    const noReflect = renderNftables(n, ACL, { slots, faults: { noReflectiveRule: true } });
    expect(noReflect).not.toContain('ct mark set');
    expect(renderNftables(n, ACL, { slots, faults: { snatVxlan: true } })).toContain('udp dport 4789 snat to 192.168.30.1');
  });

  test('bad attachments are errors that name the field', () => {
    expect(() => renderNftables(n, { ...ACL, attach: [{ interface: 'tap99', input: [0], output: [] }] }, { slots })).toThrow(/attach\[0\]\.interface: node 1 has no interface 'tap99'/);
    expect(() => renderNftables(n, { ...ACL, attach: [{ interface: 'tap8', input: [7], output: [] }] }, { slots })).toThrow(/no ACL with index 7/);
  });

  test('rule matches follow VPP\'s 5-tuple: ICMP type/code in the port ranges, other protocols have ports 0', () => {
    const r = (x: Partial<Parameters<typeof ruleMatch>[0]>) => ruleMatch({ action: 'permit', proto: 0, sport: [0, 65535], dport: [0, 65535], ...x });
    expect(r({})).toBe('');
    expect(r({ src: '0.0.0.0/0', dst: '10.1.0.0/16' })).toBe('ip daddr 10.1.0.0/16');
    expect(r({ proto: 17, dport: [53, 53] })).toBe('meta l4proto udp th dport 53');
    expect(r({ proto: 6, sport: [1, 2], dport: [80, 90] })).toBe('meta l4proto tcp th sport 1-2 th dport 80-90');
    expect(r({ proto: 1, sport: [8, 8], dport: [0, 65535] })).toBe('meta l4proto icmp icmp type 8');
    expect(r({ proto: 132, dport: [0, 65535] })).toBe('meta l4proto 132');
    expect(r({ proto: 132, dport: [80, 80] })).toBeUndefined();
  });

  test('Contiv\'s rendered ACLs for generated clusters render for every node', () => {
    fc.assert(
      fc.property(clusterArb({ topology: 'varied' }), (cluster) => {
        const rc = renderCluster(cluster);
        const t = adapterTopology(rc.topology);
        const acls = adapterAcls(rc);
        for (const nd of t.nodes) {
          const ifs = resolveAttachments(nd, acls[String(nd.id)]).map((a) => a.ifname);
          const s = allocateSessionSlots(ifs, new Map(), new Set())!;
          expect(renderNftables(nd, acls[String(nd.id)], { slots: s.slots })).toContain('table inet podflow');
        }
      }),
      { seed: 7, numRuns: 60 },
    );
  });
});

describe('session slots', () => {
  test('interfaces keep their slot; one that lost its ACLs retires it, so its old sessions never come back', () => {
    const a = allocateSessionSlots(['x', 'y'], new Map(), new Set())!;
    const b = allocateSessionSlots(['y'], a.slots, a.retired)!;
    expect(b.slots.get('y')).toBe(a.slots.get('y'));
    expect(b.retired.has(a.slots.get('x')!)).toBe(true);
    const c = allocateSessionSlots(['x', 'y'], b.slots, b.retired)!;
    expect(c.slots.get('x')).not.toBe(a.slots.get('x'));
  });

  test('when every slot is used or retired the caller is told (it flushes conntrack and starts over)', () => {
    const many = Array.from({ length: 17 }, (_, i) => `i${i}`);
    expect(allocateSessionSlots(many, new Map(), new Set())).toBeUndefined();
  });
});

describe('command batching', () => {
  test('one -force batch per tool and namespace; only additions may fail', () => {
    const steps = combinedSteps([['ip', '-n', 'A', 'addr', 'del', '1.2.3.4/32', 'dev', 'x']], [['ip', '-n', 'A', 'addr', 'add', '1.2.3.5/32', 'dev', 'x'], ['bridge', '-n', 'A', 'fdb', 'replace', 'aa:bb:cc:dd:ee:ff', 'dev', 'y', 'master', 'static']]);
    expect(steps.map((s) => s.argv)).toEqual([['ip', '-n', 'A', '-force', '-batch', '-'], ['bridge', '-n', 'A', '-force', '-batch', '-']]);
    expect(steps[0]!.input).toBe('addr del 1.2.3.4/32 dev x\naddr add 1.2.3.5/32 dev x\n');
    expect(stepFailure(steps[0]!, 1, 'RTNETLINK answers: Cannot assign\nCommand failed -:1\n')).toBeUndefined();
    expect(stepFailure(steps[0]!, 1, 'Error: x\nCommand failed -:2\n')?.message).toContain('addr add 1.2.3.5/32 dev x');
    // an early exit without a line number (iproute2 exits on some errors) is a failure of the batch
    expect(stepFailure(steps[0]!, 2, 'RTNETLINK answers: No such file or directory\n')).toBeDefined();
  });
});

describe('known divergences', () => {
  test('every entry names a property of the catalogue, a field and a reason', () => {
    const ids = new Set(PROPERTIES.map((p) => p.id));
    expect(KERNEL_KNOWN_DIVERGENCES.length).toBeGreaterThan(0);
    for (const d of KERNEL_KNOWN_DIVERGENCES) {
      expect(ids.has(d.property), d.id).toBe(true);
      expect(d.field.length).toBeGreaterThan(3);
      expect(d.reason.length).toBeGreaterThan(40);
    }
  });

  test('a claim is excused only by an entry of its own property whose facts it carries', () => {
    const port = { code: 'outer-source-port', connection: 'a -> b TCP/53', protocol: 'TCP', point: 'node:146:wire', layer: 'outer udp', field: 'srcPort', expected: '63254', received: '49033' };
    expect(excusingDivergence(KERNEL_KNOWN_DIVERGENCES, 'vxlan-never-source-nated', port)?.id).toBe('vxlan-outer-source-port');
    expect(excusingDivergence(KERNEL_KNOWN_DIVERGENCES, 'vxlan-never-source-nated', { ...port, code: 'outer-source-nated', field: 'src' })).toBeUndefined();
    expect(excusingDivergence(KERNEL_KNOWN_DIVERGENCES, 'vxlan-wire-format', port)).toBeUndefined();
    const reply = { code: 'response-not-delivered', connection: 'a -> b TCP/80', protocol: 'TCP', exchange: 'reply' };
    expect(excusingDivergence(KERNEL_KNOWN_DIVERGENCES, 'response-passes-by-reflective-session', reply)).toBeUndefined();
    expect(excusingDivergence(KERNEL_KNOWN_DIVERGENCES, 'response-passes-by-reflective-session', { ...reply, protocol: 'SCTP' })?.id).toBe('sctp-without-chunks-untracked');
  });
});

describe('Services, host and outside (docs/datapath.md §16.2, §17)', () => {
  const node: AdapterNode = { ...TOPO.nodes[0]!, gateway: { ip: '192.168.16.254', mac: '08:00:27:02:a5:36' }, host: { ip: '172.30.1.2/24', mac: '3e:1b:70:2d:4d:51', addresses: ['10.20.0.2'] } };
  const topo: AdapterTopology = { ...TOPO, nodes: [node, ...TOPO.nodes.slice(1)] };
  const svc = {
    twiceNatPool: '10.1.1.254',
    inInterfaces: ['tap8'],
    mappings: [
      { service: 'default/web', protocol: 'TCP' as const, external: { ip: '10.96.0.10', port: 80 }, locals: [{ ip: '10.1.1.12', port: 8080, probability: 2 }, { ip: '10.1.2.2', port: 8080, probability: 1 }] },
      { service: 'default/dns', protocol: 'UDP' as const, external: { ip: '192.168.16.1', port: 30053 }, locals: [{ ip: '10.1.2.2', port: 53, probability: 0 }] },
    ],
  };

  test('a mapping is DNAT over its locals by weight (a sole local: plain DNAT), self-access is source-NATed to the pool', () => {
    const r = serviceRules(node, svc);
    expect(r.prerouting).toEqual([
      'ip daddr 10.96.0.10 tcp dport 80 dnat to numgen random mod 3 map { 0 : 10.1.1.12 . 8080, 1 : 10.1.1.12 . 8080, 2 : 10.1.2.2 . 8080 } comment "default/web"',
      'ip daddr 192.168.16.1 udp dport 30053 dnat to 10.1.2.2:53 comment "default/dns"',
    ]);
    expect(r.postrouting).toEqual(['ct status dnat ip saddr 10.1.1.12 ip daddr 10.1.1.12 snat to 10.1.1.254 comment "self-twice-NAT"', 'ct status dnat ip saddr 10.1.2.2 ip daddr 10.1.2.2 snat to 10.1.1.254 comment "self-twice-NAT"']);
    const text = renderNftables(node, undefined, { slots: new Map(), services: svc });
    expect(text.indexOf('self-twice-NAT')).toBeLessThan(text.indexOf('masquerade'));
    expect(text).toContain('type nat hook prerouting priority dstnat;');
    expect(renderNftables(node, undefined, { slots: new Map() })).not.toContain('prerouting');
  });

  test('refuses a bad service configuration, naming the field', () => {
    expect(() => serviceRules(node, { ...svc, twiceNatPool: 'x' })).toThrow(/services.1.twiceNatPool: 'x'/);
    expect(() => serviceRules(node, { ...svc, mappings: [{ ...svc.mappings[0]!, locals: [] }] })).toThrow(/mappings\[0\].locals: a mapping needs at least one local/);
    expect(() => serviceRules(node, { ...svc, mappings: [{ ...svc.mappings[0]!, external: { ip: '10.96.0.10', port: 70000 } }] })).toThrow(/mappings\[0\].external.port: 70000/);
    expect(() => serviceRules(node, { ...svc, mappings: [{ ...svc.mappings[0]!, locals: [{ ip: '10.1.1.12', port: 1, probability: -1 }, svc.mappings[0]!.locals[1]!] }] })).toThrow(/locals\[0\].probability: -1/);
  });

  test('tap0 accepts frames to Contiv\'s MAC and sends with it; a host namespace behind it; the default route via the gateway', () => {
    const text = renderNftables(node, undefined, { slots: new Map() });
    expect(text).toContain('ether daddr 01:23:45:67:89:42 meta pkttype set host');
    expect(text).toContain('ether saddr set 01:23:45:67:89:42');
    const names = namespaceNames('pf-1-abc-');
    const cmds = renderNetns(topo, 'pf-1-abc-');
    const [N, H] = [names.node(0), names.host(0)];
    expect(cmds).toContainEqual(['ip', '-n', N, 'link', 'add', 'name', 'tap0', 'type', 'veth', 'peer', 'name', 'vpp1', 'netns', H]);
    expect(cmds).toContainEqual(['ip', '-n', N, 'addr', 'add', '172.30.1.1/32', 'dev', 'tap0']);
    expect(cmds).toContainEqual(['ip', '-n', N, 'neigh', 'replace', '172.30.1.2', 'lladdr', '3e:1b:70:2d:4d:51', 'dev', 'tap0', 'nud', 'permanent']);
    expect(cmds).toContainEqual(['ip', '-n', N, 'route', 'replace', '10.20.0.2/32', 'via', '172.30.1.2', 'dev', 'tap0']);
    expect(cmds).toContainEqual(['ip', '-n', H, 'addr', 'add', '172.30.1.2/24', 'dev', 'vpp1']);
    expect(cmds).toContainEqual(['ip', '-n', N, 'route', 'replace', 'default', 'via', '192.168.16.254', 'dev', 'gbe', 'onlink']);
    expect(cmds).toContainEqual(['ip', '-n', N, 'neigh', 'replace', '192.168.16.254', 'lladdr', '08:00:27:02:a5:36', 'dev', 'gbe', 'nud', 'permanent']);
    // without a gateway the default stays a blackhole, and removing one brings it back
    const without = netObjects(TOPO, names);
    const diff = renderNetnsDiff(netObjects(topo, names), without);
    expect(diff.del).toContainEqual(['ip', '-n', N, 'route', 'replace', 'blackhole', 'default']);
    expect(() => validateTopology({ ...TOPO, nodes: [{ ...node, gateway: { ip: '192.168.16.254', mac: 'nope' } }] })).toThrow(/topology.nodes\[0\].gateway.mac 'nope'/);
  });
});
