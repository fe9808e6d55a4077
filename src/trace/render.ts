// Trace records → VPP `show trace` text, in the 18.01 form of the seed or in current FD.io VPP's form
// (docs/datapath.md §11). Rendering is exact: indentation, trailing spaces and hex widths as VPP prints them.
//
// VPP sources the formats follow (facts, not code): v18.01 src/vlib/trace.c (layout, headers), the node
// formatters listed in docs/datapath.md §11.2, and for vpp-current (FDio/vpp master, read Aug 2026):
//   src/plugins/acl/dataplane_node.c      format_acl_plugin_trace: `lc_index: %d, ` first; format_fa_5tuple:
//                                         `lc_index %d l3 … l4 lsb_of_sw_if_index %d proto %d l4_is_input %d
//                                         l4_slow_path %d l4_flags 0x%02x port %d -> %d tcp flags (%s) %02x rsvd %x`
//   src/plugins/acl/fa_node.h             format_fa_session_l4_key (the `l4 …` part)
//   src/plugins/nat/nat44-ed/nat44_ed_in2out.c, nat44_ed_out2in.c, nat44_ed_format.c
//                                         NAT44_{IN2OUT,OUT2IN}_ED_{FAST,SLOW}_PATH, session/translation parts,
//                                         i2of/o2if flows, search key, slow-path reason, TCP state
//   src/vlib/buffer.c                     format_vlib_buffer_no_chain: `buffer-pool %d, ref-count %u`,
//                                         `, trace handle 0x%x`; no free-list (removed in v19.04)
//   src/vnet/buffer.h                     the NAT flag is printed `natted` (18.01: `nated`)
//   src/plugins/dpdk/device/format.c      format_dpdk_rte_mbuf: trailing space after outer_l3_len, `rss …` line
//   src/vnet/interface_output.c           `<ifname> flags 0x%08x`
//   src/vnet/ethernet/node.c              optional `frame: flags …` line in ethernet-input
//   src/vnet/ip/ip4_forward.c             ip4-local: `fib:%d adj:%d flow:0x%08x`, then the header at indent 2
//   src/vnet/adj/rewrite.c                ` mtu:%d next:%d flags:[%U]` in the ip4-rewrite adjacency
//   src/vnet/ip/ip4_format.c, icmp4.c, tcp_format.c   ` dscp %U ecn %U`, ICMP ` id %u`, TCP options lines
// Not confirmed (guesses, kept minimal): the text of format_vnet_rewrite_flags (we print what the record holds,
// default empty), mtu/next defaults (0) when a model record has no adjacency; nat44-ed lines when a record has
// no `ed` detail (only line 1 is printed); lc_index defaults (0) when a record has none.
import { ip4ToString, macToString, tcpFlagNames } from '../packet/index.ts';
import { vppDscpEcn, vppEthertypeName, vppIcmpTypeAndCode, vppIpProtocolName } from './ip4-view.ts';
import type { AclFiveTupleView, BufferView, EthernetLineView, Ip4HeaderView, MbufView, Nat44EdView, PacketTrace, TpacketView, TraceBody, TraceFormat, TraceRecord, VnetHdrView } from './records.ts';

const sp = (n: number): string => ' '.repeat(Math.max(0, n));
const hex = (n: number, width = 0): string => (n >>> 0).toString(16).padStart(width, '0');

