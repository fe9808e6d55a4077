// VPP `show trace` text → trace records (docs/datapath.md §11). Accepts raw CLI output (thread headers, `Packet N`)
// and the documentation form of the seed (heading + dashes, `# ` comments). Never throws: a body that does
// not fit its node's grammar becomes a `raw` record plus a diagnostic with its 1-based line number.
//
// A parsed body is accepted only if rendering it again (18.01 or current form) gives back exactly the
// lines it came from, so render(parse(text)) is byte-exact for every record that is not raw.
import { fromHex, ip4, mac } from '../packet/index.ts';
import { parseVppEthertypeName, parseVppIcmpTypeAndCode, parseVppIpProtocolName } from './ip4-view.ts';
import type { AclFiveTupleView, BufferView, EthernetLineView, Ip4HeaderView, Ip4L4View, MbufView, Nat44EdView, PacketTrace, TpacketView, TraceBody, TraceRecord, VnetHdrView } from './records.ts';
import { renderBody } from './render.ts';

export interface TraceDiagnostic {
  /** 1-based line number in the input text */
  line: number;
  message: string;
}

export interface ParseResult {
  captures: PacketTrace[];
  diagnostics: TraceDiagnostic[];
}

const THREAD_RE = /^-{19} Start of thread (\d+) (\S+) -{19}$/;
const PACKET_RE = /^Packet (\d+)$/;
const HEADER_RE = /^(\d{2}):(\d{2}):(\d{2}):(\d{6}): (\S+)$/;
const LIMIT_RE = /^Limiting display to \d+ packets\. To display more specify max\.$/;
const DASHES_RE = /^-+$/;

const IP = '(\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3})';
const MAC = '([0-9a-f]{2}(?::[0-9a-f]{2}){5})';
const INT = '(-?\\d{1,10})';
const UINT = '(\\d{1,10})';
const HEX = '([0-9a-f]{1,16})';

/** Which body grammar a node name selects (brief: `<ifname>-output`, `<ifname>-tx`, acl-plugin-*, nat44*). */
export function bodyKindOf(node: string): TraceBody['kind'] {
  switch (node) {
    case 'virtio-input':
    case 'dpdk-input':
    case 'ethernet-input':
    case 'ip4-rewrite':
    case 'ip4-udp-lookup':
    case 'vxlan4-encap':
    case 'vxlan4-input':
    case 'l2-input':
    case 'l2-input-classify':
    case 'l2-fwd':
    case 'l2-output':
    case 'error-drop':
    case 'ip4-icmp-error':
      return node;
    case 'ip4-input':
    case 'ip4-local':
    case 'ip4-receive':
    case 'ip4-drop':
      return 'ip4-header';
    case 'ip4-sv-reassembly-feature':
    case 'ip4-sv-reassembly-output-feature':
      return 'ip4-sv-reassembly';
    case 'l2-input-feat-arc':
    case 'l2-input-feat-arc-end':
      return 'l2-feat-arc';
    case 'nat44-ed-classify':
    case 'nat44-classify':
      return 'nat44-classify';
    case 'pg-input':
    case 'af-packet-input':
      return node;
    case 'ip4-lookup':
    case 'ip4-load-balance':
      return 'ip4-fib';
  }
  // Current VPP: `error-drop` prints the RX interface and a `drop` record says which node dropped and why.
  if (node === 'drop') return 'error-drop';
  if (node.startsWith('acl-plugin-')) return 'acl';
  if (/^nat-pre-(in2out|out2in)/.test(node)) return 'nat-pre';
  // Feature nodes whose names end like an interface's (nat-pre-in2out-output, ip4-sv-reassembly-output-feature).
  if (/^(nat-|ip4-|ip6-|l2-|interface|ethernet|error)/.test(node)) return 'raw';
  if (/^nat44.*-in2out/.test(node)) return 'nat44-in2out';
  if (/^nat44.*-out2in/.test(node)) return 'nat44-out2in';
  if (node.endsWith('-tx')) return 'interface-tx';
  if (node.endsWith('-output')) return 'interface-output';
  return 'raw';
}

// --- a cursor over one record group's body lines ----------------------------------------------------------

class Cursor {
  constructor(
    readonly lines: readonly string[],
    public pos: number,
  ) {}

  peek(): string | undefined {
    return this.lines[this.pos];
  }

  /** Matches the current line against `re`; advances only on success. */
  take(re: RegExp): RegExpExecArray | null {
    const line = this.lines[this.pos];
    if (line === undefined) return null;
    const m = re.exec(line);
    if (m) this.pos++;
    return m;
  }
}

const rx = (indent: number, body: string): RegExp => new RegExp(`^ {${indent}}${body}$`);
const num = (s: string | undefined): number => Number(s ?? 'NaN');
const hexNum = (s: string | undefined): number => parseInt(s ?? 'x', 16);

function safeIp(text: string | undefined): number | undefined {
  try {
    return text === undefined ? undefined : ip4(text);
  } catch {
    return undefined;
  }
}

function ethLine(c: Cursor, indent: number): EthernetLineView | null {
  const m = c.take(rx(indent, `(\\S+): ${MAC} -> ${MAC}`));
  if (!m) return null;
  const type = parseVppEthertypeName(m[1]!);
  if (type === undefined) {
    c.pos--;
    return null;
  }
  return { type, src: mac(m[2]!), dst: mac(m[3]!) };
}

