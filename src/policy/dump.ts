// Contiv node IDs for a kubectl dump. Contiv keeps its node IDs in its own store (docs/datapath.md §2.2), so a dump of
// the Kubernetes API does not carry them; but it carries the addresses Contiv derived from them: with the defaults
// a node's pods have IPs in 10.1.<id>.0/24 and its InternalIP is 192.168.16.<id> (§2.3). Numbering the nodes in
// the order kubectl lists them (alphabetical) would put every pod outside its node's pod subnet whenever that order
// is not the order the nodes joined. `spec.podCIDR` is not used: Contiv's IPAM does not read it.
import { ip4, ip4ToString } from '../packet/index.ts';
import { cidrToString, makeIpam, maskOf, nodeIp, nodePodNetwork, type Ipam } from '../reference/topology/ipam.ts';
import { nodeIds } from './contiv/render.ts';
import type { Cluster } from './types.ts';
import { NODE_ID_ANNOTATION, type ClusterDump } from './yaml.ts';

/** Highest node ID (Contiv allocates a uint8). */
const MAX_NODE_ID = 255;

/**
 * The cluster of a dump with a Contiv node ID for every node, and per node where its ID comes from: the
 * annotation when pinned; else the pod subnet its pods' IPs lie in; else its InternalIP inside the node
 * interconnect network; else the smallest unused ID (as for any cluster). An ID another node already holds is not
 * taken twice: that node's pods then fall outside its pod subnet, which the rendering reports as an input error.
 */
export function dumpNodeIds(dump: ClusterDump): { cluster: Cluster; origins: Map<string, string> } {
  const cluster = dump.cluster;
  const origins = new Map<string, string>();
  let ipam: Ipam;
  try {
    ipam = makeIpam(cluster.ipam ?? {});
  } catch {
    // A bad IPAM is reported by the rendering; there is nothing to infer from.
    return { cluster, origins };
  }
  const used = new Set<number>();
  const ids = new Map<string, number>();
  for (const n of cluster.nodes) {
    if (n.id === undefined) continue;
    used.add(n.id);
    origins.set(n.name, `annotation ${NODE_ID_ANNOTATION}`);
  }
  const claim = (name: string, id: number | undefined, origin: string): void => {
    if (id === undefined || id < 1 || id > MAX_NODE_ID || used.has(id) || ids.has(name) || origins.has(name)) return;
    used.add(id);
    ids.set(name, id);
    origins.set(name, origin);
  };
  const subnet = ipam.podSubnet;
  const hostBits = 32 - ipam.config.podNetworkPrefixLen;
  for (const n of cluster.nodes) {
    const pod = cluster.pods.find((p) => p.nodeName === n.name && p.ip !== undefined && ((ip4(p.ip) & maskOf(subnet.prefixLen)) >>> 0) === subnet.network);
    if (!pod) continue;
    const id = Math.floor((ip4(pod.ip!) - subnet.network) / 2 ** hostBits);
    // nodePodNetwork maps the ID back: with fields narrower than 8 bits an ID above the field would alias.
    if (nodePodNetwork(ipam, id).network !== (((ip4(pod.ip!) >>> hostBits) * 2 ** hostBits) >>> 0)) continue;
    claim(n.name, id, `its pods' IPs are in ${cidrToString(nodePodNetwork(ipam, id))}`);
  }
  const interconnect = ipam.nodeInterconnect;
  for (const n of cluster.nodes) {
    const address = dump.nodeAddresses.get(n.name);
    if (address === undefined) continue;
    const ip = ip4(address);
    if (((ip & maskOf(interconnect.prefixLen)) >>> 0) !== interconnect.network) continue;
    const id = ip - interconnect.network;
    if (id < 1 || id > MAX_NODE_ID || nodeIp(ipam, id).network !== ip) continue;
    claim(n.name, id, `its InternalIP ${ip4ToString(ip)} is node IP ${id} of ${cidrToString(interconnect)}`);
  }
  const out: Cluster = { ...cluster, nodes: cluster.nodes.map((n) => (n.id === undefined && ids.has(n.name) ? { ...n, id: ids.get(n.name)! } : n)) };
  for (const [name] of nodeIds(out)) if (!origins.has(name)) origins.set(name, 'smallest unused (no pod IP or InternalIP names one)');
  return { cluster: out, origins };
}
