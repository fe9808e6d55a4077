// Current VPP's `show trace` (v26.06 lab captures, test/fixtures/traces/vpp-26.06) read and printed again: every
// record has a structured body (none kept raw) and printing the parse gives the lab's text byte for byte. The lab's
// vppctl ends lines with CR LF (its terminal line discipline); the comparison is on LF lines.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTrace, renderShowTrace, threadsOf } from '../../src/trace/index.ts';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'traces', 'vpp-26.06');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.txt'));
const text = (f: string): string => readFileSync(join(DIR, f), 'utf8').replace(/\r\n/g, '\n');

describe('current VPP trace text round trip', () => {
  it('has lab captures to read', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(8);
  });

  it.each(FILES)('%s: every record has a structured body', (f) => {
    const r = parseTrace(text(f));
    expect(r.diagnostics).toEqual([]);
    const raw = r.captures.flatMap((c) => c.records).filter((x) => x.body.kind === 'raw');
    expect(raw.map((x) => x.node)).toEqual([]);
  });

  it.each(FILES)('%s: render(parse(text)) is the text, byte for byte', (f) => {
    const t = text(f);
    expect(renderShowTrace(threadsOf(parseTrace(t).captures), 'vpp-current')).toBe(t);
  });

  it('reads the driver records of the lab: packet-generator and af_packet', () => {
    const recs = parseTrace(text('cross-node-syn.node2.txt')).captures[0]!.records;
    expect(recs[0]).toMatchObject({ node: 'af-packet-input', body: { kind: 'af-packet-input', hwIfIndex: 1, tpacket: { len: 104, snaplen: 104 }, vnetHdr: { gsoType: 0 } } });
    expect(recs.at(-1)).toMatchObject({ node: 'pg5-tx', body: { kind: 'pg-tx', buffer: { currentData: 50, length: 54 }, ip: { ttl: 62 } } });
    const n1 = parseTrace(text('cross-node-syn.node1.txt')).captures[0]!.records;
    expect(n1[0]).toMatchObject({ node: 'pg-input', body: { kind: 'pg-input', stream: 0, bytes: 54, swIfIndex: 5, nextNode: 'ethernet-input' } });
    expect((n1[0]!.body as { data: Uint8Array }).data).toHaveLength(128);
    expect(n1.at(-1)).toMatchObject({ node: 'host-gbe-tx', body: { kind: 'af-packet-tx', tpacket: { len: 114 }, buffer: { currentData: -50, length: 104 }, ip: { ttl: 253 } } });
    expect(n1.filter((x) => x.body.kind === 'nat-pre').map((x) => x.body)).toEqual([
      { kind: 'nat-pre', direction: 'out2in', nextIndex: 6, arcNextIndex: 10 },
      { kind: 'nat-pre', direction: 'in2out', nextIndex: 4, arcNextIndex: 12 },
    ]);
  });

  it('reads the drop pair of current VPP: error-drop names the RX interface, drop the node and reason', () => {
    const recs = parseTrace(text('denied-syn.node2.txt')).captures[0]!.records;
    expect(recs.slice(-2).map((x) => x.body)).toEqual([
      { kind: 'error-drop-rx', rxIfName: 'loop0' },
      { kind: 'error-drop', node: 'acl-plugin-out-ip4-fa', error: 'ACL deny packets' },
    ]);
  });
});