function tcpOptions(c: Cursor, f: number): string[] | undefined {
  const line = c.peek();
  if (line === undefined) return undefined;
  if (line === ' '.repeat(f)) {
    c.pos++;
    return [''];
  }
  if (!line.startsWith(`${' '.repeat(f)}options:`)) return undefined;
  const out = [line.slice(f)];
  c.pos++;
  for (let next = c.peek(); next !== undefined && next.startsWith(' '.repeat(f + 2)); next = c.peek()) {
    out.push(next.slice(f));
    c.pos++;
  }
  return out;
}

function l4Lines(c: Cursor, i: number): Ip4L4View | undefined {
  const f = i + 2;
  const trunc = c.take(rx(i, '(TCP|UDP|ICMP) header truncated'));
  if (trunc) return { kind: 'truncated', protocol: trunc[1] as 'TCP' | 'UDP' | 'ICMP' };
  const start = c.pos;
  const tcp = c.take(rx(i, `TCP: ${UINT} -> ${UINT}`));
  if (tcp) {
    const seq = c.take(rx(f, 'seq\\. 0x([0-9a-f]{8}) ack 0x([0-9a-f]{8})'));
    const fl = seq && c.take(rx(f, 'flags 0x([0-9a-f]{2})[A-Z ]*, tcp header: (\\d{1,3}) bytes'));
    const win = fl && c.take(rx(f, `window ${UINT}, checksum 0x([0-9a-f]{4})`));
    if (!seq || !fl || !win) {
      c.pos = start;
      return undefined;
    }
    const view: Ip4L4View = {
      kind: 'tcp',
      srcPort: num(tcp[1]),
      dstPort: num(tcp[2]),
      seq: hexNum(seq[1]),
      ack: hexNum(seq[2]),
      flags: hexNum(fl[1]),
      headerBytes: num(fl[2]),
      window: num(win[1]),
      checksum: hexNum(win[2]),
    };
    const options = tcpOptions(c, f);
    if (options) view.options = options;
    return view;
  }
  const udp = c.take(rx(i, `UDP: ${UINT} -> ${UINT}`));
  if (udp) {
    const len = c.take(rx(f, `length ${UINT}, checksum 0x([0-9a-f]{4})`));
    if (!len) {
      c.pos = start;
      return undefined;
    }
    return { kind: 'udp', srcPort: num(udp[1]), dstPort: num(udp[2]), length: num(len[1]), checksum: hexNum(len[2]) };
  }
  const icmp = c.take(rx(i, 'ICMP (.+?) checksum 0x([0-9a-f]{1,4})(?: id (\\d{1,5}))?'));
  if (icmp) {
    const tc = parseVppIcmpTypeAndCode(icmp[1]!);
    if (!tc) {
      c.pos = start;
      return undefined;
    }
    const view: Extract<Ip4L4View, { kind: 'icmp' }> = { kind: 'icmp', type: tc.type, code: tc.code, checksum: hexNum(icmp[2]) };
    if (icmp[3] !== undefined) view.id = num(icmp[3]);
    return view;
  }
  return undefined;
}

/** format_ip4_header lines with the first one at indent `i`. */
function ip4Lines(c: Cursor, i: number): Ip4HeaderView | null {
  const f = i + 2;
  const start = c.pos;
  if (c.take(rx(i, 'IP header truncated'))) {
    return { protocol: 0, src: 0, dst: 0, version: 4, ihl: 5, tos: 0, ttl: 0, length: 0, checksum: 0, fragmentId: 0, fragmentOffset: 0, truncated: true };
  }
  const first = c.take(rx(i, `(unknown \\d{1,3}|[A-Z0-9_]+): ${IP} -> ${IP}`));
  const protocol = first ? parseVppIpProtocolName(first[1]!) : undefined;
  const src = safeIp(first?.[2]);
  const dst = safeIp(first?.[3]);
  if (protocol === undefined || src === undefined || dst === undefined) {
    c.pos = start;
    return null;
  }
  let version = 4;
  let ihl = 5;
  const ver = c.take(rx(f, 'version (\\d{1,2}), header length (\\d{1,2})'));
  if (ver) {
    version = num(ver[1]);
    const len = num(ver[2]);
    if (len % 4 !== 0 || version > 15 || len > 60) {
      c.pos--;
      return null;
    }
    ihl = len / 4;
  }
  const tos = c.take(rx(f, `tos 0x([0-9a-f]{2}), ttl (\\d{1,3}), length ${UINT}, checksum 0x([0-9a-f]{4})(?: \\(should be 0x([0-9a-f]{4})\\))?(?: dscp \\S+ ecn \\S+)?`));
  if (!tos) return null;
  const frag = c.take(rx(f, 'fragment id 0x([0-9a-f]{4})(?: offset (\\d{1,5}))?(?:, flags ([A-Z_]*))?'));
  if (!frag) return null;
  const view: Ip4HeaderView = {
    protocol,
    src,
    dst,
    version,
    ihl,
    tos: hexNum(tos[1]),
    ttl: num(tos[2]),
    length: num(tos[3]),
    checksum: hexNum(tos[4]),
    fragmentId: hexNum(frag[1]),
    fragmentOffset: frag[2] === undefined ? 0 : num(frag[2]),
  };
  if (tos[5] !== undefined) view.checksumShouldBe = hexNum(tos[5]);
  if (frag[3] !== undefined) view.flagNames = frag[3];
  const l4 = l4Lines(c, i);
  if (l4) view.l4 = l4;
  return view;
}

