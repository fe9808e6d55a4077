// The report of every mutant's counterexample agrees with its verdict (issue 11, item 7): for each mutant the
// property that kills it first (the kill matrix, seed 1) is run through `runFuzz`, and the written folder is read
// back — results.json, the counterexample's claims.json, traces.json, trace-diff.txt and report.html. The report's
// evidence row for the first claim names the claim's capture point; a claim on a packet-layer field shows that
// field differing there, expected vs received, as traces.json has it; a delivery claim shows the frame there
// exactly when it says delivered; a mutant of the rendering (its faulty ACLs are among the recorded calls, so the
// model given the same calls did the same) is reported as such, and no other mutant is; a claim without a
// capture point is shown with its place and field in the claims table.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { diffLayers } from '../../src/packet/index.ts';
import type { Claim } from '../../src/properties/types.ts';
import { runFuzz } from '../../src/cli/fuzz.ts';
import { killMatrix } from '../../src/cli/mutants.ts';
import { runMerge } from '../../src/cli/merge.ts';
import { parseCounterexampleData } from '../../src/cli/report/write.ts';
import { MODEL_AGREES } from '../../src/cli/report/analysis.ts';
import { MUTANTS } from '../../src/reference/mutants/index.ts';
import { markupProblems } from './report/wellformed.ts';

