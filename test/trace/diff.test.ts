// diffTraces through the §11.6 masks: identical traces are equal with masked fields counted, unmasked changes
// are reported with node and field, masked ones are not, and MAC masks never cover BVI or pod MACs.
import { describe, expect, test } from 'vitest';
import { fc, test as fcTest } from '@fast-check/vitest';
import { mac } from '../../src/packet/index.ts';
import {
  diffTraces,
  MASK_SETS,
  SYNTHETIC_INPUTS,
  VOLATILE_18_01,
  VOLATILE_CURRENT,
  VOLATILE_MACS,
  type PacketTrace,
  type TraceBody,
  type TraceRecord,
} from '../../src/trace/index.ts';
import { parsedFixture } from './fixtures.ts';

const seed = (): PacketTrace[] => parsedFixture('pod-to-pod-different-nodes.request.txt').captures;
const clientSyn = (): PacketTrace => seed()[0]!;
const serverSyn = (): PacketTrace => seed()[1]!;

function bodyAt<K extends TraceBody['kind']>(pt: PacketTrace, i: number, kind: K): Extract<TraceBody, { kind: K }> {
  const b = pt.records[i]!.body;
  if (b.kind !== kind) throw new Error(`record ${i} is ${b.kind}, not ${kind}`);
  return b as Extract<TraceBody, { kind: K }>;
}

describe('identical traces', () => {
  test('a fixture against itself is equal, and the volatile masks suppress comparisons', () => {
    const r = diffTraces(clientSyn(), clientSyn(), VOLATILE_18_01);
    expect(r.equal).toBe(true);
    expect(r.first).toBeUndefined();
    expect(r.maskedFields).toBeGreaterThan(50);
  });

  test('without masks nothing is suppressed', () => {
    expect(diffTraces(clientSyn(), clientSyn(), [])).toEqual({ equal: true, maskedFields: 0 });
  });
});

describe('unmasked differences are reported', () => {
  test('a TTL in loop0-output', () => {
    // Arrange
    const actual = clientSyn();
    bodyAt(actual, 9, 'interface-output').ip!.ttl = 62;
    // Act
    const r = diffTraces(clientSyn(), actual, VOLATILE_18_01);
    // Assert
    expect(r.equal).toBe(false);
    expect(r.first).toEqual({ recordIndex: 9, node: 'loop0-output', field: 'ip.ttl', expected: 63, actual: 62 });
  });

  test('a different node sequence is reported as field `node`', () => {
    const actual = clientSyn();
    actual.records.splice(4, 1); // no nat44-out2in
    const r = diffTraces(clientSyn(), actual, VOLATILE_18_01);
    expect(r.first).toMatchObject({ recordIndex: 4, field: 'node', expected: 'nat44-out2in', actual: 'ip4-lookup' });
  });

  test('a missing tail is reported as field `node` with the absent side undefined', () => {
    const actual = clientSyn();
    actual.records.pop();
    expect(diffTraces(clientSyn(), actual, VOLATILE_18_01).first).toEqual({ recordIndex: 22, node: 'GigabitEthernet0/8/0-tx', field: 'node', expected: 'GigabitEthernet0/8/0-tx', actual: undefined });
  });

  test('an ACL verdict: a session hit where a rule matched', () => {
    const actual = clientSyn();
    Object.assign(bodyAt(actual, 3, 'acl'), { matchAcl: -1, matchRule: 12 });
    expect(diffTraces(clientSyn(), actual, VOLATILE_18_01).first).toMatchObject({ node: 'acl-plugin-in-ip4-fa', field: 'matchAcl', expected: 1, actual: -1 });
  });

  test('a NAT session created where none was (-1 is not volatile)', () => {
    const actual = clientSyn();
    bodyAt(actual, 4, 'nat44-out2in').sessionIndex = 0;
    expect(diffTraces(clientSyn(), actual, VOLATILE_18_01).first).toMatchObject({ field: 'sessionIndex', expected: -1, actual: 0 });
  });

  test('a TCP sequence number unless the synthetic-input group is on', () => {
    const actual = clientSyn();
    const l4 = bodyAt(actual, 2, 'ip4-header').ip.l4;
    if (l4?.kind !== 'tcp') throw new Error('expected tcp');
    l4.seq = 1;
    expect(diffTraces(clientSyn(), actual, VOLATILE_18_01).first).toMatchObject({ field: 'ip.l4.seq' });
    expect(diffTraces(clientSyn(), actual, [...VOLATILE_18_01, SYNTHETIC_INPUTS]).equal).toBe(true);
  });
});

