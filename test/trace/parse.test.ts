// parseTrace on the seed's stored traces, on raw `show trace` output, on node forms the seed does not show,
// and on garbage: it never throws, and a body that does not fit its node becomes raw with a line number.
import { describe, expect, test } from 'vitest';
import { fc, test as fcTest } from '@fast-check/vitest';
import { ip4, mac, toHex } from '../../src/packet/index.ts';
import { bodyKindOf, parseTrace, renderDocumentationForm, type TraceBody, type TraceRecord } from '../../src/trace/index.ts';
import { FIXTURE_FILES, fixtureText, parsedFixture } from './fixtures.ts';

const SEED = 20261203;

const nodes = (records: readonly TraceRecord[]): string[] => records.map((r) => r.node);
const bodyOf = <K extends TraceBody['kind']>(rec: TraceRecord | undefined, kind: K): Extract<TraceBody, { kind: K }> => {
  expect(rec?.body.kind).toBe(kind);
  return rec!.body as Extract<TraceBody, { kind: K }>;
};

const CROSS_CLIENT_OUT = [
  'virtio-input', 'ethernet-input', 'ip4-input', 'acl-plugin-in-ip4-fa', 'nat44-out2in', 'ip4-lookup', 'ip4-load-balance', 'ip4-rewrite',
  'acl-plugin-out-ip4-fa', 'loop0-output', 'l2-input', 'l2-input-classify', 'acl-plugin-in-ip4-l2', 'l2-fwd', 'l2-output', 'vxlan4-encap',
  'ip4-load-balance', 'ip4-rewrite', 'acl-plugin-out-ip4-fa', 'nat44-in2out-output', 'nat44-in2out-output-slowpath',
  'GigabitEthernet0/8/0-output', 'GigabitEthernet0/8/0-tx',
];
const CROSS_SERVER_IN = [
  'dpdk-input', 'ip4-input', 'acl-plugin-in-ip4-fa', 'nat44-out2in', 'ip4-lookup', 'ip4-local', 'ip4-udp-lookup', 'vxlan4-input', 'l2-input',
  'l2-fwd', 'ip4-input', 'acl-plugin-in-ip4-fa', 'nat44-in2out', 'nat44-in2out-slowpath', 'ip4-lookup', 'ip4-rewrite', 'acl-plugin-out-ip4-fa',
];
const CROSS_SERVER_OUT = [
  'virtio-input', 'ethernet-input', 'ip4-input', 'acl-plugin-in-ip4-fa', 'nat44-in2out', 'nat44-in2out-slowpath', 'ip4-lookup', 'ip4-load-balance',
  'ip4-rewrite', 'acl-plugin-out-ip4-fa', 'loop0-output', 'l2-input', 'l2-input-classify', 'acl-plugin-in-ip4-l2', 'l2-fwd', 'l2-output',
  'vxlan4-encap', 'ip4-load-balance', 'ip4-rewrite', 'acl-plugin-out-ip4-fa', 'nat44-in2out-output', 'nat44-in2out-output-slowpath',
  'GigabitEthernet0/8/0-output', 'GigabitEthernet0/8/0-tx',
];
const CROSS_CLIENT_IN = [
  'dpdk-input', 'ip4-input', 'acl-plugin-in-ip4-fa', 'nat44-out2in', 'ip4-lookup', 'ip4-local', 'ip4-udp-lookup', 'vxlan4-input', 'l2-input',
  'l2-fwd', 'ip4-input', 'acl-plugin-in-ip4-fa', 'nat44-in2out', 'nat44-in2out-slowpath', 'ip4-lookup', 'ip4-rewrite', 'acl-plugin-out-ip4-fa',
];

