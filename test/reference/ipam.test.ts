// Contiv IPAM formulas (docs/datapath.md §2.2–§2.3), with the facts of contiv/vpp's ipam_test.go
// (TestStaticGetters, TestAssigniningIncrementalIPs, Test8bitPodIPPoolSize, TestHostIDtrimming, TestExcludeGateway).
import { describe, expect, test } from 'vitest';
import { ip4, ip4ToString, macToString } from '../../src/packet/index.ts';
import { bviMac, cidrToString, hostInterconnect, makeIpam, natLoopbackIp, nodeIp, nodePodNetwork, podGatewayIp, podVppIfIp, PodIpAllocator, vxlanBviIp } from '../../src/reference/topology/ipam.ts';

describe('IPAM defaults', () => {
  const ipam = makeIpam();
  test('per-node addresses of node 1 and node 2 as the seed shows them', () => {
    expect(cidrToString(nodePodNetwork(ipam, 1))).toBe('10.1.1.0/24');
    expect(ip4ToString(podGatewayIp(ipam, 2))).toBe('10.1.2.1');
    expect(ip4ToString(natLoopbackIp(ipam, 1))).toBe('10.1.1.254');
    expect(cidrToString(nodeIp(ipam, 2))).toBe('192.168.16.2/24');
    expect(cidrToString(vxlanBviIp(ipam, 1))).toBe('192.168.30.1/24');
    expect(macToString(bviMac(1))).toBe('1a:2b:3c:4d:5e:01');
    expect(macToString(bviMac(10))).toBe('1a:2b:3c:4d:5e:0a');
    expect(macToString(bviMac(18))).toBe('1a:2b:3c:4d:5e:12');
    const h = hostInterconnect(ipam, 3);
    expect([cidrToString(h.network), ip4ToString(h.vppEnd), ip4ToString(h.hostEnd)]).toEqual(['172.30.3.0/24', '172.30.3.1', '172.30.3.2']);
    expect(ip4ToString(podVppIfIp(ipam, ip4('10.1.1.12')))).toBe('10.2.1.12');
  });

  test('the first pod gets .2, then .3; a /24 holds 252 pod IPs (2..253); released addresses come back only after a wrap', () => {
    const a = new PodIpAllocator(ipam, 1);
    expect(ip4ToString(a.next())).toBe('10.1.1.2');
    expect(ip4ToString(a.next())).toBe('10.1.1.3');
    a.release(ip4('10.1.1.2'));
    const rest: number[] = [];
    for (let i = 0; i < 250; i++) rest.push(a.next());
    expect(ip4ToString(rest[0]!)).toBe('10.1.1.4');
    expect(ip4ToString(rest[249]!)).toBe('10.1.1.253');
    expect(ip4ToString(a.next())).toBe('10.1.1.2'); // the wrap
    expect(() => a.next()).toThrow(/no pod IP left in 10\.1\.1\.0\/24 \(252 addresses\)/);
  });
});

describe('IPAM variations', () => {
  test('node IDs alias silently in narrower fields (host ID trimming)', () => {
    const ipam = makeIpam({ podSubnetCidr: '10.1.0.0/16', podNetworkPrefixLen: 20 });
    // 4 bits for the node ID: 17 & 0xf = 1
    expect(cidrToString(nodePodNetwork(ipam, 17))).toBe(cidrToString(nodePodNetwork(ipam, 1)));
    expect(cidrToString(nodePodNetwork(ipam, 2))).toBe('10.1.32.0/20');
  });

  test('excluded interconnect IPs shift node IPs', () => {
    const ipam = makeIpam({ nodeInterconnectExcludedIps: ['192.168.16.1', '192.168.16.3'] });
    expect(ip4ToString(nodeIp(ipam, 1).network)).toBe('192.168.16.2');
    expect(ip4ToString(nodeIp(ipam, 2).network)).toBe('192.168.16.4');
  });

  test('a /25 pod network: gateway .1, NAT loopback .126, pod IPs 2..125', () => {
    const ipam = makeIpam({ podNetworkPrefixLen: 25 });
    expect(cidrToString(nodePodNetwork(ipam, 3))).toBe('10.1.1.128/25');
    expect(ip4ToString(natLoopbackIp(ipam, 3))).toBe('10.1.1.254');
    const a = new PodIpAllocator(ipam, 0);
    expect(a.maxSeq).toBe(125);
  });

  test('bad configuration is reported with the field', () => {
    expect(() => makeIpam({ podSubnetCidr: '10.1.0.0' })).toThrow(/ipam.podSubnetCidr: '10.1.0.0' is not an IPv4 CIDR/);
    expect(() => makeIpam({ podNetworkPrefixLen: 12 })).toThrow(/ipam.podNetworkPrefixLen/);
    expect(() => makeIpam({ nodeInterconnectExcludedIps: ['x'] })).toThrow(/nodeInterconnectExcludedIps\[0\]/);
  });
});
