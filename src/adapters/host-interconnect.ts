// The host interconnect of a node as the real data paths build it (docs/datapath.md §2.3, §17): VPP's tap0 and the
// host stack's end of it (vpp1), from AdapterNode.host or Contiv's defaults. Shared by the vpp and kernel adapters.
import type { AdapterNode } from './adapter.ts';

/** tap0's MAC, Contiv's host interconnect MAC (its HOST_TO_POD trace: `… -> 01:23:45:67:89:42`; docs/datapath.md §2.3). */
export const TAP0_MAC = '01:23:45:67:89:42';

/**
 * VPP's end (tap0: the first address of the host end's network, Contiv's `.1`, with the host end's prefix) and the
 * host's end with its MAC and further addresses; without AdapterNode.host, Contiv's default `172.30.<id>.2/24`
 * with no MAC known (then no neighbour for it: nothing can be delivered to the host). A bad address is an error
 * naming the field.
 */
export function hostEnds(node: AdapterNode): { tap0: string; host: string; prefix: number; mac?: string; addresses: string[] } {
  const hostCidr = node.host?.ip ?? `172.30.${node.id}.2/24`;
  const [addr, len] = hostCidr.split('/') as [string, string | undefined];
  const prefix = Number(len ?? 24);
  const octets = addr.split('.');
  if (octets.length !== 4 || octets.some((o) => !/^\d{1,3}$/.test(o) || Number(o) > 255) || !(Number.isInteger(prefix) && prefix >= 1 && prefix <= 30)) throw new Error(`node ${node.id}: host.ip '${hostCidr}' is not an IPv4 address with a prefix length 1-30`);
  const n = octets.reduce((a, b) => a * 256 + Number(b), 0);
  const size = 2 ** (32 - prefix);
  const first = n - (n % size) + 1;
  const tap0 = first === n ? first + 1 : first;
  const text = (x: number): string => [24, 16, 8, 0].map((s) => Math.floor(x / 2 ** s) % 256).join('.');
  for (const [i, a] of (node.host?.addresses ?? []).entries()) {
    const [ip, l, ...rest] = a.split('/');
    const ok = rest.length === 0 && /^\d{1,3}(\.\d{1,3}){3}$/.test(ip ?? '') && ip!.split('.').every((o) => Number(o) <= 255) && (l === undefined || (/^\d{1,2}$/.test(l) && Number(l) <= 32));
    if (!ok) throw new Error(`node ${node.id}: host.addresses[${i}] '${a}' is not an IPv4 address or prefix`);
  }
  return { tap0: `${text(tap0)}/${prefix}`, host: addr, prefix, ...(node.host?.mac ? { mac: node.host.mac } : {}), addresses: node.host?.addresses ?? [] };
}