/** `HH:MM:SS:uuuuuu` from microseconds since VPP start; hours modulo 24 (format_time_interval "h:m:s:u"). */
export function formatTimestamp(timeUs: number): string {
  const total = Number.isFinite(timeUs) && timeUs > 0 ? Math.floor(timeUs) : 0;
  const us = total % 1_000_000;
  const secs = Math.floor(total / 1_000_000);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(Math.floor(secs / 3600) % 24)}:${two(Math.floor(secs / 60) % 60)}:${two(secs % 60)}:${String(us).padStart(6, '0')}`;
}

/** format_hex_bytes: up to 32 bytes on one line; more as `%08x: ` + 32 bytes per line, all at `indent`. */
export function renderHexBytes(bytes: Uint8Array, indent: number): string[] {
  if (bytes.length === 0) return [sp(indent)];
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += hex(bytes[i]!, 2);
  if (bytes.length <= 32) return [sp(indent) + s];
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 32) lines.push(`${sp(indent)}${hex(i, 8)}: ${s.slice(2 * i, 2 * Math.min(i + 32, bytes.length))}`);
  return lines;
}

export function renderEthernetLine(eth: EthernetLineView): string {
  return `${vppEthertypeName(eth.type)}: ${macToString(eth.src)} -> ${macToString(eth.dst)}`;
}

/** format_ip4_header with its first line at `indent` (docs/datapath.md §11.3). */
export function renderIp4Header(ip: Ip4HeaderView, indent: number, format: TraceFormat): string[] {
  const i = sp(indent);
  const f = sp(indent + 2);
  if (ip.truncated) return [`${i}IP header truncated`];
  const lines = [`${i}${vppIpProtocolName(ip.protocol, format)}: ${ip4ToString(ip.src)} -> ${ip4ToString(ip.dst)}`];
  if (ip.version !== 4 || ip.ihl * 4 !== 20) lines.push(`${f}version ${ip.version}, header length ${ip.ihl * 4}`);
  const shouldBe = ip.checksumShouldBe !== undefined ? ` (should be 0x${hex(ip.checksumShouldBe, 4)})` : '';
  const dscp = format === 'vpp-current' ? vppDscpEcn(ip.tos) : '';
  lines.push(`${f}tos 0x${hex(ip.tos, 2)}, ttl ${ip.ttl}, length ${ip.length}, checksum 0x${hex(ip.checksum, 4)}${shouldBe}${dscp}`);
  const offset = ip.fragmentOffset !== 0 ? ` offset ${ip.fragmentOffset}` : '';
  const flags = ip.flagNames !== undefined ? `, flags ${ip.flagNames}` : '';
  lines.push(`${f}fragment id 0x${hex(ip.fragmentId, 4)}${offset}${flags}`);
  const l4 = ip.l4;
  if (!l4) return lines;
  switch (l4.kind) {
    case 'tcp':
      lines.push(
        `${i}TCP: ${l4.srcPort} -> ${l4.dstPort}`,
        `${f}seq. 0x${hex(l4.seq, 8)} ack 0x${hex(l4.ack, 8)}`,
        `${f}flags 0x${hex(l4.flags & 0xff, 2)}${tcpFlagNames(l4.flags & 0xff)}, tcp header: ${l4.headerBytes} bytes`,
        `${f}window ${l4.window}, checksum 0x${hex(l4.checksum, 4)}`,
      );
      if (format === 'vpp-current' && l4.options) for (const o of l4.options) lines.push(f + o);
      break;
    case 'udp':
      lines.push(`${i}UDP: ${l4.srcPort} -> ${l4.dstPort}`, `${f}length ${l4.length}, checksum 0x${hex(l4.checksum, 4)}`);
      break;
    case 'icmp': {
      const id = format === 'vpp-current' && l4.id !== undefined ? ` id ${l4.id}` : '';
      lines.push(`${i}ICMP ${vppIcmpTypeAndCode(l4.type, l4.code)} checksum 0x${hex(l4.checksum)}${id}`);
      break;
    }
    case 'truncated':
      lines.push(`${i}${l4.protocol} header truncated`);
      break;
  }
  return lines;
}

/** Buffer flag names that changed spelling between 18.01 and current VPP (src/vnet/buffer.h). */
const FLAG_18_01_TO_CURRENT: Record<string, string> = { nated: 'natted' };
const FLAG_CURRENT_TO_18_01: Record<string, string> = { natted: 'nated' };

/** format_vlib_buffer_no_chain's first line without the `buffer 0x%x: ` head. */
function bufferSummary(b: Omit<BufferView, 'index'>, format: TraceFormat): string {
  let line: string;
  if (format === 'vpp-current') {
    line = `current data ${b.currentData}, length ${b.length}, buffer-pool ${b.bufferPool ?? b.freeList ?? 0}, ref-count ${b.refCount ?? b.cloneCount + 1}`;
    if (b.totlenNifb !== undefined) line += `, totlen-nifb ${b.totlenNifb}`;
    if (b.trace !== undefined) line += `, trace handle 0x${hex(b.trace)}`;
  } else {
    line = `current data ${b.currentData}, length ${b.length}, free-list ${b.freeList ?? 0}, clone-count ${b.cloneCount}`;
    if (b.totlenNifb !== undefined) line += `, totlen-nifb ${b.totlenNifb}`;
    if (b.trace !== undefined) line += `, trace 0x${hex(b.trace)}`;
  }
  return line;
}

/** The flags line's words, each followed by one space, as VPP prints them. */
function bufferFlagWords(b: Omit<BufferView, 'index'>, format: TraceFormat): string {
  const rename = format === 'vpp-current' ? FLAG_18_01_TO_CURRENT : FLAG_CURRENT_TO_18_01;
  return b.flagWords.map((w) => `${rename[w] ?? w} `).join('');
}

/** The buffer lines at `indent`: `buffer 0x%x: <summary>`, the flags aligned under the summary. */
function renderBuffer(b: BufferView, format: TraceFormat, indent = 2): string[] {
  const head = `buffer 0x${hex(b.index)}: `;
  const lines = [`${sp(indent)}${head}${bufferSummary(b, format)}`];
  if (b.flagWords.length > 0) lines.push(sp(indent + head.length) + bufferFlagWords(b, format));
  return lines;
}

function renderTpacket(t: TpacketView, v: VnetHdrView, indent: number): string[] {
  const i = sp(indent);
  return [
    `${i}tpacket3_hdr:`,
    `${i}  status 0x${hex(t.status)} len ${t.len} snaplen ${t.snaplen} mac ${t.mac} net ${t.net}`,
    `${i}  sec 0x${hex(t.sec)} nsec 0x${hex(t.nsec)} vlan ${t.vlan} vlan_tpid ${t.vlanTpid}`,
    `${i}vnet-hdr:`,
    `${i}  flags 0x${hex(v.flags, 2)} gso_type 0x${hex(v.gsoType, 2)} hdr_len ${v.hdrLen}`,
    `${i}  gso_size ${v.gsoSize} csum_start ${v.csumStart} csum_offset ${v.csumOffset}`,
  ];
}

function renderMbuf(m: MbufView, format: TraceFormat): string[] {
  const lines = [
    `  PKT MBUF: port ${m.port}, nb_segs ${m.nbSegs}, pkt_len ${m.pktLen}`,
    `    buf_len ${m.bufLen}, data_len ${m.dataLen}, ol_flags 0x${hex(m.olFlags)}, data_off ${m.dataOff}, phys_addr 0x${hex(m.physAddr)}`,
    `    packet_type 0x${hex(m.packetType)} l2_len ${m.l2Len} l3_len ${m.l3Len} outer_l2_len ${m.outerL2Len} outer_l3_len ${m.outerL3Len}${format === 'vpp-current' ? ' ' : ''}`,
  ];
  if (format === 'vpp-current') lines.push(`    rss 0x${hex(m.rss ?? 0)} fdir.hi 0x${hex(m.fdirHi ?? 0)} fdir.lo 0x${hex(m.fdirLo ?? 0)}`);
  return lines;
}

function renderTuple(t: AclFiveTupleView, format: TraceFormat): string {
  const l3 = `l3 ${t.isIp6 ? 'ip6' : 'ip4'}${t.nonFirstFragment ? ' non-initial fragment' : ''} ${ip4ToString(t.src)} -> ${ip4ToString(t.dst)}`;
  const tail = `port ${t.port0} -> ${t.port1} tcp flags (${t.tcpFlagsValid ? 'valid' : 'invalid'}) ${hex(t.tcpFlags, 2)} rsvd ${hex(t.rsvd)}`;
  if (format === 'vpp-current') {
    const l4Flags = (t.isInput ? 1 : 0) | (t.isSlowpath ? 2 : 0);
    return `   lc_index ${t.lcIndex ?? 0} ${l3} l4 lsb_of_sw_if_index ${t.lsb16} proto ${t.proto} l4_is_input ${t.isInput ? 1 : 0} l4_slow_path ${t.isSlowpath ? 1 : 0} l4_flags 0x${hex(l4Flags, 2)} ${tail}`;
  }
  return `   ${t.isInput ? 'input' : 'output'} sw_if_index ${t.swIfIndex} (lsb16 ${t.lsb16}) ${l3} l4 proto ${t.proto} l4_valid ${t.l4Valid ? 1 : 0} ${tail}`;
}

/** The nat44-ed label current VPP prints for a (possibly 18.01-style) label. */
export function natEdLabel(label: string, direction: 'in2out' | 'out2in'): string {
  if (label.includes('_ED_')) return label;
  const slow = label.includes('SLOW');
  return `NAT44_${direction === 'in2out' ? 'IN2OUT' : 'OUT2IN'}_ED_${slow ? 'SLOW' : 'FAST'}_PATH`;
}

function renderNatEd(label: string, swIfIndex: number, nextIndex: number, session: number, ed: Nat44EdView | undefined): string[] {
  let first = `  ${label}: sw_if_index ${swIfIndex}, next index ${nextIndex}`;
  if (session !== -1) {
    first += `, session ${session}`;
    if (ed?.translation) first += `, translation result '${ed.translation.result}' via ${ed.translation.via}`;
  }
  const lines = [first];
  if (ed?.translation) lines.push(`  i2of ${ed.translation.i2of}`, `  o2if ${ed.translation.o2if}`);
  const lk = ed?.lookup;
  if (lk?.kind === 'skipped') lines.push('  lookup skipped - cached session index used');
  else if (lk?.kind === 'search-key') {
    lines.push(
      `  search key local ${ip4ToString(lk.local)}:${lk.localPort} remote ${ip4ToString(lk.remote)}:${lk.remotePort} proto ${vppIpProtocolName(lk.proto, 'vpp-current')} fib ${lk.fib} thread-index ${lk.threadIndex} session-index ${lk.sessionIndex}`,
    );
  }
  if (ed?.slowPathReason !== undefined) lines.push(`  ${ed.slowPathReason}`);
  if (ed?.tcpState !== undefined) lines.push(`  TCP state: ${ed.tcpState}`);
  return lines;
}

/** The body lines of one record, at their absolute indentation, as VPP prints them. */
export function renderBody(body: TraceBody, format: TraceFormat): string[] {
  const current = format === 'vpp-current';
  switch (body.kind) {
    case 'virtio-input': {
      const h = body.hdr;
      return [
        `  virtio: hw_if_index ${body.hwIfIndex} next-index ${body.nextIndex} vring ${body.vring} len ${body.len}`,
        `    hdr: flags 0x${hex(h.flags, 2)} gso_type 0x${hex(h.gsoType, 2)} hdr_len ${h.hdrLen} gso_size ${h.gsoSize} csum_start ${h.csumStart} csum_offset ${h.csumOffset} num_buffers ${h.numBuffers}`,
      ];
    }
    case 'dpdk-input':
      return [
        `  ${body.ifName} rx queue ${body.rxQueue}`,
        ...renderBuffer(body.buffer, format),
        ...renderMbuf(body.mbuf, format),
        `  ${renderEthernetLine(body.eth)}`,
        ...renderIp4Header(body.ip, 2, format),
      ];
    case 'interface-tx':
      return [
        `  ${body.ifName} tx queue ${body.txQueue}`,
        ...renderBuffer(body.buffer, format),
        ...renderMbuf(body.mbuf, format),
        `  ${renderEthernetLine(body.eth)}`,
        ...(body.ip ? renderIp4Header(body.ip, 2, format) : []),
      ];
    case 'ethernet-input': {
      const lines: string[] = [];
      if (current && body.frame) {
        const fr = body.frame;
        const idx = fr.hwIfIndex !== undefined ? `, hw-if-index ${fr.hwIfIndex}, sw-if-index ${fr.swIfIndex ?? 0}` : '';
        lines.push(`  frame: flags 0x${hex(fr.flags)}${idx}`);
      }
      lines.push(`  ${renderEthernetLine(body.eth)}`);
      return lines;
    }
    case 'ip4-header':
      if (current && body.indent === 4) {
        const fw = body.forward ?? { fib: 0, adj: 0, flowHash: 0 };
        return [`    fib:${fw.fib} adj:${fw.adj} flow:0x${hex(fw.flowHash, 8)}`, ...renderIp4Header(body.ip, 2, format)];
      }
      return renderIp4Header(body.ip, body.indent, format);
    case 'acl': {
      const lc = current ? `lc_index: ${body.lcIndex ?? 0}, ` : '';
      return [
        `  acl-plugin: ${lc}sw_if_index ${body.swIfIndex}, next index ${body.nextIndex}, action: ${body.action}, match: acl ${body.matchAcl} rule ${body.matchRule} trace_bits ${hex(body.traceBits, 8)}`,
        `  pkt info ${body.pktInfo.join(' ')}`,
        renderTuple(body.tuple, format),
      ];
    }
    case 'nat44-in2out':
      if (current) return renderNatEd(natEdLabel(body.label, 'in2out'), body.swIfIndex, body.nextIndex, body.session, body.ed);
      return [`  ${body.label}: sw_if_index ${body.swIfIndex}, next index ${body.nextIndex}, session ${body.session}`];
    case 'nat44-out2in':
      if (current) return renderNatEd(natEdLabel(body.label, 'out2in'), body.swIfIndex, body.nextIndex, body.sessionIndex, body.ed);
      return [`  ${body.label}: sw_if_index ${body.swIfIndex}, next index ${body.nextIndex}, session index ${body.sessionIndex}`];
    case 'ip4-fib':
      return [`  fib ${body.fib} dpo-idx ${body.dpoIdx} flow hash: 0x${hex(body.flowHash, 8)}`, ...renderIp4Header(body.ip, 2, format)];
    case 'ip4-rewrite': {
      let adj = `${body.ifName}: `;
      if (current) {
        const a = body.adjacency ?? { mtu: 0, next: 0, flags: '' };
        adj = `${body.ifName}: mtu:${a.mtu} next:${a.next} flags:[${a.flags}]${body.rewrite.length > 0 ? ' ' : ''}`;
      }
      return [
        `  tx_sw_if_index ${body.txSwIfIndex} dpo-idx ${body.dpoIdx} : ipv4 via ${body.via} ${adj}${body.rewrite} flow hash: 0x${hex(body.flowHash, 8)}`,
        ...renderHexBytes(body.bytes, 2),
      ];
    }
    case 'ip4-udp-lookup':
      return [`  UDP: src-port ${body.srcPort} dst-port ${body.dstPort}${body.noListener ? ' (no listener)' : ''}`];
    case 'vxlan4-encap':
      return [`  VXLAN encap to vxlan_tunnel${body.tunnel} vni ${body.vni}`];
    case 'vxlan4-input':
      return [`  VXLAN decap from vxlan_tunnel${body.tunnel} vni ${body.vni} next ${body.next} error ${body.error}`];
    case 'vxlan4-input-error':
      return [`  VXLAN decap error - tunnel for vni ${body.vni} does not exist`];
    case 'l2-input':
      return [`  l2-input: sw_if_index ${body.swIfIndex} dst ${macToString(body.dst)} src ${macToString(body.src)}${body.suffix ?? ''}`];
    case 'l2-input-classify':
      return [`  l2-classify: sw_if_index ${body.swIfIndex}, table ${body.table}, offset ${hex(body.offset)}, next ${body.next}`];
    case 'l2-fwd':
      return [`  l2-fwd:   sw_if_index ${body.swIfIndex} dst ${macToString(body.dst)} src ${macToString(body.src)} bd_index ${body.bdIndex}${body.suffix ?? ''}`];
    case 'l2-output': {
      let data = '';
      for (let k = 0; k < 12; k++) data += ` ${hex(body.data[k] ?? 0, 2)}`;
      return [`  l2-output: sw_if_index ${body.swIfIndex} dst ${macToString(body.dst)} src ${macToString(body.src)} data${data}`];
    }
    case 'interface-output': {
      const lines = [current ? `  ${body.ifName} flags 0x${hex(body.flags ?? 0, 8)}` : `  ${body.ifName}`, `  ${renderEthernetLine(body.eth)}`];
      if (body.ip) lines.push(...renderIp4Header(body.ip, 2, format));
      else if (body.raw) lines.push(...renderHexBytes(body.raw, 2));
      return lines;
    }
    case 'error-drop':
      return [`  ${body.node}: ${body.error}`];
    case 'ip4-icmp-error':
      return renderIp4Header(body.ip, 2, format);
    case 'pg-input':
      return [
        `  stream ${body.stream}, ${body.bytes} bytes, sw_if_index ${body.swIfIndex}, next_node ${body.nextNode}`,
        `  ${bufferSummary(body.buffer, format)}`,
        ...(body.buffer.flagWords.length > 0 ? [`  ${bufferFlagWords(body.buffer, format)}`] : []),
        ...renderHexBytes(body.data, 2),
      ];
    case 'af-packet-input':
      return [
        `  af_packet: hw_if_index ${body.hwIfIndex} rx-queue ${body.rxQueue} next-index ${body.nextIndex}`,
        `    block ${body.block}:`,
        `      address 0x${body.address} version ${body.version} seq_num ${body.seqNum} pkt_num ${body.pktNum}`,
        ...renderTpacket(body.tpacket, body.vnetHdr, 4),
      ];
    case 'af-packet-tx': {
      const b = body.buffer;
      return [
        `  af_packet: hw_if_index ${body.hwIfIndex} tx-queue ${body.txQueue}`,
        ...renderTpacket(body.tpacket, body.vnetHdr, 4),
        `    buffer 0x${hex(b.index)}:`,
        `      ${bufferSummary(b, format)}`,
        ...(b.flagWords.length > 0 ? [`      ${bufferFlagWords(b, format)}`] : []),
        `    ${renderEthernetLine(body.eth)}`,
        ...(body.ip ? renderIp4Header(body.ip, 4, format) : []),
      ];
    }
    case 'pg-tx':
      return [...renderBuffer(body.buffer, format, 4), `  ${renderEthernetLine(body.eth)}`, ...(body.ip ? renderIp4Header(body.ip, 2, format) : [])];
    case 'ip4-sv-reassembly':
      return [`  [${body.status}]`];
    case 'l2-feat-arc':
      return [`  IN-FEAT-ARC: head ${body.head} feature_bitmap ${body.featureBitmap} ethertype ${body.ethertype} sw_if_index ${body.swIfIndex}, next_index ${body.nextIndex}`];
    case 'nat-pre':
      return [`  ${body.direction} next_index ${body.nextIndex} arc_next_index ${body.arcNextIndex}`];
    case 'nat44-classify':
      return [`  nat44-classify: next ${body.next}`];
    case 'error-drop-rx':
      return [`  rx:${body.rxIfName}`];
    case 'raw':
      return [...body.lines];
  }
}

/** The body lines of a record (no header), exactly as `show trace` prints them. */
export function renderRecord(rec: TraceRecord, format: TraceFormat): string[] {
  return renderBody(rec.body, format);
}

export interface RenderOptions {
  /** end the text with a newline (default false) */
  newline?: boolean;
}

/**
 * Header + body lines of one packet; consecutive records of one node share one header (docs/datapath.md §11.1).
 * A raw record (text the parser could not read) keeps a header of its own, so that parsing the output
 * again cannot merge it with a neighbouring record of the same node.
 */
export function renderPacketTraceLines(pt: PacketTrace, format: TraceFormat): string[] {
  const lines: string[] = [];
  let prev: TraceRecord | undefined;
  for (const rec of pt.records) {
    const shared = prev !== undefined && prev.node === rec.node && prev.body.kind !== 'raw' && rec.body.kind !== 'raw';
    if (!shared) lines.push(`${formatTimestamp(rec.timeUs)}: ${rec.node}`);
    prev = rec;
    lines.push(...renderRecord(rec, format));
  }
  return lines;
}

export function renderPacketTrace(pt: PacketTrace, format: TraceFormat = 'vpp-18.01', opts: RenderOptions = {}): string {
  const text = renderPacketTraceLines(pt, format).join('\n');
  return opts.newline ? `${text}\n` : text;
}

/** Documentation form (docs/datapath.md §11.5): heading, dashed underline, records; captures separated by a blank line. */
export function renderDocumentationForm(captures: readonly PacketTrace[], format: TraceFormat = 'vpp-18.01'): string {
  return captures
    .map((pt, i) => {
      const heading = pt.heading ?? `Packet ${i + 1}:`;
      return [heading, '-'.repeat(heading.length), ...renderPacketTraceLines(pt, format)].join('\n') + '\n';
    })
    .join('\n');
}

/** One thread's section of `show trace`. */
export interface TraceThread {
  index: number;
  name: string;
  packets: PacketTrace[];
}

/** Groups parsed captures by their thread (captures without one go to thread 0 `vpp_main`), in order of appearance. */
export function threadsOf(captures: readonly PacketTrace[]): TraceThread[] {
  const threads: TraceThread[] = [];
  for (const pt of captures) {
    const index = pt.thread?.index ?? 0;
    const name = pt.thread?.name ?? 'vpp_main';
    let t = threads.find((x) => x.index === index && x.name === name);
    if (!t) {
      t = { index, name, packets: [] };
      threads.push(t);
    }
    t.packets.push(pt);
  }
  return threads;
}

export interface ShowTraceOptions {
  /** `show trace max N` (default 50, as VPP) */
  max?: number;
}

/**
 * Raw `show trace` output (v18.01 src/vlib/trace.c cli_show_trace_buffer): per thread a header, then
 * `Packet N` + "\n" + records + "\n\n" per packet, or `No packets in trace buffer`. The `Limiting display`
 * warning goes out immediately in VPP, so it precedes all accumulated text.
 */
export function renderShowTrace(threads: readonly TraceThread[], format: TraceFormat = 'vpp-18.01', opts: ShowTraceOptions = {}): string {
  const max = opts.max ?? 50;
  let warnings = '';
  let s = '';
  for (const t of threads) {
    s += `------------------- Start of thread ${t.index} ${t.name} -------------------\n`;
    if (t.packets.length === 0) {
      s += 'No packets in trace buffer\n';
      continue;
    }
    for (let i = 0; i < t.packets.length; i++) {
      if (i === max) {
        warnings += `Limiting display to ${max} packets. To display more specify max.\n`;
        break;
      }
      const lines = renderPacketTraceLines(t.packets[i]!, format);
      s += `Packet ${i + 1}\n${lines.length > 0 ? `\n${lines.join('\n')}` : ''}\n\n`;
    }
  }
  return warnings + s;
}
