// A pod with an ingress policy still accepts its node's NAT loopback address 10.1.<id>.254: the source a
// service's SNAT gives a pod reaching itself through the service (docs/datapath.md §10.5, D7). The probe is sent in
// from the node's wire with that source, to each pod of the case.
import { encodePacket, ip4ToString, mac } from '../packet/index.ts';
import { clusterCaseArb, configureCase, type ClusterCase } from './harness.ts';
import { delivered } from './common.ts';
import { claim, verdictOf, type Claim, type ClaimMessages, type PropertyDef } from './types.ts';

const CLAIMS: ClaimMessages = {
  'loopback-not-delivered': (c) => `${c.connection}: a SYN from the node's NAT loopback address was not delivered`,
};

export const natLoopbackReachesIsolatedPods: PropertyDef<ClusterCase> = {
  id: 'nat-loopback-reaches-isolated-pods',
  description: "every pod, isolated or not, accepts traffic from its node's NAT loopback address",
  seedSteps: ['§10.5', 'D7'],
  claims: CLAIMS,
  arbitrary: () => clusterCaseArb(),
  async check(c, adapter) {
    const { given: configured } = await configureCase(c.cluster, adapter);
    let packet = 0;
    const claims: Claim[] = [];
    for (const node of configured.topology.nodes) {
      for (const pod of node.pods) {
        await adapter.reset();
        const frame = encodePacket([
          { kind: 'ethernet', dst: node.gbe.mac!, src: mac('02:00:00:00:00:fe') },
          { kind: 'ipv4', src: node.natLoopback, dst: pod.ip, ttl: 64 },
          { kind: 'tcp', srcPort: 33000, dstPort: 8080, flags: 0x02 },
        ]);
        const obs = await adapter.inject([{ packet: packet++, at: packet * 0.001, from: { node: node.id, wire: true }, frame }]);
        if (!delivered(obs, pod.name)) {
          claims.push(claim(CLAIMS, { code: 'loopback-not-delivered', connection: `${ip4ToString(node.natLoopback)} -> ${pod.name} TCP/8080`, protocol: 'TCP', exchange: 'request', packet: packet - 1, point: `pod:${pod.name}:rx`, layer: 'delivery', expected: 'delivered', received: 'not delivered' }));
        }
      }
    }
    return verdictOf(claims);
  },
};
