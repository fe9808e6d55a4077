// The counterexample picture: the seed's SYN and SYN-ACK (examples/seed-pod-to-pod-different-nodes.json through
// the model) drawn through both nodes' features in the order of the VPP nodes they visited; deterministic, XML,
// and a marked failure when given one.
import { describe, expect, test } from 'vitest';
import { hopFeatures, pathFeatures, qualifiedNodes, twoNodePathSvg, type FeatureId, type PathHop, type TwoNodePathInput } from '../../../src/cli/report/svg.ts';
import { simulate } from '../../../src/reference/simulate.ts';
import { loadExample } from '../../support/scenarios.ts';
import { markupProblems } from './wellformed.ts';

const seed = simulate(loadExample('seed-pod-to-pod-different-nodes.json'));
const hops = (i: number): PathHop[] => seed.packets[i]!.traces.map((t) => ({ nodeId: t.nodeId, nodes: qualifiedNodes(t.records) }));
const syn = hops(0);
const synAck = hops(1);

const input: TwoNodePathInput = {
  nodes: [
    { id: 1, name: 'k8s-master', ip: '192.168.16.1', gbe: 'GigabitEthernet0/8/0', pods: [{ name: 'client', ip: '10.1.1.12', tap: 'tap11', role: 'client' }] },
    { id: 2, name: 'k8s-worker1', ip: '192.168.16.2', gbe: 'GigabitEthernet0/8/0', pods: [{ name: 'server', ip: '10.1.2.13', tap: 'tap12', role: 'server' }] },
  ],
  requestPath: syn,
  responsePath: synAck,
  title: 'SYN 10.1.1.12:60996 -> 10.1.2.13:8080',
};

function dedup(xs: FeatureId[]): FeatureId[] {
  return xs.filter((x, i) => x !== xs[i - 1]);
}

function visited(svg: string, node: number): string[] {
  const group = new RegExp(`<g class="features" data-node="${node}">([\\s\\S]*?)\\n</g>`).exec(svg)![1]!;
  return [...group.matchAll(/<g class="feature visited" data-feature="([a-z0-9-]+)"/g)].map((m) => m[1]!);
}

describe('path features', () => {
  test("the SYN visits the seed's features in order on both nodes, with the seed steps", () => {
    const [a, b] = pathFeatures(syn, 'request');
    expect(dedup(a!.map((s) => s.feature))).toEqual(['tap', 'tap-acl-in', 'nat-out2in', 'vrf', 'loop0-acl-out', 'loop0', 'bd', 'loop0-acl-in', 'bd', 'vxlan', 'gbe-acl-out', 'nat-in2out-output', 'gbe']);
    expect(dedup(b!.map((s) => s.feature))).toEqual(['gbe', 'gbe-acl-in', 'gbe-nat-out2in', 'vxlan', 'bd', 'loop0', 'loop0-acl-in', 'nat-in2out', 'vrf', 'tap-acl-out', 'tap']);
    const stepOf = (steps: typeof a, node: string, k = 0): string | undefined => steps!.filter((s) => s.vppNode.split('@')[0] === node)[k]?.seedStep;
    expect(stepOf(a, 'acl-plugin-out-ip4-fa')).toBe('q3');
    expect(stepOf(a, 'vxlan4-encap')).toBe('q8');
    expect(stepOf(a, 'acl-plugin-out-ip4-fa', 1)).toBe('q10');
    expect(stepOf(a, 'nat44-in2out-output')).toBe('q11');
    expect(stepOf(b, 'dpdk-input')).toBe('q12');
    expect(stepOf(b, 'acl-plugin-in-ip4-fa')).toBe('q13');
    expect(stepOf(b, 'nat44-out2in')).toBe('q14');
    expect(stepOf(b, 'acl-plugin-in-ip4-fa', 1)).toBe('q16');
    expect(stepOf(b, 'nat44-in2out')).toBe('q17');
    expect(stepOf(b, 'acl-plugin-out-ip4-fa')).toBe('q18');
  });

  test('the SYN-ACK mirrors it (response steps)', () => {
    const [b, a] = pathFeatures(synAck, 'response');
    expect(dedup(b!.map((s) => s.feature))).toEqual(['tap', 'tap-acl-in', 'nat-in2out', 'vrf', 'loop0-acl-out', 'loop0', 'bd', 'loop0-acl-in', 'bd', 'vxlan', 'gbe-acl-out', 'nat-in2out-output', 'gbe']);
    expect(dedup(a!.map((s) => s.feature))).toEqual(['gbe', 'gbe-acl-in', 'gbe-nat-out2in', 'vxlan', 'bd', 'loop0', 'loop0-acl-in', 'nat-in2out', 'vrf', 'tap-acl-out', 'tap']);
    expect(b!.find((s) => s.vppNode === 'acl-plugin-out-ip4-fa@loop0')?.seedStep).toBe('r3');
    expect(a!.find((s) => s.vppNode === 'acl-plugin-out-ip4-fa@tap')?.seedStep).toBe('r11');
  });

  test('without records, the interface of an ACL node comes from the nodes around it, or from an @ qualifier', () => {
    const f = (nodes: string[]): FeatureId[] => hopFeatures({ nodeId: 1, nodes }).map((s) => s.feature);
    expect(f(['virtio-input', 'acl-plugin-in-ip4-fa', 'ip4-lookup', 'ip4-rewrite', 'acl-plugin-out-ip4-fa', 'tap3-output'])).toEqual(['tap', 'tap-acl-in', 'vrf', 'vrf', 'tap-acl-out', 'tap']);
    expect(f(['dpdk-input', 'ip4-input', 'acl-plugin-in-ip4-fa', 'nat44-out2in'])).toEqual(['gbe', 'gbe', 'gbe-acl-in', 'gbe-nat-out2in']);
    expect(f(['acl-plugin-in-ip4-fa@gbe', 'acl-plugin-out-ip4-fa@loop0', 'acl-plugin-out-ip4-fa@GigabitEthernet0/8/0'])).toEqual(['gbe-acl-in', 'loop0-acl-out', 'gbe-acl-out']);
  });
});

