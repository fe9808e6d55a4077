// Contiv IPAM (C:plugins/contiv/ipam/ipam.go at 9f521b2eb, docs/datapath.md §2.1–§2.3): per-node networks and
// addresses derived from the node ID, and the pod IP allocator with its wrap-around reuse order.
import { ip4, ip4ToString } from '../../packet/index.ts';

export interface Cidr {
  network: number;
  prefixLen: number;
}

export interface IpamConfig {
  podSubnetCidr: string;
  podNetworkPrefixLen: number;
  podIfIpCidr: string;
  vppHostSubnetCidr: string;
  vppHostNetworkPrefixLen: number;
  nodeInterconnectCidr: string;
  vxlanCidr: string;
  /** node interconnect IPs never handed out; each one <= a computed node IP shifts it by +1 (in list order) */
  nodeInterconnectExcludedIps: string[];
}

/** The Contiv defaults (C:k8s/contiv-vpp.yaml, docs/datapath.md §2.1). */
export const DEFAULT_IPAM: Readonly<IpamConfig> = Object.freeze({
  podSubnetCidr: '10.1.0.0/16',
  podNetworkPrefixLen: 24,
  podIfIpCidr: '10.2.1.0/24',
  vppHostSubnetCidr: '172.30.0.0/16',
  vppHostNetworkPrefixLen: 24,
  nodeInterconnectCidr: '192.168.16.0/24',
  vxlanCidr: '192.168.30.0/24',
  nodeInterconnectExcludedIps: [],
});

export function parseCidr(text: string, what = 'CIDR'): Cidr {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(text);
  if (!m || Number(m[2]) > 32) throw new RangeError(`${what}: '${text}' is not an IPv4 CIDR (a.b.c.d/len)`);
  const prefixLen = Number(m[2]);
  return { network: (ip4(m[1]!) & maskOf(prefixLen)) >>> 0, prefixLen };
}

export function cidrToString(c: Cidr): string {
  return `${ip4ToString(c.network)}/${c.prefixLen}`;
}

export function maskOf(prefixLen: number): number {
  return prefixLen === 0 ? 0 : (0xffffffff << (32 - prefixLen)) >>> 0;
}

/** `part(id, bits) = id & ((1 << bits) - 1)`: IDs alias silently when the field is narrower than 8 bits. */
export function idPart(id: number, bits: number): number {
  return bits >= 32 ? id >>> 0 : id & (pow2(bits) - 1);
}

/** 2^0 … 2^32: `2 ** n` with a variable n is a call to pow() in V8, and these run for every pod of a fuzz case. */
const POW2: readonly number[] = Array.from({ length: 33 }, (_, n) => 2 ** n);

/** `2 ** n`, from the table for the integer exponents IPAM uses. */
function pow2(n: number): number {
  return POW2[n] ?? 2 ** n;
}

/** The validated, parsed form of an IpamConfig. */
export interface Ipam {
  readonly config: Readonly<IpamConfig>;
  readonly podSubnet: Cidr;
  readonly podIfIp: Cidr;
  readonly vppHostSubnet: Cidr;
  readonly nodeInterconnect: Cidr;
  readonly vxlan: Cidr;
  readonly excluded: readonly number[];
}

/** Parsed IPAM settings by their overrides: the fuzzer builds a topology per case from a handful of settings. */
const IPAM_CACHE = new Map<string, Ipam>();
const IPAM_CACHE_MAX = 64;

/** The validated, parsed IPAM (shared and frozen: an Ipam is never changed after it is made). */
export function makeIpam(overrides: Partial<IpamConfig> = {}): Ipam {
  const key = JSON.stringify(overrides);
  const hit = IPAM_CACHE.get(key);
  if (hit) return hit;
  const ipam = Object.freeze(parseIpam(overrides));
  if (IPAM_CACHE.size >= IPAM_CACHE_MAX) IPAM_CACHE.delete(IPAM_CACHE.keys().next().value!);
  IPAM_CACHE.set(key, ipam);
  return ipam;
}

function parseIpam(overrides: Partial<IpamConfig>): Ipam {
  const config: IpamConfig = { ...DEFAULT_IPAM, ...overrides, nodeInterconnectExcludedIps: [...(overrides.nodeInterconnectExcludedIps ?? DEFAULT_IPAM.nodeInterconnectExcludedIps)] };
  const podSubnet = parseCidr(config.podSubnetCidr, 'ipam.podSubnetCidr');
  if (!Number.isInteger(config.podNetworkPrefixLen) || config.podNetworkPrefixLen <= podSubnet.prefixLen || config.podNetworkPrefixLen > 30) {
    throw new RangeError(`ipam.podNetworkPrefixLen: ${config.podNetworkPrefixLen} must be an integer in (${podSubnet.prefixLen}, 30] (longer than podSubnetCidr, room for gateway and NAT loopback)`);
  }
  const vppHostSubnet = parseCidr(config.vppHostSubnetCidr, 'ipam.vppHostSubnetCidr');
  if (!Number.isInteger(config.vppHostNetworkPrefixLen) || config.vppHostNetworkPrefixLen <= vppHostSubnet.prefixLen || config.vppHostNetworkPrefixLen > 30) {
    throw new RangeError(`ipam.vppHostNetworkPrefixLen: ${config.vppHostNetworkPrefixLen} must be an integer in (${vppHostSubnet.prefixLen}, 30]`);
  }
  return {
    config,
    podSubnet,
    podIfIp: parseCidr(config.podIfIpCidr, 'ipam.podIfIpCidr'),
    vppHostSubnet,
    nodeInterconnect: parseCidr(config.nodeInterconnectCidr, 'ipam.nodeInterconnectCidr'),
    vxlan: parseCidr(config.vxlanCidr, 'ipam.vxlanCidr'),
    excluded: config.nodeInterconnectExcludedIps.map((t, i) => {
      try {
        return ip4(t);
      } catch {
        throw new RangeError(`ipam.nodeInterconnectExcludedIps[${i}]: '${t}' is not an IPv4 address`);
      }
    }),
  };
}