const BUFFER_SUMMARY = `current data ${INT}, length ${UINT}, (?:free-list ${UINT}, clone-count ${UINT}|buffer-pool ${UINT}, ref-count ${UINT})(?:, totlen-nifb ${INT})?(?:, trace(?: handle)? 0x${HEX})?`;

/** The summary line's fields (`m` from BUFFER_SUMMARY, its groups from `at`) plus, if present, the flags line at `flagsIndent`. */
function bufferFields(c: Cursor, m: RegExpExecArray, at: number, flagsIndent: number): Omit<BufferView, 'index'> {
  const g = (k: number): string | undefined => m[at + k];
  const b: Omit<BufferView, 'index'> = { currentData: num(g(0)), length: num(g(1)), cloneCount: 0, flagWords: [] };
  if (g(2) !== undefined) {
    b.freeList = num(g(2));
    b.cloneCount = num(g(3));
  } else {
    b.bufferPool = num(g(4));
    b.refCount = num(g(5));
    b.cloneCount = b.refCount - 1;
  }
  if (g(6) !== undefined) b.totlenNifb = num(g(6));
  if (g(7) !== undefined) b.trace = hexNum(g(7));
  // Flags line: space-terminated words; a number belongs to the word before. It always ends with a space.
  const flags = c.peek();
  if (flags !== undefined && flags.startsWith(' '.repeat(flagsIndent)) && flags.endsWith(' ') && flags.length > flagsIndent && flags[flagsIndent] !== ' ' && !/^[0-9a-f]{8}: /.test(flags.slice(flagsIndent))) {
    c.pos++;
    for (const tok of flags.slice(flagsIndent).split(' ').filter((t) => t !== '')) {
      if (/^\d+$/.test(tok) && b.flagWords.length > 0) b.flagWords[b.flagWords.length - 1] += ` ${tok}`;
      else b.flagWords.push(tok);
    }
  }
  return b;
}

function bufferLines(c: Cursor, indent = 2): BufferView | null {
  const m = c.take(rx(indent, `buffer 0x([0-9a-f]{1,8}): ${BUFFER_SUMMARY}`));
  if (!m) return null;
  // Flags at the column after `buffer 0x…: `.
  return { index: hexNum(m[1]), ...bufferFields(c, m, 2, indent + `buffer 0x${m[1]}: `.length) };
}

function tpacketLines(c: Cursor, i: number): { tpacket: TpacketView; vnetHdr: VnetHdrView } | null {
  const h = c.take(rx(i, 'tpacket3_hdr:'));
  const a = h && c.take(rx(i + 2, `status 0x${HEX} len ${UINT} snaplen ${UINT} mac ${UINT} net ${UINT}`));
  const b = a && c.take(rx(i + 2, `sec 0x${HEX} nsec 0x${HEX} vlan ${UINT} vlan_tpid ${UINT}`));
  const v = b && c.take(rx(i, 'vnet-hdr:'));
  const d = v && c.take(rx(i + 2, `flags 0x([0-9a-f]{2}) gso_type 0x([0-9a-f]{2}) hdr_len ${UINT}`));
  const e = d && c.take(rx(i + 2, `gso_size ${UINT} csum_start ${UINT} csum_offset ${UINT}`));
  if (!a || !b || !d || !e) return null;
  return {
    tpacket: { status: hexNum(a[1]), len: num(a[2]), snaplen: num(a[3]), mac: num(a[4]), net: num(a[5]), sec: hexNum(b[1]), nsec: hexNum(b[2]), vlan: num(b[3]), vlanTpid: num(b[4]) },
    vnetHdr: { flags: hexNum(d[1]), gsoType: hexNum(d[2]), hdrLen: num(d[3]), gsoSize: num(e[1]), csumStart: num(e[2]), csumOffset: num(e[3]) },
  };
}

function mbufLines(c: Cursor): MbufView | null {
  const a = c.take(rx(2, `PKT MBUF: port ${UINT}, nb_segs ${UINT}, pkt_len ${UINT}`));
  const b = a && c.take(rx(4, `buf_len ${UINT}, data_len ${UINT}, ol_flags 0x${HEX}, data_off ${UINT}, phys_addr 0x${HEX}`));
  const t = b && c.take(rx(4, `packet_type 0x${HEX} l2_len ${UINT} l3_len ${UINT} outer_l2_len ${UINT} outer_l3_len ${UINT} ?`));
  if (!a || !b || !t) return null;
  const m: MbufView = {
    port: num(a[1]),
    nbSegs: num(a[2]),
    pktLen: num(a[3]),
    bufLen: num(b[1]),
    dataLen: num(b[2]),
    olFlags: hexNum(b[3]),
    dataOff: num(b[4]),
    physAddr: hexNum(b[5]),
    packetType: hexNum(t[1]),
    l2Len: num(t[2]),
    l3Len: num(t[3]),
    outerL2Len: num(t[4]),
    outerL3Len: num(t[5]),
  };
  const rss = c.take(rx(4, `rss 0x${HEX} fdir\\.hi 0x${HEX} fdir\\.lo 0x${HEX}`));
  if (rss) {
    m.rss = hexNum(rss[1]);
    m.fdirHi = hexNum(rss[2]);
    m.fdirLo = hexNum(rss[3]);
  }
  return m;
}

