// Neighbours a scenario states already resolved on a node (issue #14, item 5): the host end of the host
// interconnect (tap0) or any next hop on a node's subnets, as Contiv's static ARP entries resolve them (docs/datapath.md
// §2.5). Without them a packet to such an address waits for ARP at ip4-arp and the model drops it there. Each entry
// becomes a static neighbour of the named interface (state/vpp.ts configureNode).
import { ip4, ip4ToString, mac } from '../../packet/index.ts';
import type { ResolvedNeighbourSpec } from '../scenario.ts';
import type { Cidr } from './ipam.ts';

export interface ResolvedNeighbour {
  swIfIndex: number;
  ip: number;
  mac: number;
}

/** The interfaces of a node that have a subnet (pod TAPs have a /32, tunnels none). */
interface SubnetInterface {
  name: string;
  swIfIndex: number;
  addresses: Cidr[];
}

const inSubnet = (ip: number, a: Cidr): boolean => {
  const size = 2 ** (32 - a.prefixLen);
  return Math.floor(ip / size) === Math.floor(a.network / size);
};

const subnetText = (a: Cidr): string => {
  const size = 2 ** (32 - a.prefixLen);
  return `${ip4ToString(Math.floor(a.network / size) * size)}/${a.prefixLen}`;
};

/** Default MAC of a stated neighbour: locally administered `02:00:` and a hash of node and IP (stable, reviewable). */
export function derivedNeighbourMac(nodeId: number, ip: number): number {
  let h = 0x811c9dc5;
  for (const ch of `neighbour:${nodeId}:${ip4ToString(ip)}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return 0x020000000000 + h;
}

/**
 * The stated neighbours of one node, resolved to interfaces; `fail(field, message)` reports a bad entry by its
 * field (`[1].interface`). `interface` is tap0, loop0 or the main NIC's name; without it the interface whose
 * subnet holds the IP. The IP must be a host address of that subnet other than the interface's own; with tap0 it
 * defaults to `hostEnd`, the Linux side of the interconnect.
 */
export function resolveNeighbours(
  specs: readonly ResolvedNeighbourSpec[] | undefined,
  nodeId: number,
  interfaces: readonly SubnetInterface[],
  hostEnd: number,
  fail: (field: string, message: string) => never,
): ResolvedNeighbour[] {
  const out: ResolvedNeighbour[] = [];
  const names = interfaces.map((i) => i.name).join(', ');
  (specs ?? []).forEach((s, k) => {
    const ip = s.ip !== undefined ? ip4(s.ip) : hostEnd;
    let iface: SubnetInterface | undefined;
    if (s.interface !== undefined) {
      iface = interfaces.find((i) => i.name === s.interface);
      if (!iface) fail(`[${k}].interface`, `node ${nodeId} has no interface '${s.interface}' with a subnet (one of ${names})`);
    } else {
      iface = interfaces.find((i) => i.addresses.some((a) => inSubnet(ip, a)));
      if (!iface) fail(`[${k}].ip`, `${ip4ToString(ip)} is on no subnet of node ${nodeId} (${interfaces.map((i) => `${i.name} ${i.addresses.map(subnetText).join(' ')}`).join(', ')}): name its interface`);
    }
    const a = iface.addresses.find((x) => inSubnet(ip, x));
    if (!a) fail(`[${k}].ip`, `${ip4ToString(ip)} is not on ${iface.name}'s subnet ${iface.addresses.map(subnetText).join(' ')}`);
    const size = 2 ** (32 - a.prefixLen);
    const net = Math.floor(a.network / size) * size;
    if (ip === a.network) fail(`[${k}].ip`, `${ip4ToString(ip)} is ${iface.name}'s own address`);
    if (a.prefixLen < 31 && (ip === net || ip === net + size - 1)) fail(`[${k}].ip`, `${ip4ToString(ip)} is the ${ip === net ? 'network' : 'broadcast'} address of ${subnetText(a)}`);
    if (out.some((n) => n.swIfIndex === iface.swIfIndex && n.ip === ip)) fail(`[${k}].ip`, `${ip4ToString(ip)} on ${iface.name} appears twice`);
    out.push({ swIfIndex: iface.swIfIndex, ip, mac: s.mac !== undefined ? mac(s.mac) : derivedNeighbourMac(nodeId, ip) });
  });
  return out;
}