/** `10.1.<id>.0/24` with the defaults: PodSubnet + (id << (32 - podNetworkPrefixLen)). */
export function nodePodNetwork(ipam: Ipam, id: number): Cidr {
  const bits = ipam.config.podNetworkPrefixLen - ipam.podSubnet.prefixLen;
  const shift = 32 - ipam.config.podNetworkPrefixLen;
  return { network: (ipam.podSubnet.network + idPart(id, bits) * pow2(shift)) >>> 0, prefixLen: ipam.config.podNetworkPrefixLen };
}

/** The virtual pod gateway: first unicast address of the node pod network (seq 1), never on an interface. */
export function podGatewayIp(ipam: Ipam, id: number): number {
  return nodePodNetwork(ipam, id).network + 1;
}

/** The NAT loopback: last unicast address of the node pod network (10.1.<id>.254). */
export function natLoopbackIp(ipam: Ipam, id: number): number {
  const n = nodePodNetwork(ipam, id);
  return n.network + pow2(32 - n.prefixLen) - 2;
}

/**
 * Node IP on the main NIC: NodeInterconnect + id, shifted by +1 for each excluded IP <= it. ipam.go sorts the
 * excluded IPs ascending first (docs/datapath.md §2.3 says "in list order"; contiv's TestExcludeGateway with
 * [.196, .194] gives nodes 1–3 .193, .195, .197, which only the sorted order does).
 */
export function nodeIp(ipam: Ipam, id: number): Cidr {
  const c = ipam.nodeInterconnect;
  let addr = c.network + idPart(id, 32 - c.prefixLen);
  if (ipam.excluded.length > 0) for (const ex of [...ipam.excluded].sort((a, b) => a - b)) if (ex <= addr) addr += 1;
  return { network: addr >>> 0, prefixLen: c.prefixLen };
}

/** loop0 (VXLAN BVI) address `192.168.30.<id>/24`. */
export function vxlanBviIp(ipam: Ipam, id: number): Cidr {
  const c = ipam.vxlan;
  return { network: (c.network + idPart(id, 32 - c.prefixLen)) >>> 0, prefixLen: c.prefixLen };
}

/** BVI MAC `1a:2b:3c:4d:5e:%02x` of the node ID (host.go hwAddrForVXLAN). */
export function bviMac(id: number): number {
  return 0x1a2b3c4d5e00 + (id & 0xff);
}

/** The host interconnect network `172.30.<id>.0/24`: VPP end (tap0) .1, Linux end .2. */
export function hostInterconnect(ipam: Ipam, id: number): { network: Cidr; vppEnd: number; hostEnd: number } {
  const bits = ipam.config.vppHostNetworkPrefixLen - ipam.vppHostSubnet.prefixLen;
  const network = (ipam.vppHostSubnet.network + idPart(id, bits) * pow2(32 - ipam.config.vppHostNetworkPrefixLen)) >>> 0;
  return { network: { network, prefixLen: ipam.config.vppHostNetworkPrefixLen }, vppEnd: network + 1, hostEnd: network + 2 };
}

/** VPP side of a pod TAP: `10.2.1.<last octet of pod IP>/32`, the same on every node (pod.go ipAddrForPodVPPIf). */
export function podVppIfIp(ipam: Ipam, podIp: number): number {
  const hostBits = 32 - ipam.podIfIp.prefixLen;
  return (ipam.podIfIp.network + (podIp & (pow2(hostBits) - 1))) >>> 0;
}

/**
 * Pod IP allocation per node (ipam.go NextPodIP): sequence numbers 2 … size-3 (seq 1 is the gateway, the
 * last two are the NAT loopback and broadcast); search forward from the last assigned one, wrap once.
 */
export class PodIpAllocator {
  private lastAssigned = 1;
  private readonly used = new Set<number>();
  private readonly size: number;

  constructor(
    private readonly ipam: Ipam,
    private readonly nodeId: number,
  ) {
    this.size = pow2(32 - ipam.config.podNetworkPrefixLen);
  }

  get network(): Cidr {
    return nodePodNetwork(this.ipam, this.nodeId);
  }

  /** Highest assignable sequence number. */
  get maxSeq(): number {
    return this.size - 3;
  }

  next(): number {
    const base = this.network.network;
    for (let j = this.lastAssigned + 1; j <= this.maxSeq; j++) if (this.take(j)) return base + j;
    for (let j = 2; j <= this.lastAssigned; j++) if (this.take(j)) return base + j;
    throw new RangeError(`node ${this.nodeId}: no pod IP left in ${cidrToString(this.network)} (${this.maxSeq - 1} addresses)`);
  }

  /** Marks a pinned address as used (a scenario may give pod IPs explicitly). */
  reserve(ip: number): void {
    const seq = ip - this.network.network;
    if (seq < 2 || seq > this.maxSeq) throw new RangeError(`${ip4ToString(ip)} is not an assignable pod IP of ${cidrToString(this.network)}`);
    if (this.used.has(seq)) throw new RangeError(`${ip4ToString(ip)} is assigned twice`);
    this.used.add(seq);
  }

  release(ip: number): void {
    this.used.delete(ip - this.network.network);
  }

  private take(seq: number): boolean {
    if (this.used.has(seq)) return false;
    this.used.add(seq);
    this.lastAssigned = seq;
    return true;
  }
}