describe('the stored seed traces', () => {
  test.each([
    ['pod-to-pod-different-nodes.request.txt', [["SYN from the client's node:", [...CROSS_CLIENT_OUT]], ["SYN from the server's node:", [...CROSS_SERVER_IN, 'tap12-output']]]],
    ['pod-to-pod-different-nodes.response.txt', [["SYN-ACK from the server's node:", CROSS_SERVER_OUT], ["SYN-ACK from the client's node:", [...CROSS_CLIENT_IN, 'tap11-output']]]],
    ['pod-to-pod-same-node.request.txt', [['SYN:', ['virtio-input', 'ethernet-input', 'ip4-input', 'acl-plugin-in-ip4-fa', 'nat44-out2in', 'ip4-lookup', 'ip4-rewrite', 'acl-plugin-out-ip4-fa', 'tap8-output']]]],
    ['pod-to-pod-same-node.response.txt', [['SYN-ACK:', ['virtio-input', 'ethernet-input', 'ip4-input', 'acl-plugin-in-ip4-fa', 'nat44-in2out', 'nat44-in2out-slowpath', 'ip4-lookup', 'ip4-rewrite', 'acl-plugin-out-ip4-fa', 'tap11-output']]]],
  ] as const)('%s parses into its captures with the exact node sequences and no diagnostics', (file, expected) => {
    const { captures, diagnostics } = parsedFixture(file);
    expect(diagnostics).toEqual([]);
    expect(captures.map((c) => [c.heading, nodes(c.records)])).toEqual(expected.map(([h, n]) => [h, [...n]]));
    for (const c of captures) for (const r of c.records) expect(r.body.kind, r.node).not.toBe('raw');
  });

  test('SYN from the client node: timestamps, ACL verdicts, rewrite bytes, VXLAN and L2 values', () => {
    const [client] = parsedFixture('pod-to-pod-different-nodes.request.txt').captures;
    const r = client!.records;
    expect(r[0]!.timeUs).toBe(((4 * 60 + 26) * 60 + 22) * 1e6 + 973829);

    const aclIn = bodyOf(r[3], 'acl');
    expect(aclIn).toMatchObject({ swIfIndex: 7, nextIndex: 1, action: 2, matchAcl: 1, matchRule: 0, traceBits: 0 });
    expect(aclIn.pktInfo).toEqual(['0000000000000000', '0c01010a00000000', '0000000000000000', '0d02010a00000000', '000700061f90ee44', '0702ffff00000007']);
    expect(aclIn.tuple).toEqual({
      isInput: true, swIfIndex: 7, lsb16: 7, isIp6: false, nonFirstFragment: false, src: ip4('10.1.1.12'), dst: ip4('10.1.2.13'),
      proto: 6, l4Valid: true, port0: 60996, port1: 8080, tcpFlagsValid: true, tcpFlags: 0x02, rsvd: 0,
    });
    expect(bodyOf(r[8], 'acl')).toMatchObject({ action: 1, matchAcl: 2, matchRule: 4 });

    const rewrite = bodyOf(r[7], 'ip4-rewrite');
    expect(rewrite).toMatchObject({ txSwIfIndex: 3, dpoIdx: 7, via: '192.168.30.2', ifName: 'loop0', rewrite: '1a2b3c4d5e021a2b3c4d5e010800', flowHash: 0 });
    expect(toHex(rewrite.bytes)).toBe(
      '1a2b3c4d5e021a2b3c4d5e0108004500003c309f40003f06f4020a01010c0a01' + '020dee441f90d26ce55100000000a002721023370000020405b40402',
    );

    expect(bodyOf(r[11], 'l2-input-classify')).toEqual({ kind: 'l2-input-classify', swIfIndex: 3, table: 35, offset: 0, next: 18 });
    const l2out = bodyOf(r[14], 'l2-output');
    expect(l2out).toMatchObject({ swIfIndex: 5, dst: mac('1a:2b:3c:4d:5e:02'), src: mac('1a:2b:3c:4d:5e:01') });
    expect(toHex(l2out.data)).toBe('080045 00003c309f40003f06'.replace(/ /g, ''));
    expect(bodyOf(r[15], 'vxlan4-encap')).toEqual({ kind: 'vxlan4-encap', tunnel: 0, vni: 10 });
    expect(bodyOf(r[16], 'ip4-fib')).toMatchObject({ fib: 5, dpoIdx: 27, flowHash: 1 });
    expect(bodyOf(r[19], 'nat44-in2out')).toEqual({ kind: 'nat44-in2out', label: 'NAT44_IN2OUT_FAST_PATH', swIfIndex: 3, nextIndex: 3, session: -1 });
    expect(bodyOf(r[20], 'nat44-in2out')).toMatchObject({ label: 'NAT44_IN2OUT_SLOW_PATH', nextIndex: 0, session: 0 });

    const tx = bodyOf(r[22], 'interface-tx');
    expect(tx.buffer).toEqual({ index: 0x1b3cf, currentData: -50, length: 124, freeList: 0, cloneCount: 0, totlenNifb: 0, trace: 0x18, flagWords: ['nated', 'l2-hdr-offset 0', 'l3-hdr-offset 14'] });
    expect(tx.mbuf).toMatchObject({ port: 65535, dataOff: 78, physAddr: 0x52cf440 });
    expect(tx.ip?.l4).toEqual({ kind: 'udp', srcPort: 50038, dstPort: 4789, length: 90, checksum: 0 });
  });

  test('SYN on the server node: decap, ip4-local at indent 4, out2in session, TAP output', () => {
    const [, server] = parsedFixture('pod-to-pod-different-nodes.request.txt').captures;
    const r = server!.records;
    expect(bodyOf(r[0], 'dpdk-input')).toMatchObject({ ifName: 'GigabitEthernet0/8/0', rxQueue: 0, buffer: { index: 0x415e, flagWords: ['l4-cksum-computed', 'l4-cksum-correct', 'l2-hdr-offset 0', 'l3-hdr-offset 14'] } });
    expect(bodyOf(r[3], 'nat44-out2in')).toEqual({ kind: 'nat44-out2in', label: 'NAT44_OUT2IN', swIfIndex: 1, nextIndex: 1, sessionIndex: 7 });
    expect(bodyOf(r[5], 'ip4-header')).toMatchObject({ indent: 4, ip: { ttl: 253, length: 110, l4: { kind: 'udp', dstPort: 4789 } } });
    expect(bodyOf(r[6], 'ip4-udp-lookup')).toEqual({ kind: 'ip4-udp-lookup', srcPort: 50038, dstPort: 4789, noListener: false });
    expect(bodyOf(r[7], 'vxlan4-input')).toEqual({ kind: 'vxlan4-input', tunnel: 0, vni: 10, next: 1, error: 0 });
    expect(bodyOf(r[9], 'l2-fwd')).toEqual({ kind: 'l2-fwd', swIfIndex: 4, dst: mac('1a:2b:3c:4d:5e:02'), src: mac('1a:2b:3c:4d:5e:01'), bdIndex: 1 });
    const out = bodyOf(r[17], 'interface-output');
    expect(out).toMatchObject({ ifName: 'tap12', eth: { type: 0x0800, src: mac('02:fe:47:84:04:5d'), dst: mac('00:00:00:00:00:02') } });
    expect(out.ip).toMatchObject({ ttl: 62, checksum: 0xf502, fragmentId: 0x309f, flagNames: 'DONT_FRAGMENT', l4: { kind: 'tcp', seq: 0xd26ce551, flags: 0x02, headerBytes: 40, window: 29200 } });
  });

  test('a session hit prints acl -1 and trace bits 0x80000000', () => {
    const [res] = parsedFixture('pod-to-pod-same-node.response.txt').captures;
    expect(bodyOf(res!.records[8], 'acl')).toMatchObject({ action: 3, matchAcl: -1, matchRule: 170, traceBits: 0x80000000 });
  });
});