/** format_hex_bytes at indent 2: one short line (≤ 32 bytes) or `%08x: ` lines of 32 bytes. */
function hexLines(c: Cursor): Uint8Array | null {
  if (c.peek() === '  ') {
    c.pos++;
    return new Uint8Array(0);
  }
  let hexText = '';
  for (let off = 0; ; off += 32) {
    const m = c.take(rx(2, '([0-9a-f]{8}): ((?:[0-9a-f]{2}){1,32})'));
    if (!m) break;
    if (parseInt(m[1]!, 16) !== off) {
      c.pos--;
      break;
    }
    hexText += m[2];
  }
  if (hexText === '') {
    const short = c.take(rx(2, '((?:[0-9a-f]{2}){1,32})'));
    if (!short) return null;
    hexText = short[1]!;
  }
  return fromHex(hexText);
}

function tupleLine(c: Cursor, swIfIndex: number, pktInfo: readonly string[]): AclFiveTupleView | null {
  const tail = `port ${UINT} -> ${UINT} tcp flags \\((valid|invalid)\\) ([0-9a-f]{2}) rsvd ([0-9a-f]{1,2})`;
  const old = c.take(rx(3, `(input|output) sw_if_index ${INT} \\(lsb16 ${INT}\\) l3 ip4( non-initial fragment)? ${IP} -> ${IP} l4 proto ${UINT} l4_valid ${UINT} ${tail}`));
  if (old) {
    const src = safeIp(old[5]);
    const dst = safeIp(old[6]);
    if (src === undefined || dst === undefined) return null;
    return {
      isInput: old[1] === 'input',
      swIfIndex: num(old[2]),
      lsb16: num(old[3]),
      isIp6: false,
      nonFirstFragment: old[4] !== undefined,
      src,
      dst,
      proto: num(old[7]),
      l4Valid: old[8] === '1',
      port0: num(old[9]),
      port1: num(old[10]),
      tcpFlagsValid: old[11] === 'valid',
      tcpFlags: hexNum(old[12]),
      rsvd: hexNum(old[13]),
    };
  }
  const cur = c.take(
    rx(3, `lc_index ${INT} l3 ip4( non-initial fragment)? ${IP} -> ${IP} l4 lsb_of_sw_if_index ${UINT} proto ${UINT} l4_is_input ([01]) l4_slow_path ([01]) l4_flags 0x([0-9a-f]{2}) ${tail}`),
  );
  if (!cur) return null;
  const src = safeIp(cur[3]);
  const dst = safeIp(cur[4]);
  if (src === undefined || dst === undefined) return null;
  // Not printed by current VPP: l4_valid comes from the flag byte of pkt info word 5 (bit 1 in fa_packet_info_t).
  const flagByte = parseInt(pktInfo[5]?.slice(0, 2) ?? '0', 16);
  return {
    isInput: cur[7] === '1',
    swIfIndex,
    lsb16: num(cur[5]),
    isIp6: false,
    nonFirstFragment: cur[2] !== undefined,
    src,
    dst,
    proto: num(cur[6]),
    l4Valid: (flagByte & 2) !== 0,
    port0: num(cur[10]),
    port1: num(cur[11]),
    tcpFlagsValid: cur[12] === 'valid',
    tcpFlags: hexNum(cur[13]),
    rsvd: hexNum(cur[14]),
    lcIndex: num(cur[1]),
    isSlowpath: cur[8] === '1',
  };
}

const SLOW_PATH_REASONS = /^ {2}(no reason for slow path|slow path because lookup failed|slow path because vrf expired|slow path because session expired|invalid reason value)$/;

function natEdLines(c: Cursor, translation: { result: string; via: string } | undefined): Nat44EdView | null {
  const ed: Nat44EdView = {};
  if (translation) {
    const i2of = c.take(/^ {2}i2of (.*)$/);
    const o2if = i2of && c.take(/^ {2}o2if (.*)$/);
    if (!i2of || !o2if) return null;
    ed.translation = { ...translation, i2of: i2of[1]!, o2if: o2if[1]! };
  }
  if (c.take(/^ {2}lookup skipped - cached session index used$/)) ed.lookup = { kind: 'skipped' };
  else {
    const k = c.take(rx(2, `search key local ${IP}:${UINT} remote ${IP}:${UINT} proto (unknown \\d{1,3}|[A-Z0-9_]+) fib ${UINT} thread-index ${UINT} session-index ${UINT}`));
    if (k) {
      const local = safeIp(k[1]);
      const remote = safeIp(k[3]);
      const proto = parseVppIpProtocolName(k[5]!);
      if (local === undefined || remote === undefined || proto === undefined) return null;
      ed.lookup = { kind: 'search-key', local, localPort: num(k[2]), remote, remotePort: num(k[4]), proto, fib: num(k[6]), threadIndex: num(k[7]), sessionIndex: num(k[8]) };
    }
  }
  const reason = c.take(SLOW_PATH_REASONS);
  if (reason) ed.slowPathReason = reason[1]!;
  const state = c.take(/^ {2}TCP state: (.*)$/);
  if (state) ed.tcpState = state[1]!;
  return ed;
}

