// Structured `show trace` records: what each VPP graph node prints, as data. The model produces them,
// the renderer turns them into VPP text (18.01 or current), the parser reads real text back into them.
// Values are the *printed* values (docs/datapath.md §11), so rendering is exact and parsing is lossless.

/** format_ip4_header, as printed (docs/datapath.md §11.3). */
export interface Ip4HeaderView {
  protocol: number; // printed as TCP/UDP/ICMP/... or "unknown N"
  src: number;
  dst: number;
  /** only printed when version ≠ 4 or IHL ≠ 5 */
  version: number;
  ihl: number;
  tos: number;
  ttl: number;
  length: number;
  checksum: number;
  /** the recomputed checksum when it differs: ` (should be 0x%04x)` */
  checksumShouldBe?: number;
  fragmentId: number;
  /** the byte offset printed as ` offset %d` (only when non-zero) */
  fragmentOffset: number;
  /**
   * flag names after `, flags ` (already with VPP's XOR quirk applied — 18.01; current VPP uses the flag bits
   * only, see ip4-view.ts); undefined = no flags part printed
   */
  flagNames?: string;
  /** the L4 part, or what VPP prints when it does not fit the captured bytes */
  l4?: Ip4L4View;
  /** `IP header truncated` (nothing else printed) */
  truncated?: boolean;
}

export type Ip4L4View =
  | {
      kind: 'tcp';
      srcPort: number;
      dstPort: number;
      seq: number;
      ack: number;
      flags: number;
      headerBytes: number;
      window: number;
      checksum: number;
      /**
       * current VPP only: the lines format_tcp_options prints after `window …`, verbatim without the field
       * indentation (`options:` + one line of options, or a single empty string when there are none). Not
       * computed from bytes: current VPP passes mismatched format arguments there (tcp_format.c).
       */
      options?: string[];
    }
  | { kind: 'udp'; srcPort: number; dstPort: number; length: number; checksum: number }
  /** `id` is printed by current VPP only, for echo request/reply */
  | { kind: 'icmp'; type: number; code: number; checksum: number; id?: number }
  | { kind: 'truncated'; protocol: 'TCP' | 'UDP' | 'ICMP' };

/** The Ethernet summary line `IP4: <src> -> <dst>` (ethertype name, source first). */
export interface EthernetLineView {
  type: number;
  src: number;
  dst: number;
}

/** The vlib buffer lines of dpdk-input / *-tx (docs/datapath.md §11.2). */
export interface BufferView {
  index: number; // buffer 0x%x
  currentData: number;
  length: number;
  freeList?: number; // 18.01 only
  cloneCount: number;
  /** current VPP prints `buffer-pool %d, ref-count %u` instead of `free-list %d, clone-count %u` */
  bufferPool?: number;
  /** current VPP's ref_count (= clone-count + 1 when absent) */
  refCount?: number;
  totlenNifb?: number;
  trace?: number;
  /** space-terminated words of the flags line: flag names and `l2-hdr-offset N` / `l3-hdr-offset N` */
  flagWords: string[];
}

export interface MbufView {
  port: number;
  nbSegs: number;
  pktLen: number;
  bufLen: number;
  dataLen: number;
  olFlags: number;
  dataOff: number;
  physAddr: number;
  packetType: number;
  l2Len: number;
  l3Len: number;
  outerL2Len: number;
  outerL3Len: number;
  /** current VPP adds a `rss 0x%x fdir.hi 0x%x fdir.lo 0x%x` line */
  rss?: number;
  fdirHi?: number;
  fdirLo?: number;
}

/** The extra parts of current VPP's nat44-ed trace (nat44_ed_in2out.c / nat44_ed_out2in.c). */
export interface Nat44EdView {
  /** `, session %d, translation result '%s' via %s` and the `i2of`/`o2if` lines (flows verbatim, with their trailing space) */
  translation?: { result: string; via: string; i2of: string; o2if: string };
  /** fast path only: `lookup skipped - cached session index used` or `search key …` */
  lookup?:
    | { kind: 'skipped' }
    | { kind: 'search-key'; local: number; localPort: number; remote: number; remotePort: number; proto: number; fib: number; threadIndex: number; sessionIndex: number };
  /** out2in fast path only, e.g. `slow path because lookup failed` */
  slowPathReason?: string;
  /** `TCP state: %s` */
  tcpState?: string;
}

