// From the model's topology to the plain, fully resolved topology every adapter receives.
import { ip4ToString, macToString } from '../packet/index.ts';
import type { AdapterServiceConfig, AdapterTopology } from '../adapters/adapter.ts';
import type { NodeServices } from '../reference/services.ts';
import { VXLAN_VNI, POD_MAC, type Topology } from '../reference/topology/topology.ts';
import { rememberModelTopology } from '../reference/known-config.ts';
import { derivedNeighbourMac } from '../reference/topology/neighbours.ts';

export function adapterTopology(t: Topology): AdapterTopology {
  const c = t.ipam.config;
  const out: AdapterTopology = {
    ipam: { podSubnetCidr: c.podSubnetCidr, podNetworkPrefixLen: c.podNetworkPrefixLen, nodeInterconnectCidr: c.nodeInterconnectCidr, vxlanCidr: c.vxlanCidr },
    nodes: t.nodes.map((n) => ({
      id: n.id,
      name: n.name,
      nodeIp: `${ip4ToString(n.ip.network)}/${n.ip.prefixLen}`,
      gbe: { name: n.gbe.name, mac: macToString(n.gbe.mac!) },
      bvi: { ip: `${ip4ToString(n.bviIp.network)}/${n.bviIp.prefixLen}`, mac: macToString(n.bviMac) },
      vni: VXLAN_VNI,
      podSubnet: `${ip4ToString(n.podNetwork.network)}/${n.podNetwork.prefixLen}`,
      pods: n.pods.map((p) => ({ name: p.name, ip: ip4ToString(p.ip), mac: macToString(POD_MAC), tap: { name: p.tap.name, mac: macToString(p.tap.mac!), ...(p.tap.addresses[0] ? { ip: ip4ToString(p.tap.addresses[0].network) } : {}) }, gateway: ip4ToString(n.gateway) })),
      // the host stack and the default gateway (docs/datapath.md §17.1, §17.4), when the node has them
      ...(n.hostMac !== undefined || n.hostIps.length > 0 ? { host: { ip: `${ip4ToString(n.hostEnd)}/${n.tap0.addresses[0]!.prefixLen}`, mac: macToString(n.hostMac ?? derivedNeighbourMac(n.id, n.hostEnd)), addresses: n.hostIps.map(ip4ToString) } } : {}),
      ...(n.defaultGateway ? { gateway: { ip: ip4ToString(n.defaultGateway.ip), mac: macToString(n.defaultGateway.mac) } } : {}),
    })),
  };
  // The reference adapter need not build the topology again (known-config.ts), unless a pod is a service endpoint
  // (the NAT inside role): the plain form does not carry that.
  if (t.nodes.every((n) => n.pods.every((p) => !p.serviceEndpoint))) rememberModelTopology(out, t);
  return out;
}

/**
 * Contiv's rendering of Services (renderServices) in the adapters' plain form: per node its mappings, its twice-NAT
 * pool and the TAPs of its backend pods, which become NAT44 `in` (docs/datapath.md §16.2; tap0 and loop0 are
 * `in` + `out` in every node's base configuration, §3.2).
 */
export function adapterServiceConfig(rendered: ReadonlyMap<number, NodeServices>, t: Topology): AdapterServiceConfig {
  const out: AdapterServiceConfig = {};
  for (const [id, n] of rendered) {
    out[String(id)] = {
      mappings: n.mappings.map((m) => ({
        service: m.service,
        protocol: m.proto === 6 ? 'TCP' : 'UDP',
        external: { ip: ip4ToString(m.external), port: m.externalPort },
        locals: m.locals.map((l) => ({ ip: ip4ToString(l.addr), port: l.port, probability: l.probability })),
      })),
      twiceNatPool: ip4ToString(n.twiceNatPool),
      inInterfaces: n.backendPods.map((p) => t.podByName.get(p)!.tap.name),
    };
  }
  return out;
}