function parseNat(c: Cursor, kind: 'nat44-in2out' | 'nat44-out2in'): TraceBody | null {
  const line = c.peek() ?? '';
  const head = `^ {2}(NAT44_[A-Z0-9_]+): sw_if_index ${INT}, next index ${INT}`;
  if (!/^ {2}NAT44_[A-Z0-9_]*_ED_/.test(line)) {
    const m = c.take(new RegExp(`${head}, session${kind === 'nat44-out2in' ? ' index' : ''} ${INT}$`));
    if (!m) return null;
    return kind === 'nat44-in2out'
      ? { kind, label: m[1]!, swIfIndex: num(m[2]), nextIndex: num(m[3]), session: num(m[4]) }
      : { kind, label: m[1]!, swIfIndex: num(m[2]), nextIndex: num(m[3]), sessionIndex: num(m[4]) };
  }
  const m = c.take(new RegExp(`${head}(?:, session ${INT}(?:, translation result '([^']*)' via (\\S+))?)?$`));
  if (!m) return null;
  const session = m[4] === undefined ? -1 : num(m[4]);
  const ed = natEdLines(c, m[5] !== undefined ? { result: m[5], via: m[6]! } : undefined);
  if (!ed) return null;
  const base = { label: m[1]!, swIfIndex: num(m[2]), nextIndex: num(m[3]) };
  const withEd = Object.keys(ed).length > 0 ? { ed } : {};
  return kind === 'nat44-in2out' ? { kind, ...base, session, ...withEd } : { kind, ...base, sessionIndex: session, ...withEd };
}

function afPacketTx(c: Cursor): TraceBody | null {
  const a = c.take(rx(2, `af_packet: hw_if_index ${UINT} tx-queue ${UINT}`));
  const t = a && tpacketLines(c, 4);
  const bh = t && c.take(rx(4, 'buffer 0x([0-9a-f]{1,8}):'));
  const m = bh && c.take(rx(6, BUFFER_SUMMARY));
  if (!a || !t || !bh || !m) return null;
  const buffer: BufferView = { index: hexNum(bh[1]), ...bufferFields(c, m, 1, 6) };
  const eth = ethLine(c, 4);
  if (!eth) return null;
  const body: Extract<TraceBody, { kind: 'af-packet-tx' }> = { kind: 'af-packet-tx', hwIfIndex: num(a[1]), txQueue: num(a[2]), ...t, buffer, eth };
  if (eth.type === 0x0800) {
    const ip = ip4Lines(c, 4);
    if (!ip) return null;
    body.ip = ip;
  }
  return body;
}

function pgTx(c: Cursor): TraceBody | null {
  const buffer = bufferLines(c, 4);
  const eth = buffer && ethLine(c, 2);
  if (!buffer || !eth) return null;
  const body: Extract<TraceBody, { kind: 'pg-tx' }> = { kind: 'pg-tx', buffer, eth };
  if (eth.type === 0x0800) {
    const ip = ip4Lines(c, 2);
    if (!ip) return null;
    body.ip = ip;
  }
  return body;
}