describe('raw show trace output', () => {
  const RAW = [
    'Limiting display to 1 packets. To display more specify max.',
    '------------------- Start of thread 0 vpp_main -------------------',
    'Packet 1',
    '',
    '00:00:41:123456: ip4-udp-lookup',
    '  UDP: src-port 1234 dst-port 9999 (no listener)',
    '00:00:41:123460: error-drop',
    '  ip4-udp-lookup: no listener for dst port',
    '',
    '------------------- Start of thread 1 vpp_wk_0 -------------------',
    'No packets in trace buffer',
    '------------------- Start of thread 2 vpp_wk_1 -------------------',
    'Packet 1',
    '',
    '01:02:03:000001: vxlan4-input',
    '  VXLAN decap error - tunnel for vni 77 does not exist',
    '01:02:03:000002: ip4-mystery',
    '  something VPP printed',
    '    on two lines',
    '',
    '',
  ].join('\n');

  test('threads, packets, the error forms and unknown nodes', () => {
    const { captures, diagnostics } = parseTrace(RAW);
    expect(diagnostics).toEqual([]);
    expect(captures.map((c) => [c.thread, c.packet, nodes(c.records)])).toEqual([
      [{ index: 0, name: 'vpp_main' }, 1, ['ip4-udp-lookup', 'error-drop']],
      [{ index: 2, name: 'vpp_wk_1' }, 1, ['vxlan4-input', 'ip4-mystery']],
    ]);
    expect(captures[0]!.records.map((r) => r.body)).toEqual([
      { kind: 'ip4-udp-lookup', srcPort: 1234, dstPort: 9999, noListener: true },
      { kind: 'error-drop', node: 'ip4-udp-lookup', error: 'no listener for dst port' },
    ]);
    expect(captures[1]!.records.map((r) => r.body)).toEqual([
      { kind: 'vxlan4-input-error', vni: 77 },
      { kind: 'raw', lines: ['  something VPP printed', '    on two lines'] },
    ]);
    expect(captures[1]!.records[0]!.timeUs).toBe(3723 * 1e6 + 1);
  });

  test('current VPP acl and nat44-ed bodies parse into their structured forms', () => {
    const text = [
      '00:00:01:000001: acl-plugin-in-ip4-fa',
      '  acl-plugin: lc_index: 0, sw_if_index 7, next index 1, action: 2, match: acl 1 rule 0 trace_bits 00000000',
      // fa_5tuple_t of current VPP (fa_node.h): IPv4 addresses in word 3; word 4 = lsb16, l4_flags, proto, ports.
      '  pkt info 0000000000000000 0000000000000000 0000000000000000 0d02010a0c01010a 000701061f90ee44 0302ffff00000000',
      '   lc_index 0 l3 ip4 10.1.1.12 -> 10.1.2.13 l4 lsb_of_sw_if_index 7 proto 6 l4_is_input 1 l4_slow_path 0 l4_flags 0x01 port 60996 -> 8080 tcp flags (valid) 02 rsvd 0',
      '00:00:01:000002: nat44-ed-in2out',
      '  NAT44_IN2OUT_ED_FAST_PATH: sw_if_index 7, next index 3',
      '  search key local 10.1.1.12:60996 remote 10.1.2.13:8080 proto TCP fib 0 thread-index 0 session-index 0',
    ].join('\n');
    const { captures, diagnostics } = parseTrace(text);
    expect(diagnostics).toEqual([]);
    const [acl, nat] = captures[0]!.records;
    expect(bodyOf(acl, 'acl')).toMatchObject({ lcIndex: 0, tuple: { lcIndex: 0, isInput: true, isSlowpath: false, lsb16: 7, l4Valid: true, port0: 60996, port1: 8080 } });
    expect(bodyOf(nat, 'nat44-in2out')).toEqual({
      kind: 'nat44-in2out',
      label: 'NAT44_IN2OUT_ED_FAST_PATH',
      swIfIndex: 7,
      nextIndex: 3,
      session: -1,
      ed: { lookup: { kind: 'search-key', local: ip4('10.1.1.12'), localPort: 60996, remote: ip4('10.1.2.13'), remotePort: 8080, proto: 6, fib: 0, threadIndex: 0, sessionIndex: 0 } },
    });
  });

  test('a body that does not fit its node becomes raw, with the 1-based line of the first bad line', () => {
    const text = ['# comment', 'Some capture:', '-------------', '00:00:01:000001: ip4-lookup', '  fib 0 dpo-idx 3 flow hash: 0x00000000', '  TCP: 10.1.1.1 -> 10.1.1.2', '    tos 0x00, ttl sixty-four', ''].join('\n');
    const { captures, diagnostics } = parseTrace(text);
    expect(captures[0]!.heading).toBe('Some capture:');
    expect(captures[0]!.records[0]!.body).toEqual({ kind: 'raw', lines: ['  fib 0 dpo-idx 3 flow hash: 0x00000000', '  TCP: 10.1.1.1 -> 10.1.1.2', '    tos 0x00, ttl sixty-four'] });
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]!.line).toBe(7);
    expect(diagnostics[0]!.message).toMatch(/^ip4-lookup: /);
  });

  test('a value that would not print back the same text is not accepted (version line with 4/20)', () => {
    const text = ['00:00:01:000001: ip4-input', '  UDP: 1.1.1.1 -> 2.2.2.2', '    version 4, header length 20', '    tos 0x00, ttl 1, length 28, checksum 0x0000', '    fragment id 0x0000'].join('\n');
    const { captures, diagnostics } = parseTrace(text);
    expect(captures[0]!.records[0]!.body.kind).toBe('raw');
    expect(diagnostics.map((d) => d.line)).toEqual([3]);
  });

  test('stray text gets a diagnostic and is skipped', () => {
    const { captures, diagnostics } = parseTrace('hello\n  orphan body line\n00:00:00:000000: l2-fwd\n  l2-fwd:   sw_if_index 1 dst 00:00:00:00:00:01 src 00:00:00:00:00:02 bd_index 1\n');
    expect(diagnostics.map((d) => d.line)).toEqual([1, 2]);
    expect(captures[0]!.records[0]!.body.kind).toBe('l2-fwd');
  });
});

