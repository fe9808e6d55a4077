// The seed's 60-byte ip4-rewrite hex dumps decode to the field values the same traces print around them,
// and the seed's SYN / SYN-ACK frames built from fields reproduce those bytes (inner and VXLAN outer).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  decodePacket,
  encodePacket,
  encodeTcpOptions,
  findLayer,
  fromHex,
  ip4,
  ip4ToString,
  ipv4HeaderChecksum,
  mac,
  macToString,
  tcpOption,
  toHex,
  vppTtlDecrementChecksum,
  type Layer,
} from '../../src/packet/index.ts';

const TRACE_DIR = join(import.meta.dirname, '..', 'fixtures', 'traces');
const HEADER = /^\d{2}:\d{2}:\d{2}:\d{6}: (\S+)$/;

interface TraceRecord {
  node: string;
  body: string[];
}

/** Splits a stored trace file into records (node name + body lines); captures are separated by headings. */
function records(file: string): TraceRecord[][] {
  const captures: TraceRecord[][] = [];
  let current: TraceRecord[] = [];
  for (const line of readFileSync(join(TRACE_DIR, file), 'utf8').split('\n')) {
    const m = HEADER.exec(line);
    if (m) current.push({ node: m[1]!, body: [] });
    else if (/^-+$/.test(line) && current.length > 0) {
      captures.push(current);
      current = [];
    } else if (line.startsWith(' ') && current.length > 0) current[current.length - 1]!.body.push(line);
  }
  if (current.length > 0) captures.push(current);
  return captures;
}

interface PrintedIp {
  proto: string;
  src: string;
  dst: string;
  tos: number;
  ttl: number;
  length: number;
  checksum: number;
  id: number;
  df: boolean;
  sport: number;
  dport: number;
  tcp?: { seq: number; ack: number; flags: number; headerLen: number; window: number; checksum: number };
  udp?: { length: number; checksum: number };
  macSrc?: string;
  macDst?: string;
}

/** Reads the field values an `<ifc>-output` record prints (format_ip4_header, docs/datapath.md §11.3). */
function printedFields(body: string[]): PrintedIp {
  const text = body.map((l) => l.trim());
  const find = (re: RegExp): RegExpExecArray => {
    for (const l of text) {
      const m = re.exec(l);
      if (m) return m;
    }
    throw new Error(`no line matches ${re} in:\n${text.join('\n')}`);
  };
  const addrs = find(/^(TCP|UDP|ICMP): (\d+\.\d+\.\d+\.\d+) -> (\d+\.\d+\.\d+\.\d+)$/);
  const ports = find(/^(TCP|UDP): (\d+) -> (\d+)$/);
  const hdr = find(/^tos 0x([0-9a-f]{2}), ttl (\d+), length (\d+), checksum 0x([0-9a-f]{4})$/);
  const frag = find(/^fragment id 0x([0-9a-f]{4})(, flags (\S+))?$/);
  const out: PrintedIp = {
    proto: addrs[1]!,
    src: addrs[2]!,
    dst: addrs[3]!,
    tos: parseInt(hdr[1]!, 16),
    ttl: Number(hdr[2]),
    length: Number(hdr[3]),
    checksum: parseInt(hdr[4]!, 16),
    id: parseInt(frag[1]!, 16),
    df: frag[3] === 'DONT_FRAGMENT',
    sport: Number(ports[2]),
    dport: Number(ports[3]),
  };
  const eth = text.map((l) => /^IP4: (\S+) -> (\S+)$/.exec(l)).find((m) => m);
  if (eth) {
    out.macSrc = eth[1]!;
    out.macDst = eth[2]!;
  }
  if (out.proto === 'TCP') {
    const seq = find(/^seq\. 0x([0-9a-f]{8}) ack 0x([0-9a-f]{8})$/);
    const fl = find(/^flags 0x([0-9a-f]{2})[A-Z ]*, tcp header: (\d+) bytes$/);
    const win = find(/^window (\d+), checksum 0x([0-9a-f]{4})$/);
    out.tcp = { seq: parseInt(seq[1]!, 16), ack: parseInt(seq[2]!, 16), flags: parseInt(fl[1]!, 16), headerLen: Number(fl[2]), window: Number(win[1]), checksum: parseInt(win[2]!, 16) };
  } else {
    const u = find(/^length (\d+), checksum 0x([0-9a-f]{4})$/);
    out.udp = { length: Number(u[1]), checksum: parseInt(u[2]!, 16) };
  }
  return out;
}

interface Dump {
  file: string;
  capture: number;
  rewriteHex: string;
  bytes: Uint8Array;
  after: PrintedIp;
  vni?: number;
}

