// `show trace` of a real current VPP (v26.06, captured from a podflow lab; see test/fixtures/README.md) through
// the one trace parser: no diagnostics, the structured records the properties read, and the lab's interface
// names mapped back to the model's.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelNamesInTrace } from '../../../src/adapters/vpp/vpp-adapter.ts';
import { parseTrace } from '../../../src/trace/parse.ts';
import type { TraceRecord } from '../../../src/trace/records.ts';

const DIR = join(import.meta.dirname, '../../fixtures/traces/vpp-26.06');
const records = (file: string): TraceRecord[] => {
  const r = parseTrace(readFileSync(join(DIR, file), 'utf8'));
  expect(r.captures).toHaveLength(1);
  return r.captures[0]!.records;
};

describe('current VPP traces', () => {
  it.each(readdirSync(DIR).filter((f) => f.endsWith('.txt')))('%s parses without diagnostics', (f) => {
    expect(parseTrace(readFileSync(join(DIR, f), 'utf8')).diagnostics).toEqual([]);
  });

  it('reads the encapsulation of a cross-node SYN: VNI 10, outer TTL 253 on the wire, no SNAT of the outer source', () => {
    const r = records('cross-node-syn.node1.txt');
    expect(r.map((x) => x.node)).toContain('vxlan4-encap');
    const encap = r.find((x) => x.node === 'vxlan4-encap')!.body;
    expect(encap).toMatchObject({ kind: 'vxlan4-encap', vni: 10 });
    const out = r.filter((x) => x.node === 'host-gbe-output').map((x) => x.body);
    expect(out[0]).toMatchObject({ kind: 'interface-output', ip: { ttl: 253, src: 0xc0a81001, protocol: 17 } });
  });

  it('reads ACL decisions: a permit by the server\'s table, a deny and the drop that follows', () => {
    const ok = records('same-node-syn.node1.txt').find((x) => x.node === 'acl-plugin-out-ip4-fa')!.body;
    expect(ok).toMatchObject({ kind: 'acl', action: 1, matchAcl: 1, matchRule: 0, tuple: { proto: 6, port1: 8080 } });
    const denied = records('denied-syn.node2.txt');
    expect(denied.find((x) => x.node === 'acl-plugin-out-ip4-fa')!.body).toMatchObject({ kind: 'acl', action: 0, tuple: { port1: 9999 } });
    expect(denied.at(-1)).toMatchObject({ node: 'drop', body: { kind: 'error-drop', node: 'acl-plugin-out-ip4-fa', error: 'ACL deny packets' } });
  });

  it('sees the SYN-ACK reflected on the isolated server\'s input and judged by no ACL at the non-isolated client', () => {
    const acl = records('cross-node-syn-ack.node1.txt').filter((x) => x.body.kind === 'acl');
    expect(acl.map((x) => [x.node, (x.body as { matchAcl: number }).matchAcl])).toEqual([]);
    const back = records('same-node-syn-ack.node1.txt').filter((x) => x.body.kind === 'acl').map((x) => x.body as { action: number });
    expect(back.map((b) => b.action)).toEqual([2]);
  });

  it('renames lab interfaces to the model\'s in trace text, whole names only', () => {
    const names = { toLab: new Map([['tap5', 'pg5'], ['tap0', 'loop1'], ['GigabitEthernet0/8/0', 'host-gbe']]), toModel: new Map([['pg5', 'tap5'], ['loop1', 'tap0'], ['host-gbe', 'GigabitEthernet0/8/0']]) };
    expect(modelNamesInTrace('00:01: pg5-output\n  pg5 flags 0x1\n  via 10.1.1.2 pg5: mtu\n  pg50 stays\n00:02: host-gbe-tx\n  loop1 x loop10', names)).toBe('00:01: tap5-output\n  tap5 flags 0x1\n  via 10.1.1.2 tap5: mtu\n  pg50 stays\n00:02: GigabitEthernet0/8/0-tx\n  tap0 x loop10');
  });
});