const RUNS = 100;
const dir = mkdtempSync(join(tmpdir(), 'podflow-mutant-reports-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** mutant id → the property that kills it first */
const killer = new Map<string, string>();
/** mutant id → its run folder and the report's evidence row of the first claim */
const written = new Map<string, { folder: string; row: string }>();

beforeAll(async () => {
  const rows = await killMatrix({ runs: RUNS, seed: 1, stopAtFirstKill: true });
  for (const r of rows) {
    const p = Object.entries(r.killedBy).find(([, n]) => n !== undefined)?.[0];
    if (p) killer.set(r.mutant, p);
  }
}, 60_000);

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** The attributes of the report's evidence row for a claim (`data-point`, `data-evidence`, …) and its cells. */
function evidenceRow(section: string, claim: number): { attrs: Record<string, string>; cells: string[] } | undefined {
  const m = new RegExp(`<tr class="claim-evidence[^"]*" (data-claim="${claim}"[^>]*)>(.*?)</tr>`).exec(section);
  if (!m) return undefined;
  const attrs = Object.fromEntries([...m[1]!.matchAll(/data-([a-z]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!]));
  const cells = [...m[2]!.matchAll(/<td>(.*?)<\/td>/g)].map((c) => c[1]!);
  return { attrs, cells };
}

const PACKET_LAYERS = ['ethernet', 'arp', 'ipv4', 'icmp', 'tcp', 'udp', 'vxlan', 'l4'];
const isCapturePoint = (p: string | undefined): p is string => p !== undefined && /^(pod|node):\S+:(rx|tx|wire)$/.test(p);
const packetLayerOf = (c: Claim): string | undefined => (c.layer && c.field ? c.layer.split(' ').pop() : undefined);

describe('the report of every mutant names the capture point and field of its verdict', () => {
  test.each(MUTANTS.map((m) => [m.id, m.layer] as const))('%s (%s)', async (id, layer) => {
    // Arrange: the killing property's counterexample, written as a run folder
    const property = killer.get(id);
    expect(property, `${id} survives the kill matrix`).toBeDefined();
    const r = await runFuzz({ adapter: `mutant:${id}`, property: [property!], runs: String(RUNS), seed: '1', out: join(dir, id), corpus: false }, () => {});
    expect(r.code).toBe(1);

    // Act: read the folder back
    const cx = r.result.properties[0]!.counterexamples[0]!;
    const cdir = join(r.folder, 'counterexamples', cx.id);
    const claims = (JSON.parse(readFileSync(join(cdir, 'claims.json'), 'utf8')) as { claims: Claim[] }).claims;
    const claim = claims[0]!;
    const html = readFileSync(join(r.folder, 'report.html'), 'utf8');
    const section = new RegExp(`<section class="counterexample" id="cx-${cx.id}">([\\s\\S]*?)</section>`).exec(html)![1]!;
    const traceDiff = existsSync(join(cdir, 'trace-diff.txt')) ? readFileSync(join(cdir, 'trace-diff.txt'), 'utf8') : '';
    const row = evidenceRow(section, 0);
    written.set(id, { folder: r.folder, row: /<tr class="claim-evidence[^"]*" data-claim="0"[^>]*>.*?<\/tr>/.exec(section)?.[0] ?? '' });

    // Assert
    expect(markupProblems(html, 'html')).toEqual([]);
    if (!isCapturePoint(claim.point)) {
      // no capture point: the claims table shows the claim's place and field
      expect(section).toContain(`<td>${esc(claim.message)}</td><td><code>${esc(claim.point ?? '—')}</code></td><td>${esc([claim.layer, claim.field].filter(Boolean).join(' ') || '—')}</td>`);
      return;
    }
    expect(row, 'an evidence row for the first claim').toBeDefined();
    expect(row!.attrs.point).toBe(esc(claim.point));
    expect(traceDiff).toContain(`at ${claim.point}`);
    if (layer === 'rendering') {
      // the faulty rendering is part of the recorded calls: the model given them did the same
      expect(['same', 'absent']).toContain(row!.attrs.evidence);
      expect(section).toContain(esc(MODEL_AGREES));
      expect(traceDiff).toContain(MODEL_AGREES);
      return;
    }
    expect(section).not.toContain(esc(MODEL_AGREES));
    expect(traceDiff).not.toContain(MODEL_AGREES);
    expect(row!.attrs.supported).not.toBe('false');
    // the claimed packet's frames at the point, as traces.json keeps them
    const data = parseCounterexampleData(readFileSync(join(cdir, 'traces.json'), 'utf8'));
    const pkt = data.packets.find((p) => p.received?.packet === claim.packet);
    expect(pkt, `packet ${claim.packet} in traces.json`).toBeDefined();
    const at = (side: 'expected' | 'received') => (pkt![side]?.frames ?? []).filter((f) => f.point === claim.point);
    const pl = packetLayerOf(claim);
    if (pl && PACKET_LAYERS.includes(pl)) {
      // a packet-layer field: it differs there, expected vs received
      expect(row!.attrs.evidence).toBe('different');
      const field = row!.attrs.field!;
      expect(field, `${claim.layer} ${claim.field}`).toMatch(new RegExp(`^(${pl === 'l4' ? 'tcp|udp|icmp' : pl})( #\\d)? ${claim.field!.split(' ').pop()}$`));
      expect(row!.cells[4]).not.toBe(row!.cells[5]);
      const [e, a] = [at('expected')[0]!, at('received')[0]!];
      const diffs = diffLayers(e.layers, a.layers).map((d) => `${d.layer}${d.occurrence > 0 ? ` #${d.occurrence + 1}` : ''} ${d.field}`);
      expect(diffs).toContain(field);
    } else if (claim.layer === 'delivery') {
      // delivered or not: the adapter's frame at the point is there exactly when the claim says so
      const delivered = /^(delivered|allow)/.test(claim.received ?? '');
      expect(at('received').length > 0, `${claim.received}`).toBe(delivered);
      expect(row!.attrs.evidence).toBe(delivered ? (at('expected').length > 0 ? 'different' : 'extra') : 'missing');
    } else {
      expect.unreachable(`a claim of layer '${claim.layer}' at a capture point: add what its report should show`);
    }
    expect(readdirSync(cdir)).toContain('trace-diff.txt');
  });
});

describe('podflow merge rebuilds the same analysis from the run folders', () => {
  test('the merged report of a rendering mutant and a configuration mutant keeps their evidence rows and the model-agrees sentence', () => {
    const a = written.get('egress-not-rendered-for-remote');
    const b = written.get('wrong-vni');
    if (!a || !b) expect.unreachable('run the mutant tests above first (same file)');
    const m = runMerge([a.folder, b.folder], { out: join(dir, 'merged') });
    const html = readFileSync(join(m.folder, 'report.html'), 'utf8');
    expect(a.row).not.toBe('');
    expect(html).toContain(a.row);
    expect(html).toContain(b.row);
    expect(html.split(esc(MODEL_AGREES)).length - 1).toBe(1);
    expect(markupProblems(html, 'html')).toEqual([]);
  });
});