function dumps(): Dump[] {
  const out: Dump[] = [];
  for (const file of ['pod-to-pod-different-nodes.request.txt', 'pod-to-pod-different-nodes.response.txt', 'pod-to-pod-same-node.request.txt', 'pod-to-pod-same-node.response.txt']) {
    records(file).forEach((capture, ci) => {
      capture.forEach((rec, i) => {
        if (rec.node !== 'ip4-rewrite') return;
        const rewrite = /: ([0-9a-f]+) flow hash/.exec(rec.body[0]!)![1]!;
        const hex = rec.body.slice(1).map((l) => /^\s+[0-9a-f]{8}: ([0-9a-f]+)$/.exec(l)![1]).join('');
        const output = capture.slice(i + 1).find((r) => r.node.endsWith('-output') && !r.node.startsWith('nat44') && !r.node.startsWith('l2'))!;
        const encap = capture.slice(0, i).reverse().find((r) => r.node === 'vxlan4-encap');
        const d: Dump = { file, capture: ci, rewriteHex: rewrite, bytes: fromHex(hex), after: printedFields(output.body) };
        if (encap) d.vni = Number(/vni (\d+)/.exec(encap.body[0]!)![1]);
        out.push(d);
      });
    });
  }
  return out;
}

const DUMPS = dumps();

describe('seed ip4-rewrite hex dumps', () => {
  test('there are eight 60-byte dumps (3 + 3 cross-node, 1 + 1 same-node)', () => {
    expect(DUMPS.map((d) => d.bytes.length)).toEqual([60, 60, 60, 60, 60, 60, 60, 60]);
  });

  test.each(DUMPS.map((d, i) => [`${d.file} #${i}`, d] as const))('%s decodes to the fields the trace prints', (_name, d) => {
    const result = decodePacket(d.bytes);
    // A 60-byte dump always cuts the datagram: the decoder says so, with the field and offset.
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.truncated).toBe(true);
    expect(result.error).toMatchObject({ layer: 'ipv4', field: 'totalLength', offset: 16 });

    const [eth, ip] = result.layers;
    expect(toHex(d.bytes, 0, 14)).toBe(d.rewriteHex);
    expect(eth?.kind).toBe('ethernet');
    if (eth?.kind !== 'ethernet' || ip?.kind !== 'ipv4') throw new Error('expected ethernet/ipv4');
    if (d.after.macSrc) expect(macToString(eth.src)).toBe(d.after.macSrc);
    if (d.after.macDst) expect(macToString(eth.dst)).toBe(d.after.macDst);
    expect(ip4ToString(ip.src)).toBe(d.after.src);
    expect(ip4ToString(ip.dst)).toBe(d.after.dst);
    expect(ip.tos).toBe(d.after.tos);
    expect(ip.ttl).toBe(d.after.ttl);
    expect(ip.totalLength).toBe(d.after.length);
    expect(ip.checksum).toBe(d.after.checksum);
    expect(ipv4HeaderChecksum(d.bytes, 14, 20)).toBe(d.after.checksum);
    expect(ip.id).toBe(d.after.id);
    expect((ip.flags! & 0b010) !== 0).toBe(d.after.df);
    expect(ip.fragOffset).toBe(0);

    if (d.after.tcp) {
      const tcp = findLayer(result.layers, 'tcp')!;
      expect(tcp).toMatchObject({ srcPort: d.after.sport, dstPort: d.after.dport, seq: d.after.tcp.seq, ack: d.after.tcp.ack, flags: d.after.tcp.flags, window: d.after.tcp.window, checksum: d.after.tcp.checksum });
      expect(tcp.dataOffset! * 4).toBe(d.after.tcp.headerLen);
    } else {
      const udp = findLayer(result.layers, 'udp')!;
      expect(udp).toMatchObject({ srcPort: d.after.sport, dstPort: d.after.dport, length: d.after.udp!.length, checksum: d.after.udp!.checksum });
      expect(findLayer(result.layers, 'vxlan')).toEqual({ kind: 'vxlan', flags: 0x08, reserved1: 0, vni: d.vni, reserved2: 0 });
      // The inner Ethernet header starts in the last 10 bytes: BVI MACs of both nodes.
      expect(toHex(d.bytes, 50, 60)).toMatch(/^1a2b3c4d5e0[12]1a2b3c4d$/);
    }
  });
});

// Linux SYN options: MSS 1460, SACK permitted, timestamps, NOP, window scale 7 (40-byte header as printed).
// The timestamp values are beyond the 60 dumped bytes, so the TCP checksum is pinned to the printed value.
function synOptions(tsval: number, tsecr: number): Uint8Array {
  return encodeTcpOptions([tcpOption.mss(1460), tcpOption.sackPermitted(), tcpOption.timestamp(tsval, tsecr), tcpOption.nop(), tcpOption.windowScale(7)]);
}

