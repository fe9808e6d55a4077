// contiv/vpp's ipam_test.go expectations (facts in test/fixtures/contiv-peer/ipam_test.json), reproduced with
// podflow's IPAM: per-node formulas with unusual prefix lengths, allocation order, pool sizes, ID truncation,
// excluded interconnect addresses.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ip4, ip4ToString } from '../../src/packet/index.ts';
import { cidrToString, hostInterconnect, makeIpam, nodeIp, nodePodNetwork, podGatewayIp, PodIpAllocator, vxlanBviIp, type IpamConfig } from '../../src/reference/topology/ipam.ts';

interface Fixture {
  tests: { name: string; input: { nodeID: number; config?: Record<string, string | number>; variants?: Record<string, string | number>[]; otherNodeID?: number; nodeInterconnectExcludedIPs?: string[]; queryNodeIDs?: number[] }; expected: Record<string, unknown> }[];
}
const FIXTURE = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'contiv-peer', 'ipam_test.json'), 'utf8')) as Fixture;
const byName = (n: string) => FIXTURE.tests.find((t) => t.name === n)!;

function config(c: Record<string, string | number>, excluded: string[] = []): Partial<IpamConfig> {
  return {
    podSubnetCidr: String(c.PodSubnetCIDR),
    podNetworkPrefixLen: Number(c.PodNetworkPrefixLen),
    podIfIpCidr: String(c.PodIfIPCIDR),
    vppHostSubnetCidr: String(c.VPPHostSubnetCIDR),
    vppHostNetworkPrefixLen: Number(c.VPPHostNetworkPrefixLen),
    nodeInterconnectCidr: String(c.NodeInterconnectCIDR),
    vxlanCidr: String(c.VxlanCIDR),
    nodeInterconnectExcludedIps: excluded,
  };
}

describe('contiv ipam_test.go expectations', () => {
  test('TestStaticGetters: pod network, gateway and host network of node 161', () => {
    const t = byName('TestStaticGetters');
    const ipam = makeIpam(config(t.input.config!));
    expect(cidrToString(ipam.podSubnet)).toBe(t.expected.podSubnet);
    expect(cidrToString(nodePodNetwork(ipam, 161))).toBe(t.expected.podNetwork);
    expect(cidrToString(hostInterconnect(ipam, 161).network)).toBe(t.expected.vppHostNetwork);
    const d = t.expected.derived as Record<string, string>;
    expect(ip4ToString(podGatewayIp(ipam, 161))).toBe(d.podGatewayIP);
    expect(ip4ToString(hostInterconnect(ipam, 161).vppEnd)).toBe(d.vethVPPEndIP);
  });

  test('TestDynamicGetters: another node\'s addresses, ID bits truncated to the field width', () => {
    const t = byName('TestDynamicGetters');
    const ipam = makeIpam(config(t.input.config!));
    const other = t.input.otherNodeID!;
    expect(ip4ToString(nodeIp(ipam, other).network)).toBe(t.expected.nodeIPAddress);
    expect(`${ip4ToString(vxlanBviIp(ipam, other).network)}/${vxlanBviIp(ipam, other).prefixLen}`).toBe(t.expected.vxlanIPWithPrefix);
    expect(cidrToString(nodePodNetwork(ipam, other))).toBe(t.expected.otherNodePodNetwork);
    expect(cidrToString(hostInterconnect(ipam, other).network)).toBe(t.expected.otherNodeVPPHostNetwork);
  });

  test('TestAssigniningIncrementalIPs: first pod IP is network + 2, then incremental', () => {
    const t = byName('TestAssigniningIncrementalIPs');
    const a = new PodIpAllocator(makeIpam(config(t.input.config!)), 161);
    const steps = t.expected.steps as { ip?: string }[];
    expect(ip4ToString(a.next())).toBe(steps[0]!.ip);
    expect(ip4ToString(a.next())).toBe(steps[1]!.ip);
  });

  test.each(['TestDistinctAllocations', 'Test8bitPodIPPoolSize', 'TestBiggerThan8bitPodIPPoolSize'])('%s: pool size and exhaustion', (name) => {
    const t = byName(name);
    const a = new PodIpAllocator(makeIpam(config(t.input.config!)), 161);
    const got = new Set<number>();
    for (let i = 0; i < (t.expected.poolSize as number); i++) got.add(a.next());
    expect(got.size).toBe(t.expected.poolSize);
    expect(() => a.next()).toThrow(/no pod IP left/);
    if (t.expected.podNetwork) expect(cidrToString(nodePodNetwork(makeIpam(config(t.input.config!)), 161))).toBe(t.expected.podNetwork);
  });

  test('TestReleaseOfSomeIPAddresses: released addresses come back in order after the wrap', () => {
    const t = byName('TestReleaseOfSomeIPAddresses');
    const a = new PodIpAllocator(makeIpam(config(t.input.config!)), 161);
    const all = [a.next(), a.next(), a.next(), a.next()];
    for (const ip of t.expected.reallocatedFrom as string[]) a.release(ip4(ip));
    expect([a.next(), a.next()].map(ip4ToString)).toEqual(t.expected.derivedOrder);
    expect(() => a.next()).toThrow();
    expect(all).toHaveLength(4);
  });

  test('TestHostIDtrimming: node 161 in 5 ID bits', () => {
    const t = byName('TestHostIDtrimming');
    expect(cidrToString(nodePodNetwork(makeIpam(config(t.input.config!)), 161))).toBe(t.expected.podNetwork);
  });

  test.each(['TestConfigWithBadCIDR', 'TestConfigWithBadPrefixSizes'])('%s: every variant is rejected', (name) => {
    for (const v of byName(name).input.variants!) expect(() => makeIpam(config(v))).toThrow(RangeError);
  });

  test('TestExcludeGateway: excluded addresses are skipped (sorted first, as ipam.go does)', () => {
    const t = byName('TestExcludeGateway');
    const ipam = makeIpam(config(t.input.config!, t.input.nodeInterconnectExcludedIPs));
    const got = Object.fromEntries(t.input.queryNodeIDs!.map((id) => [String(id), ip4ToString(nodeIp(ipam, id).network)]));
    expect(got).toEqual((t.expected.derived as { nodeIPAddress: Record<string, string> }).nodeIPAddress);
    for (const ip of Object.values(got)) expect(t.expected.nodeIPsNotIn).not.toContain(ip);
  });
});
