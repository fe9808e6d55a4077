// Names of everything the kernel adapter creates: network namespaces (one prefix per run, with the owning pid so
// stale ones of dead runs can be found) and the Linux interface names inside them (≤ 15 characters; VPP names
// such as GigabitEthernet0/8/0 do not fit, so every device has a fixed Linux name and a mapping from the VPP one).
import type { AdapterNode, AdapterTopology } from '../adapter.ts';

/** Every namespace of a fuzz run is `pf-<pid>-<tag>-<role>`; lab setups use `pflab-<tag>-<role>`. */
export const RUN_PREFIX_RE = /^pf-(\d+)-([0-9a-z]+)-/;
export const LAB_PREFIX_RE = /^pflab-([0-9a-z]+)-/;

export function runPrefix(pid: number, tag: string): string {
  if (!/^[0-9a-z]{1,8}$/.test(tag)) throw new Error(`kernel adapter: namespace tag '${tag}' must be 1–8 lower-case letters or digits`);
  return `pf-${pid}-${tag}-`;
}

export function labPrefix(tag: string): string {
  if (!/^[0-9a-z]{1,8}$/.test(tag)) throw new Error(`kernel adapter: lab tag '${tag}' must be 1–8 lower-case letters or digits`);
  return `pflab-${tag}-`;
}

/** Interface names inside a node namespace that the design itself uses. */
export const GBE_IF = 'gbe';
export const BVI_IF = 'loop0';
export const VXLAN_IF = 'vxlan10';
/** inside every pod namespace */
export const POD_IF = 'eth0';
/** the host interconnect: `tap0` in the node namespace, its peer `vpp1` in the node's host namespace (§17) */
export const TAP0_IF = 'tap0';
export const HOST_IF = 'vpp1';
/** inside the underlay namespace: the segment between nodes, and the marker pair the helper uses (see netns-helper.py) */
export const UNDERLAY_BRIDGE = 'wire';
export const MARKER_TX = 'mk0';
export const MARKER_RX = 'mk1';


export interface NamespaceNames {
  prefix: string;
  underlay: string;
  /** by node slot (index in the topology's node list) */
  node(slot: number): string;
  /** by node slot and pod index on that node */
  pod(nodeSlot: number, podIndex: number): string;
  /** by node slot: the node's host stack, the far end of tap0 (docs/datapath.md §17) */
  host(slot: number): string;
}

export function namespaceNames(prefix: string): NamespaceNames {
  return {
    prefix,
    underlay: `${prefix}u`,
    node: (slot) => `${prefix}n${slot}`,
    pod: (slot, k) => `${prefix}p${slot}-${k}`,
    host: (slot) => `${prefix}h${slot}`,
  };
}

/** The underlay namespace's end of node `slot`'s main NIC. */
export function underlayPort(slot: number): string {
  return `u${slot}`;
}

/**
 * The Linux name of the TAP of the k-th pod of a node: `ptap<k>`, by position, not the VPP name (tap8): devices
 * are made once per position and reused by every later topology (see render-netns.ts). ACL attachments name
 * VPP interfaces; linuxInterfaceMap translates, and `podflow lab kernel status` prints the mapping.
 */
export function linuxTapName(k: number): string {
  return `ptap${k}`;
}

/** VPP interface name → Linux device name on a node (undefined: the design has no such device). */
export function linuxInterfaceMap(node: AdapterNode): Map<string, string> {
  const m = new Map<string, string>([[node.gbe.name, GBE_IF], [BVI_IF, BVI_IF], [TAP0_IF, TAP0_IF]]);
  node.pods.forEach((p, k) => m.set(p.tap.name, linuxTapName(k)));
  return m;
}

/** Checks what the adapter relies on and names the offending field (bad input → a clear message). */
export function validateTopology(t: AdapterTopology): void {
  const where = (i: number, f: string) => `topology.nodes[${i}].${f}`;
  if (!Array.isArray(t.nodes) || t.nodes.length === 0) throw new Error('kernel adapter: topology.nodes is empty');
  const ids = new Set<number>();
  t.nodes.forEach((n, i) => {
    if (!Number.isInteger(n.id) || n.id < 0) throw new Error(`kernel adapter: ${where(i, 'id')} must be a non-negative integer`);
    if (ids.has(n.id)) throw new Error(`kernel adapter: ${where(i, 'id')} ${n.id} appears twice`);
    ids.add(n.id);
    if (!isCidr(n.nodeIp)) throw new Error(`kernel adapter: ${where(i, 'nodeIp')} '${n.nodeIp}' is not an IPv4 address with prefix`);
    if (!isCidr(n.bvi.ip)) throw new Error(`kernel adapter: ${where(i, 'bvi.ip')} '${n.bvi.ip}' is not an IPv4 address with prefix`);
    if (!isMac(n.gbe.mac)) throw new Error(`kernel adapter: ${where(i, 'gbe.mac')} '${n.gbe.mac}' is not a MAC address`);
    if (!isMac(n.bvi.mac)) throw new Error(`kernel adapter: ${where(i, 'bvi.mac')} '${n.bvi.mac}' is not a MAC address`);
    if (n.podSubnet !== undefined && !isCidr(n.podSubnet)) throw new Error(`kernel adapter: ${where(i, 'podSubnet')} '${n.podSubnet}' is not a CIDR`);
    if (n.host !== undefined && !isMac(n.host.mac)) throw new Error(`kernel adapter: ${where(i, 'host.mac')} '${n.host.mac}' is not a MAC address`);
    if (n.gateway !== undefined && !isIp(n.gateway.ip)) throw new Error(`kernel adapter: ${where(i, 'gateway.ip')} '${n.gateway.ip}' is not an IPv4 address`);
    if (n.gateway !== undefined && !isMac(n.gateway.mac)) throw new Error(`kernel adapter: ${where(i, 'gateway.mac')} '${n.gateway.mac}' is not a MAC address`);
    const taps = new Set<string>();
    if (n.pods.length > 64) throw new Error(`kernel adapter: ${where(i, 'pods')}: at most 64 pods per node`);
    n.pods.forEach((p, k) => {
      const w = (f: string) => where(i, `pods[${k}].${f}`);
      if (!isIp(p.ip)) throw new Error(`kernel adapter: ${w('ip')} '${p.ip}' is not an IPv4 address`);
      if (!isIp(p.gateway)) throw new Error(`kernel adapter: ${w('gateway')} '${p.gateway}' is not an IPv4 address`);
      if (!isMac(p.mac)) throw new Error(`kernel adapter: ${w('mac')} '${p.mac}' is not a MAC address`);
      if (!isMac(p.tap.mac)) throw new Error(`kernel adapter: ${w('tap.mac')} '${p.tap.mac}' is not a MAC address`);
      if (taps.has(p.tap.name)) throw new Error(`kernel adapter: ${w('tap.name')} '${p.tap.name}' is used twice on node ${n.id}`);
      taps.add(p.tap.name);
    });
  });
  if (t.nodes.length > 64) throw new Error('kernel adapter: at most 64 nodes');
}

export function isIp(s: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  return m !== null && m.slice(1).every((x) => Number(x) <= 255);
}

export function isCidr(s: string): boolean {
  const [a, p, ...rest] = s.split('/');
  return rest.length === 0 && a !== undefined && isIp(a) && p !== undefined && /^\d{1,2}$/.test(p) && Number(p) <= 32;
}

export function isMac(s: string): boolean {
  return /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(s);
}

/** `192.168.16.1/24` → `192.168.16.1` */
export function addressOf(cidr: string): string {
  return cidr.split('/')[0]!;
}
