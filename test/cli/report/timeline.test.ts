// The timeline of a counterexample (report.html): drawn from the evidence alone — every packet a row with an arrow
// to the pods that received it or a cross where nothing arrived, every fault a band over what it touched, the rows
// a claim is about marked — and present in the report of a nemesis failure.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ReferenceAdapter } from '../../../src/adapters/reference/reference-adapter.ts';
import { runFuzz } from '../../../src/cli/fuzz.ts';
import { timelineSvg } from '../../../src/cli/report/timeline.ts';
import { recordingAdapter } from '../../../src/properties/evidence.ts';
import { withOpenConnections } from '../../support/open-connections.ts';
import { markupProblems } from './wellformed.ts';

const dir = mkdtempSync(join(tmpdir(), 'podflow-timeline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('timelineSvg', () => {
  it('draws each packet, each fault and each configuration call in order, from the evidence', async () => {
    const rec = recordingAdapter(new ReferenceAdapter());
    const { send } = await withOpenConnections(rec);
    await rec.fault!({ id: 'acl-sessions-cleared', node: 2 });
    expect(await send('web-a', 'client', 80, 40000, 0x10)).toBe(false); // its session went with the clear
    expect(await send('web-b', 'client', 80, 40000, 0x10)).toBe(true);
    const claim = { code: 'x', message: 'm', packet: 4 } as never;
    const svg = timelineSvg(rec.evidence, [claim])!;
    const rows = [...svg.matchAll(/<text class="(?:lbl|cfg|flbl)[^"]*" x="6" y="(\d+)">([^<]*)</g)].map((m) => m[2]);
    expect(rows).toEqual([
      'data path configured',
      'ACLs applied',
      '#0 delivered',
      '#1 delivered',
      '#2 delivered',
      '#3 delivered',
      'fault: acl-sessions-cleared',
      '#4 dropped — claim 1',
      '#5 delivered',
    ]);
    // lanes: the pods of each node and the node itself
    expect([...svg.matchAll(/class="lhead"[^>]*>([^<]*)</g)].map((m) => m[1])).toEqual(['default/client', 'default/web-b', 'node 1', 'default/web-a', 'node 2']);
    expect(svg.match(/class="ok"/g)).toHaveLength(5);
    expect(svg.match(/class="lost"/g)).toHaveLength(1);
    expect(svg).toContain('>acl-sessions-cleared (node 2)<');
    expect(svg).toContain('TCP 10.1.2.2:80 → 10.1.1.2:40000 [A]');
    expect(markupProblems(svg, 'xml')).toEqual([]);
    // deterministic: the same evidence, the same picture
    expect(timelineSvg(rec.evidence, [claim])).toBe(svg);
  });

  it('is absent when there is nothing to draw, and escapes what it prints', async () => {
    expect(timelineSvg(undefined)).toBeUndefined();
    expect(timelineSvg({ adapter: 'x', steps: [] })).toBeUndefined();
    const rec = recordingAdapter(new ReferenceAdapter());
    await withOpenConnections(rec);
    const setup = rec.evidence.steps.find((s) => s.op === 'setup') as { topology: { nodes: { pods: { name: string }[] }[] } };
    setup.topology.nodes[0]!.pods[0]!.name = 'a<b>&"c';
    expect(timelineSvg(rec.evidence)).toContain('a&lt;b&gt;&amp;&quot;c');
    expect(timelineSvg(rec.evidence)).not.toContain('a<b>');
  });
});

describe('the report of a nemesis failure', () => {
  it('has the timeline with the fault that broke it', async () => {
    const out = join(dir, 'out');
    const r = await runFuzz({ adapter: 'mutant:session-clear-empties-acls', nemesis: 'all', runs: '100', seed: '3', out, corpus: false }, () => {});
    expect(r.code).toBe(1);
    const html = readFileSync(join(r.folder, 'report.html'), 'utf8');
    expect(html).toContain('<h3>Timeline of calls and faults</h3>');
    const svg = html.slice(html.indexOf('<svg class="timeline"'), html.indexOf('</svg>', html.indexOf('<svg class="timeline"')));
    expect(svg).toMatch(/class="ftext"[^>]*>acl-sessions-cleared \(node \d\)</);
    // the rows of the claims about a packet are marked (a claim about the configuration has none)
    const cx = r.result.properties[0]!.counterexamples[0]!;
    for (const [i, c] of (cx.claims ?? []).entries()) if (c.packet !== undefined) expect(svg).toMatch(new RegExp(`class="lbl bad"[^>]*>#${c.packet} (delivered|dropped) — claim [\\d, ]*\\b${i + 1}\\b`));
    expect(readdirSync(r.folder)).toContain('report.html');
  }, 120_000);
});