describe('twoNodePathSvg', () => {
  test('is deterministic and well-formed XML', () => {
    const a = twoNodePathSvg(input);
    expect(twoNodePathSvg({ ...input, nodes: input.nodes.map((n) => ({ ...n })) })).toBe(a);
    expect(a.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(markupProblems(a, 'xml')).toEqual([]);
    expect(a).not.toMatch(/<script|href=|xlink|url\(/);
  });

  test("draws both nodes with the seed diagram's features and both paths through them", () => {
    const svg = twoNodePathSvg(input);
    for (const label of ['Ingress ACL', 'Egress ACL', 'NAT44 OUT-to-IN', 'NAT44 IN-to-OUT', 'NAT44 IN-to-OUT-OUTPUT', 'loop0 (BVI)', 'BD1', 'VXLAN tunnels', 'VRF 0 routing', 'GigabitEthernet0/8/0', 'tap11', 'tap12', 'network', 'node 1 k8s-master', 'node 2 k8s-worker1']) {
      expect(svg).toContain(`>${label}`);
    }
    expect(svg.match(/<polyline class="path-request"/g)).toHaveLength(1);
    expect(svg).toMatch(/<polyline class="path-response"[^>]*stroke-dasharray/);
    expect(svg).not.toMatch(/<polyline class="path-request"[^>]*stroke-dasharray/);
    // every feature of the diagram is on the SYN's or the SYN-ACK's way on both nodes, except DNAT on the server's
    const all = ['pod', 'tap', 'tap-acl-in', 'tap-acl-out', 'nat-out2in', 'nat-in2out', 'vrf', 'loop0', 'loop0-acl-out', 'loop0-acl-in', 'bd', 'vxlan', 'gbe', 'gbe-acl-in', 'gbe-acl-out', 'gbe-nat-out2in', 'nat-in2out-output'];
    expect(visited(svg, 1).sort()).toEqual([...all].sort());
    expect(visited(svg, 2).sort()).toEqual(all.filter((f) => f !== 'nat-out2in').sort());
    expect(svg).not.toContain('class="failure"');
  });

  test('marks the failure: by position in a path, or by VPP node name', () => {
    const at = twoNodePathSvg({ ...input, failure: { nodeId: 1, path: 'request', hop: 0, index: syn[0]!.nodes.indexOf('vxlan4-encap'), vppNode: 'vxlan4-encap', label: 'vni: expected 10, received 11' } });
    expect(at).toMatch(/<g class="failure" data-feature="vxlan" data-node="1" data-vpp-node="vxlan4-encap">/);
    expect(at).toContain('vni: expected 10, received 11');
    expect(markupProblems(at, 'xml')).toEqual([]);
    const byName = twoNodePathSvg({ ...input, failure: { nodeId: 2, vppNode: 'nat44-out2in', kind: 'dropped', label: 'nat44-out2in: <no session> & "quotes"' } });
    expect(byName).toMatch(/<g class="failure" data-feature="gbe-nat-out2in" data-node="2"/);
    expect(byName).toContain('dropped here');
    expect(byName).toContain('&lt;no session&gt; &amp; &quot;quotes&quot;');
    expect(markupProblems(byName, 'xml')).toEqual([]);
  });

  test('one node (a same-node connection) and a dropped request draw too', () => {
    const svg = twoNodePathSvg({ nodes: [{ id: 1 }], requestPath: [{ nodeId: 1, nodes: ['virtio-input', 'acl-plugin-in-ip4-fa', 'error-drop'] }], responsePath: [] });
    expect(svg).toContain('class="drop drop-request"');
    expect(markupProblems(svg, 'xml')).toEqual([]);
  });
});

describe('the well-formedness check itself', () => {
  test.each([
    ['<a><b></a>', 'xml'],
    ['<a>&</a>', 'xml'],
    ['<a x=1></a>', 'xml'],
    ['<a></a><b></b>', 'xml'],
    ['<a><b id="x"/><c id="x"/></a>', 'xml'],
    ['<!DOCTYPE html><html><body><p></body></html>', 'html'],
  ] as const)('%s is not well-formed', (doc, mode) => {
    expect(markupProblems(doc, mode)).not.toEqual([]);
  });
});