describe('node → body grammar', () => {
  test.each([
    ['loop0-output', 'interface-output'],
    ['GigabitEthernet0/8/0-tx', 'interface-tx'],
    ['nat44-in2out-output', 'nat44-in2out'],
    ['nat44-ed-in2out-output-slowpath', 'nat44-in2out'],
    ['nat44-ed-out2in', 'nat44-out2in'],
    ['l2-output', 'l2-output'],
    ['ip4-load-balance', 'ip4-fib'],
    ['ip4-local', 'ip4-header'],
    ['acl-plugin-out-ip4-fa', 'acl'],
    ['ip4-drop', 'ip4-header'],
    ['ip4-glean', 'raw'],
    ['ip4-receive', 'ip4-header'],
    ['ip4-sv-reassembly-output-feature', 'ip4-sv-reassembly'],
    ['nat-pre-in2out-output', 'nat-pre'],
    ['nat-pre-out2in', 'nat-pre'],
    ['nat44-ed-classify', 'nat44-classify'],
    ['pg-input', 'pg-input'],
    ['af-packet-input', 'af-packet-input'],
    ['pg5-tx', 'interface-tx'],
  ] as const)('%s → %s', (node, kind) => {
    expect(bodyKindOf(node)).toBe(kind);
  });
});

/** Line edits applied to a fixture: delete, duplicate, or overwrite one character. */
type Edit = { op: 'delete' | 'duplicate'; at: number } | { op: 'mutate'; at: number; col: number; ch: string };

