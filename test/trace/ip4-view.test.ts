// ip4HeaderView / ethernetLineView from bytes equal what the seed's traces print, and the format_ip4_header
// quirks of docs/datapath.md §11.3 (fragment XOR, should-be checksum, truncation, version line) render as VPP prints them.
import { describe, expect, test } from 'vitest';
import { encodePacket, encodeTcpOptions, fromHex, ip4, mac, tcpOption, type Layer } from '../../src/packet/index.ts';
import { ethernetLineView, ip4HeaderView, renderIp4Header, type Ip4HeaderView, type TraceBody, type TraceRecord } from '../../src/trace/index.ts';
import { parsedFixture } from './fixtures.ts';

const [client, server] = parsedFixture('pod-to-pod-different-nodes.request.txt').captures;

function body<K extends TraceBody['kind']>(rec: TraceRecord | undefined, kind: K): Extract<TraceBody, { kind: K }> {
  expect(rec?.body.kind).toBe(kind);
  return rec!.body as Extract<TraceBody, { kind: K }>;
}

/** The client's SYN as it left the pod (TTL 64): fields printed by ip4-input, options of a Linux SYN (40-byte header). */
function clientSyn(): Uint8Array {
  const options = encodeTcpOptions([tcpOption.mss(1460), tcpOption.sackPermitted(), tcpOption.timestamp(0x01020304, 0), tcpOption.nop(), tcpOption.windowScale(7)]);
  const layers: Layer[] = [
    { kind: 'ethernet', dst: mac('02:fe:69:99:eb:9d'), src: mac('00:00:00:00:00:02') },
    { kind: 'ipv4', id: 0x309f, flags: 0b010, ttl: 64, src: ip4('10.1.1.12'), dst: ip4('10.1.2.13') },
    { kind: 'tcp', srcPort: 60996, dstPort: 8080, seq: 0xd26ce551, ack: 0, flags: 0x02, window: 29200, checksum: 0x2337, options },
  ];
  return encodePacket(layers);
}

describe('views from the seed bytes equal the parsed views', () => {
  test('ip4-input (64 bytes captured) of the SYN built from its fields', () => {
    const bytes = clientSyn();
    expect(ip4HeaderView(bytes, 14, 64)).toEqual(body(client!.records[2], 'ip4-header').ip);
    expect(ethernetLineView(bytes, 0)).toEqual(body(client!.records[1], 'ethernet-input').eth);
  });

  test('loop0-output (124-byte frame capture) from the inner ip4-rewrite hex dump', () => {
    const dump = body(client!.records[7], 'ip4-rewrite').bytes;
    const out = body(client!.records[9], 'interface-output');
    expect(ip4HeaderView(dump, 14, 124 - 14)).toEqual(out.ip);
    expect(ethernetLineView(dump, 0)).toEqual(out.eth);
  });

  test('GigabitEthernet0/8/0-output from the outer (VXLAN) ip4-rewrite dump; ip4-lookup (60 bytes) after decap', () => {
    const dump = body(client!.records[17], 'ip4-rewrite').bytes;
    const out = body(client!.records[21], 'interface-output');
    expect(ip4HeaderView(dump, 14, 110)).toEqual(out.ip);
    expect(ethernetLineView(dump, 0)).toEqual(out.eth);
    expect(ip4HeaderView(dump, 14, 60)).toEqual(body(server!.records[4], 'ip4-fib').ip);
  });

  test('the server-side TAP output from its ip4-rewrite dump (TTL 62)', () => {
    const dump = body(server!.records[15], 'ip4-rewrite').bytes;
    expect(ip4HeaderView(dump, 14, 110)).toEqual(body(server!.records[17], 'interface-output').ip);
  });
});

/** A 20-byte IPv4 header + 8 bytes of UDP, with a given flags/offset word, checksum and first byte. */
function header(opts: { frag?: number; checksum?: number; vihl?: number; proto?: number; extra?: string } = {}): Uint8Array {
  const l4 = opts.extra ?? '04d2162e00080000';
  const b = fromHex(`${(opts.vihl ?? 0x45).toString(16)}00001c1234${(opts.frag ?? 0).toString(16).padStart(4, '0')}40${(opts.proto ?? 17).toString(16).padStart(2, '0')}0000c0a80001c0a80002${l4}`);
  const encoded = b;
  if (opts.checksum === undefined) {
    // a correct checksum over the 20 bytes
    let sum = 0;
    for (let i = 0; i < 20; i += 2) sum += (encoded[i]! << 8) | encoded[i + 1]!;
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    const c = ~sum & 0xffff;
    encoded[10] = c >>> 8;
    encoded[11] = c & 0xff;
  } else {
    encoded[10] = opts.checksum >>> 8;
    encoded[11] = opts.checksum & 0xff;
  }
  return encoded;
}

const render = (v: Ip4HeaderView, format: 'vpp-18.01' | 'vpp-current' = 'vpp-18.01'): string[] => renderIp4Header(v, 2, format);

