// Rendering trace records as VPP text: the seed's traces byte for byte (the golden test), round trips through
// the parser in documentation and raw `show trace` form, shared headers, and the vpp-current formats.
import { describe, expect, test } from 'vitest';
import { ip4 } from '../../src/packet/index.ts';
import {
  formatTimestamp,
  natEdLabel,
  parseTrace,
  renderDocumentationForm,
  renderPacketTrace,
  renderRecord,
  renderShowTrace,
  threadsOf,
  type PacketTrace,
  type TraceRecord,
} from '../../src/trace/index.ts';
import { FIXTURE_FILES, fixtureRecordLines, fixtureText, parsedFixture } from './fixtures.ts';

describe('golden: render(parse(fixture)) is the fixture', () => {
  test.each(FIXTURE_FILES)('%s: every record line byte for byte (headers, bodies, trailing spaces)', (file) => {
    // Arrange
    const expected = fixtureRecordLines(file);
    // Act
    const captures = parsedFixture(file).captures.map((pt) => renderPacketTrace(pt, 'vpp-18.01').split('\n'));
    // Assert
    expect(captures).toEqual(expected);
  });

  test.each(FIXTURE_FILES)('%s: the documentation form is the file without its provenance line (blank-line runs aside)', (file) => {
    const text = fixtureText(file);
    const withoutProvenance = text.slice(text.indexOf('\n') + 1).replace(/\n{3,}/g, '\n\n');
    expect(renderDocumentationForm(parsedFixture(file).captures)).toBe(withoutProvenance);
  });

  test('the buffer flags line keeps its trailing space and its column after `buffer 0x…: `', () => {
    const [, server] = parsedFixture('pod-to-pod-different-nodes.request.txt').captures;
    const lines = renderRecord(server!.records[0]!, 'vpp-18.01');
    expect(lines[2]).toBe(`${' '.repeat(17)}l4-cksum-computed l4-cksum-correct l2-hdr-offset 0 l3-hdr-offset 14 `);
  });

  test('timestamps print as HH:MM:SS:uuuuuu with hours modulo 24', () => {
    expect(formatTimestamp(((4 * 60 + 26) * 60 + 22) * 1e6 + 973829)).toBe('04:26:22:973829');
    expect(formatTimestamp((25 * 3600 + 1) * 1e6 + 5)).toBe('01:00:01:000005');
    expect(formatTimestamp(0)).toBe('00:00:00:000000');
  });
});

