// What VPP's format_ip4_header and format_ethernet_header_with_length print for bytes captured into a
// trace, as data (docs/datapath.md §11.2, §11.3). The model builds trace records with these; the renderer prints them.
//
// Facts from FD.io VPP (read, not copied): v18.01 `src/vnet/ip/ip4_format.c` (format_ip4_header, the `f ^= o`
// fragment quirk, no early return for non-first fragments), `src/vnet/ip/ip4_packet.h` (ip4_header_checksum and
// its 0/0xffff special case), `src/vnet/tcp/tcp_format.c`, `src/vnet/udp/udp_format.c`, `src/vnet/ip/icmp4.c`
// (`ICMP header truncated` below 4 bytes), `src/vnet/ip/protocols.def`, `src/vnet/ip/icmp46_packet.h`,
// `src/vnet/ethernet/types.def`. Current master (profile vpp-current): ip4_format.c clears only the offset bits
// (`f ^= f & 0x1fff`, since 2bccb181 "ip4: don't format upper layer if it's a fragment", Nov 2018) and stops before
// the L4 header of a non-first fragment; ip4_header_checksum_is_valid() sums at least 20 header bytes.
import type { EthernetLineView, Ip4HeaderView, Ip4L4View, TraceFormat } from './records.ts';

/** Bytes of a trace capture past the end of the given buffer read as zero (VPP shows whatever memory follows). */
function byteAt(bytes: Uint8Array, i: number): number {
  return i >= 0 && i < bytes.length ? bytes[i]! : 0;
}

function u16At(bytes: Uint8Array, i: number): number {
  return (byteAt(bytes, i) << 8) | byteAt(bytes, i + 1);
}

function u32At(bytes: Uint8Array, i: number): number {
  return ((byteAt(bytes, i) << 24) | (byteAt(bytes, i + 1) << 16) | (byteAt(bytes, i + 2) << 8) | byteAt(bytes, i + 3)) >>> 0;
}

// Unchecked readers for the views below, which first make sure every byte they read lies in the buffer.
function rd16(bytes: Uint8Array, i: number): number {
  return (bytes[i]! << 8) | bytes[i + 1]!;
}