/** The acl-plugin 5-tuple (fa_5tuple_t fields as printed). */
export interface AclFiveTupleView {
  isInput: boolean;
  swIfIndex: number;
  lsb16: number;
  isIp6: boolean;
  nonFirstFragment: boolean;
  src: number;
  dst: number;
  proto: number;
  l4Valid: boolean;
  port0: number;
  port1: number;
  tcpFlagsValid: boolean;
  tcpFlags: number;
  rsvd: number;
  /** current VPP only */
  lcIndex?: number;
  isSlowpath?: boolean;
}

/** af_packet's copy of the kernel's tpacket3_hdr, as printed. */
export interface TpacketView {
  status: number;
  len: number;
  snaplen: number;
  mac: number;
  net: number;
  sec: number;
  nsec: number;
  vlan: number;
  vlanTpid: number;
}

/** virtio_net_hdr as af_packet prints it. */
export interface VnetHdrView {
  flags: number;
  gsoType: number;
  hdrLen: number;
  gsoSize: number;
  csumStart: number;
  csumOffset: number;
}

export type TraceBody =
  | { kind: 'virtio-input'; hwIfIndex: number; nextIndex: number; vring: number; len: number; hdr: { flags: number; gsoType: number; hdrLen: number; gsoSize: number; csumStart: number; csumOffset: number; numBuffers: number } }
  | { kind: 'dpdk-input'; ifName: string; rxQueue: number; buffer: BufferView; mbuf: MbufView; eth: EthernetLineView; ip: Ip4HeaderView }
  /** `frame` is current VPP's optional `frame: flags 0x%x[, hw-if-index %u, sw-if-index %u]` line */
  | { kind: 'ethernet-input'; eth: EthernetLineView; frame?: { flags: number; hwIfIndex?: number; swIfIndex?: number } }
  /**
   * ip4-input (indent 2) and ip4-local (indent 4). Current VPP's ip4-local (since renamed ip4-receive) and ip4-drop
   * print `    fib:%d adj:%d flow:0x%08x` first and the header at indent 2; `forward` holds those values.
   */
  | { kind: 'ip4-header'; indent: 2 | 4; ip: Ip4HeaderView; forward?: { fib: number; adj: number; flowHash: number } }
  | {
      kind: 'acl';
      /** current VPP prints `lc_index: N, ` first */
      lcIndex?: number;
      swIfIndex: number;
      nextIndex: number;
      action: number;
      matchAcl: number;
      matchRule: number;
      traceBits: number;
      /** the six u64 words of fa_5tuple_t as 16-digit hex strings */
      pktInfo: [string, string, string, string, string, string];
      tuple: AclFiveTupleView;
    }
  | { kind: 'nat44-in2out'; label: string; swIfIndex: number; nextIndex: number; session: number; ed?: Nat44EdView }
  | { kind: 'nat44-out2in'; label: string; swIfIndex: number; nextIndex: number; sessionIndex: number; ed?: Nat44EdView }
  /** ip4-lookup and ip4-load-balance */
  | { kind: 'ip4-fib'; fib: number; dpoIdx: number; flowHash: number; ip: Ip4HeaderView }
  | {
      kind: 'ip4-rewrite';
      txSwIfIndex: number;
      dpoIdx: number;
      via: string;
      ifName: string;
      rewrite: string;
      flowHash: number;
      bytes: Uint8Array;
      /** current VPP's format_vnet_rewrite adds ` mtu:%d next:%d flags:[%s]` after `<ifname>:` */
      adjacency?: { mtu: number; next: number; flags: string };
    }
  | { kind: 'ip4-udp-lookup'; srcPort: number; dstPort: number; noListener: boolean }
  | { kind: 'vxlan4-encap'; tunnel: number; vni: number }
  | { kind: 'vxlan4-input'; tunnel: number; vni: number; next: number; error: number }
  | { kind: 'vxlan4-input-error'; vni: number }
  /** `suffix`: text current VPP prints after the 18.01 line (` [<feature bitmap>]`), verbatim */
  | { kind: 'l2-input'; swIfIndex: number; dst: number; src: number; suffix?: string }
  | { kind: 'l2-input-classify'; swIfIndex: number; table: number; offset: number; next: number }
  /** `suffix`: text current VPP prints after `bd_index %d` (` result [0x%llx, %d] <flags>`), verbatim */
  | { kind: 'l2-fwd'; swIfIndex: number; dst: number; src: number; bdIndex: number; suffix?: string }
  | { kind: 'l2-output'; swIfIndex: number; dst: number; src: number; data: Uint8Array /* frame bytes 12..23 */ }
  | {
      kind: 'interface-output';
      ifName: string;
      eth: EthernetLineView;
      ip?: Ip4HeaderView;
      /** non-IP frames print raw hex */ raw?: Uint8Array;
      /** current VPP prints `<ifname> flags 0x%08x` (the buffer flags) */
      flags?: number;
    }
  | { kind: 'interface-tx'; ifName: string; txQueue: number; buffer: BufferView; mbuf: MbufView; eth: EthernetLineView; ip?: Ip4HeaderView }
  | { kind: 'error-drop'; node: string; error: string }
  | { kind: 'ip4-icmp-error'; ip: Ip4HeaderView }
  /**
   * current VPP's packet-generator input (V:src/vnet/pg/input.c format_pg_input_trace): stream, byte count, RX
   * interface and next node, the buffer line without its index, then the first 128 bytes of the buffer's data
   * (the pre_data copy): the frame, followed by whatever the buffer held before (stale, see masks.ts).
   */
  | { kind: 'pg-input'; stream: number; bytes: number; swIfIndex: number; nextNode: string; buffer: Omit<BufferView, 'index'>; data: Uint8Array }
  /** af_packet (TPACKET_V3) input (V:src/plugins/af_packet/node.c): ring block and the kernel's frame header */
  | {
      kind: 'af-packet-input';
      hwIfIndex: number;
      rxQueue: number;
      nextIndex: number;
      block: number;
      /** the ring block's user-space address, printed 0x%lx (hex digits; 64-bit, so kept as text) */
      address: string;
      version: number;
      seqNum: number;
      pktNum: number;
      tpacket: TpacketView;
      vnetHdr: VnetHdrView;
    }
  /** af_packet TX (V:src/plugins/af_packet/device.c): the frame header written, then the buffer and the frame at indent 4 */
  | { kind: 'af-packet-tx'; hwIfIndex: number; txQueue: number; tpacket: TpacketView; vnetHdr: VnetHdrView; buffer: BufferView; eth: EthernetLineView; ip?: Ip4HeaderView }
  /** packet-generator TX (V:src/vnet/pg/output.c): the buffer at indent 4, the frame at indent 2 */
  | { kind: 'pg-tx'; buffer: BufferView; eth: EthernetLineView; ip?: Ip4HeaderView }
  /** ip4-sv-reassembly-feature / -output-feature: `[not-fragmented]` and friends (V:src/vnet/ip/reass/ip4_sv_reass.c) */
  | { kind: 'ip4-sv-reassembly'; status: string }
  /**
   * l2-input-feat-arc / -end (current VPP): the L2 input feature arc an L2 ACL runs on, `IN-FEAT-ARC: head …
   * feature_bitmap <hex> ethertype <hex> sw_if_index <n>, next_index <n>` (V:src/vnet/l2/l2_in_out_feat_arc.c)
   */
  | { kind: 'l2-feat-arc'; head: number; featureBitmap: string; ethertype: string; swIfIndex: number; nextIndex: number }
  /** NAT44-ED handoff nodes nat-pre-*: `<in2out|out2in> next_index %d arc_next_index %d` (V:src/plugins/nat/nat44-ed/nat44_ed.c) */
  | { kind: 'nat-pre'; direction: 'in2out' | 'out2in'; nextIndex: number; arcNextIndex: number }
  /** nat44-ed-classify: the next node it chose (V:src/plugins/nat/nat44-ed/nat44_ed_classify.c) */
  | { kind: 'nat44-classify'; next: string }
  /** current VPP's error-drop line: the RX interface only; the reason follows in a `drop` record */
  | { kind: 'error-drop-rx'; rxIfName: string }
  /** any node the parser does not know: its body lines, verbatim */
  | { kind: 'raw'; lines: string[] };

export interface TraceRecord {
  node: string;
  /** time since VPP start in microseconds (printed HH:MM:SS:uuuuuu, hours modulo 24); volatile */
  timeUs: number;
  body: TraceBody;
}

/** One packet's trace on one node (VPP instance). */
export interface PacketTrace {
  /** `Packet N` number when parsed from raw output */
  packet?: number;
  /** thread header `Start of thread N name` when parsed from raw output */
  thread?: { index: number; name: string };
  /** heading of a documentation-form capture, e.g. "SYN from the client's node:" */
  heading?: string;
  records: TraceRecord[];
}

/** Which text format: VPP 18.01 as in the seed, or current FD.io VPP. */
export type TraceFormat = 'vpp-18.01' | 'vpp-current';