describe('masked differences are not', () => {
  test.each<[string, (pt: PacketTrace) => void]>([
    ['a timestamp', (pt) => void (pt.records[5]!.timeUs += 17)],
    ['sw_if_index of the input ACL (line 1, tuple, lsb16 and pkt info words)', (pt) => {
      const acl = bodyAt(pt, 3, 'acl');
      acl.swIfIndex = 9;
      acl.tuple.swIfIndex = 9;
      acl.tuple.lsb16 = 9;
      acl.pktInfo[4] = `0009${acl.pktInfo[4].slice(4)}`;
      acl.pktInfo[5] = `${acl.pktInfo[5].slice(0, 8)}00000009`;
    }],
    ['hw_if_index and next-index of virtio-input', (pt) => Object.assign(bodyAt(pt, 0, 'virtio-input'), { hwIfIndex: 3, nextIndex: 9 })],
    ['dpo-idx and the outer fib', (pt) => {
      bodyAt(pt, 5, 'ip4-fib').dpoIdx = 99;
      bodyAt(pt, 16, 'ip4-fib').fib = 2;
    }],
    ['the stale outer flow hash of 18.01', (pt) => void (bodyAt(pt, 16, 'ip4-fib').flowHash = 0xc0e176c3)],
    ['the l2-classify table', (pt) => void (bodyAt(pt, 11, 'l2-input-classify').table = 4)],
    ['ACL index and rule position of a rule match', (pt) => Object.assign(bodyAt(pt, 8, 'acl'), { matchAcl: 5, matchRule: 9 })],
    ['the vxlan tunnel number', (pt) => void (bodyAt(pt, 15, 'vxlan4-encap').tunnel = 3)],
    ['NAT session index other than -1', (pt) => void (bodyAt(pt, 20, 'nat44-in2out').session = 42)],
    ['buffer index, trace index, phys_addr, data_off, port', (pt) => Object.assign(bodyAt(pt, 22, 'interface-tx'), {
      buffer: { ...bodyAt(pt, 22, 'interface-tx').buffer, index: 1, trace: 2 },
      mbuf: { ...bodyAt(pt, 22, 'interface-tx').mbuf, physAddr: 3, dataOff: 4, port: 5 },
    })],
    ['the pod TAP MAC in ethernet-input', (pt) => void (bodyAt(pt, 1, 'ethernet-input').eth.dst = mac('02:fe:00:11:22:33'))],
    ['GbE MACs in the NIC output, the rewrite string and its hex dump', (pt) => {
      const rw = bodyAt(pt, 17, 'ip4-rewrite');
      rw.rewrite = `0800270000aa0800270000bb${rw.rewrite.slice(24)}`;
      rw.bytes.set([0x08, 0x00, 0x27, 0, 0, 0xaa, 0x08, 0x00, 0x27, 0, 0, 0xbb], 0);
      bodyAt(pt, 21, 'interface-output').eth.src = mac('08:00:27:00:00:bb');
      bodyAt(pt, 22, 'interface-tx').eth.dst = mac('08:00:27:00:00:aa');
    }],
  ])('%s', (_name, mutate) => {
    const actual = clientSyn();
    mutate(actual);
    expect(diffTraces(clientSyn(), actual, []).equal).toBe(false);
    const r = diffTraces(clientSyn(), actual, VOLATILE_18_01);
    expect(r.first).toBeUndefined();
    expect(r.equal).toBe(true);
  });

  test('tapN renumbering in the node name, ifName and rewrite MAC of the server side', () => {
    const actual = serverSyn();
    const out = actual.records[17]!;
    out.node = 'tap3-output';
    bodyAt(actual, 17, 'interface-output').ifName = 'tap3';
    bodyAt(actual, 15, 'ip4-rewrite').ifName = 'tap3';
    expect(diffTraces(serverSyn(), actual, VOLATILE_18_01).equal).toBe(true);
    out.node = 'tap3-tx';
    expect(diffTraces(serverSyn(), actual, VOLATILE_18_01).first).toMatchObject({ field: 'node', expected: 'tap12-output', actual: 'tap3-tx' });
  });

  test('the stale flow hash is not masked for the current profile', () => {
    const actual = clientSyn();
    bodyAt(actual, 16, 'ip4-fib').flowHash = 0xc0e176c3;
    expect(diffTraces(clientSyn(), actual, VOLATILE_CURRENT).first).toMatchObject({ node: 'ip4-load-balance', field: 'flowHash' });
  });
});

