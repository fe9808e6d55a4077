// VPP's flow hash and the VXLAN source port, against the worked examples of docs/datapath.md §6.5.
import { describe, expect, test } from 'vitest';
import { fromHex } from '../../src/packet/index.ts';
import { flowHashInputs, jenkinsMixFinal, l2FlowHash, vxlanSourcePort } from '../../src/reference/flow-hash.ts';

// The inner frames as l2-output saw them (the first 60 bytes of the seed dumps are enough: only bytes 12..37 count).
const SYN = fromHex('1a2b3c4d5e021a2b3c4d5e0108004500003c309f40003f06f4020a01010c0a01020dee441f90d26ce55100000000a002721023370000020405b40402');
const SYN_ACK = fromHex('1a2b3c4d5e011a2b3c4d5e0208004500003c000040003f0624a20a01020d0a01010c1f90ee44c363cef4d26ce552a0127120a2c20000020405b40402');

describe('flow hash (docs/datapath.md §6.4–§6.5)', () => {
  test.each([
    ['SYN', SYN, [0x0c01010a, 0x0d02010c, 0x901f44ee], 0xc0e176c3, 50038],
    ['SYN-ACK', SYN_ACK, [0x0d02010a, 0x0c01010c, 0x44ee901f], 0x2c673dc5, 50493],
  ] as const)('%s: inputs, hash and UDP source port as worked out in the spec', (_n, frame, abc, hash, port) => {
    const i = flowHashInputs(frame);
    expect([i.a, i.b, i.c]).toEqual(abc);
    expect(l2FlowHash(frame)).toBe(hash);
    expect(vxlanSourcePort(hash)).toBe(port);
  });

  test('the intermediate words after final match the spec table', () => {
    expect(jenkinsMixFinal(0x0c01010a, 0x0d02010c, 0x901f44ee)).toMatchObject({ a: 0x4fceb8c9, b: 0xa05a4796, c: 0xc0e176c3 });
    expect(jenkinsMixFinal(0x0d02010a, 0x0c01010c, 0x44ee901f)).toMatchObject({ a: 0x87525ad3, b: 0x094b850e, c: 0x2c673dc5 });
  });

  test('the hash ignores TTL, checksum, MACs, TCP flags and sequence numbers', () => {
    const other = Uint8Array.from(SYN);
    other[0] = 0xff; // dst MAC
    other[14 + 8] = 1; // TTL
    other[14 + 10] = 0; // checksum
    other[14 + 20 + 4] = 0x99; // seq
    other[14 + 20 + 13] = 0x10; // flags
    expect(l2FlowHash(other)).toBe(l2FlowHash(SYN));
  });

  test('non-IP frames hash MAC bytes 2..5 and the ethertype', () => {
    const arp = fromHex('ffffffffffff00000000000208060001080006040001');
    const i = flowHashInputs(arp);
    expect(i).toEqual({ a: 0xffffffff, b: 0x02000000, c: 0x0806 });
  });
});