function rd32(bytes: Uint8Array, i: number): number {
  return ((bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!) >>> 0;
}

/** bytes[offset .. offset + n) with what lies outside the buffer read as zero (byteAt's rule), as a new buffer. */
function zeroExtended(bytes: Uint8Array, offset: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = byteAt(bytes, offset + i);
  return out;
}

// --- names VPP prints -------------------------------------------------------------------------------------

/** src/vnet/ip/protocols.def at v18.01; current master adds 138–143, 253 and 254. */
const IP_PROTOCOLS_1801: Record<number, string> = {
  0: 'IP6_HOP_BY_HOP_OPTIONS', 1: 'ICMP', 2: 'IGMP', 3: 'GGP', 4: 'IP_IN_IP', 5: 'ST', 6: 'TCP', 7: 'CBT', 8: 'EGP', 9: 'IGP',
  10: 'BBN_RCC_MON', 11: 'NVP_II', 12: 'PUP', 13: 'ARGUS', 14: 'EMCON', 15: 'XNET', 16: 'CHAOS', 17: 'UDP', 18: 'MUX',
  19: 'DCN_MEAS', 20: 'HMP', 21: 'PRM', 22: 'XNS_IDP', 23: 'TRUNK_1', 24: 'TRUNK_2', 25: 'LEAF_1', 26: 'LEAF_2', 27: 'RDP',
  28: 'IRTP', 29: 'ISO_TP4', 30: 'NETBLT', 31: 'MFE_NSP', 32: 'MERIT_INP', 33: 'SEP', 34: '3PC', 35: 'IDPR', 36: 'XTP',
  37: 'DDP', 38: 'IDPR_CMTP', 39: 'TP', 40: 'IL', 41: 'IPV6', 42: 'SDRP', 43: 'IPV6_ROUTE', 44: 'IPV6_FRAGMENTATION',
  45: 'IDRP', 46: 'RSVP', 47: 'GRE', 48: 'MHRP', 49: 'BNA', 50: 'IPSEC_ESP', 51: 'IPSEC_AH', 52: 'I_NLSP', 53: 'SWIPE',
  54: 'NARP', 55: 'MOBILE', 56: 'TLSP', 57: 'SKIP', 58: 'ICMP6', 59: 'IP6_NONXT', 60: 'IP6_DESTINATION_OPTIONS', 62: 'CFTP',
  64: 'SAT_EXPAK', 65: 'KRYPTOLAN', 66: 'RVD', 67: 'IPPC', 69: 'SAT_MON', 70: 'VISA', 71: 'IPCV', 72: 'CPNX', 73: 'CPHB',
  74: 'WSN', 75: 'PVP', 76: 'BR_SAT_MON', 77: 'SUN_ND', 78: 'WB_MON', 79: 'WB_EXPAK', 80: 'ISO_IP', 81: 'VMTP',
  82: 'SECURE_VMTP', 83: 'VINES', 84: 'TTP', 85: 'NSFNET_IGP', 86: 'DGP', 87: 'TCF', 88: 'EIGRP', 89: 'OSPF',
  90: 'SPRITE_RPC', 91: 'LARP', 92: 'MTP', 93: 'AX', 94: 'IPIP', 95: 'MICP', 96: 'SCC_SP', 97: 'ETHERIP', 98: 'ENCAP',
  100: 'GMTP', 101: 'IFMP', 102: 'PNNI', 103: 'PIM', 104: 'ARIS', 105: 'SCPS', 106: 'QNX', 107: 'A', 108: 'IPCOMP',
  109: 'SNP', 110: 'COMPAQ_PEER', 111: 'IPX_IN_IP', 112: 'VRRP', 113: 'PGM', 115: 'L2TP', 116: 'DDX', 117: 'IATP',
  118: 'STP', 119: 'SRP', 120: 'UTI', 121: 'SMP', 122: 'SM', 123: 'PTP', 124: 'ISIS', 125: 'FIRE', 126: 'CRTP',
  127: 'CRUDP', 128: 'SSCOPMCE', 129: 'IPLT', 130: 'SPS', 131: 'PIPE', 132: 'SCTP', 133: 'FC', 134: 'RSVP_E2E_IGNORE',
  135: 'MOBILITY', 136: 'UDP_LITE', 137: 'MPLS_IN_IP', 255: 'RESERVED',
};
const IP_PROTOCOLS_CURRENT: Record<number, string> = {
  ...IP_PROTOCOLS_1801,
  138: 'MANET', 139: 'HIP', 140: 'SHIM6', 141: 'WESP', 142: 'ROHC', 143: 'IP6_ETHERNET', 253: 'EXP1', 254: 'EXP2',
};

function protocolTable(format: TraceFormat): Record<number, string> {
  return format === 'vpp-current' ? IP_PROTOCOLS_CURRENT : IP_PROTOCOLS_1801;
}

/** format_ip_protocol: the protocols.def name or `unknown %d`. */
export function vppIpProtocolName(proto: number, format: TraceFormat = 'vpp-18.01'): string {
  return protocolTable(format)[proto] ?? `unknown ${proto}`;
}

/** Inverse of vppIpProtocolName (either format's table); undefined for text VPP would not print. */
export function parseVppIpProtocolName(text: string): number | undefined {
  const m = /^unknown (\d{1,3})$/.exec(text);
  if (m) {
    const n = Number(m[1]);
    return n <= 255 && IP_PROTOCOLS_CURRENT[n] === undefined ? n : undefined;
  }
  for (const [k, v] of Object.entries(IP_PROTOCOLS_CURRENT)) if (v === text) return Number(k);
  return undefined;
}

/** foreach_icmp4_type (src/vnet/ip/icmp46_packet.h, unchanged in current master). */
const ICMP4_TYPES: Record<number, string> = {
  0: 'echo_reply', 3: 'destination_unreachable', 4: 'source_quench', 5: 'redirect', 6: 'alternate_host_address',
  8: 'echo_request', 9: 'router_advertisement', 10: 'router_solicitation', 11: 'time_exceeded', 12: 'parameter_problem',
  13: 'timestamp_request', 14: 'timestamp_reply', 15: 'information_request', 16: 'information_reply',
  17: 'address_mask_request', 18: 'address_mask_reply', 30: 'traceroute', 31: 'datagram_conversion_error',
  32: 'mobile_host_redirect', 33: 'ip6_where_are_you', 34: 'ip6_i_am_here', 35: 'mobile_registration_request',
  36: 'mobile_registration_reply', 37: 'domain_name_request', 38: 'domain_name_reply', 39: 'skip', 40: 'photuris',
};

/** foreach_icmp4_code: names by (type << 8) | code. */
const ICMP4_CODES: Record<number, string> = {
  0x0300: 'destination_unreachable_net', 0x0301: 'destination_unreachable_host', 0x0302: 'protocol_unreachable',
  0x0303: 'port_unreachable', 0x0304: 'fragmentation_needed_and_dont_fragment_set', 0x0305: 'source_route_failed',
  0x0306: 'destination_network_unknown', 0x0307: 'destination_host_unknown', 0x0308: 'source_host_isolated',
  0x0309: 'network_administratively_prohibited', 0x030a: 'host_administratively_prohibited',
  0x030b: 'network_unreachable_for_type_of_service', 0x030c: 'host_unreachable_for_type_of_service',
  0x030d: 'communication_administratively_prohibited', 0x030e: 'host_precedence_violation',
  0x030f: 'precedence_cutoff_in_effect', 0x0500: 'network_redirect', 0x0501: 'host_redirect',
  0x0502: 'type_of_service_and_network_redirect', 0x0503: 'type_of_service_and_host_redirect',
  0x0900: 'normal_router_advertisement', 0x0910: 'does_not_route_common_traffic', 0x0b00: 'ttl_exceeded_in_transit',
  0x0b01: 'fragment_reassembly_time_exceeded', 0x0c00: 'pointer_indicates_error', 0x0c01: 'missing_required_option',
  0x0c02: 'bad_length',
};

/** format_ip4_icmp_type_and_code: `<type>[ <code>]`, or `unknown 0x%x` for a type without a name. */
export function vppIcmpTypeAndCode(type: number, code: number): string {
  const t = ICMP4_TYPES[type];
  if (t === undefined) return `unknown 0x${type.toString(16)}`;
  const c = ICMP4_CODES[(type << 8) | code];
  return c === undefined ? t : `${t} ${c}`;
}

/**
 * Inverse of vppIcmpTypeAndCode. A code without a name is not printed, so the smallest unnamed code of the
 * type stands for it (printing it again gives the same text).
 */
export function parseVppIcmpTypeAndCode(text: string): { type: number; code: number } | undefined {
  const unknown = /^unknown 0x([0-9a-f]{1,2})$/.exec(text);
  if (unknown) {
    const type = parseInt(unknown[1]!, 16);
    return ICMP4_TYPES[type] === undefined && type.toString(16) === unknown[1] ? { type, code: 0 } : undefined;
  }
  const [typeName, codeName, extra] = text.split(' ');
  if (extra !== undefined || typeName === undefined) return undefined;
  const typeEntry = Object.entries(ICMP4_TYPES).find(([, v]) => v === typeName);
  if (!typeEntry) return undefined;
  const type = Number(typeEntry[0]);
  if (codeName === undefined) {
    for (let code = 0; code < 256; code++) if (ICMP4_CODES[(type << 8) | code] === undefined) return { type, code };
    return undefined;
  }
  for (let code = 0; code < 256; code++) if (ICMP4_CODES[(type << 8) | code] === codeName) return { type, code };
  return undefined;
}

/** foreach_ip_dscp (src/vnet/ip/ip_packet.h, current master); other values print `unknown`. */
const DSCP_NAMES: Record<number, string> = {
  0: 'CS0', 8: 'CS1', 10: 'AF11', 12: 'AF12', 14: 'AF13', 16: 'CS2', 18: 'AF21', 20: 'AF22', 22: 'AF23', 24: 'CS3',
  26: 'AF31', 28: 'AF32', 30: 'AF33', 32: 'CS4', 34: 'AF41', 36: 'AF42', 38: 'AF43', 40: 'CS5', 46: 'EF', 48: 'CS6', 50: 'CS7',
};
const ECN_NAMES = ['NON_ECN', 'ECT_0', 'ECT_1', 'CE'] as const;

/** ` dscp %U ecn %U` appended to the tos line by current VPP (ip4_format.c since v20.01). */
export function vppDscpEcn(tos: number): string {
  return ` dscp ${DSCP_NAMES[tos >>> 2] ?? 'unknown'} ecn ${ECN_NAMES[tos & 3]}`;
}

/**
 * src/vnet/ethernet/types.def. 0x0600 is registered twice (LLC_LENGTH, XNS_IDP); the hash keeps the later one,
 * which we assume without having seen it printed.
 */
const ETHERNET_TYPES: Record<number, string> = {
  0x0600: 'XNS_IDP', 0x0800: 'IP4', 0x0806: 'ARP', 0x0bad: 'VINES_IP', 0x0bae: 'VINES_LOOPBACK', 0x0baf: 'VINES_ECHO',
  0x1984: 'TRAIN', 0x2000: 'CDP', 0x2001: 'CGMP', 0x2007: 'SRP_CONTROL', 0x2452: 'CENTRINO_PROMISC', 0x6000: 'DECNET',
  0x6001: 'DECNET_DUMP_LOAD', 0x6002: 'DECNET_REMOTE_CONSOLE', 0x6003: 'DECNET_ROUTE', 0x6004: 'DEC_LAT',
  0x6005: 'DEC_DIAGNOSTIC', 0x6006: 'DEC_CUSTOMER', 0x6007: 'DEC_SCA', 0x6558: 'TRANSPARENT_BRIDGING',
  0x6559: 'RAW_FRAME_RELAY', 0x8035: 'REVERSE_ARP', 0x8038: 'DEC_LAN_BRIDGE', 0x803d: 'DEC_ETHERNET_ENCRYPTION',
  0x803f: 'DEC_LAN_TRAFFIC_MONITOR', 0x8041: 'DEC_LAST', 0x809b: 'APPLETALK', 0x80d5: 'IBM_SNA', 0x80f3: 'APPLETALK_AARP',
  0x80ff: 'WELLFLEET_COMPRESSION', 0x8100: 'VLAN', 0x8137: 'IPX', 0x814c: 'SNMP', 0x81fd: 'CABLETRON_ISMP',
  0x81ff: 'CABLETRON_ISMP_TBFLOOD', 0x86dd: 'IP6', 0x86df: 'ATOMIC', 0x876b: 'TCP_IP_COMPRESSION',
  0x876c: 'IP_AUTONOMOUS_SYSTEMS', 0x876d: 'SECURE_DATA', 0x8808: 'MAC_CONTROL', 0x8809: 'SLOW_PROTOCOLS', 0x880b: 'PPP',
  0x8847: 'MPLS', 0x8848: 'MPLS_UPSTREAM_ASSIGNED', 0x8863: 'PPPOE_DISCOVERY', 0x8864: 'PPPOE_SESSION',
  0x886d: 'INTEL_ANS', 0x886f: 'MICROSOFT_NLB_HEARTBEAT', 0x8870: 'LLC_ENCAP', 0x8881: 'CDMA_2000',
  0x888e: '802_1X_AUTHENTICATION', 0x8892: 'PROFINET', 0x889a: 'HYPERSCSI', 0x88a2: 'AOE', 0x88a8: 'DOT1AD',
  0x88ae: 'BRDWALK', 0x88b7: '802_OUI_EXTENDED', 0x88c7: '802_11I_PRE_AUTHENTICATION', 0x88cc: '802_1_LLDP',
  0x88e5: '802_1_AE_MACSEC', 0x88e7: 'DOT1AH', 0x894f: 'NSH', 0x9000: 'LOOPBACK', 0x9021: 'RTNET_MAC',
  0x9022: 'RTNET_CONFIG', 0x9100: 'VLAN_9100', 0x9200: 'VLAN_9200', 0x9999: 'PGLAN', 0xe23b: '802_1_AEDK_PRIVACY_PROTECTION',
  0xfefe: 'SRP_ISIS', 0xffff: 'RESERVED',
};

/** format_ethernet_type: the types.def name or `0x%04x`. */
export function vppEthertypeName(type: number): string {
  return ETHERNET_TYPES[type] ?? `0x${type.toString(16).padStart(4, '0')}`;
}

export function parseVppEthertypeName(text: string): number | undefined {
  const m = /^0x([0-9a-f]{4})$/.exec(text);
  if (m) {
    const t = parseInt(m[1]!, 16);
    return ETHERNET_TYPES[t] === undefined ? t : undefined;
  }
  for (const [k, v] of Object.entries(ETHERNET_TYPES)) if (v === text) return Number(k);
  return undefined;
}

// --- views ------------------------------------------------------------------------------------------------

/** 16-bit one's-complement sum folded twice, as VPP's ip_csum_fold does. */
function fold16(sum: number): number {
  let s = sum;
  // Header sums stay far below 2^32, so the carry is s >>> 16.
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/**
 * How many header bytes the checksum covers: v18.01's ip4_header_checksum sums ihl * 4 bytes; current VPP's
 * ip4_header_checksum_inline at least the 20 fixed bytes, plus (ihl - 5) option words.
 */
function checksumBytes(ihl: number, format: TraceFormat): number {
  return format === 'vpp-current' ? Math.max(20, ihl * 4) : ihl * 4;
}

/**
 * The checksum VPP says the header should have, or undefined when it accepts the stored one. The checksum field
 * itself is left out of the sum; every byte summed must lie in the buffer.
 */
function shouldBeChecksum(bytes: Uint8Array, off: number, format: TraceFormat): number | undefined {
  const stored = rd16(bytes, off + 10);
  const len = checksumBytes(bytes[off]! & 0x0f, format);
  let sum = 0;
  if (len === 20) {
    // The usual header without options, its nine other words summed directly.
    sum = rd16(bytes, off) + rd16(bytes, off + 2) + rd16(bytes, off + 4) + rd16(bytes, off + 6) + rd16(bytes, off + 8);
    sum += rd16(bytes, off + 12) + rd16(bytes, off + 14) + rd16(bytes, off + 16) + rd16(bytes, off + 18);
  } else {
    for (let i = off; i < off + len; i += 2) sum += rd16(bytes, i);
    if (len > 10) sum -= stored;
  }
  if (format === 'vpp-current') {
    const computed = ~fold16(sum) & 0xffff;
    const valid = (~fold16(sum + stored) & 0xffff) === 0;
    return valid ? undefined : computed;
  }
  // v18.01: 0 and 0xffff agree.
  let computed = ~fold16(sum) & 0xffff;
  if (computed === 0 && stored === 0xffff) computed = stored;
  return computed === stored ? undefined : computed;
}

/** The flag names format_ip4_header prints for bits 0x2000, 0x4000, 0x8000 of the flags word, indexed by those bits. */
const FRAGMENT_FLAG_NAMES: readonly string[] = Array.from({ length: 8 }, (_, bits) =>
  ['MORE_FRAGMENTS', 'DONT_FRAGMENT', 'CONGESTION'].filter((_name, i) => (bits & (1 << i)) !== 0).join(''),
);

function l4View(bytes: Uint8Array, off: number, max: number, proto: number, format: TraceFormat): Ip4L4View | undefined {
  switch (proto) {
    case 6:
    {
      if (max < 20) return { kind: 'truncated', protocol: 'TCP' };
      const tcp: Ip4L4View = {
        kind: 'tcp',
        srcPort: rd16(bytes, off),
        dstPort: rd16(bytes, off + 2),
        seq: rd32(bytes, off + 4),
        ack: rd32(bytes, off + 8),
        flags: bytes[off + 13]!,
        headerBytes: (bytes[off + 12]! >>> 4) * 4,
        window: rd16(bytes, off + 14),
        checksum: rd16(bytes, off + 16),
      };
      // current VPP ends a TCP header without options with an empty options line (tcp_format.c); with options
      // its text is not derived (mismatched format arguments), so the model leaves it out
      if (format === 'vpp-current' && tcp.headerBytes === 20) tcp.options = [''];
      return tcp;
    }
    case 17:
      if (max < 8) return { kind: 'truncated', protocol: 'UDP' };
      return { kind: 'udp', srcPort: rd16(bytes, off), dstPort: rd16(bytes, off + 2), length: rd16(bytes, off + 4), checksum: rd16(bytes, off + 6) };
    case 1: {
      // icmp46_header_t is 4 bytes: type, code, checksum.
      if (max < 4) return { kind: 'truncated', protocol: 'ICMP' };
      const view: Extract<Ip4L4View, { kind: 'icmp' }> = { kind: 'icmp', type: bytes[off]!, code: bytes[off + 1]!, checksum: rd16(bytes, off + 2) };
      // Current VPP appends ` id %u` for echo messages when the identifier fits (icmp4.c).
      if (format === 'vpp-current' && (view.type === 0 || view.type === 8) && 4 + 2 < max) view.id = rd16(bytes, off + 4);
      return view;
    }
    default:
      return undefined; // no format_header registered: nothing printed
  }
}

/**
 * What format_ip4_header prints for the IPv4 header at `offset` when `captured` bytes (VPP's
 * max_header_bytes: the trace's copy size from the IP header) were copied into the trace.
 * Never throws; bytes beyond the buffer read as zero.
 */
export function ip4HeaderView(bytes: Uint8Array, offset: number, captured: number, format: TraceFormat = 'vpp-18.01'): Ip4HeaderView {
  if (captured < 20) {
    return { protocol: 0, src: 0, dst: 0, version: 4, ihl: 5, tos: 0, ttl: 0, length: 0, checksum: 0, fragmentId: 0, fragmentOffset: 0, truncated: true };
  }
  // The view reads the captured bytes and the header bytes the checksum covers. When some of them lie outside the
  // buffer (they read as zero), it works on a zero-extended copy; otherwise it reads the buffer unchecked.
  const ihl = byteAt(bytes, offset) & 0x0f;
  const reach = Math.max(captured, checksumBytes(ihl, format));
  if (offset < 0 || offset + reach > bytes.length) return headerView(zeroExtended(bytes, offset, reach), 0, captured, format);
  return headerView(bytes, offset, captured, format);
}

function headerView(bytes: Uint8Array, offset: number, captured: number, format: TraceFormat): Ip4HeaderView {
  const vihl = bytes[offset]!;
  const protocol = bytes[offset + 9]!;
  const version = vihl >>> 4;
  const ihl = vihl & 0x0f;
  const src = rd32(bytes, offset + 12);
  const dst = rd32(bytes, offset + 16);
  const tos = bytes[offset + 1]!;
  const ttl = bytes[offset + 8]!;
  const length = rd16(bytes, offset + 2);
  const checksum = rd16(bytes, offset + 10);
  const fragmentId = rd16(bytes, offset + 4);
  const shouldBe = shouldBeChecksum(bytes, offset, format);

  let f = rd16(bytes, offset + 6);
  const o = 8 * (f & 0x1fff);
  // 18.01 XORs the byte offset into the flags word (o is up to 0xfff8, so it can flip flag bits);
  // current VPP clears the 13 offset bits instead.
  f = format === 'vpp-current' ? f & ~0x1fff & 0xffff : (f ^ o) & 0xffff;
  const flagNames = f !== 0 ? FRAGMENT_FLAG_NAMES[(f >>> 13) & 7]! : undefined;
  // Current VPP stops before the L4 header of a non-first fragment.
  const headerBytes = ihl * 4;
  const l4 = (format === 'vpp-current' && o !== 0) || headerBytes >= captured ? undefined : l4View(bytes, offset + headerBytes, captured - headerBytes, protocol, format);

  // The usual views are built in one literal (no properties added afterwards, which would grow the object).
  // Optional fields stay absent rather than undefined, in the order checksumShouldBe, flagNames, l4.
  if (shouldBe === undefined && l4 !== undefined) {
    return flagNames !== undefined
      ? { protocol, src, dst, version, ihl, tos, ttl, length, checksum, fragmentId, fragmentOffset: o, flagNames, l4 }
      : { protocol, src, dst, version, ihl, tos, ttl, length, checksum, fragmentId, fragmentOffset: o, l4 };
  }
  const view: Ip4HeaderView = { protocol, src, dst, version, ihl, tos, ttl, length, checksum, fragmentId, fragmentOffset: o };
  if (shouldBe !== undefined) view.checksumShouldBe = shouldBe;
  if (flagNames !== undefined) view.flagNames = flagNames;
  if (l4 !== undefined) view.l4 = l4;
  return view;
}

/** The `IP4: <src> -> <dst>` line of format_ethernet_header_with_length for the frame at `offset` (no VLAN handling). */
export function ethernetLineView(bytes: Uint8Array, offset: number): EthernetLineView {
  if (offset >= 0 && offset + 14 <= bytes.length) {
    const o = offset;
    return { type: rd16(bytes, o + 12), dst: rd16(bytes, o) * 0x100000000 + rd32(bytes, o + 2), src: rd16(bytes, o + 6) * 0x100000000 + rd32(bytes, o + 8) };
  }
  return { type: u16At(bytes, offset + 12), dst: macAt(bytes, offset), src: macAt(bytes, offset + 6) };
}

function macAt(bytes: Uint8Array, i: number): number {
  return u16At(bytes, i) * 0x100000000 + u32At(bytes, i + 2);
}