/** Parses one body of the given kind at the cursor; null (cursor at the offending line) when it does not fit. */
function parseBody(c: Cursor, kind: TraceBody['kind'], node: string): TraceBody | null {
  switch (kind) {
    case 'virtio-input': {
      const a = c.take(rx(2, `virtio: hw_if_index ${INT} next-index ${INT} vring ${UINT} len ${UINT}`));
      const b = a && c.take(rx(4, `hdr: flags 0x([0-9a-f]{2}) gso_type 0x([0-9a-f]{2}) hdr_len ${UINT} gso_size ${UINT} csum_start ${UINT} csum_offset ${UINT} num_buffers ${UINT}`));
      if (!a || !b) return null;
      return {
        kind,
        hwIfIndex: num(a[1]),
        nextIndex: num(a[2]),
        vring: num(a[3]),
        len: num(a[4]),
        hdr: { flags: hexNum(b[1]), gsoType: hexNum(b[2]), hdrLen: num(b[3]), gsoSize: num(b[4]), csumStart: num(b[5]), csumOffset: num(b[6]), numBuffers: num(b[7]) },
      };
    }
    case 'dpdk-input':
    case 'interface-tx': {
      // TX of other drivers than DPDK: af_packet and packet-generator
      if (kind === 'interface-tx' && /^ {2}af_packet: /.test(c.peek() ?? '')) return afPacketTx(c);
      if (kind === 'interface-tx' && /^ {4}buffer 0x/.test(c.peek() ?? '')) return pgTx(c);
      const q = c.take(rx(2, `(\\S+) ${kind === 'dpdk-input' ? 'rx' : 'tx'} queue ${UINT}`));
      const buffer = q && bufferLines(c);
      const mbuf = buffer && mbufLines(c);
      const eth = mbuf && ethLine(c, 2);
      if (!q || !buffer || !mbuf || !eth) return null;
      const ip = eth.type === 0x0800 ? ip4Lines(c, 2) : null;
      if (kind === 'dpdk-input') return ip ? { kind, ifName: q[1]!, rxQueue: num(q[2]), buffer, mbuf, eth, ip } : null;
      return ip ? { kind, ifName: q[1]!, txQueue: num(q[2]), buffer, mbuf, eth, ip } : { kind, ifName: q[1]!, txQueue: num(q[2]), buffer, mbuf, eth };
    }
    case 'ethernet-input': {
      const fr = c.take(rx(2, `frame: flags 0x${HEX}(?:, hw-if-index ${UINT}, sw-if-index ${UINT})?`));
      const eth = ethLine(c, 2);
      if (!eth) return null;
      if (!fr) return { kind, eth };
      const frame: { flags: number; hwIfIndex?: number; swIfIndex?: number } = { flags: hexNum(fr[1]) };
      if (fr[2] !== undefined) {
        frame.hwIfIndex = num(fr[2]);
        frame.swIfIndex = num(fr[3]);
      }
      return { kind, eth, frame };
    }
    case 'ip4-header': {
      if (node === 'ip4-local' || node === 'ip4-receive' || node === 'ip4-drop') {
        const fw = c.take(rx(4, `fib:${INT} adj:${INT} flow:0x([0-9a-f]{8})`));
        if (fw) {
          const ip = ip4Lines(c, 2);
          return ip && { kind, indent: 4, ip, forward: { fib: num(fw[1]), adj: num(fw[2]), flowHash: hexNum(fw[3]) } };
        }
        const ip = ip4Lines(c, 4);
        return ip && { kind, indent: 4, ip };
      }
      const ip = ip4Lines(c, 2);
      return ip && { kind, indent: 2, ip };
    }
    case 'ip4-icmp-error': {
      const ip = ip4Lines(c, 2);
      return ip && { kind, ip };
    }
    case 'acl': {
      const a = c.take(rx(2, `acl-plugin: (?:lc_index: ${INT}, )?sw_if_index ${INT}, next index ${INT}, action: ${INT}, match: acl ${INT} rule ${INT} trace_bits ([0-9a-f]{8})`));
      const p = a && c.take(rx(2, `pkt info ${Array.from({ length: 6 }, () => '([0-9a-f]{16})').join(' ')}`));
      if (!a || !p) return null;
      const pktInfo: [string, string, string, string, string, string] = [p[1]!, p[2]!, p[3]!, p[4]!, p[5]!, p[6]!];
      const tuple = tupleLine(c, num(a[2]), pktInfo);
      if (!tuple) return null;
      const body: TraceBody = { kind, swIfIndex: num(a[2]), nextIndex: num(a[3]), action: num(a[4]), matchAcl: num(a[5]), matchRule: num(a[6]), traceBits: hexNum(a[7]), pktInfo, tuple };
      if (a[1] !== undefined) body.lcIndex = num(a[1]);
      return body;
    }
    case 'nat44-in2out':
    case 'nat44-out2in':
      return parseNat(c, kind);
    case 'ip4-fib': {
      const a = c.take(rx(2, `fib ${INT} dpo-idx ${INT} flow hash: 0x([0-9a-f]{8})`));
      const ip = a && ip4Lines(c, 2);
      return a && ip ? { kind, fib: num(a[1]), dpoIdx: num(a[2]), flowHash: hexNum(a[3]), ip } : null;
    }
    case 'ip4-rewrite': {
      const a = c.take(rx(2, `tx_sw_if_index ${INT} dpo-idx ${INT} : ipv4 via (\\S+) (\\S+): (?:mtu:${UINT} next:${UINT} flags:\\[([^\\]]*)\\] ?)?((?:[0-9a-f]{2})*) flow hash: 0x([0-9a-f]{8})`));
      const bytes = a && hexLines(c);
      if (!a || !bytes) return null;
      const body: TraceBody = { kind, txSwIfIndex: num(a[1]), dpoIdx: num(a[2]), via: a[3]!, ifName: a[4]!, rewrite: a[8]!, flowHash: hexNum(a[9]), bytes };
      if (a[5] !== undefined) body.adjacency = { mtu: num(a[5]), next: num(a[6]), flags: a[7]! };
      return body;
    }
    case 'ip4-udp-lookup': {
      const m = c.take(rx(2, `UDP: src-port ${UINT} dst-port ${UINT}( \\(no listener\\))?`));
      return m && { kind, srcPort: num(m[1]), dstPort: num(m[2]), noListener: m[3] !== undefined };
    }
    case 'vxlan4-encap': {
      const m = c.take(rx(2, `VXLAN encap to vxlan_tunnel${INT} vni ${UINT}`));
      return m && { kind, tunnel: num(m[1]), vni: num(m[2]) };
    }
    case 'vxlan4-input':
    case 'vxlan4-input-error': {
      const err = c.take(rx(2, `VXLAN decap error - tunnel for vni ${UINT} does not exist`));
      if (err) return { kind: 'vxlan4-input-error', vni: num(err[1]) };
      const m = c.take(rx(2, `VXLAN decap from vxlan_tunnel${INT} vni ${UINT} next ${INT} error ${INT}`));
      return m && { kind: 'vxlan4-input', tunnel: num(m[1]), vni: num(m[2]), next: num(m[3]), error: num(m[4]) };
    }
    case 'l2-input': {
      const m = c.take(rx(2, `l2-input: sw_if_index ${INT} dst ${MAC} src ${MAC}( \\[.*\\])?`));
      if (!m) return null;
      const body: TraceBody = { kind, swIfIndex: num(m[1]), dst: mac(m[2]!), src: mac(m[3]!) };
      if (m[4] !== undefined) body.suffix = m[4];
      return body;
    }
    case 'l2-input-classify': {
      const m = c.take(rx(2, `l2-classify: sw_if_index ${INT}, table ${INT}, offset ([0-9a-f]{1,8}), next ${INT}`));
      return m && { kind, swIfIndex: num(m[1]), table: num(m[2]), offset: hexNum(m[3]), next: num(m[4]) };
    }
    case 'l2-fwd': {
      const m = c.take(rx(2, `l2-fwd: {3}sw_if_index ${INT} dst ${MAC} src ${MAC} bd_index ${UINT}( result .*)?`));
      if (!m) return null;
      const body: TraceBody = { kind, swIfIndex: num(m[1]), dst: mac(m[2]!), src: mac(m[3]!), bdIndex: num(m[4]) };
      if (m[5] !== undefined) body.suffix = m[5];
      return body;
    }
    case 'l2-output': {
      const m = c.take(rx(2, `l2-output: sw_if_index ${INT} dst ${MAC} src ${MAC} data((?: [0-9a-f]{2}){12})`));
      return m && { kind, swIfIndex: num(m[1]), dst: mac(m[2]!), src: mac(m[3]!), data: fromHex(m[4]!) };
    }
    case 'interface-output': {
      const a = c.take(rx(2, '(\\S+)(?: flags 0x([0-9a-f]{8}))?'));
      const eth = a && ethLine(c, 2);
      if (!a || !eth) return null;
      const body: Extract<TraceBody, { kind: 'interface-output' }> = { kind, ifName: a[1]!, eth };
      if (a[2] !== undefined) body.flags = hexNum(a[2]);
      if (eth.type === 0x0800) {
        const ip = ip4Lines(c, 2);
        if (!ip) return null;
        body.ip = ip;
      } else {
        const start = c.pos;
        const raw = c.peek() !== undefined && /^ {2}[0-9a-f]/.test(c.peek()!) ? hexLines(c) : null;
        if (raw) body.raw = raw;
        else c.pos = start;
      }
      return body;
    }
    case 'error-drop': {
      const rxIf = c.take(/^ {2}rx:(\S+)$/);
      if (rxIf) return { kind: 'error-drop-rx', rxIfName: rxIf[1]! };
      const m = c.take(/^ {2}(\S+): (.*)$/);
      return m && { kind, node: m[1]!, error: m[2]! };
    }
    case 'error-drop-rx': {
      const m = c.take(/^ {2}rx:(\S+)$/);
      return m && { kind, rxIfName: m[1]! };
    }
    case 'pg-input': {
      const a = c.take(rx(2, `stream ${UINT}, ${UINT} bytes, sw_if_index ${INT}, next_node (\\S+)`));
      const m = a && c.take(rx(2, BUFFER_SUMMARY));
      if (!a || !m) return null;
      const buffer = bufferFields(c, m, 1, 2);
      const data = hexLines(c);
      return data && { kind, stream: num(a[1]), bytes: num(a[2]), swIfIndex: num(a[3]), nextNode: a[4]!, buffer, data };
    }
    case 'af-packet-input': {
      const a = c.take(rx(2, `af_packet: hw_if_index ${UINT} rx-queue ${UINT} next-index ${UINT}`));
      const b = a && c.take(rx(4, `block ${UINT}:`));
      const d = b && c.take(rx(6, `address 0x${HEX} version ${UINT} seq_num ${UINT} pkt_num ${UINT}`));
      const t = d && tpacketLines(c, 4);
      if (!a || !b || !d || !t) return null;
      return { kind, hwIfIndex: num(a[1]), rxQueue: num(a[2]), nextIndex: num(a[3]), block: num(b[1]), address: d[1]!, version: num(d[2]), seqNum: num(d[3]), pktNum: num(d[4]), ...t };
    }
    case 'af-packet-tx':
      return afPacketTx(c);
    case 'pg-tx':
      return pgTx(c);
    case 'ip4-sv-reassembly': {
      const m = c.take(/^ {2}\[([^\]]*)\]$/);
      return m && { kind, status: m[1]! };
    }
    case 'l2-feat-arc': {
      const m = c.take(rx(2, `IN-FEAT-ARC: head ${UINT} feature_bitmap ([0-9a-f]+) ethertype ([0-9a-f]+) sw_if_index ${INT}, next_index ${UINT}`));
      return m && { kind, head: num(m[1]), featureBitmap: m[2]!, ethertype: m[3]!, swIfIndex: num(m[4]), nextIndex: num(m[5]) };
    }
    case 'nat-pre': {
      const m = c.take(rx(2, `(in2out|out2in) next_index ${UINT} arc_next_index ${UINT}`));
      return m && { kind, direction: m[1] as 'in2out' | 'out2in', nextIndex: num(m[2]), arcNextIndex: num(m[3]) };
    }
    case 'nat44-classify': {
      const m = c.take(rx(2, 'nat44-classify: next (\\S+)'));
      return m && { kind, next: m[1]! };
    }
    case 'raw':
      return null;
  }
}