describe('round trips', () => {
  test.each(FIXTURE_FILES)('%s: parse → render → parse gives equal records', (file) => {
    const first = parsedFixture(file);
    const again = parseTrace(renderDocumentationForm(first.captures));
    expect(again.diagnostics).toEqual([]);
    expect(again.captures).toEqual(first.captures);
  });

  test('raw show trace with two threads and several packets: exact layout, and it parses back', () => {
    // Arrange: thread 0 gets the cross-node request captures, thread 1 the response ones.
    const req = parsedFixture('pod-to-pod-different-nodes.request.txt').captures;
    const res = parsedFixture('pod-to-pod-different-nodes.response.txt').captures;
    const threads = [
      { index: 0, name: 'vpp_main', packets: req },
      { index: 1, name: 'vpp_wk_0', packets: res },
    ];
    // Act
    const text = renderShowTrace(threads);
    const back = parseTrace(text);
    // Assert: layout of §11.1 — "Packet N\n" + "\n<records>" + "\n\n", numbering per thread.
    const lines = text.split('\n');
    expect(lines.slice(0, 4)).toEqual(['------------------- Start of thread 0 vpp_main -------------------', 'Packet 1', '', '04:26:22:973829: virtio-input']);
    const p2 = lines.indexOf('Packet 2');
    expect(lines.slice(p2 - 2, p2 + 3)).toEqual(['    length 90, checksum 0x0000', '', 'Packet 2', '', '04:24:37:730732: dpdk-input']);
    expect(lines.filter((l) => /^Packet \d+$/.test(l))).toEqual(['Packet 1', 'Packet 2', 'Packet 1', 'Packet 2']);
    expect(text.endsWith('window 28960, checksum 0xa2c2\n\n')).toBe(true);
    expect(back.diagnostics).toEqual([]);
    expect(back.captures.map((c) => [c.thread, c.packet])).toEqual([
      [{ index: 0, name: 'vpp_main' }, 1],
      [{ index: 0, name: 'vpp_main' }, 2],
      [{ index: 1, name: 'vpp_wk_0' }, 1],
      [{ index: 1, name: 'vpp_wk_0' }, 2],
    ]);
    expect(back.captures.map((c) => c.records)).toEqual([...req, ...res].map((c) => c.records));
    expect(renderShowTrace(threadsOf(back.captures))).toBe(text);
  });

  test('an empty thread and the packet limit print as VPP does', () => {
    const [pkt] = parsedFixture('pod-to-pod-same-node.request.txt').captures;
    const text = renderShowTrace(
      [
        { index: 0, name: 'vpp_main', packets: [pkt!, pkt!] },
        { index: 1, name: 'vpp_wk_0', packets: [] },
      ],
      'vpp-18.01',
      { max: 1 },
    );
    const lines = text.split('\n');
    expect(lines[0]).toBe('Limiting display to 1 packets. To display more specify max.');
    expect(lines.filter((l) => l.startsWith('Packet '))).toEqual(['Packet 1']);
    expect(text.endsWith('------------------- Start of thread 1 vpp_wk_0 -------------------\nNo packets in trace buffer\n')).toBe(true);
    expect(parseTrace(text).captures).toHaveLength(1);
  });

  test('two consecutive records of one node share one header and parse back as two records', () => {
    const t = 3_000_001;
    const pt: PacketTrace = {
      records: [
        { node: 'nat44-in2out', timeUs: t, body: { kind: 'nat44-in2out', label: 'NAT44_IN2OUT_FAST_PATH', swIfIndex: 3, nextIndex: 3, session: -1 } },
        { node: 'nat44-in2out', timeUs: t, body: { kind: 'nat44-in2out', label: 'NAT44_IN2OUT_FAST_PATH', swIfIndex: 3, nextIndex: 0, session: 4 } },
        { node: 'ip4-udp-lookup', timeUs: t + 1, body: { kind: 'ip4-udp-lookup', srcPort: 1, dstPort: 2, noListener: false } },
      ],
    };
    const text = renderPacketTrace(pt, 'vpp-18.01');
    expect(text).toBe(
      [
        '00:00:03:000001: nat44-in2out',
        '  NAT44_IN2OUT_FAST_PATH: sw_if_index 3, next index 3, session -1',
        '  NAT44_IN2OUT_FAST_PATH: sw_if_index 3, next index 0, session 4',
        '00:00:03:000002: ip4-udp-lookup',
        '  UDP: src-port 1 dst-port 2',
      ].join('\n'),
    );
    const back = parseTrace(text);
    expect(back.diagnostics).toEqual([]);
    expect(back.captures[0]!.records).toEqual(pt.records);
  });
});