describe('format_ip4_header quirks (docs/datapath.md §11.3)', () => {
  test('a normal UDP header: no version line, no should-be, UDP part', () => {
    expect(render(ip4HeaderView(header(), 0, 64))).toEqual([
      '  UDP: 192.168.0.1 -> 192.168.0.2',
      '    tos 0x00, ttl 64, length 28, checksum 0xe749',
      '    fragment id 0x1234',
      '  UDP: 1234 -> 5678',
      '    length 8, checksum 0x0000',
    ]);
  });

  test('a wrong stored checksum prints `(should be …)`', () => {
    const v = ip4HeaderView(header({ checksum: 0xbeef }), 0, 64);
    expect(v.checksumShouldBe).toBe(0xe749);
    expect(render(v)[1]).toBe('    tos 0x00, ttl 64, length 28, checksum 0xbeef (should be 0xe749)');
  });

  test('fragment: 18.01 XORs the byte offset into the flags word (MF + offset 8 keeps MF)', () => {
    const v = ip4HeaderView(header({ frag: 0x2001 }), 0, 64);
    expect(v).toMatchObject({ fragmentOffset: 8, flagNames: 'MORE_FRAGMENTS' });
    expect(render(v)[2]).toBe('    fragment id 0x1234 offset 8, flags MORE_FRAGMENTS');
  });

  test('fragment: an offset whose byte value reaches bit 14 prints a spurious DONT_FRAGMENT', () => {
    const v = ip4HeaderView(header({ frag: 0x0800 }), 0, 64);
    expect(render(v)[2]).toBe('    fragment id 0x1234 offset 16384, flags DONT_FRAGMENT');
  });

  test('fragment: offset 1 with no flags leaves bit 3 set, so `, flags ` prints with no name', () => {
    const v = ip4HeaderView(header({ frag: 0x0001 }), 0, 64);
    expect(render(v)[2]).toBe('    fragment id 0x1234 offset 8, flags ');
  });

  test('fragment names concatenate without separator (MF + DF)', () => {
    expect(render(ip4HeaderView(header({ frag: 0x6000 }), 0, 64))[2]).toBe('    fragment id 0x1234, flags MORE_FRAGMENTSDONT_FRAGMENT');
  });

  test('vpp-current clears only the offset bits and prints no L4 part for a non-first fragment', () => {
    const v = ip4HeaderView(header({ frag: 0x0800 }), 0, 64, 'vpp-current');
    expect(v.flagNames).toBeUndefined();
    expect(v.l4).toBeUndefined();
    expect(render(v, 'vpp-current')).toEqual([
      '  UDP: 192.168.0.1 -> 192.168.0.2',
      '    tos 0x00, ttl 64, length 28, checksum 0xdf49 dscp CS0 ecn NON_ECN',
      '    fragment id 0x1234 offset 16384',
    ]);
  });

  test('IHL 6 prints the version line and the L4 header after the option word', () => {
    const v = ip4HeaderView(header({ vihl: 0x46, extra: '0000000004d2162e00080000' }), 0, 64);
    expect(render(v)).toEqual([
      '  UDP: 192.168.0.1 -> 192.168.0.2',
      '    version 4, header length 24',
      expect.stringMatching(/^ {4}tos 0x00, ttl 64, length 28, checksum 0x[0-9a-f]{4}$/),
      '    fragment id 0x1234',
      '  UDP: 1234 -> 5678',
      '    length 8, checksum 0x0000',
    ]);
  });

  test('version 6 in the first nibble prints the version line', () => {
    expect(render(ip4HeaderView(header({ vihl: 0x65 }), 0, 64))[1]).toBe('    version 6, header length 20');
  });

  test('truncation: IP header below 20 captured bytes, L4 headers that do not fit', () => {
    expect(render(ip4HeaderView(header(), 0, 19))).toEqual(['  IP header truncated']);
    expect(render(ip4HeaderView(header(), 0, 27)).at(-1)).toBe('  UDP header truncated');
    expect(render(ip4HeaderView(header({ proto: 6 }), 0, 39)).at(-1)).toBe('  TCP header truncated');
    expect(render(ip4HeaderView(header({ proto: 1 }), 0, 23)).at(-1)).toBe('  ICMP header truncated');
    // exactly the IP header captured: nothing after the fragment line (VPP recurses only if bytes remain)
    expect(render(ip4HeaderView(header(), 0, 20))).toHaveLength(3);
  });

  test('ICMP: type and code names, unpadded checksum; unknown protocols print `unknown N` and no L4', () => {
    const echo = ip4HeaderView(header({ proto: 1, extra: '08000ab1000100070000' }), 0, 64);
    expect(render(echo).at(-1)).toBe('  ICMP echo_request checksum 0xab1');
    expect(render(ip4HeaderView(header({ proto: 1, extra: '0b00f4ff00000000' }), 0, 64)).at(-1)).toBe('  ICMP time_exceeded ttl_exceeded_in_transit checksum 0xf4ff');
    expect(render(ip4HeaderView(header({ proto: 1, extra: '08000ab1000100070000' }), 0, 64, 'vpp-current'), 'vpp-current').at(-1)).toBe(
      '  ICMP echo_request checksum 0xab1 id 1',
    );
    const other = ip4HeaderView(header({ proto: 200 }), 0, 64);
    expect(render(other)[0]).toBe('  unknown 200: 192.168.0.1 -> 192.168.0.2');
    expect(render(other)).toHaveLength(3);
  });

  test('bytes beyond the buffer read as zero and never throw', () => {
    expect(() => ip4HeaderView(new Uint8Array(3), 0, 64)).not.toThrow();
    expect(ip4HeaderView(new Uint8Array(0), 10, 124).src).toBe(0);
  });
});