describe('MAC masks leave BVI and pod MACs alone', () => {
  test('a BVI MAC in l2-fwd and the pod MAC in ethernet-input are reported', () => {
    const a = clientSyn();
    bodyAt(a, 13, 'l2-fwd').dst = mac('1a:2b:3c:4d:5e:09');
    expect(diffTraces(clientSyn(), a, VOLATILE_18_01).first).toMatchObject({ field: 'dst', expected: '1a:2b:3c:4d:5e:02', actual: '1a:2b:3c:4d:5e:09' });
    const b = clientSyn();
    bodyAt(b, 1, 'ethernet-input').eth.src = mac('00:00:00:00:00:03');
    expect(diffTraces(clientSyn(), b, VOLATILE_18_01).first).toMatchObject({ field: 'eth.src', expected: '00:00:00:00:00:02' });
  });

  test('inner BVI MACs inside the outer hex dump are compared', () => {
    const a = clientSyn();
    bodyAt(a, 17, 'ip4-rewrite').bytes[55] = 0x09;
    expect(diffTraces(clientSyn(), a, VOLATILE_18_01).first).toMatchObject({ node: 'ip4-rewrite', field: 'bytes.payload' });
  });

  const macText = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 6, maxLength: 6 }).map((b) => b.map((x) => x.toString(16).padStart(2, '0')).join(':'));
  const stableMac = fc.oneof(fc.integer({ min: 0, max: 255 }).map((x) => `1a:2b:3c:4d:5e:${x.toString(16).padStart(2, '0')}`), fc.constant('00:00:00:00:00:02'));
  const anyRecord = fc.constantFrom(...seed().flatMap((pt) => pt.records.map((r, i) => [pt, r, i] as [PacketTrace, TraceRecord, number])));

  fcTest.prop([anyRecord, stableMac, macText, fc.constantFrom('eth.src', 'eth.dst', 'src', 'dst', 'rewrite.src', 'bytes.eth.dst')], { seed: 424242, numRuns: 300 })(
    'never applies when either side is a BVI or pod MAC, in any record',
    ([pt, rec, i], stable, other, field) => {
      for (const [expected, actual] of [[stable, other], [other, stable]] as const) {
        expect(VOLATILE_MACS.applies({ node: rec.node, kind: rec.body.kind, field, expected, actual, recordIndex: i, expectedRecord: rec, actualRecord: rec, expectedTrace: pt })).toBe(false);
      }
    },
  );
});

test('mask sets: ids are unique, every mask describes itself, `none` is empty', () => {
  const all = [...VOLATILE_18_01, ...VOLATILE_CURRENT, SYNTHETIC_INPUTS];
  for (const m of all) expect(m.description.length).toBeGreaterThan(10);
  expect(new Set(VOLATILE_18_01.map((m) => m.id)).size).toBe(VOLATILE_18_01.length);
  expect(MASK_SETS.none).toEqual([]);
  expect(MASK_SETS.volatile).toBe(VOLATILE_18_01);
});