describe('vpp-current formats (FDio/vpp master)', () => {
  const [client] = parsedFixture('pod-to-pod-different-nodes.request.txt').captures;
  const rec = (i: number): TraceRecord => client!.records[i]!;

  test('acl-plugin: lc_index first, and the current 5-tuple line (acl/dataplane_node.c, fa_node.h)', () => {
    expect(renderRecord(rec(3), 'vpp-current')).toEqual([
      '  acl-plugin: lc_index: 0, sw_if_index 7, next index 1, action: 2, match: acl 1 rule 0 trace_bits 00000000',
      '  pkt info 0000000000000000 0c01010a00000000 0000000000000000 0d02010a00000000 000700061f90ee44 0702ffff00000007',
      '   lc_index 0 l3 ip4 10.1.1.12 -> 10.1.2.13 l4 lsb_of_sw_if_index 7 proto 6 l4_is_input 1 l4_slow_path 0 l4_flags 0x01 port 60996 -> 8080 tcp flags (valid) 02 rsvd 0',
    ]);
  });

  test('buffer, mbuf and IP lines of a DPDK tx record (vlib/buffer.c, vnet/buffer.h, dpdk/device/format.c, ip4_format.c)', () => {
    expect(renderRecord(rec(22), 'vpp-current')).toEqual([
      '  GigabitEthernet0/8/0 tx queue 0',
      '  buffer 0x1b3cf: current data -50, length 124, buffer-pool 0, ref-count 1, totlen-nifb 0, trace handle 0x18',
      '                  natted l2-hdr-offset 0 l3-hdr-offset 14 ',
      '  PKT MBUF: port 65535, nb_segs 1, pkt_len 124',
      '    buf_len 2176, data_len 124, ol_flags 0x0, data_off 78, phys_addr 0x52cf440',
      '    packet_type 0x0 l2_len 0 l3_len 0 outer_l2_len 0 outer_l3_len 0 ',
      '    rss 0x0 fdir.hi 0x0 fdir.lo 0x0',
      '  IP4: 08:00:27:72:95:8d -> 08:00:27:a2:a4:50',
      '  UDP: 192.168.16.1 -> 192.168.16.2',
      '    tos 0x00, ttl 253, length 110, checksum 0x1c2b dscp CS0 ecn NON_ECN',
      '    fragment id 0x0000',
      '  UDP: 50038 -> 4789',
      '    length 90, checksum 0x0000',
    ]);
  });

  test('nat44-ed labels and the session line (nat44_ed_in2out.c, nat44_ed_out2in.c, nat44_ed_format.c)', () => {
    expect(natEdLabel('NAT44_IN2OUT_SLOW_PATH', 'in2out')).toBe('NAT44_IN2OUT_ED_SLOW_PATH');
    expect(natEdLabel('NAT44_OUT2IN', 'out2in')).toBe('NAT44_OUT2IN_ED_FAST_PATH');
    // 18.01 records without ED detail: line 1 only; `session` is not printed for -1.
    expect(renderRecord(rec(4), 'vpp-current')).toEqual(['  NAT44_OUT2IN_ED_FAST_PATH: sw_if_index 7, next index 1']);
    const ed: TraceRecord = {
      node: 'nat44-ed-out2in',
      timeUs: 1,
      body: {
        kind: 'nat44-out2in',
        label: 'NAT44_OUT2IN_ED_FAST_PATH',
        swIfIndex: 1,
        nextIndex: 5,
        sessionIndex: 2,
        ed: {
          translation: {
            result: 'success',
            via: 'o2if',
            i2of: 'match: saddr 10.1.1.12 sport 60996 daddr 10.1.2.13 dport 8080 proto TCP fib_idx 0 ',
            o2if: 'match: saddr 10.1.2.13 sport 8080 daddr 10.1.1.12 dport 60996 proto TCP fib_idx 0 ',
          },
          lookup: { kind: 'search-key', local: ip4('10.1.2.13'), localPort: 8080, remote: ip4('10.1.1.12'), remotePort: 60996, proto: 6, fib: 0, threadIndex: 0, sessionIndex: 2 },
          slowPathReason: 'no reason for slow path',
          tcpState: 'established',
        },
      },
    };
    const lines = renderRecord(ed, 'vpp-current');
    expect(lines).toEqual([
      "  NAT44_OUT2IN_ED_FAST_PATH: sw_if_index 1, next index 5, session 2, translation result 'success' via o2if",
      '  i2of match: saddr 10.1.1.12 sport 60996 daddr 10.1.2.13 dport 8080 proto TCP fib_idx 0 ',
      '  o2if match: saddr 10.1.2.13 sport 8080 daddr 10.1.1.12 dport 60996 proto TCP fib_idx 0 ',
      '  search key local 10.1.2.13:8080 remote 10.1.1.12:60996 proto TCP fib 0 thread-index 0 session-index 2',
      '  no reason for slow path',
      '  TCP state: established',
    ]);
    const back = parseTrace(`00:00:00:000001: nat44-ed-out2in\n${lines.join('\n')}\n`);
    expect(back.diagnostics).toEqual([]);
    expect(back.captures[0]!.records).toEqual([ed]);
  });

  test('a whole capture rendered in the current format parses back to the same records', () => {
    const text = renderDocumentationForm([client!], 'vpp-current');
    const back = parseTrace(text);
    expect(back.diagnostics).toEqual([]);
    expect(renderDocumentationForm(back.captures, 'vpp-current')).toBe(text);
  });
});