function applyEdits(text: string, edits: readonly Edit[]): string {
  const lines = text.split('\n');
  for (const e of edits) {
    const i = e.at % lines.length;
    if (e.op === 'mutate') {
      const l = lines[i]!;
      const col = l.length === 0 ? 0 : e.col % l.length;
      lines[i] = l.slice(0, col) + e.ch + l.slice(col + 1);
    } else if (e.op === 'delete') lines.splice(i, 1);
    else lines.splice(i, 0, lines[i]!);
    if (lines.length === 0) lines.push('');
  }
  return lines.join('\n');
}

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ op: fc.constantFrom('delete' as const, 'duplicate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('mutate' as const), at: fc.nat(), col: fc.nat(), ch: fc.constantFrom(' ', '', '-', ':', '0', '9', 'x', 'Z', '\t', '(', '#', '\r') }),
);

/** Parsing what we render from a parse gives the same records: accepted bodies print back exactly. */
function reparseStable(text: string): void {
  const first = parseTrace(text);
  const again = parseTrace(renderDocumentationForm(first.captures));
  expect(again.captures.map((c) => c.records)).toEqual(first.captures.map((c) => c.records));
}

describe('robustness', () => {
  fcTest.prop([fc.string({ maxLength: 400 })], { seed: SEED, numRuns: 500 })('never throws on random text', (s) => {
    const r = parseTrace(s);
    expect(Array.isArray(r.captures)).toBe(true);
  });

  const traceyChars = fc.constantFrom(...' \n-:0123456789abcdefx.()>TCPUDPacketStartofthreadIP4 ');
  fcTest.prop([fc.string({ unit: traceyChars, maxLength: 600 })], { seed: SEED + 1, numRuns: 500 })('never throws on trace-like character soup', (s) => {
    expect(() => parseTrace(s)).not.toThrow();
    reparseStable(s);
  });

  fcTest.prop([fc.constantFrom(...FIXTURE_FILES), fc.array(editArb, { minLength: 1, maxLength: 12 })], { seed: SEED + 2, numRuns: 400 })(
    'never throws on fixtures with lines deleted, duplicated or mutated, and what it accepts prints back the same',
    (file, edits) => {
      const text = applyEdits(fixtureText(file), edits);
      const r = parseTrace(text);
      for (const d of r.diagnostics) expect(d.line).toBeGreaterThanOrEqual(1);
      reparseStable(text);
    },
  );
});