// --- splitting the text into captures and record groups ---------------------------------------------------

interface Group {
  node: string;
  timeUs: number;
  headerLine: number;
  lines: string[];
  lineNos: number[];
}

function sameLines(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((l, i) => l === b[i]);
}

/**
 * Splits one header's body lines into records (one node may print several bodies under one header).
 * If any body does not fit, the group is kept as one raw record with all its lines.
 */
function parseGroup(g: Group, diagnostics: TraceDiagnostic[]): TraceRecord[] {
  const kind = bodyKindOf(g.node);
  const records: TraceRecord[] = [];
  const rec = (body: TraceBody): TraceRecord => ({ node: g.node, timeUs: g.timeUs, body });
  if (kind === 'raw') return [rec({ kind: 'raw', lines: g.lines })];
  // Lines of only spaces after the last body are noise (e.g. from an editor), not part of any record — unless a
  // body's grammar takes them: current VPP ends a TCP header without options with a line of four spaces.
  let end = g.lines.length;
  while (end > 0 && /^ +$/.test(g.lines[end - 1]!)) end--;
  const lines = g.lines;
  if (end === 0) {
    diagnostics.push({ line: g.headerLine, message: `${g.node}: empty body, expected the ${kind} format` });
    return [rec({ kind: 'raw', lines: g.lines })];
  }
  const c = new Cursor(lines, 0);
  while (c.pos < end) {
    const start = c.pos;
    let body: TraceBody | null = null;
    try {
      body = parseBody(c, kind, g.node);
    } catch {
      body = null; // a grammar bug must not escape: the body is kept raw below
    }
    let bad = c.pos < lines.length ? c.pos : lines.length - 1;
    if (body && c.pos > start) {
      const original = lines.slice(start, c.pos);
      const old = renderBody(body, 'vpp-18.01');
      if (sameLines(old, original) || sameLines(renderBody(body, 'vpp-current'), original)) {
        records.push(rec(body));
        continue;
      }
      const firstDiff = original.findIndex((l, i) => l !== old[i]);
      bad = start + (firstDiff < 0 ? 0 : firstDiff);
      body = null;
    }
    // The whole header group stays raw: splitting it would print back with a header VPP did not print.
    if (OTHER_KNOWN_FORMS.some(([n, first]) => n.test(g.node) && first.test(lines[start] ?? ''))) return [rec({ kind: 'raw', lines: g.lines })];
    diagnostics.push({
      line: g.lineNos[bad] ?? g.headerLine,
      message: `${g.node}: body does not match the ${kind} format at "${lines[bad] ?? ''}"`,
    });
    return [rec({ kind: 'raw', lines: g.lines })];
  }
  return records;
}