const SYN_INNER: Layer[] = [
  { kind: 'ethernet', dst: mac('1a:2b:3c:4d:5e:02'), src: mac('1a:2b:3c:4d:5e:01') },
  { kind: 'ipv4', id: 0x309f, flags: 0b010, ttl: 63, src: ip4('10.1.1.12'), dst: ip4('10.1.2.13') },
  { kind: 'tcp', srcPort: 60996, dstPort: 8080, seq: 0xd26ce551, ack: 0, flags: 0x02, window: 29200, checksum: 0x2337, options: synOptions(0x01020304, 0) },
];
const SYN_ACK_INNER: Layer[] = [
  { kind: 'ethernet', dst: mac('1a:2b:3c:4d:5e:01'), src: mac('1a:2b:3c:4d:5e:02') },
  { kind: 'ipv4', id: 0, flags: 0b010, ttl: 63, src: ip4('10.1.2.13'), dst: ip4('10.1.1.12') },
  { kind: 'tcp', srcPort: 8080, dstPort: 60996, seq: 0xc363cef4, ack: 0xd26ce552, flags: 0x12, window: 28960, checksum: 0xa2c2, options: synOptions(0x05060708, 0x01020304) },
];

function outer(inner: Layer[], srcMac: string, dstMac: string, src: string, dst: string, sport: number): Layer[] {
  return [
    { kind: 'ethernet', dst: mac(dstMac), src: mac(srcMac) },
    { kind: 'ipv4', id: 0, flags: 0, ttl: 253, src: ip4(src), dst: ip4(dst) },
    { kind: 'udp', srcPort: sport, checksum: 0 },
    { kind: 'vxlan', vni: 10 },
    ...inner,
  ];
}

describe('golden encodes of the seed frames', () => {
  const cases = [
    ['SYN inner (node 1 loop0)', SYN_INNER, DUMPS[0]!, 74],
    ['SYN outer (node 1 GbE)', outer(SYN_INNER, '08:00:27:72:95:8d', '08:00:27:a2:a4:50', '192.168.16.1', '192.168.16.2', 50038), DUMPS[1]!, 124],
    ['SYN-ACK inner (node 2 loop0)', SYN_ACK_INNER, DUMPS[3]!, 74],
    ['SYN-ACK outer (node 2 GbE)', outer(SYN_ACK_INNER, '08:00:27:a2:a4:50', '08:00:27:72:95:8d', '192.168.16.2', '192.168.16.1', 50493), DUMPS[4]!, 124],
  ] as const;

  test.each(cases)('%s gives the dumped bytes', (_name, layers, dump, frameLen) => {
    const bytes = encodePacket(layers);
    expect(bytes.length).toBe(frameLen);
    expect(toHex(bytes, 0, 60)).toBe(toHex(dump.bytes));
    const again = decodePacket(bytes);
    expect(again.ok).toBe(true);
  });

  test('the outer header as encap writes it (TTL 254) has checksum 0x1b2b, and the TTL decrement gives 0x1c2b', () => {
    const o = outer(SYN_INNER, '08:00:27:72:95:8d', '08:00:27:a2:a4:50', '192.168.16.1', '192.168.16.2', 50038);
    o[1] = { ...(o[1] as Extract<Layer, { kind: 'ipv4' }>), ttl: 254 };
    const ip = findLayer(decodePacket(encodePacket(o)).layers, 'ipv4')!;
    expect(ip.checksum).toBe(0x1b2b);
    expect(vppTtlDecrementChecksum(0x1b2b)).toBe(0x1c2b);
  });

  test('the inner checksums step as the traces print them: 0xf302 → 0xf402 → 0xf502, 0x23a2 → 0x24a2 → 0x25a2', () => {
    expect(vppTtlDecrementChecksum(0xf302)).toBe(0xf402);
    expect(vppTtlDecrementChecksum(0xf402)).toBe(0xf502);
    expect(vppTtlDecrementChecksum(0x23a2)).toBe(0x24a2);
    expect(vppTtlDecrementChecksum(0x24a2)).toBe(0x25a2);
    // The client's SYN at TTL 64 (ip4-input) has checksum 0xf302.
    const ttl64 = encodePacket([SYN_INNER[0]!, { ...(SYN_INNER[1] as Extract<Layer, { kind: 'ipv4' }>), ttl: 64 }, SYN_INNER[2]!]);
    expect(findLayer(decodePacket(ttl64).layers, 'ipv4')!.checksum).toBe(0xf302);
  });
});
