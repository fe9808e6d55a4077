// From the model's topology to the plain, fully resolved topology every adapter receives.
import { ip4ToString, macToString } from '../packet/index.ts';
import type { AdapterTopology } from '../adapters/adapter.ts';
import { MODEL_TOPOLOGY, VXLAN_VNI, POD_MAC, type Topology } from '../reference/topology/topology.ts';

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
    })),
  };
  Object.defineProperty(out, MODEL_TOPOLOGY, { value: t, enumerable: false });
  return out;
}