/**
 * Bodies of current VPP that are known and kept raw without a diagnostic: `error-drop` naming only the RX
 * interface, and TX records of drivers other than DPDK (packet-generator, af_packet).
 */
const OTHER_KNOWN_FORMS: readonly [RegExp, RegExp][] = [
  [/^error-drop$/, /^ {2}rx:\S+$/],
  [/-tx$/, /^ {2,4}(?:af_packet: |buffer 0x)/],
];

function parseHeaderTime(m: RegExpExecArray): number | undefined {
  const h = num(m[1]);
  const min = num(m[2]);
  const s = num(m[3]);
  if (h > 23 || min > 59 || s > 59) return undefined;
  return ((h * 60 + min) * 60 + s) * 1_000_000 + num(m[4]);
}

function parseUnsafe(text: string): ParseResult {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const captures: PacketTrace[] = [];
  const diagnostics: TraceDiagnostic[] = [];
  let thread: { index: number; name: string } | undefined;
  let capture: PacketTrace | undefined;
  let group: Group | undefined;

  const flush = (): void => {
    if (group && capture) capture.records.push(...parseGroup(group, diagnostics));
    group = undefined;
  };
  const startCapture = (pt: PacketTrace): void => {
    flush();
    if (thread) pt.thread = { ...thread };
    captures.push(pt);
    capture = pt;
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const lineNo = i + 1;
    if (line === '') {
      flush();
      continue;
    }
    if (line.startsWith(' ')) {
      if (group) {
        group.lines.push(line);
        group.lineNos.push(lineNo);
      } else if (!/^ +$/.test(line)) diagnostics.push({ line: lineNo, message: 'body line outside a record (no node header before it)' });
      continue;
    }
    if (line.startsWith('#')) continue;
    const th = THREAD_RE.exec(line);
    if (th) {
      flush();
      thread = { index: num(th[1]), name: th[2]! };
      capture = undefined;
      continue;
    }
    const pk = PACKET_RE.exec(line);
    if (pk) {
      startCapture({ packet: num(pk[1]), records: [] });
      continue;
    }
    if (line === 'No packets in trace buffer' || LIMIT_RE.test(line)) {
      flush();
      continue;
    }
    const hd = HEADER_RE.exec(line);
    if (hd) {
      const timeUs = parseHeaderTime(hd);
      if (timeUs === undefined) {
        flush();
        diagnostics.push({ line: lineNo, message: `record header with an impossible time: "${line}"` });
        continue;
      }
      flush();
      if (!capture) startCapture({ records: [] });
      group = { node: hd[5]!, timeUs, headerLine: lineNo, lines: [], lineNos: [] };
      continue;
    }
    if (i + 1 < lines.length && DASHES_RE.test(lines[i + 1]!.replace(/\r$/, '')) && !DASHES_RE.test(line)) {
      startCapture({ heading: line, records: [] });
      i++;
      continue;
    }
    flush();
    diagnostics.push({ line: lineNo, message: `unrecognized line: "${line.length > 80 ? `${line.slice(0, 77)}...` : line}"` });
  }
  flush();
  return { captures, diagnostics };
}

/**
 * Parses `show trace` text (raw CLI output or the documentation form) into packet traces.
 * Never throws, whatever the input.
 */
export function parseTrace(text: string): ParseResult {
  try {
    return parseUnsafe(typeof text === 'string' ? text : String(text));
  } catch (err) {
    return { captures: [], diagnostics: [{ line: 1, message: `internal parser error: ${err instanceof Error ? err.message : String(err)}` }] };
  }
}
