// Layer bindings as data, used in both directions: decoding picks the next layer from a field value,
// encoding fills an undefined type/protocol/port field from the next layer's kind (docs/architecture.md §3).
import type { LayerKind } from './types.ts';
import { VXLAN_PORT } from './vxlan.ts';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_DOT1Q = 0x8100;
export const ETHERTYPE_IPV6 = 0x86dd;
export const IP_PROTO_ICMP = 1;
export const IP_PROTO_TCP = 6;
export const IP_PROTO_UDP = 17;

export interface Bindings {
  /** ethernet.type / dot1q.type ↔ next layer */
  readonly ethertypes: ReadonlyArray<readonly [number, LayerKind]>;
  /** ipv4.protocol ↔ next layer */
  readonly ipProtocols: ReadonlyArray<readonly [number, LayerKind]>;
  /** udp.dstPort ↔ next layer (VPP's ip4-udp-lookup dispatches on the destination port) */
  readonly udpPorts: ReadonlyArray<readonly [number, LayerKind]>;
  /** ICMP types whose body quotes the offending IPv4 header (RFC 792): dest-unreachable, source-quench, redirect, time-exceeded, parameter-problem */
  readonly icmpQuotingTypes: ReadonlyArray<number>;
}

export const DEFAULT_BINDINGS: Bindings = Object.freeze({
  ethertypes: Object.freeze([
    [ETHERTYPE_IPV4, 'ipv4'],
    [ETHERTYPE_ARP, 'arp'],
    [ETHERTYPE_DOT1Q, 'dot1q'],
  ] as const),
  ipProtocols: Object.freeze([
    [IP_PROTO_ICMP, 'icmp'],
    [IP_PROTO_TCP, 'tcp'],
    [IP_PROTO_UDP, 'udp'],
  ] as const),
  udpPorts: Object.freeze([[VXLAN_PORT, 'vxlan']] as const),
  icmpQuotingTypes: Object.freeze([3, 4, 5, 11, 12]),
});

/** Bindings compiled to lookup tables for both directions; build once, pass everywhere. */
export interface CompiledBindings {
  readonly source: Bindings;
  readonly kindByEthertype: ReadonlyMap<number, LayerKind>;
  readonly ethertypeByKind: ReadonlyMap<LayerKind, number>;
  readonly kindByIpProtocol: ReadonlyMap<number, LayerKind>;
  readonly ipProtocolByKind: ReadonlyMap<LayerKind, number>;
  readonly kindByUdpPort: ReadonlyMap<number, LayerKind>;
  readonly udpPortByKind: ReadonlyMap<LayerKind, number>;
  readonly icmpQuoting: ReadonlySet<number>;
}

function firstByKind(pairs: ReadonlyArray<readonly [number, LayerKind]>): Map<LayerKind, number> {
  const m = new Map<LayerKind, number>();
  for (const [value, kind] of pairs) if (!m.has(kind)) m.set(kind, value);
  return m;
}

export function compileBindings(b: Bindings): CompiledBindings {
  return Object.freeze({
    source: b,
    kindByEthertype: new Map(b.ethertypes.map(([v, k]) => [v, k] as const)),
    ethertypeByKind: firstByKind(b.ethertypes),
    kindByIpProtocol: new Map(b.ipProtocols.map(([v, k]) => [v, k] as const)),
    ipProtocolByKind: firstByKind(b.ipProtocols),
    kindByUdpPort: new Map(b.udpPorts.map(([v, k]) => [v, k] as const)),
    udpPortByKind: firstByKind(b.udpPorts),
    icmpQuoting: new Set(b.icmpQuotingTypes),
  });
}

export const DEFAULT_COMPILED_BINDINGS: CompiledBindings = compileBindings(DEFAULT_BINDINGS);
